"""Sign-up against moto: accounts, unique emails, validation at the edge."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any

import boto3
import pytest

from devkit.functions import load_handler_module
from storefront.data import keys
from storefront.security.tokens import ACCESS_TOKEN_TTL_S, verify_access_token
from tests.aws_fixtures import MOTO, serializable_moto_writes
from tests.integration.auth_calls import PASSWORD, body_of, call, post, register, sample
from tests.support import http_event, problem

pytestmark = pytest.mark.usefixtures("aws")


def _item(pk: str, sk: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table("storefront-test")
    item: dict[str, Any] | None = table.get_item(Key={"PK": pk, "SK": sk}).get("Item")
    return item


def test_register_answers_201_with_user_and_tokens_when_the_sample_event_is_sent() -> None:
    response = call(sample("register"))
    assert response["statusCode"] == 201
    assert response["headers"]["Cache-Control"] == "no-store"
    body = body_of(response)
    assert set(body) == {"user", "access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == ACCESS_TOKEN_TTL_S
    assert body["user"]["email"] == "ann.smith@example.com"
    assert body["user"]["role"] == "customer"
    assert len(body["user"]["id"]) == 26
    assert body["user"]["created_at"].endswith("Z")
    assert "password" not in response["body"]
    assert len(body["refresh_token"]) >= 43


def test_access_token_verifies_with_the_users_id_and_role_when_issued_on_register() -> None:
    body = register()
    claims = verify_access_token(body["access_token"])
    assert claims.user_id == body["user"]["id"]
    assert claims.role.value == "customer"


def test_password_and_refresh_token_are_stored_only_as_hashes_when_registered() -> None:
    body = register()
    user = _item(*keys.user(body["user"]["id"]))
    assert user is not None
    assert user["password_hash"].startswith("$2b$04$")
    assert PASSWORD not in str(user)
    items = boto3.client("dynamodb").scan(TableName="storefront-test")["Items"]
    assert body["refresh_token"] not in str(items)
    assert any(item["entity"]["S"] == "RefreshToken" for item in items)


@pytest.mark.parametrize("other_casing", ["ann@example.com", "ANN@EXAMPLE.COM", "  Ann@Example.com  "])
def test_register_is_409_when_the_email_is_taken_in_another_casing(other_casing: str) -> None:
    register("Ann@example.com")
    response = post("/v1/auth/register", {"email": other_casing, "password": PASSWORD, "name": "Other"})
    assert response["statusCode"] == 409
    assert problem(response)["status"] == 409


def test_exactly_one_registration_wins_when_two_race_for_one_email(aws: str) -> None:
    # Each thread gets its own copy of the function: a resolver serves one request at a time.
    modules = [load_handler_module("functions/auth", fresh=True) for _ in range(4)]
    barrier = threading.Barrier(len(modules))
    statuses: list[int] = []

    def sign_up(module: Any, index: int) -> None:
        event = http_event(
            "POST", "/v1/auth/register", body={"email": "Race@example.com", "password": PASSWORD, "name": f"n{index}"}
        )
        barrier.wait()
        statuses.append(call(event, module)["statusCode"])

    threads = [threading.Thread(target=sign_up, args=(module, index)) for index, module in enumerate(modules)]
    # moto's transactions copy the table unlocked (a concurrent write fails the copy: a 500
    # DynamoDB never gives); its run gets DynamoDB's isolation, DynamoDB Local's runs as is.
    with serializable_moto_writes() if aws == MOTO else nullcontext():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    claim = _item(*keys.email_claim("race@example.com"))
    assert claim is not None


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"role": "admin"}, "role"), ({"id": "01ABC"}, "id"), ({"disabled": False}, "disabled")],
)
def test_register_is_422_when_the_body_sets_a_field_the_client_may_not_set(extra: dict[str, Any], field: str) -> None:
    response = post("/v1/auth/register", {"email": "a@example.com", "password": PASSWORD, "name": "A", **extra})
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["body", field]


@pytest.mark.parametrize(
    "password",
    ["x" * 73, "a" + "é" * 36, "😀" * 19, "short", "", "abcdefgh\ud800"],
    ids=["73-ascii", "73-bytes-multibyte", "76-bytes-emoji", "short", "empty", "lone-surrogate"],
)
def test_register_is_422_never_500_when_the_password_is_out_of_bounds(password: str) -> None:
    response = post("/v1/auth/register", {"email": "a@example.com", "password": password, "name": "A"})
    assert response["statusCode"] == 422, response
    assert problem(response)["errors"][0]["loc"] == ["body", "password"]


@pytest.mark.parametrize("email", ["not-an-email", "ann@localhost", 42, None, "a\ud800@example.com"])
def test_register_is_422_when_the_email_is_malformed(email: Any) -> None:
    response = post("/v1/auth/register", {"email": email, "password": PASSWORD, "name": "A"})
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["body", "email"]


def test_register_is_400_when_the_body_is_not_json() -> None:
    response = call(
        http_event("POST", "/v1/auth/register", raw_body="{oops", headers={"content-type": "application/json"})
    )
    assert response["statusCode"] == 400
    problem(response)
