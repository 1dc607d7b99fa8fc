"""Sign-in against moto: one answer for wrong email and wrong password, disabled users."""

from __future__ import annotations

from typing import Any

import bcrypt
import pytest

from storefront.security.tokens import verify_access_token
from tests.integration.auth_calls import PASSWORD, body_of, call, disable, login, post, refresh, register, sample
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def _without_request_id(response: dict[str, Any]) -> dict[str, Any]:
    body = problem(response)
    body.pop("request_id")
    return body


def test_login_answers_200_with_verifiable_tokens_when_the_sample_event_is_sent() -> None:
    registered = register("ann.smith@example.com")
    response = call(sample("login"))
    assert response["statusCode"] == 200
    body = body_of(response)
    assert body["user"] == registered["user"]
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"] != registered["refresh_token"]
    assert verify_access_token(body["access_token"]).user_id == registered["user"]["id"]


def test_login_works_when_the_email_is_typed_in_another_casing() -> None:
    register("ann@example.com")
    assert login("  ANN@Example.com ")["statusCode"] == 200


def test_wrong_password_and_unknown_email_get_identical_401s_when_login_fails() -> None:
    register("ann@example.com")
    wrong_password = login("ann@example.com", "not the password")
    unknown_email = login("nobody@example.com", "not the password")
    assert wrong_password["statusCode"] == unknown_email["statusCode"] == 401
    assert wrong_password["headers"].keys() == unknown_email["headers"].keys()
    assert _without_request_id(wrong_password) == _without_request_id(unknown_email)


def test_unknown_email_costs_a_bcrypt_check_when_login_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[bytes] = []
    real_checkpw = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        checks.append(hashed)
        return bool(real_checkpw(password, hashed))

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    assert login("nobody@example.com", "whatever1")["statusCode"] == 401
    assert len(checks) == 1


def test_login_is_422_never_500_when_the_password_is_73_bytes() -> None:
    register("ann@example.com")
    response = login("ann@example.com", "a" + "é" * 36)
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["body", "password"]


def test_login_is_403_when_the_user_is_disabled() -> None:
    registered = register("ann@example.com")
    disable(registered["user"]["id"])
    response = login("ann@example.com")
    assert response["statusCode"] == 403
    assert "disabled" in problem(response)["detail"]


def test_disabled_user_cannot_refresh_when_holding_a_live_refresh_token() -> None:
    registered = register("ann@example.com")
    disable(registered["user"]["id"])
    assert refresh(registered["refresh_token"])["statusCode"] == 403


def test_disabled_users_wrong_password_is_a_plain_401_when_login_fails() -> None:
    registered = register("ann@example.com")
    disable(registered["user"]["id"])
    assert login("ann@example.com", "not the password")["statusCode"] == 401


def test_login_is_422_when_the_body_has_an_unknown_field() -> None:
    register("ann@example.com")
    response = post("/v1/auth/login", {"email": "ann@example.com", "password": PASSWORD, "remember": True})
    assert response["statusCode"] == 422
