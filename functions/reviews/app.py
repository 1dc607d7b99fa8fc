"""Reviews: shoppers read a product's approved reviews; customers post, edit and delete their
own; managers moderate the queue. A product's rating changes with each approval, rejection
or deletion of an approved review, and with an edit that sends one back to moderation.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from storefront.domain.reviews import service
from storefront.domain.reviews.entities import ReviewSort
from storefront.http.caching import cacheable, install_caching
from storefront.http.openapi import BAD_CURSOR, responses
from storefront.http.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from storefront.http.params import Customer, Manager, ProductId, ReviewId
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.reviews import PublicReview, PublicReviewPage, Review, ReviewCreate, ReviewPage, ReviewPatch

app = make_resolver()
install_caching(app)

CURSOR_CALLER = "public"  # the same list gives everyone the same pages
SortParam = Annotated[
    ReviewSort,
    Query(
        description="`newest` (the default: last posted or edited first), `rating_desc` (most stars first, "
        "then newest), `rating_asc` (fewest stars first, then oldest)"
    ),
]
StatusParam = Annotated[Literal["pending"], Query(description="Must be `pending`: the moderation queue")]

_TAGS = ["Reviews"]
_UNKNOWN = "No such review, or it is another customer's"
_BUSY = "The review changed concurrently too often; try again"
_DECIDED = (
    "The review already has that status (the body's `review_status` says which), "
    "or it changed concurrently too often; try again"
)


@app.get(
    "/v1/products/<product_id>/reviews",
    summary="A product's approved reviews",
    description="Public and cacheable (ETag, 304). A product that is not active is unknown (404).",
    tags=_TAGS,
    responses=responses(200, "A page of approved reviews", cached=True, errors=BAD_CURSOR),
)
def list_reviews(
    product_id: ProductId, sort: SortParam = "newest", limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[PublicReviewPage]:
    page = paginate(
        lambda size, start: service.list_public(product_id, sort, size, start),
        limit=limit,
        cursor=cursor,
        caller=CURSOR_CALLER,
        scope=f"reviews:{product_id}?sort={sort}",
    )
    return cacheable(
        app, PublicReviewPage(items=[PublicReview.of(item) for item in page.items], next_cursor=page.next_cursor)
    )


@app.post(
    "/v1/products/<product_id>/reviews",
    summary="Review a product",
    description="The review waits for moderation (`status: pending`) and is public once approved. "
    "One review per customer and product: a second is a 409 naming the first (`review_id`). "
    "A draft or unknown product is a 404, an archived one a 422.",
    tags=_TAGS,
    responses=responses(
        201,
        "Submitted for moderation",
        errors={
            409: "The caller has already reviewed this product (`review_id`), or concurrent writes kept "
            "cancelling this one; try again"
        },
    ),
)
def post_review(product_id: ProductId, body: ReviewCreate, principal: Customer) -> Response[Review]:
    review = service.submit(principal.user_id, product_id, body.rating, body.title, body.body)
    return json_response(Review.of(review), 201, private=True)


@app.patch(
    "/v1/reviews/<review_id>",
    summary="Change the caller's review",
    description="The review goes back to `pending`; an approved one stops counting in the product's rating "
    "until it is approved again.",
    tags=_TAGS,
    responses=responses(200, "The changed review, pending moderation", errors={404: _UNKNOWN, 409: _BUSY}),
)
def patch_review(review_id: ReviewId, body: ReviewPatch, principal: Customer) -> Response[Review]:
    return json_response(Review.of(service.edit(principal.user_id, review_id, body.changes())), private=True)


@app.delete(
    "/v1/reviews/<review_id>",
    summary="Delete the caller's review",
    description="An approved review's stars leave the product's rating. The caller may then review the product again.",
    tags=_TAGS,
    responses=responses(204, "Deleted", errors={404: _UNKNOWN, 409: _BUSY}),
)
def delete_review(review_id: ReviewId, principal: Customer) -> Response[None]:
    service.delete(principal.user_id, review_id)
    return no_content(private=True)


@app.get(
    "/v1/reviews",
    summary="The moderation queue (manager)",
    tags=_TAGS,
    responses=responses(200, "A page of pending reviews, oldest first", errors=BAD_CURSOR),
)
def list_pending(
    principal: Manager, status: StatusParam, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[ReviewPage]:
    page = paginate(
        service.list_pending, limit=limit, cursor=cursor, caller=principal.user_id, scope="reviews?status=pending"
    )
    return json_response(
        ReviewPage(items=[Review.of(item) for item in page.items], next_cursor=page.next_cursor), private=True
    )


@app.post(
    "/v1/reviews/<review_id>/approve",
    summary="Approve a review (manager)",
    description="It becomes public and its stars count in the product's rating. A rejected review may be approved.",
    tags=_TAGS,
    responses=responses(200, "The approved review", errors={404: "No such review", 409: _DECIDED}),
)
def approve_review(review_id: ReviewId, principal: Manager) -> Response[Review]:
    return json_response(Review.of(service.moderate(principal.user_id, review_id, "approved")), private=True)


@app.post(
    "/v1/reviews/<review_id>/reject",
    summary="Reject a review (manager)",
    description="It is not public; if it was approved, its stars leave the product's rating.",
    tags=_TAGS,
    responses=responses(200, "The rejected review", errors={404: "No such review", 409: _DECIDED}),
)
def reject_review(review_id: ReviewId, principal: Manager) -> Response[Review]:
    return json_response(Review.of(service.moderate(principal.user_id, review_id, "rejected")), private=True)


lambda_handler = http_handler(app)
