"""Admin routes against moto: finding users, roles, disabling, and who may call them."""

from __future__ import annotations

import pytest

from devkit.functions import load_handler_module
from storefront.data import users
from storefront.security.tokens import verify_access_token
from tests.integration.auth_calls import body_of as auth_body
from tests.integration.auth_calls import login, refresh, register
from tests.integration.users_calls import admin, body_of, customer, put_user, users_call
from tests.support import FakeContext, problem, sample_event

pytestmark = pytest.mark.usefixtures("aws")
authorizer = load_handler_module("functions/authorizer")


def _authorized(access_token: str) -> bool:
    event = sample_event("authorizer", "bearer-token")
    event["headers"]["authorization"] = f"Bearer {access_token}"
    event["identitySource"] = [f"Bearer {access_token}"]
    return bool(authorizer.lambda_handler(event, FakeContext())["isAuthorized"])


@pytest.mark.parametrize("role", ["customer", "manager"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/v1/users", None), ("PATCH", "/v1/users/01JANYONE000000000000000000", {"role": "admin"})],
)
def test_admin_routes_are_403_when_the_caller_is_not_an_admin(
    role: str, method: str, path: str, body: dict[str, str] | None
) -> None:
    user_id, _ = customer()
    response = users_call(method, path, (user_id, role), body=body)
    assert response["statusCode"] == 403
    problem(response)


@pytest.mark.parametrize("spelling", ["bob@example.com", "BOB@Example.COM", "  Bob@example.com "])
def test_admin_finds_a_user_by_email_when_spelled_in_any_casing(spelling: str) -> None:
    bob = customer("bob@example.com")
    customer("carol@example.com")
    response = users_call("GET", "/v1/users", admin(), query={"email": spelling})
    assert response["statusCode"] == 200
    body = body_of(response)
    assert [item["id"] for item in body["items"]] == [bob[0]]
    assert body["next_cursor"] is None


def test_email_filter_is_empty_when_no_user_has_it_and_422_when_not_an_email() -> None:
    boss = admin()
    assert body_of(users_call("GET", "/v1/users", boss, query={"email": "nobody@example.com"}))["items"] == []
    response = users_call("GET", "/v1/users", boss, query={"email": "not-an-email"})
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["query", "email"]


def test_user_list_returns_every_user_exactly_once_when_paged() -> None:
    boss = admin()
    expected = {boss[0]}
    for n in range(9):
        put_user(f"01JUSER{n:019d}")
        expected.add(f"01JUSER{n:019d}")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        query = {"limit": "4", **({"cursor": cursor} if cursor else {})}
        page = body_of(users_call("GET", "/v1/users", boss, query=query))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 10
    assert set(seen) == expected


def test_user_list_is_400_when_the_cursor_is_tampered_and_422_when_limit_is_101() -> None:
    boss = admin()
    customer()
    cursor = body_of(users_call("GET", "/v1/users", boss, query={"limit": "1"}))["next_cursor"]
    tampered = users_call("GET", "/v1/users", boss, query={"cursor": cursor[:-2] + "xx"})
    assert tampered["statusCode"] == 400
    problem(tampered)
    assert users_call("GET", "/v1/users", boss, query={"limit": "101"})["statusCode"] == 422


def test_promoted_customer_gets_the_new_role_in_the_next_tokens_when_an_admin_promotes() -> None:
    registered = register()
    user_id = registered["user"]["id"]
    response = users_call("PATCH", f"/v1/users/{user_id}", admin(), body={"role": "manager"})
    assert response["statusCode"] == 200
    assert body_of(response)["role"] == "manager"
    assert verify_access_token(auth_body(login())["access_token"]).role.value == "manager"
    refreshed = auth_body(refresh(registered["refresh_token"]))
    assert verify_access_token(refreshed["access_token"]).role.value == "manager"


def test_disabled_user_cannot_log_in_refresh_or_use_tokens_when_an_admin_disables() -> None:
    registered = register()
    user_id = registered["user"]["id"]
    assert _authorized(registered["access_token"])
    response = users_call("PATCH", f"/v1/users/{user_id}", admin(), body={"disabled": True})
    assert body_of(response)["disabled"] is True
    assert login()["statusCode"] == 403
    assert refresh(registered["refresh_token"])["statusCode"] == 403
    assert not _authorized(registered["access_token"])


def test_re_enabled_user_can_log_in_again_when_an_admin_re_enables() -> None:
    user_id = register()["user"]["id"]
    boss = admin()
    users_call("PATCH", f"/v1/users/{user_id}", boss, body={"disabled": True})
    users_call("PATCH", f"/v1/users/{user_id}", boss, body={"disabled": False})
    assert login()["statusCode"] == 200


@pytest.mark.parametrize("body", [{"role": "manager"}, {"role": "customer"}, {"disabled": True}])
def test_admin_is_409_and_unchanged_when_demoting_or_disabling_themself(body: dict[str, object]) -> None:
    boss = admin()
    response = users_call("PATCH", f"/v1/users/{boss[0]}", boss, body=body)
    assert response["statusCode"] == 409
    problem(response)
    profile = users.get_profile(boss[0])
    assert profile is not None
    assert profile.role.value == "admin"
    assert profile.disabled is False


def test_admin_may_demote_another_admin() -> None:
    other = admin("ADMIN0000000000000000000002")
    response = users_call("PATCH", f"/v1/users/{other[0]}", admin(), body={"role": "customer"})
    assert body_of(response)["role"] == "customer"


@pytest.mark.parametrize(
    "body", [{"role": "owner"}, {"disabled": "yes"}, {"email": "x@example.com"}, {"name": "X"}, {"role": None}]
)
def test_admin_patch_is_422_when_the_body_is_invalid(body: dict[str, object]) -> None:
    user_id, _ = customer()
    response = users_call("PATCH", f"/v1/users/{user_id}", admin(), body=body)
    assert response["statusCode"] == 422


def test_admin_patch_is_404_when_the_user_is_unknown() -> None:
    response = users_call("PATCH", "/v1/users/01JNOBODY00000000000000000", admin(), body={"disabled": True})
    assert response["statusCode"] == 404
    problem(response)
