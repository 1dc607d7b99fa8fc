"""Reviews, their (product, author) claims, and the product's rating totals.

A review lives at `REVIEW#<id>`; a claim in the product's partition (`REVIEW_BY#<user>`)
makes one review per author and product, put if absent in the review's creation
transaction. Index keys are sparse: a pending review is in the moderation queue (GSI1
`REVIEWS_PENDING`), an approved one in its product's public lists (GSI1 by time, GSI2 by
rating, both `REVIEWS#<product_id>`), a rejected one in neither. Every write of a review
is one transaction conditioned on its `revision` as read (and bumps it), with the outbox
event and, when the review's weight changes, `ADD rating_sum, rating_count` on the product
(never its `revision`: a rating is not a manager's edit, and catalog writes SET named
fields, so neither overwrites the other).
"""

from __future__ import annotations

from typing import Any, cast

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.outbox import stage_event
from storefront.data.product_items import ProductItem
from storefront.data.table import TableItem, committed, query_slice
from storefront.domain.pages import Slice
from storefront.domain.reviews.entities import Review, ReviewSort
from storefront.domain.reviews.rating import RatingChange
from storefront.events.base import DomainEvent


class ReviewItem(TableItem, discriminator="Review"):
    review_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    rating = NumberAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    status = UnicodeAttribute()
    verified_purchase = BooleanAttribute(default=False)
    created_at = NumberAttribute()
    submitted_at = NumberAttribute()
    updated_at = NumberAttribute()
    revision = NumberAttribute(default=1)
    moderated_by = UnicodeAttribute(null=True)
    moderated_at = NumberAttribute(null=True)


class ReviewClaimItem(TableItem, discriminator="ReviewClaim"):
    review_id = UnicodeAttribute()


_FIELDS = ("rating", "title", "body", "status", "verified_purchase", "submitted_at", "updated_at", "revision")


def _review(item: ReviewItem) -> Review:
    return Review(
        id=item.review_id,
        product_id=item.product_id,
        user_id=item.user_id,
        rating=int(item.rating),
        title=item.title,
        body=item.body,
        status=cast(Any, item.status),
        verified_purchase=bool(item.verified_purchase),
        created_at=int(item.created_at),
        submitted_at=int(item.submitted_at),
        updated_at=int(item.updated_at),
        revision=int(item.revision or 1),
        moderated_by=item.moderated_by,
        moderated_at=int(item.moderated_at) if item.moderated_at is not None else None,
    )


def _index_keys(review: Review) -> dict[str, str | None]:
    """The GSI keys of a review in its status: the queue, the public lists, or neither."""
    found: dict[str, str | None] = dict.fromkeys(("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"))
    if review.status == "pending":
        found["GSI1PK"], found["GSI1SK"] = keys.pending_reviews_index(review.submitted_at, review.id)
    elif review.status == "approved":
        at = review.submitted_at
        found["GSI1PK"], found["GSI1SK"] = keys.approved_reviews_by_time(review.product_id, at, review.id)
        found["GSI2PK"], found["GSI2SK"] = keys.approved_reviews_by_rating(
            review.product_id, review.rating, at, review.id
        )
    return found


def _review_item(review: Review) -> ReviewItem:
    attributes: dict[str, Any] = {name: getattr(review, name) for name in _FIELDS}
    attributes.update(_index_keys(review))
    pk, sk = keys.review(review.id)
    return ReviewItem(
        pk,
        sk,
        review_id=review.id,
        product_id=review.product_id,
        user_id=review.user_id,
        created_at=review.created_at,
        **attributes,
    )


def _stage_rating(write: TransactWrite, product_id: str, change: RatingChange | None) -> None:
    if change is None:
        return
    actions: list[Any] = [ProductItem.rating_sum.add(change.sum), ProductItem.rating_count.add(change.count)]
    write.update(ProductItem(*keys.product(product_id)), actions=actions, condition=ProductItem.PK.exists())


def create_review(review: Review, event: DomainEvent) -> bool:
    """Access pattern REVIEW-CREATE: TransactWriteItems.

    Put the claim `PRODUCT#<product_id>` / `REVIEW_BY#<user_id>` and the review, each if
    absent; ConditionCheck the product `status = active`; Put the outbox event. Of several
    concurrent posts by one author for one product exactly one commits. False when cancelled.
    """
    claim = ReviewClaimItem(*keys.review_claim(review.product_id, review.user_id), review_id=review.id)
    product_is_active = ProductItem.PK.exists() & (ProductItem.status == "active")

    def write_all(write: TransactWrite) -> None:
        write.save(claim, condition=ReviewClaimItem.PK.does_not_exist())
        write.save(_review_item(review), condition=ReviewItem.PK.does_not_exist())
        write.condition_check(ProductItem, *keys.product(review.product_id), condition=product_is_active)
        stage_event(write, event, review.created_at)

    return committed(write_all)


