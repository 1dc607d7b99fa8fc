"""The OpenAPI document of the cart and wishlist routes says every refusal they make."""

from __future__ import annotations

import json
from typing import Any

from devkit.openapi import OUTPUTS

_VALIDATED = [  # routes with a body or a validated header: their 422 includes refused fields
    ("post", "/v1/cart/items"),
    ("patch", "/v1/cart/items/{sku}"),
    ("post", "/v1/cart/merge"),
    ("post", "/v1/guest-cart/items"),
    ("patch", "/v1/guest-cart/items/{sku}"),
]


def _operation(method: str, path: str) -> dict[str, Any]:
    return dict(json.loads(OUTPUTS[0].read_text())["paths"][path][method])


def test_a_routes_own_422_still_says_invalid_fields_are_refused_too() -> None:
    for method, path in _VALIDATED:
        description = _operation(method, path)["responses"]["422"]["description"]
        assert "`errors`" in description, (method, path, description)


def test_emptying_a_cart_documents_the_409_of_writes_that_kept_winning() -> None:
    for path in ("/v1/cart", "/v1/guest-cart"):
        assert "409" in _operation("delete", path)["responses"], path
