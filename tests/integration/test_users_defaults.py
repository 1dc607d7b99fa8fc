"""Default shipping and billing addresses: one of each, whatever order or concurrency."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from devkit.functions import load_handler_module
from storefront.data import users
from tests.aws_fixtures import serializable_moto_writes
from tests.integration.users_calls import add_address, body_of, customer, users_call

pytestmark = pytest.mark.usefixtures("aws")
ADDRESSES = "/v1/users/me/addresses"


def _defaults(principal: tuple[str, str]) -> tuple[list[str], list[str]]:
    items = body_of(users_call("GET", ADDRESSES, principal, query={"limit": "100"}))["items"]
    shipping = [item["id"] for item in items if item["is_default_shipping"]]
    billing = [item["id"] for item in items if item["is_default_billing"]]
    return shipping, billing


def test_new_default_replaces_the_old_one_when_created() -> None:
    me = customer()
    first = add_address(me, is_default_shipping=True, is_default_billing=True)
    second = add_address(me, is_default_shipping=True)
    assert second["is_default_shipping"] is True
    assert _defaults(me) == ([second["id"]], [first["id"]])
    me_body = body_of(users_call("GET", "/v1/users/me", me))
    assert me_body["default_shipping_address_id"] == second["id"]
    assert me_body["default_billing_address_id"] == first["id"]


def test_default_moves_when_another_address_is_patched_to_default() -> None:
    me = customer()
    first = add_address(me, is_default_billing=True)
    second = add_address(me)
    response = users_call("PATCH", f"{ADDRESSES}/{second['id']}", me, body={"is_default_billing": True})
    assert body_of(response)["is_default_billing"] is True
    assert _defaults(me) == ([], [second["id"]])
    assert body_of(users_call("GET", f"{ADDRESSES}/{first['id']}", me))["is_default_billing"] is False


def test_default_is_unset_when_patched_to_false_and_kept_when_another_is_patched_false() -> None:
    me = customer()
    first = add_address(me, is_default_shipping=True)
    second = add_address(me)
    users_call("PATCH", f"{ADDRESSES}/{second['id']}", me, body={"is_default_shipping": False})
    assert _defaults(me) == ([first["id"]], [])
    users_call("PATCH", f"{ADDRESSES}/{first['id']}", me, body={"is_default_shipping": False})
    assert _defaults(me) == ([], [])


def test_pointer_is_cleared_when_the_default_address_is_deleted() -> None:
    me = customer()
    first = add_address(me, is_default_shipping=True, is_default_billing=True)
    other = add_address(me)
    assert users_call("DELETE", f"{ADDRESSES}/{first['id']}", me)["statusCode"] == 204
    profile = users.get_profile(me[0])
    assert profile is not None
    assert profile.default_shipping_address_id is None
    assert profile.default_billing_address_id is None
    assert profile.address_count == 1
    assert _defaults(me) == ([], [])
    assert users_call("DELETE", f"{ADDRESSES}/{other['id']}", me)["statusCode"] == 204


def test_exactly_one_default_remains_when_set_concurrently() -> None:
    me = customer()
    addresses = [add_address(me)["id"] for _ in range(6)]
    modules = [load_handler_module("functions/users", fresh=True) for _ in addresses]
    barrier = threading.Barrier(len(addresses))

    def make_default(module: Any, address_id: str) -> None:
        barrier.wait()
        body = {"is_default_shipping": True, "is_default_billing": True}
        users_call("PATCH", f"{ADDRESSES}/{address_id}", me, body=body, module=module)

    with serializable_moto_writes():
        threads = [threading.Thread(target=make_default, args=pair) for pair in zip(modules, addresses, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    shipping, billing = _defaults(me)
    assert len(shipping) == 1
    assert len(billing) == 1


def test_no_pointer_dangles_when_a_default_is_set_and_deleted_concurrently() -> None:
    me = customer()
    target = add_address(me)["id"]
    modules = [load_handler_module("functions/users", fresh=True) for _ in range(2)]
    barrier = threading.Barrier(2)
    path = f"{ADDRESSES}/{target}"

    def run(module: Any, method: str) -> None:
        barrier.wait()
        users_call(method, path, me, body={"is_default_shipping": True} if method == "PATCH" else None, module=module)

    threads = [
        threading.Thread(target=run, args=(modules[0], "PATCH")),
        threading.Thread(target=run, args=(modules[1], "DELETE")),
    ]
    with serializable_moto_writes():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert users_call("GET", path, me)["statusCode"] == 404
    profile = users.get_profile(me[0])
    assert profile is not None
    assert profile.default_shipping_address_id is None
    assert profile.address_count == 0
