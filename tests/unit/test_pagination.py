"""Cursors are opaque, signed, and only valid for the caller and the list they came from."""

from __future__ import annotations

import pytest

from storefront.domain.errors import BadRequest
from storefront.http.pagination import decode_cursor, encode_cursor

LAST_KEY = {"PK": {"S": "USER#1"}, "SK": {"S": "ADDRESS#01J"}}


def test_cursor_round_trips_when_the_same_caller_asks_for_the_same_list() -> None:
    cursor = encode_cursor(LAST_KEY, caller="user-1", scope="addresses")
    assert decode_cursor(cursor, caller="user-1", scope="addresses") == LAST_KEY


def test_no_cursor_is_issued_when_the_list_is_exhausted() -> None:
    assert encode_cursor(None, caller="user-1", scope="addresses") is None
    assert decode_cursor(None, caller="user-1", scope="addresses") is None


@pytest.mark.parametrize(("caller", "scope"), [("user-2", "addresses"), ("user-1", "orders")])
def test_cursor_is_refused_when_replayed_by_another_caller_or_list(caller: str, scope: str) -> None:
    cursor = encode_cursor(LAST_KEY, caller="user-1", scope="addresses")
    with pytest.raises(BadRequest, match="belongs to another query"):
        decode_cursor(cursor, caller=caller, scope=scope)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: "A" + c[1:],
        lambda c: c.split(".")[0],
        lambda c: c.split(".")[0] + ".",
        lambda c: "e30." + c.split(".", 1)[1],
        lambda c: c.rsplit(".", 1)[0] + ".AAAA",
        lambda c: "!!!.???",
        lambda c: "",
    ],
)
def test_cursor_is_refused_when_tampered(mutate: object) -> None:
    cursor = encode_cursor(LAST_KEY, caller="user-1", scope="addresses")
    assert cursor is not None
    with pytest.raises(BadRequest, match="invalid"):
        decode_cursor(mutate(cursor), caller="user-1", scope="addresses")  # type: ignore[operator]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: "abc.é",  # `?cursor=abc.%C3%A9`
        lambda c: c + "é",
        lambda c: c.split(".")[0] + ".\u202e" + c.split(".")[1][1:],
        lambda c: "é" + c,
        lambda c: "😀.😀",
    ],
)
def test_cursor_is_refused_when_it_holds_non_ascii_characters(mutate: object) -> None:
    cursor = encode_cursor(LAST_KEY, caller="user-1", scope="addresses")
    assert cursor is not None
    with pytest.raises(BadRequest):
        decode_cursor(mutate(cursor), caller="user-1", scope="addresses")  # type: ignore[operator]


def test_cursor_still_round_trips_when_the_caller_or_scope_is_not_ascii() -> None:
    cursor = encode_cursor(LAST_KEY, caller="user-é", scope="products?q=café")
    assert decode_cursor(cursor, caller="user-é", scope="products?q=café") == LAST_KEY
