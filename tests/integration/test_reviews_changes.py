"""Reviews after posting: the author's edits and deletions, rejections, and the events they stage."""

from __future__ import annotations

from typing import Any

import pytest

from storefront.data import keys
from storefront.data.product_items import ProductItem
from storefront.domain.errors import Unprocessable
from storefront.domain.reviews import service
from tests.aws_fixtures import MOTO
from tests.integration import catalog_calls
from tests.integration.reviews_calls import (
    ALICE,
    BOB,
    approved,
    body_of,
    call,
    moderate,
    post,
    posted,
    product,
    product_rating,
    public_list,
    rating_totals,
    review_events,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def test_an_edit_of_an_approved_review_removes_its_weight_until_it_is_approved_again() -> None:
    product_id = product()
    approved(product_id, BOB, 2)
    review_id = approved(product_id, ALICE, 5)
    assert product_rating(product_id) == {"average": 3.5, "count": 2}

    response = call("PATCH", f"/v1/reviews/{review_id}", ALICE, body={"rating": 4, "title": "Still good"})
    assert response["statusCode"] == 200, response
    edited = body_of(response)
    assert (edited["status"], edited["rating"], edited["title"]) == ("pending", 4, "Still good")
    assert product_rating(product_id) == {"average": 2.0, "count": 1}
    assert review_id not in [item["id"] for item in body_of(public_list(product_id))["items"]]

    assert moderate(review_id)["statusCode"] == 200
    assert product_rating(product_id) == {"average": 3.0, "count": 2}
    assert rating_totals(product_id) == (6, 2)


def test_rejecting_or_deleting_an_approved_review_takes_its_stars_out_of_the_rating() -> None:
    product_id = product()
    kept = approved(product_id, BOB, 1)
    rejected = approved(product_id, ALICE, 5)
    assert moderate(rejected, "reject")["statusCode"] == 200
    assert product_rating(product_id) == {"average": 1.0, "count": 1}
    assert call("DELETE", f"/v1/reviews/{kept}", BOB)["statusCode"] == 204
    assert product_rating(product_id) == {"average": None, "count": 0}
    assert rating_totals(product_id) == (0, 0)
    assert body_of(public_list(product_id))["items"] == []


def test_deleting_a_pending_review_leaves_the_rating_and_lets_the_author_review_again() -> None:
    product_id = product()
    approved(product_id, BOB, 3)
    review_id = posted(product_id, ALICE, 1)
    assert call("DELETE", f"/v1/reviews/{review_id}", ALICE)["statusCode"] == 204
    assert rating_totals(product_id) == (3, 1)
    assert call("DELETE", f"/v1/reviews/{review_id}", ALICE)["statusCode"] == 404
    assert post(product_id, ALICE, 2)["statusCode"] == 201


def test_another_customers_review_is_a_404_to_patch_or_delete_and_stays_unchanged() -> None:
    product_id = product()
    review_id = approved(product_id, ALICE, 5)
    patch = call("PATCH", f"/v1/reviews/{review_id}", BOB, body={"rating": 1})
    assert patch["statusCode"] == 404
    assert problem(patch)["detail"] == "No such review."
    assert call("DELETE", f"/v1/reviews/{review_id}", BOB)["statusCode"] == 404
    assert product_rating(product_id) == {"average": 5.0, "count": 1}
    assert [item["rating"] for item in body_of(public_list(product_id))["items"]] == [5]


def test_a_patch_must_change_something_and_cannot_null_a_field() -> None:
    review_id = posted(product(), ALICE)
    assert call("PATCH", f"/v1/reviews/{review_id}", ALICE, body={})["statusCode"] == 422
    assert call("PATCH", f"/v1/reviews/{review_id}", ALICE, body={"title": None})["statusCode"] == 422
    assert call("PATCH", f"/v1/reviews/{review_id}", ALICE, body={"status": "approved"})["statusCode"] == 422


@pytest.mark.parametrize("aws", [MOTO], indirect=True)
@pytest.mark.parametrize(
    "changes", [{"user_id": BOB[0]}, {"product_id": "01JDQ000000000000000NOPROD"}, {"status": "approved"}, {}]
)
def test_the_domain_edits_only_rating_title_and_body_and_refuses_an_empty_edit(changes: dict[str, Any]) -> None:
    # The API model forbids other fields; the domain's own check must too: a `user_id` or
    # `product_id` would replace the author or product it set, `status` failed as a 500.
    product_id = product()
    review_id = approved(product_id, ALICE, 5)
    with pytest.raises(Unprocessable):
        service.edit(ALICE[0], review_id, changes)
    assert product_rating(product_id) == {"average": 5.0, "count": 1}  # the review still counts
    assert call("DELETE", f"/v1/reviews/{review_id}", ALICE)["statusCode"] == 204  # and is still Alice's


def test_each_change_stages_its_event_with_the_ids_and_the_change_to_the_products_rating() -> None:
    product_id = product()
    review_id = posted(product_id, ALICE, 4)
    moderate(review_id)
    call("PATCH", f"/v1/reviews/{review_id}", ALICE, body={"rating": 2})
    moderate(review_id)
    moderate(review_id, "reject")
    call("DELETE", f"/v1/reviews/{review_id}", ALICE)
    events = review_events()  # one second holds them all: ids (ULIDs) do not order them
    summary = [
        (
            envelope["type"],
            envelope["data"]["status"],
            envelope["data"]["rating"],
            envelope["data"]["product_rating_change"],
        )
        for envelope in events
    ]
    assert sorted(summary, key=repr) == sorted(EXPECTED_EVENTS, key=repr)
    for envelope in events:
        assert envelope["data"]["review_id"] == review_id
        assert envelope["data"]["product_id"] == product_id
        assert envelope["data"]["user_id"] == ALICE[0]
        assert envelope["data"]["verified_purchase"] is False


EXPECTED_EVENTS = [
    ("review.submitted", "pending", 4, None),
    ("review.approved", "approved", 4, {"sum": 4, "count": 1}),
    ("review.submitted", "pending", 2, {"sum": -4, "count": -1}),
    ("review.approved", "approved", 2, {"sum": 2, "count": 1}),
    ("review.rejected", "rejected", 2, {"sum": -2, "count": -1}),
    ("review.deleted", "rejected", 2, None),
]


def test_a_rating_change_leaves_the_products_revision_and_a_catalog_edit_leaves_the_rating() -> None:
    product_id = product()
    revision = ProductItem.get(*keys.product(product_id), consistent_read=True).revision
    approved(product_id, ALICE, 4)
    assert ProductItem.get(*keys.product(product_id), consistent_read=True).revision == revision
    edit = catalog_calls.call("PATCH", f"/v1/products/{product_id}", catalog_calls.MANAGER, body={"price": 100})
    assert edit["statusCode"] == 200, edit
    assert catalog_calls.body_of(edit)["rating"] == {"average": 4.0, "count": 1}
    assert rating_totals(product_id) == (4, 1)
