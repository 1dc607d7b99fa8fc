"""Refresh-token rotation, reuse detection, logout and password change against moto."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest

from devkit.functions import load_handler_module
from storefront.data import identity_transactions, tokens, users
from storefront.domain import clock
from storefront.domain.errors import Conflict, FieldError, Unprocessable
from storefront.domain.identity import service
from storefront.domain.identity.passwords import hash_password
from storefront.domain.identity.service import REFRESH_TOKEN_TTL_S
from storefront.security.tokens import verify_access_token
from tests.aws_fixtures import serializable_moto_writes
from tests.integration.auth_calls import (
    PASSWORD,
    body_of,
    call,
    change_password,
    disable,
    login,
    logout,
    refresh,
    register,
    sample,
)
from tests.integration.users_calls import users_function
from tests.support import FakeContext, http_event, problem

pytestmark = pytest.mark.usefixtures("aws")
NEW_PASSWORD = "a new and longer passphrase"


def _users_me(access_token: str) -> dict[str, Any]:
    """GET /v1/users/me as deployed: the gateway verified the token and passes its claims."""
    claims = verify_access_token(access_token)
    event = http_event("GET", "/v1/users/me", principal=(claims.user_id, claims.role.value, claims.session_epoch))
    event["headers"]["authorization"] = f"Bearer {access_token}"
    return dict(users_function.lambda_handler(event, FakeContext()))


def test_refresh_returns_a_new_pair_when_the_token_is_live() -> None:
    registered = register()
    response = refresh(registered["refresh_token"])
    assert response["statusCode"] == 200
    body = body_of(response)
    assert body["refresh_token"] != registered["refresh_token"]
    assert verify_access_token(body["access_token"]).user_id == registered["user"]["id"]
    assert refresh(body["refresh_token"])["statusCode"] == 200


def test_spent_token_is_401_and_its_family_is_revoked_when_reused() -> None:
    registered = register()
    child = body_of(refresh(registered["refresh_token"]))["refresh_token"]
    reused = refresh(registered["refresh_token"])
    assert reused["statusCode"] == 401
    problem(reused)
    assert refresh(child)["statusCode"] == 401, "the newer token of the family must be dead too"


def test_other_sessions_survive_when_one_family_is_revoked_for_reuse() -> None:
    registered = register()
    other_session = body_of(login())["refresh_token"]
    refresh(registered["refresh_token"])
    assert refresh(registered["refresh_token"])["statusCode"] == 401
    assert refresh(other_session)["statusCode"] == 200


def test_no_two_children_stay_valid_when_one_token_is_refreshed_concurrently() -> None:
    token = register()["refresh_token"]
    modules = [load_handler_module("functions/auth", fresh=True) for _ in range(3)]
    barrier = threading.Barrier(len(modules))
    results: list[dict[str, Any]] = []

    def use(module: Any) -> None:
        event = http_event("POST", "/v1/auth/refresh", body={"refresh_token": token})
        barrier.wait()
        results.append(call(event, module))

    threads = [threading.Thread(target=use, args=(module,)) for module in modules]
    with serializable_moto_writes():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    children = [body_of(result)["refresh_token"] for result in results if result["statusCode"] == 200]
    assert len(children) <= 1
    live = [child for child in children if refresh(child)["statusCode"] == 200]
    assert len(live) <= 1


def test_refresh_is_401_when_the_token_is_unknown() -> None:
    response = call(sample("refresh"))
    assert response["statusCode"] == 401
    assert problem(response)["type"].endswith("unauthorized")


def test_refresh_is_401_when_the_token_has_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    token = register()["refresh_token"]
    later = clock.now() + REFRESH_TOKEN_TTL_S + 1
    monkeypatch.setattr(clock, "now", lambda: later)
    assert refresh(token)["statusCode"] == 401


def test_logout_answers_204_and_the_token_is_dead_when_signed_out() -> None:
    token = register()["refresh_token"]
    response = logout(token)
    assert response["statusCode"] == 204
    assert not response.get("body")
    assert refresh(token)["statusCode"] == 401


def test_logout_answers_204_when_the_token_is_unknown() -> None:
    assert call(sample("logout"))["statusCode"] == 204


def test_logout_ends_only_that_session_when_the_user_has_several() -> None:
    first = register()["refresh_token"]
    second = body_of(login())["refresh_token"]
    logout(first)
    assert refresh(second)["statusCode"] == 200


def test_password_change_revokes_every_refresh_token_when_it_succeeds() -> None:
    registered = register()
    user_id = registered["user"]["id"]
    other_session = body_of(login())["refresh_token"]
    response = change_password(user_id, PASSWORD, NEW_PASSWORD)
    assert response["statusCode"] == 204
    assert refresh(registered["refresh_token"])["statusCode"] == 401
    assert refresh(other_session)["statusCode"] == 401
    assert login(password=PASSWORD)["statusCode"] == 401
    fresh = login(password=NEW_PASSWORD)
    assert fresh["statusCode"] == 200
    assert refresh(body_of(fresh)["refresh_token"])["statusCode"] == 200


def test_access_tokens_issued_before_a_password_change_are_401_when_used_after_it() -> None:
    registered = register()
    other_session = body_of(login())["access_token"]
    assert _users_me(registered["access_token"])["statusCode"] == 200
    assert change_password(registered["user"]["id"], PASSWORD, NEW_PASSWORD)["statusCode"] == 204
    for token in (registered["access_token"], other_session):
        refused = _users_me(token)
        assert refused["statusCode"] == 401
        assert problem(refused)["type"].endswith("unauthorized")
    assert _users_me(body_of(login(password=NEW_PASSWORD))["access_token"])["statusCode"] == 200


def test_a_refresh_token_read_before_a_password_change_is_not_rotated_when_the_change_lands_before_the_rotation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered = register()
    user_id = registered["user"]["id"]
    read_user = users.get_user

    def read_then_password_changes(wanted: str) -> Any:
        before = read_user(wanted)  # the refresh checks the epoch on this read...
        monkeypatch.setattr(users, "get_user", read_user)
        assert change_password(user_id, PASSWORD, NEW_PASSWORD)["statusCode"] == 204  # ...then the epoch moves
        return before

    monkeypatch.setattr(users, "get_user", read_then_password_changes)
    assert refresh(registered["refresh_token"])["statusCode"] == 401
    assert refresh(registered["refresh_token"])["statusCode"] == 401


def test_rotation_of_a_refresh_token_read_before_a_password_change_fails_when_run_after_it() -> None:
    registered = register()
    old = tokens.get_refresh_token(service.hash_refresh_token(registered["refresh_token"]))
    assert old is not None
    assert change_password(registered["user"]["id"], PASSWORD, NEW_PASSWORD)["statusCode"] == 204
    now = clock.now()
    child = replace(old, token_hash=service.hash_refresh_token("a child"), expires_at=now + REFRESH_TOKEN_TTL_S)
    assert not identity_transactions.rotate_refresh_token(old, child, now)
    assert tokens.get_refresh_token(child.token_hash) is None


def test_password_change_is_422_on_current_password_when_it_is_wrong() -> None:
    registered = register()
    response = change_password(registered["user"]["id"], "not the password", NEW_PASSWORD)
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["body", "current_password"]
    assert refresh(registered["refresh_token"])["statusCode"] == 200


def test_password_change_is_422_when_the_new_password_is_73_bytes() -> None:
    registered = register()
    response = change_password(registered["user"]["id"], PASSWORD, "a" + "é" * 36)
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["body", "new_password"]


def test_password_change_is_401_when_no_principal_reached_the_function() -> None:
    event = sample("password")
    del event["requestContext"]["authorizer"]
    assert call(event)["statusCode"] == 401


def test_password_change_is_401_when_the_principals_user_no_longer_exists() -> None:
    assert call(sample("password"))["statusCode"] == 401


def test_password_change_is_409_when_a_concurrent_change_bumped_the_epoch_first() -> None:
    user_id = register()["user"]["id"]
    stale = users.get_user(user_id)
    assert stale is not None
    assert change_password(user_id, PASSWORD, NEW_PASSWORD)["statusCode"] == 204
    with pytest.raises(Conflict):
        users.change_password(stale, hash_password("yet another passphrase"), clock.now())


def test_password_change_is_401_when_the_user_is_disabled() -> None:
    user_id = register()["user"]["id"]
    disable(user_id)
    assert change_password(user_id, PASSWORD, NEW_PASSWORD)["statusCode"] == 401


def test_use_cases_raise_422_not_value_error_when_called_with_invalid_input_directly() -> None:
    with pytest.raises(Unprocessable) as raised:
        service.register("not-an-email", PASSWORD, "Ann")
    assert raised.value.errors == [FieldError(("email",), raised.value.detail)]
    with pytest.raises(Unprocessable):
        service.login("ann@example.com", "x" * 73, None)
    with pytest.raises(Unprocessable):
        service.change_password("user-1", PASSWORD, "short", None)
