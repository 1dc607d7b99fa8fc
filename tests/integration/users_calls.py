"""Calling the users function the way API Gateway does, and seeding users for it."""

from __future__ import annotations

import json
from typing import Any

from devkit.functions import load_handler_module
from storefront.data.users import email_claim_item, user_item
from storefront.domain.identity.entities import User
from storefront.domain.identity.roles import Role
from tests.integration.auth_calls import register
from tests.integration.principals import ensure_user
from tests.support import FakeContext, http_event

users_function = load_handler_module("functions/users")

ADDRESS: dict[str, Any] = {
    "label": "Home",
    "name": "Ann Example",
    "line1": "1 Main Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


def put_user(
    user_id: str, role: Role = Role.CUSTOMER, *, disabled: bool = False, email: str | None = None, created_at: int = 1
) -> None:
    """A user item as sign-up writes it (without the sign-up): for authorizer and admin tests."""
    user = User(
        id=user_id,
        email=email or f"{user_id.lower()}@example.com",
        name=f"User {user_id}",
        role=role,
        password_hash=b"$2b$04$notarealhashnotarealhashnotarealhashnotarealhashnot",
        disabled=disabled,
        session_epoch=0,
        created_at=created_at,
    )
    user_item(user).save()
    email_claim_item(user).save()


def users_call(
    method: str,
    path: str,
    principal: tuple[str, str] | tuple[str, str, int],
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    module: Any = users_function,
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, body=body, query=query, principal=principal)
    return dict(module.lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def customer(email: str = "ann@example.com") -> tuple[str, str]:
    """A registered customer's principal, as the authorizer would pass it."""
    return register(email=email)["user"]["id"], "customer"


def admin(user_id: str = "ADMIN0000000000000000000001") -> tuple[str, str]:
    put_user(user_id, Role.ADMIN, email="admin@example.com")
    return user_id, "admin"


def add_address(principal: tuple[str, str], **overrides: Any) -> dict[str, Any]:
    response = users_call("POST", "/v1/users/me/addresses", principal, body={**ADDRESS, **overrides})
    assert response["statusCode"] == 201, response
    return dict(body_of(response))
