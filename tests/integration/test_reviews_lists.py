"""The review lists: the public one (approved only, three sorts, pages, cache) and the moderation queue."""

from __future__ import annotations

from typing import Any

import pytest

from storefront.domain import clock
from tests.integration.inventory_calls import dynamodb_requests
from tests.integration.principals import ensure_user
from tests.integration.reviews_calls import (
    ALICE,
    MANAGER,
    approved,
    body_of,
    call,
    customer,
    moderate,
    post,
    posted,
    product,
    public_list,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def _all_pages(fetch: Any, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = fetch({"limit": str(limit), **({"cursor": cursor} if cursor else {})})
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture
def ticking_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each reading of the clock is one second later: submission times differ, so orders are exact."""
    seconds = iter(range(1_800_000_000, 1_900_000_000))
    monkeypatch.setattr(clock, "now", lambda: next(seconds))


@pytest.mark.usefixtures("ticking_clock")
def test_the_public_list_shows_only_approved_reviews_in_each_sort_across_pages() -> None:
    product_id = product()
    ratings = [3, 5, 1, 4, 5, 2]
    ids = [approved(product_id, customer(number), rating) for number, rating in enumerate(ratings)]
    pending = posted(product_id, customer(90), 5)
    rejected = posted(product_id, customer(91), 5)
    moderate(rejected, "reject")

    def listed(sort: str) -> list[tuple[int, str]]:
        items = _all_pages(lambda query: body_of(public_list(product_id, sort=sort, **query)), 4)
        return [(item["rating"], item["id"]) for item in items]

    by_time = list(zip(ratings, ids, strict=True))  # posted in this order, one second apart
    newest_first = by_time[::-1]
    assert listed("newest") == newest_first
    assert body_of(public_list(product_id))["items"][0]["id"] == ids[-1]  # newest is the default
    assert listed("rating_desc") == sorted(newest_first, key=lambda pair: -pair[0])
    assert listed("rating_asc") == sorted(by_time, key=lambda pair: pair[0])
    assert pending not in {review_id for _, review_id in listed("newest")}
    assert rejected not in {review_id for _, review_id in listed("newest")}


def test_the_public_list_is_cacheable_and_hides_who_wrote_each_review() -> None:
    product_id = product()
    approved(product_id, ALICE, 4)
    response = public_list(product_id)
    assert response["headers"]["Cache-Control"].startswith("public")
    (item,) = body_of(response)["items"]
    assert "user_id" not in item
    again = call("GET", f"/v1/products/{product_id}/reviews", headers={"If-None-Match": response["headers"]["ETag"]})
    assert again["statusCode"] == 304


def test_a_cursor_of_one_sort_is_refused_on_another() -> None:
    product_id = product()
    for number in range(3):
        approved(product_id, customer(number), number + 1)
    cursor = body_of(public_list(product_id, limit="1"))["next_cursor"]
    refused = public_list(product_id, sort="rating_desc", limit="1", cursor=cursor)
    assert refused["statusCode"] == 400
    assert "another query" in problem(refused)["detail"]


def test_an_unknown_sort_is_a_422() -> None:
    assert public_list(product(), sort="helpful")["statusCode"] == 422


@pytest.mark.usefixtures("ticking_clock")
def test_the_moderation_queue_lists_pending_reviews_oldest_first_with_one_query_and_no_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = product(), product()
    ids = [posted(product_id, customer(number)) for number, product_id in enumerate([first, second, first])]
    moderate(posted(second, customer(9)), "approve")  # approved: not in the queue
    edited = posted(first, customer(10))
    call("PATCH", f"/v1/reviews/{ids[0]}", customer(0), body={"body": "Changed my mind."})  # back of the queue
    ensure_user(MANAGER)

    def queue(query: dict[str, str]) -> dict[str, Any]:
        response = call("GET", "/v1/reviews", MANAGER, query={"status": "pending", **query})
        assert response["statusCode"] == 200, response
        return dict(body_of(response))

    assert [item["id"] for item in _all_pages(queue, 2)] == [ids[1], ids[2], edited, ids[0]]
    with dynamodb_requests(monkeypatch) as requests:
        queue({})
    assert requests == ["GetItem", "Query"]  # the caller's standing, then the queue


def test_the_queue_needs_status_pending() -> None:
    assert call("GET", "/v1/reviews", MANAGER)["statusCode"] == 422
    assert call("GET", "/v1/reviews", MANAGER, query={"status": "approved"})["statusCode"] == 422


def test_review_text_is_plain_text_returned_exactly_as_sent() -> None:
    product_id = product()
    title = "<b>Great</b> & <script>alert(1)</script>"
    body = 'Line one\n\tLine "two" <img src=x onerror=alert(1)> &amp;'
    response = post(product_id, ALICE, 5, title=title, body=body)
    assert response["statusCode"] == 201, response
    assert (body_of(response)["title"], body_of(response)["body"]) == (title, body)
    moderate(body_of(response)["id"])
    (listed,) = body_of(public_list(product_id))["items"]
    assert (listed["title"], listed["body"]) == (title, body)
    assert response["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Nice\u202egpj.exe"),
        ("title", "two\nlines"),
        ("body", "bell\x07"),
        ("body", "x" * 5001),
        ("title", "x" * 121),
        ("title", "   "),
        ("rating", 6),
        ("rating", 0),
        ("rating", 4.5),
        ("rating", "5"),
    ],
)
def test_bad_review_fields_are_a_422_naming_the_field(field: str, value: Any) -> None:
    response = post("01JDQ000000000000000NOPROD", ALICE, **{field: value})  # refused before any read
    assert response["statusCode"] == 422, response
    assert [error["loc"][-1] for error in problem(response)["errors"]] == [field]
