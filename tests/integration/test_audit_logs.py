"""The audit trail: security events are logged once each, structured, and no secret ever is."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storefront.domain.identity.roles import Role
from storefront.security.tokens import issue_access_token, verify_access_token
from tests.integration import inventory_calls, orders_calls
from tests.integration.auth_calls import body_of, login, refresh, register
from tests.integration.auth_calls import call as auth_call
from tests.integration.inventory_calls import put_stock
from tests.integration.orders_calls import ADMIN, ANN, MANAGER, move, orders_function, place_order
from tests.integration.payments_calls import FakeCardProvider
from tests.integration.users_calls import admin, users_call, users_function
from tests.support import FakeContext, http_event

pytestmark = pytest.mark.usefixtures("aws")
PASSWORD, NEW_PASSWORD, WRONG = "correct-horse-battery", "staple-new-password-1", "wrong-password-guess"


def _with_bearer(method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    """A request as API Gateway passes it: the token's header as sent, and the claims its authorizer verified."""
    event = http_event(method, path, body=body, headers={"Authorization": f"Bearer {token}"})
    claims = {**verify_access_token(token).as_gateway_claims(), "iss": "storefront", "aud": "storefront-api"}
    event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def test_no_password_or_token_is_ever_logged_and_each_security_event_once_when_a_full_identity_flow_runs(
    log_lines: list[str],
) -> None:
    session = register(email="audit@example.com", password=PASSWORD)
    user_id = session["user"]["id"]
    assert login(email="audit@example.com", password=WRONG)["statusCode"] == 401
    signed_in = body_of(login(email="audit@example.com", password=PASSWORD))
    refreshed = body_of(refresh(signed_in["refresh_token"]))
    password = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    changed = auth_call(_with_bearer("POST", "/v1/auth/password", refreshed["access_token"], password))
    assert changed["statusCode"] == 204
    stale = _with_bearer("GET", "/v1/users/me", session["access_token"])  # an epoch ago: refused, logged
    assert users_function.lambda_handler(stale, FakeContext())["statusCode"] == 401
    boss = admin()
    boss_token = issue_access_token(boss[0], Role.ADMIN, 0)
    for change in ({"role": "manager"}, {"disabled": True}):
        patched = users_function.lambda_handler(
            _with_bearer("PATCH", f"/v1/users/{user_id}", boss_token, change), FakeContext()
        )
        assert patched["statusCode"] == 200
    logout = _with_bearer(
        "POST", "/v1/auth/logout", refreshed["access_token"], {"refresh_token": refreshed["refresh_token"]}
    )
    assert auth_call(logout)["statusCode"] == 204
    output = "\n".join(log_lines)
    secrets = [
        PASSWORD,
        NEW_PASSWORD,
        WRONG,
        boss_token,
        session["access_token"],
        session["refresh_token"],
        signed_in["access_token"],
        signed_in["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
    ]
    for secret in secrets:
        assert secret not in output
    for token in (boss_token, refreshed["access_token"]):  # nor a token's signature alone
        assert token.rsplit(".", 1)[1] not in output
    assert "Bearer " not in output
    events = [json.loads(line).get("security_event") for line in output.splitlines() if line.startswith("{")]
    for event in ("sign_in_failed", "password_change", "stale_token", "role_change", "disable"):
        assert events.count(event) == 1, (event, events)


def test_every_line_logged_while_serving_a_request_carries_its_request_id(log_lines: list[str]) -> None:
    """Lines from the handler, the domain (identity, users) and the error mapping alike."""
    user_id = register(email="correlated@example.com", password=PASSWORD)["user"]["id"]
    boss = admin()
    log_lines.clear()
    event = http_event("PATCH", f"/v1/users/{user_id}", body={"role": "manager"}, principal=boss)
    assert users_function.lambda_handler(event, FakeContext())["statusCode"] == 200
    stale = http_event("GET", "/v1/users/me", principal=(user_id, "customer"))  # an epoch ago
    assert users_function.lambda_handler(stale, FakeContext())["statusCode"] == 401

    lines = [json.loads(line) for line in log_lines]
    assert {line.get("security_event") for line in lines} >= {"role_change", "stale_token"}
    request_ids = {event["requestContext"]["requestId"], stale["requestContext"]["requestId"]}
    assert {line.get("correlation_id") for line in lines} == request_ids


def _security_events(log_lines: list[str]) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in log_lines if line.startswith("{")]
    return [line for line in lines if "security_event" in line]


def test_refunds_stock_adjustments_and_enables_are_each_logged_once_with_their_actor_when_staff_make_them(
    log_lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orders_function, "payment_provider", lambda name: FakeCardProvider())
    put_stock("TEE-M", 20)
    refunded, cancelled = place_order(ANN[0], {"TEE-M": 1}), place_order(ANN[0], {"TEE-M": 1})
    for order in (refunded, cancelled):
        assert move(order.id, "paid")["statusCode"] == 200
    user_id = register(email="enabled@example.com", password=PASSWORD)["user"]["id"]
    boss = admin()
    assert users_call("PATCH", f"/v1/users/{user_id}", boss, body={"disabled": True})["statusCode"] == 200
    log_lines.clear()

    refund = {"amount": 600, "reason": "damaged in transit"}
    assert orders_calls.call("POST", f"/v1/orders/{refunded.id}/refunds", ADMIN, body=refund)["statusCode"] == 201
    assert orders_calls.call("POST", f"/v1/orders/{cancelled.id}/cancel", ANN)["statusCode"] == 200
    adjusted = inventory_calls.call(
        "POST", "/v1/inventory/TEE-M/adjustments", MANAGER, body={"delta": 3, "reason": "delivery"}
    )
    assert adjusted["statusCode"] == 200
    assert users_call("PATCH", f"/v1/users/{user_id}", boss, body={"disabled": False})["statusCode"] == 200

    events = [(line["security_event"], line.get("actor"), line.get("order_id")) for line in _security_events(log_lines)]
    assert sorted(events, key=str) == sorted(
        [
            ("refund", ADMIN[0], refunded.id),
            ("refund", ANN[0], cancelled.id),
            ("stock_adjustment", MANAGER[0], None),
            ("enable", boss[0], None),
        ],
        key=str,
    )
