"""Calling the auth function the way API Gateway does, for the auth tests."""

from __future__ import annotations

import json
from typing import Any

import boto3

from devkit.functions import load_handler_module
from storefront.data import keys
from tests.integration.principals import ensure_user
from tests.support import FakeContext, http_event, sample_event

auth = load_handler_module("functions/auth")

PASSWORD = "correct horse battery"


def call(event: dict[str, Any], module: Any = auth) -> dict[str, Any]:
    return dict(module.lambda_handler(event, FakeContext()))


def post(
    path: str, body: Any, *, principal: tuple[str, str] | None = None, source_ip: str | None = None
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event("POST", path, body=body, principal=principal)
    if source_ip is not None:
        event["requestContext"]["http"]["sourceIp"] = source_ip
    return call(event)


def body_of(response: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(response["body"]))


def register(email: str = "ann@example.com", password: str = PASSWORD, name: str = "Ann") -> dict[str, Any]:
    response = post("/v1/auth/register", {"email": email, "password": password, "name": name})
    assert response["statusCode"] == 201, response
    return body_of(response)


def login(email: str = "ann@example.com", password: str = PASSWORD, **kwargs: Any) -> dict[str, Any]:
    return post("/v1/auth/login", {"email": email, "password": password}, **kwargs)


def refresh(token: str) -> dict[str, Any]:
    return post("/v1/auth/refresh", {"refresh_token": token})


def logout(token: str) -> dict[str, Any]:
    return post("/v1/auth/logout", {"refresh_token": token})


def change_password(user_id: str, current: str, new: str) -> dict[str, Any]:
    body = {"current_password": current, "new_password": new}
    return post("/v1/auth/password", body, principal=(user_id, "customer"))


def sample(case: str) -> dict[str, Any]:
    return sample_event("auth", case)


def disable(user_id: str) -> None:
    """What the admin route of a later slice will do: set the user's `disabled` flag."""
    pk, sk = keys.user(user_id)
    boto3.resource("dynamodb").Table("storefront-test").update_item(
        Key={"PK": pk, "SK": sk}, UpdateExpression="SET disabled = :yes", ExpressionAttributeValues={":yes": True}
    )
