"""Admin routes against moto: finding users, roles, disabling, and who may call them."""

from __future__ import annotations

import pytest

from storefront.data import users
from storefront.domain.identity.roles import Role
from storefront.security.tokens import AccessClaims
from storefront.security.tokens import verify_access_token as verify_with
from tests.integration.auth_calls import body_of as auth_body
from tests.integration.auth_calls import login, refresh, register
from tests.integration.users_calls import admin, body_of, customer, put_user, users_call, users_function
from tests.signing import store_jwks
from tests.support import FakeContext, http_event, problem

pytestmark = pytest.mark.usefixtures("aws")


def verify_access_token(token: str) -> AccessClaims:
    return verify_with(token, store_jwks())


def _call_with_token(method: str, path: str, access_token: str, body: object = None) -> dict[str, object]:
    """As deployed: the gateway verifies the token and passes its claims; the function does the rest."""
    claims = verify_access_token(access_token)
    event = http_event(method, path, body=body, principal=(claims.user_id, claims.role.value, claims.session_epoch))
    return dict(users_function.lambda_handler(event, FakeContext()))


def _authorized(access_token: str) -> bool:
    return _call_with_token("GET", "/v1/users/me", access_token)["statusCode"] == 200


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
    # The role change ended every session: old access and refresh tokens are refused (sign in again).
    assert not _authorized(registered["access_token"])
    assert refresh(registered["refresh_token"])["statusCode"] == 401


def test_disabled_user_cannot_log_in_refresh_or_use_tokens_when_an_admin_disables() -> None:
    registered = register()
    user_id = registered["user"]["id"]
    assert _authorized(registered["access_token"])
    response = users_call("PATCH", f"/v1/users/{user_id}", admin(), body={"disabled": True})
    assert body_of(response)["disabled"] is True
    assert login()["statusCode"] == 403
    assert refresh(registered["refresh_token"])["statusCode"] == 401
    assert not _authorized(registered["access_token"])


def test_re_enabled_user_can_log_in_again_when_an_admin_re_enables() -> None:
    user_id = register()["user"]["id"]
    boss = admin()
    users_call("PATCH", f"/v1/users/{user_id}", boss, body={"disabled": True})
    users_call("PATCH", f"/v1/users/{user_id}", boss, body={"disabled": False})
    assert login()["statusCode"] == 200


@pytest.mark.parametrize(
    "body", [{"role": "manager"}, {"role": "customer"}, {"disabled": True}, {"role": "admin"}, {"disabled": False}]
)
def test_admin_is_403_and_unchanged_when_editing_their_own_role_or_flag(body: dict[str, object]) -> None:
    boss = admin()
    response = users_call("PATCH", f"/v1/users/{boss[0]}", boss, body=body)
    assert response["statusCode"] == 403
    problem(response)
    profile = users.get_profile(boss[0])
    assert profile is not None
    assert profile.role.value == "admin"
    assert profile.disabled is False


def test_disabled_admin_loses_every_power_at_once_whatever_tokens_they_hold() -> None:
    """The take-over scenario: B disables A; A's still-valid token can neither undo it nor strike back."""
    a, b = admin("ADMIN000000000000000000000A"), admin("ADMIN000000000000000000000B")
    assert users_call("PATCH", f"/v1/users/{a[0]}", b, body={"disabled": True})["statusCode"] == 200
    for target, body in ((a[0], {"disabled": False, "role": "admin"}), (b[0], {"disabled": True})):
        response = users_call("PATCH", f"/v1/users/{target}", a, body=body)
        assert response["statusCode"] == 401
        problem(response)
    assert users.get_profile(a[0]).disabled is True  # type: ignore[union-attr]
    assert users.get_profile(b[0]).disabled is False  # type: ignore[union-attr]


def test_demoted_admin_loses_admin_routes_at_once_even_with_a_fresh_token_claiming_admin() -> None:
    a, b = admin("ADMIN000000000000000000000A"), admin("ADMIN000000000000000000000B")
    assert users_call("PATCH", f"/v1/users/{a[0]}", b, body={"role": "customer"})["statusCode"] == 200
    # The old token's epoch is gone; even a token of the new epoch that claims admin gets customer powers.
    assert users_call("GET", "/v1/users", a)["statusCode"] == 401
    assert users_call("GET", "/v1/users", (a[0], "admin", 1))["statusCode"] == 403
    assert users.get_profile(a[0]).role is Role.CUSTOMER  # type: ignore[union-attr]


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
