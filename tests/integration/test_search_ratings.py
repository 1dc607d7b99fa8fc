"""`sort=rating` and `min_rating` after real approvals: the reviews function changes the rating, its
events reach the indexer through the outbox, and search follows (moto and DynamoDB Local)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration import reviews_calls
from tests.integration.reviews_calls import approved, customer, moderate, posted, product, product_rating
from tests.integration.search_calls import body_of, index_pending, search

pytestmark = pytest.mark.usefixtures("search_aws")


def rated(*stars: int) -> str:
    """A product with one approved review per star count, each by another customer."""
    product_id = product()
    for number, rating in enumerate(stars):
        approved(product_id, customer(number), rating)
    return product_id


def by_rating(*pairs: tuple[str, str]) -> list[tuple[str, dict[str, Any]]]:
    response = search([("sort", "rating"), ("limit", "100"), *pairs])
    assert response["statusCode"] == 200, response
    return [(item["id"], item["rating"]) for item in body_of(response)["items"]]


def test_sort_rating_follows_approvals_and_rejections() -> None:
    few = rated(5, 4)  # 4.5 from 2
    many = rated(5, 4, 5, 4)  # 4.5 from 4: ranks above `few`
    low = rated(3)
    pending = product()
    posted(pending, customer(0), 5)  # not approved: unrated
    assert index_pending()["batchItemFailures"] == []

    order = by_rating()
    assert [product_id for product_id, _ in order] == [many, few, low, pending]
    assert order[0][1] == {"average": 4.5, "count": 4} == product_rating(many)
    assert order[3][1] == {"average": None, "count": 0}
    assert [product_id for product_id, _ in by_rating(("min_rating", "4.5"))] == [many, few]

    # A manager rejects one of `many`'s five-star reviews: 13 stars from 3 now, below `few`.
    five_star = reviews_calls.public_list(many, sort="rating_desc")
    review_id = body_of(five_star)["items"][0]["id"]
    assert moderate(review_id, "reject")["statusCode"] == 200
    assert index_pending()["batchItemFailures"] == []

    order = by_rating()
    assert [product_id for product_id, _ in order] == [few, many, low, pending]
    assert order[1][1] == product_rating(many)
    assert order[1][1]["count"] == 3
    assert [product_id for product_id, _ in by_rating(("min_rating", "4.4"))] == [few]
