"""The caller's address book against moto: CRUD, ownership, the bound of 20, pagination."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from devkit.functions import load_handler_module
from storefront.data import users
from tests.aws_fixtures import serializable_moto_writes
from tests.integration.users_calls import (
    ADDRESS,
    add_address,
    body_of,
    customer,
    users_call,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")
ADDRESSES = "/v1/users/me/addresses"


def test_address_is_created_read_changed_and_deleted_when_owned() -> None:
    me = customer()
    created = add_address(me, line2="Apt 4", region="IL", phone="+1 217 555 0100")
    assert created["country"] == "US"
    assert created["is_default_shipping"] is False
    path = f"{ADDRESSES}/{created['id']}"
    assert body_of(users_call("GET", path, me)) == created
    changed = users_call("PATCH", path, me, body={"city": "Shelbyville", "line2": None})
    assert changed["statusCode"] == 200
    assert body_of(changed)["city"] == "Shelbyville"
    assert body_of(changed)["line2"] is None
    deleted = users_call("DELETE", path, me)
    assert deleted["statusCode"] == 204
    assert deleted["body"] is None
    assert users_call("GET", path, me)["statusCode"] == 404
    profile = users.get_profile(me[0])
    assert profile is not None
    assert profile.address_count == 0


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_address_is_404_when_it_belongs_to_another_user(method: str) -> None:
    owner, other = customer("owner@example.com"), customer("other@example.com")
    address = add_address(owner)
    body = {"city": "Elsewhere"} if method == "PATCH" else None
    response = users_call(method, f"{ADDRESSES}/{address['id']}", other, body=body)
    assert response["statusCode"] == 404
    problem(response)
    assert body_of(users_call("GET", f"{ADDRESSES}/{address['id']}", owner))["city"] == "Springfield"


def test_making_another_users_address_a_default_is_404_and_sets_nothing() -> None:
    owner, other = customer("owner@example.com"), customer("other@example.com")
    address = add_address(owner)
    response = users_call("PATCH", f"{ADDRESSES}/{address['id']}", other, body={"is_default_shipping": True})
    assert response["statusCode"] == 404
    profile = users.get_profile(other[0])
    assert profile is not None
    assert profile.default_shipping_address_id is None


@pytest.mark.parametrize(
    "changes",
    [
        {"country": "us"},
        {"country": "USA"},
        {"country": "XX"},
        {"name": ""},
        {"city": None},
        {"line1": 12},
        {"is_default_shipping": "yes"},
        {"user_id": "someone"},
    ],
)
def test_address_is_422_when_a_field_is_invalid(changes: dict[str, Any]) -> None:
    response = users_call("POST", ADDRESSES, customer(), body={**ADDRESS, **changes})
    assert response["statusCode"] == 422
    assert problem(response)["errors"]


def test_the_21st_address_is_409_when_20_are_saved() -> None:
    me = customer()
    for _ in range(20):
        add_address(me)
    response = users_call("POST", ADDRESSES, me, body=ADDRESS)
    assert response["statusCode"] == 409
    problem(response)
    first = body_of(users_call("GET", ADDRESSES, me, query={"limit": "1"}))["items"][0]
    users_call("DELETE", f"{ADDRESSES}/{first['id']}", me)
    assert users_call("POST", ADDRESSES, me, body=ADDRESS)["statusCode"] == 201


def test_concurrent_creations_never_exceed_20_when_racing() -> None:
    me = customer()
    for _ in range(10):
        add_address(me)
    modules = [load_handler_module("functions/users", fresh=True) for _ in range(15)]
    barrier = threading.Barrier(len(modules))
    statuses: list[int] = []

    def create(module: Any) -> None:
        barrier.wait()
        statuses.append(users_call("POST", ADDRESSES, me, body=ADDRESS, module=module)["statusCode"])

    with serializable_moto_writes():
        threads = [threading.Thread(target=create, args=(module,)) for module in modules]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [201] * 10 + [409] * 5
    listed = body_of(users_call("GET", ADDRESSES, me, query={"limit": "100"}))["items"]
    assert len(listed) == 20
    profile = users.get_profile(me[0])
    assert profile is not None
    assert profile.address_count == 20


def test_list_returns_every_address_exactly_once_when_paged() -> None:
    me = customer()
    created = [add_address(me, label=f"Place {n}")["id"] for n in range(7)]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = body_of(users_call("GET", ADDRESSES, me, query=query))
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert sorted(seen) == sorted(created)
    assert pages == 3


def test_list_is_400_when_the_cursor_is_tampered_or_foreign() -> None:
    me, other = customer("me@example.com"), customer("other@example.com")
    for _ in range(3):
        add_address(me)
    cursor = body_of(users_call("GET", ADDRESSES, me, query={"limit": "1"}))["next_cursor"]
    for bad in ("A" + cursor[1:], cursor + "x", "not-a-cursor"):
        response = users_call("GET", ADDRESSES, me, query={"limit": "1", "cursor": bad})
        assert response["statusCode"] == 400
        problem(response)
    assert users_call("GET", ADDRESSES, other, query={"cursor": cursor})["statusCode"] == 400


@pytest.mark.parametrize("limit", ["101", "0", "-1", "many"])
def test_list_is_422_when_the_limit_is_out_of_range(limit: str) -> None:
    response = users_call("GET", ADDRESSES, customer(), query={"limit": limit})
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["query", "limit"]
