"""Reviews: posting, one per customer and product, moderation, the product's rating and the lists."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storefront.data import reviews as repository
from storefront.domain.reviews import service
from tests.aws_fixtures import MOTO
from tests.integration.reviews_calls import (
    ALICE,
    BOB,
    MANAGER,
    approved,
    body_of,
    call,
    customer,
    environments,
    moderate,
    post,
    posted,
    product,
    product_rating,
    public_list,
    rating_totals,
    review_body,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def test_a_posted_review_is_pending_unverified_and_not_public_until_approved() -> None:
    product_id = product()
    response = post(product_id, ALICE, 5)
    assert response["statusCode"] == 201, response
    review = body_of(response)
    assert (review["status"], review["verified_purchase"], review["rating"]) == ("pending", False, 5)
    assert (review["product_id"], review["user_id"]) == (product_id, ALICE[0])
    assert body_of(public_list(product_id))["items"] == []
    assert product_rating(product_id) == {"average": None, "count": 0}

    approval = moderate(review["id"])
    assert approval["statusCode"] == 200, approval
    assert body_of(approval)["status"] == "approved"
    assert [item["id"] for item in body_of(public_list(product_id))["items"]] == [review["id"]]
    assert product_rating(product_id) == {"average": 5.0, "count": 1}


def test_a_second_review_of_the_same_product_by_the_same_customer_is_a_409_naming_the_first() -> None:
    product_id = product()
    first = posted(product_id, ALICE)
    second = post(product_id, ALICE, 2)
    assert second["statusCode"] == 409
    assert problem(second)["review_id"] == first
    assert post(product_id, BOB)["statusCode"] == 201  # another customer may


@pytest.mark.usefixtures("isolated_transactions")
def test_five_concurrent_posts_by_one_customer_give_one_201_and_four_409() -> None:
    product_id = product()

    def post_in(environment: object) -> int:
        path = f"/v1/products/{product_id}/reviews"
        return int(call("POST", path, ALICE, body=review_body(), environment=environment)["statusCode"])  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(post_in, environments(5)))
    assert sorted(statuses) == [201, 409, 409, 409, 409]


@pytest.mark.usefixtures("isolated_transactions")
def test_forty_concurrent_approvals_of_distinct_reviews_leave_the_exact_average() -> None:
    product_id = product()
    ratings = [(number % 5) + 1 for number in range(40)]
    ratings[0] = 4  # sum 121 over 40: an average that is not a round number
    review_ids = [posted(product_id, customer(number), rating) for number, rating in enumerate(ratings)]

    def approve_in(pair: tuple[object, str]) -> int:
        environment, review_id = pair
        return int(call("POST", f"/v1/reviews/{review_id}/approve", MANAGER, environment=environment)["statusCode"])  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(approve_in, zip(environments(40), review_ids, strict=True)))
    assert statuses == [200] * 40
    assert rating_totals(product_id) == (sum(ratings), 40)
    assert product_rating(product_id) == {"average": round(sum(ratings) / 40, 2), "count": 40}


def test_approving_an_approved_review_or_rejecting_a_rejected_one_is_a_409_naming_its_status() -> None:
    product_id = product()
    review_id = approved(product_id, ALICE, 3)
    again = moderate(review_id, "approve")
    assert again["statusCode"] == 409
    assert problem(again)["review_status"] == "approved"
    assert moderate(review_id, "reject")["statusCode"] == 200
    rejected_again = moderate(review_id, "reject")
    assert rejected_again["statusCode"] == 409
    assert problem(rejected_again)["review_status"] == "rejected"
    assert rating_totals(product_id) == (0, 0)


def test_reviewing_an_unknown_or_draft_product_is_a_404_and_an_archived_one_a_422() -> None:
    assert post("01JDQ000000000000000NOPROD", ALICE)["statusCode"] == 404
    assert post(product("draft"), ALICE)["statusCode"] == 404
    assert post(product("archived"), ALICE)["statusCode"] == 422
    assert public_list("01JDQ000000000000000NOPROD")["statusCode"] == 404


def test_only_managers_moderate_and_see_the_queue() -> None:
    review_id = posted(product(), ALICE)
    assert call("POST", f"/v1/reviews/{review_id}/approve", BOB)["statusCode"] == 403
    assert call("GET", "/v1/reviews", BOB, query={"status": "pending"})["statusCode"] == 403
    assert call("POST", "/v1/reviews/01JDQ0000000000000000NOREV/approve", MANAGER)["statusCode"] == 404


@pytest.mark.parametrize("aws", [MOTO], indirect=True)
def test_a_write_that_concurrent_writes_keep_cancelling_is_a_bounded_409_the_openapi_document_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product_id = product()
    review_id = posted(product_id, ALICE)
    cancelled: list[object] = []

    def cancel(*args: object) -> bool:  # DynamoDB cancelled the transaction (another was in flight)
        cancelled.append(args)
        return False

    monkeypatch.setattr(service, "_backoff", lambda attempt: None)
    monkeypatch.setattr(repository, "update_review", cancel)
    monkeypatch.setattr(repository, "create_review", cancel)
    monkeypatch.setattr(repository, "claimed_review", lambda *args: None)

    approval, second_post = moderate(review_id), post(product(), BOB)
    assert (approval["statusCode"], second_post["statusCode"]) == (409, 409)
    assert "concurrently" in problem(approval)["detail"]
    assert "concurrently" in problem(second_post)["detail"]
    assert len(cancelled) == 2 * service.ATTEMPTS  # bounded retries

    paths = json.loads(Path("docs/openapi.json").read_text())["paths"]
    for path, method in (
        ("/v1/reviews/{review_id}/approve", "post"),
        ("/v1/reviews/{review_id}/reject", "post"),
        ("/v1/products/{product_id}/reviews", "post"),
    ):
        assert "concurrent" in paths[path][method]["responses"]["409"]["description"], path
