"""GET/PATCH /v1/users/me against moto: only name and phone change; roles never."""

from __future__ import annotations

import pytest

from storefront.data import users
from tests.integration.users_calls import body_of, customer, users_call, users_function
from tests.support import FakeContext, http_event, problem

pytestmark = pytest.mark.usefixtures("aws")


def test_me_returns_the_callers_profile_when_signed_in() -> None:
    me = customer()
    response = users_call("GET", "/v1/users/me", me)
    assert response["statusCode"] == 200
    body = body_of(response)
    assert body["id"] == me[0]
    assert body["email"] == "ann@example.com"
    assert body["role"] == "customer"
    assert "password_hash" not in body
    assert response["headers"]["Cache-Control"] == "private, no-store"


def test_patch_changes_name_and_phone_when_sent() -> None:
    me = customer()
    response = users_call("PATCH", "/v1/users/me", me, body={"name": "  Annie ", "phone": "+44 20 7946 0958"})
    assert response["statusCode"] == 200
    assert body_of(response)["name"] == "Annie"
    assert body_of(users_call("GET", "/v1/users/me", me))["phone"] == "+44 20 7946 0958"


def test_patch_clears_the_phone_when_sent_as_null() -> None:
    me = customer()
    users_call("PATCH", "/v1/users/me", me, body={"phone": "+1 415 555 0100"})
    response = users_call("PATCH", "/v1/users/me", me, body={"phone": None})
    assert body_of(response)["phone"] is None


@pytest.mark.parametrize(
    "body",
    [{"role": "admin"}, {"email": "x@example.com"}, {"id": "other"}, {"name": "A", "role": "admin"}, {"nickname": "a"}],
)
def test_patch_is_422_and_role_unchanged_when_a_protected_or_unknown_field_is_sent(body: dict[str, str]) -> None:
    me = customer()
    response = users_call("PATCH", "/v1/users/me", me, body=body)
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["type"] == "extra_forbidden"
    profile = users.get_profile(me[0])
    assert profile is not None
    assert profile.role.value == "customer"
    assert profile.email == "ann@example.com"
    assert profile.name == "Ann"


@pytest.mark.parametrize("body", [{"name": None}, {"name": ""}, {"phone": "call me"}, {"name": 7}])
def test_patch_is_422_when_a_value_is_invalid(body: dict[str, object]) -> None:
    assert users_call("PATCH", "/v1/users/me", customer(), body=body)["statusCode"] == 422


def test_me_is_401_when_no_principal_reached_the_function() -> None:
    response = users_function.lambda_handler(http_event("GET", "/v1/users/me"), FakeContext())
    assert response["statusCode"] == 401
    problem(response)


def test_me_is_401_when_the_user_item_is_gone() -> None:
    event = http_event("GET", "/v1/users/me", principal=("01JUNKNOWN0000000000000000", "customer"))
    assert users_function.lambda_handler(event, FakeContext())["statusCode"] == 401
