"""Calling the catalog function the way API Gateway does, and building a small catalog."""

from __future__ import annotations

import json
from typing import Any

from devkit.functions import load_handler_module
from storefront.domain.identity.roles import Role
from storefront.security.tokens import issue_access_token
from tests.integration.principals import ensure_user
from tests.integration.users_calls import put_user
from tests.support import FakeContext, http_event

catalog = load_handler_module("functions/catalog")

MANAGER = ("MANAGER000000000000000000001", "manager")
CUSTOMER = ("CUSTOMER00000000000000000001", "customer")


def call(
    method: str,
    path: str,
    principal: tuple[str, str] | None = None,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, body=body, principal=principal, headers=headers)
    return dict(catalog.lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def manager_token(user_id: str = MANAGER[0], role: Role = Role.MANAGER) -> str:
    """A manager's access token, for the public GET (which has no authorizer in front)."""
    put_user(user_id, role, email=f"{user_id.lower()}@example.com")
    return issue_access_token(user_id, role, 0)


def create_category(name: str, parent_id: str | None = None, **attributes: Any) -> dict[str, Any]:
    slug = name.lower().replace(" ", "-")
    body: dict[str, Any] = {"name": name, "slug": slug, "parent_id": parent_id, "attributes": attributes}
    response = call("POST", "/v1/categories", MANAGER, body=body)
    assert response["statusCode"] == 201, response
    return dict(body_of(response))


def product_body(category_id: str, *skus: str, **overrides: Any) -> dict[str, Any]:
    variants = [{"sku": sku, "options": {"size": f"S{index}"}, "initial_stock": 7} for index, sku in enumerate(skus)]
    return {
        "name": "Trail Shoe",
        "description": "A light shoe.",
        "category_id": category_id,
        "brand": "Acme",
        "price": 8900,
        "currency": "EUR",
        "attributes": {},
        "tags": ["running"],
        "status": "active",
        "variants": variants or [{"sku": "SHOE-1", "options": {"size": "42"}, "initial_stock": 3}],
        **overrides,
    }


def create_product(category_id: str, *skus: str, **overrides: Any) -> dict[str, Any]:
    response = call("POST", "/v1/products", MANAGER, body=product_body(category_id, *skus, **overrides))
    assert response["statusCode"] == 201, response
    return dict(body_of(response))
