"""Calling the wishlist function the way API Gateway does."""

from __future__ import annotations

import json
from typing import Any

from devkit.functions import load_handler_module
from tests.integration.principals import ensure_user
from tests.support import FakeContext, http_event

wishlist_function = load_handler_module("functions/wishlist")

ANN = ("ANNWISHER00000000000000001", "customer")
BOB = ("BOBWISHER00000000000000001", "customer")


def wishlist_call(
    method: str, path: str, principal: tuple[str, str], *, module: Any = wishlist_function
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, principal=principal)
    return dict(module.lambda_handler(event, FakeContext()))


def put_wish(principal: tuple[str, str], product_id: str, *, module: Any = wishlist_function) -> dict[str, Any]:
    return wishlist_call("PUT", f"/v1/wishlist/items/{product_id}", principal, module=module)


def delete_wish(principal: tuple[str, str], product_id: str) -> dict[str, Any]:
    return wishlist_call("DELETE", f"/v1/wishlist/items/{product_id}", principal)


def wishlist_of(principal: tuple[str, str]) -> list[dict[str, Any]]:
    response = wishlist_call("GET", "/v1/wishlist", principal)
    assert response["statusCode"] == 200, response
    assert response["headers"]["Cache-Control"] == "private, no-store"
    return list(json.loads(response["body"])["items"])