def get_review(review_id: str) -> Review | None:
    """Access pattern REVIEW-BY-ID: consistent GetItem `REVIEW#<id>` / `REVIEW`."""
    try:
        return _review(ReviewItem.get(*keys.review(review_id), consistent_read=True))
    except ReviewItem.DoesNotExist:
        return None


def claimed_review(product_id: str, user_id: str) -> str | None:
    """Access pattern REVIEW-CLAIM: consistent GetItem of the claim → the author's review id, if any."""
    try:
        return str(ReviewClaimItem.get(*keys.review_claim(product_id, user_id), consistent_read=True).review_id)
    except ReviewClaimItem.DoesNotExist:
        return None


def product_status(product_id: str) -> str | None:
    """Access pattern REVIEW-PRODUCT: GetItem `PRODUCT#<id>` / `PRODUCT`, projecting `status`."""
    try:
        item = ProductItem.get(*keys.product(product_id), attributes_to_get=["status", "entity"])
    except ProductItem.DoesNotExist:
        return None
    return str(item.status)


def _unchanged(before: Review) -> Any:
    return ReviewItem.PK.exists() & (ReviewItem.revision == before.revision)


def update_review(before: Review, after: Review, change: RatingChange | None, event: DomainEvent) -> bool:
    """Access pattern REVIEW-UPDATE: TransactWriteItems (an edit, an approval, a rejection).

    Update the review if its `revision` is as read (SET its fields, moderation and index
    keys, `revision + 1`); when its weight changes, Update the product `ADD rating_sum,
    rating_count` (if it exists); Put the outbox event. False when cancelled.
    """
    actions: list[Any] = [getattr(ReviewItem, name).set(getattr(after, name)) for name in _FIELDS]
    for name, value in _index_keys(after).items():
        attribute = getattr(ReviewItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    if after.moderated_by is not None and after.moderated_at is not None:
        actions += [ReviewItem.moderated_by.set(after.moderated_by), ReviewItem.moderated_at.set(after.moderated_at)]

    def write_all(write: TransactWrite) -> None:
        write.update(ReviewItem(*keys.review(before.id)), actions=actions, condition=_unchanged(before))
        _stage_rating(write, before.product_id, change)
        stage_event(write, event, after.updated_at)

    return committed(write_all)


def delete_review(before: Review, change: RatingChange | None, event: DomainEvent, now: int) -> bool:
    """Access pattern REVIEW-DELETE: TransactWriteItems.

    Delete the review if its `revision` is as read; Delete its claim (if it names the
    review); when it was approved, Update the product `ADD rating_sum -rating, rating_count
    -1`; Put the outbox event. False when cancelled.
    """
    claim = ReviewClaimItem(*keys.review_claim(before.product_id, before.user_id))

    def write_all(write: TransactWrite) -> None:
        write.delete(ReviewItem(*keys.review(before.id)), condition=_unchanged(before))
        write.delete(claim, condition=ReviewClaimItem.review_id == before.id)
        _stage_rating(write, before.product_id, change)
        stage_event(write, event, now)

    return committed(write_all)


def _page(results: Any, limit: int) -> Slice[Review]:
    return query_slice(results, limit, lambda item: _review(cast(ReviewItem, item)))


def list_approved(product_id: str, sort: ReviewSort, limit: int, start: dict[str, Any] | None) -> Slice[Review]:
    """Access pattern REVIEWS-BY-PRODUCT: Query GSI1 (newest: by submission time, descending) or
    GSI2 (rating_desc / rating_asc: by rating, then time) `= REVIEWS#<product_id>`, `Limit = limit + 1`.
    Sparse: only approved reviews carry these keys."""
    index = ReviewItem.gsi2 if sort != "newest" else ReviewItem.gsi1
    results = index.query(
        keys.approved_reviews_partition(product_id),
        scan_index_forward=sort == "rating_asc",
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=start,
    )
    return _page(results, limit)


def list_pending(limit: int, start: dict[str, Any] | None) -> Slice[Review]:
    """Access pattern REVIEWS-PENDING: Query GSI1 `GSI1PK = REVIEWS_PENDING`, ascending (oldest
    submission first), `Limit = limit + 1`. Sparse: only pending reviews carry the key."""
    results = ReviewItem.gsi1.query(
        keys.pending_reviews_partition(),
        scan_index_forward=True,
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=start,
    )
    return _page(results, limit)
