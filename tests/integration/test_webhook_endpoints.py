"""Partner webhook endpoints (`/v1/webhooks`, admin): registration checks the URL and answers the
secret once, stored sealed by KMS; changes race safely in one item; a rotation keeps the previous
secret signing for 24 hours. The domain first, then the routes through the function's handler."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from devkit.functions import load_handler_module
from storefront.data import keys
from storefront.data.webhooks import WebhookEndpointsItem
from storefront.domain import clock
from storefront.domain.errors import Conflict, NotFound, Unprocessable
from storefront.domain.webhooks import service
from storefront.domain.webhooks.entities import MAX_ENDPOINTS, ROTATION_OVERLAP_S, Endpoint, secret_context
from storefront.security.sealed_secrets import unseal
from storefront.webhooks.destinations import Destination, checked_destination
from tests.integration.principals import ensure_user
from tests.integration.webhook_calls import public
from tests.support import FakeContext, http_event, problem

pytestmark = pytest.mark.usefixtures("aws", "webhook_key")
ADMIN = "01JDQ7Z8X9K2M3N4P5Q6ADMIN00"
PUBLIC = "https://partner.example/hooks"


def _create(url: str = PUBLIC, events: list[str] | None = None) -> tuple[Endpoint, str]:
    subscribed = ["order.paid"] if events is None else events
    return service.create_endpoint(url, subscribed, "ERP", True, ADMIN, check=public)


def _stored() -> str:
    return str(WebhookEndpointsItem.get(*keys.webhook_endpoints(), consistent_read=True).endpoints)


def test_a_registered_endpoint_answers_its_secret_once_and_stores_it_only_sealed() -> None:
    endpoint, secret = _create(events=["order.paid", "order.refunded", "order.paid"])

    assert secret.startswith("whsec_")
    assert endpoint.events == ("order.paid", "order.refunded")
    assert service.get_endpoint(endpoint.id) == endpoint
    assert secret not in _stored()
    assert secret.removeprefix("whsec_") not in _stored()
    assert unseal(endpoint.secret_sealed, secret_context(endpoint.id)) == secret


def test_a_sealed_secret_does_not_open_for_another_endpoint() -> None:
    first, _ = _create()
    second, _ = _create()

    with pytest.raises(Exception, match="InvalidCiphertext"):
        unseal(first.secret_sealed, secret_context(second.id))


@pytest.mark.parametrize(
    "url",
    ["http://partner.example/hooks", "https://10.0.0.5/hooks", "https://169.254.169.254/", "https://[::1]/"],
)
def test_a_url_that_is_not_https_or_not_public_is_a_422_naming_url_and_nothing_is_stored(url: str) -> None:
    with pytest.raises(Unprocessable) as refused:
        service.create_endpoint(url, ["*"], None, True, ADMIN, check=public)

    assert [error.field for error in refused.value.errors or []] == [("url",)]
    assert service.list_endpoints() == ()


def test_a_name_resolving_to_a_private_address_is_refused_at_registration() -> None:
    def rebinding(url: str) -> Destination:
        return checked_destination(url, local_mode=False, resolve=lambda host, port: ["10.0.0.7"])

    with pytest.raises(Unprocessable, match=r"10\.0\.0\.7"):
        service.create_endpoint(PUBLIC, ["*"], None, True, ADMIN, check=rebinding)


@pytest.mark.parametrize("events", [[], ["order.lost"], ["order.paid", "nope"]])
def test_unknown_or_no_event_types_are_a_422_naming_events(events: list[str]) -> None:
    with pytest.raises(Unprocessable) as refused:
        _create(events=events)

    assert [error.field for error in refused.value.errors or []] == [("events",)]


def test_a_star_subscribes_to_everything_and_the_test_event_reaches_every_endpoint() -> None:
    everything, _ = _create(events=["order.paid", "*"])
    only_paid, _ = _create(events=["order.paid"])

    assert everything.events == ("*",)
    assert everything.subscribes("review.approved")
    assert not only_paid.subscribes("review.approved")
    assert only_paid.subscribes("webhook.test")


def test_an_update_rechecks_a_new_url_and_keeps_the_secret() -> None:
    endpoint, _ = _create()

    with pytest.raises(Unprocessable):
        service.update_endpoint(endpoint.id, {"url": "https://192.168.0.1/"}, ADMIN, check=public)
    changed = service.update_endpoint(
        endpoint.id,
        {"url": "https://erp.example/in", "active": False},
        ADMIN,
        check=public,
    )

    assert (changed.url, changed.active) == ("https://erp.example/in", False)
    assert changed.secret_sealed == endpoint.secret_sealed
    assert service.get_endpoint(endpoint.id) == changed


def test_rotation_answers_a_new_secret_and_keeps_the_old_one_signing_for_24_hours() -> None:
    endpoint, old = _create()

    rotated, new = service.rotate_secret(endpoint.id, ADMIN)

    assert new != old
    assert rotated.previous_expires_at == rotated.updated_at + ROTATION_OVERLAP_S
    now = clock.now()
    live = [unseal(sealed, secret_context(endpoint.id)) for sealed in rotated.live_sealed_secrets(now)]
    assert live == [new, old]
    assert rotated.live_sealed_secrets(now + ROTATION_OVERLAP_S + 1) == (rotated.secret_sealed,)


def test_deleting_an_endpoint_removes_it_and_an_unknown_id_is_a_404() -> None:
    endpoint, _ = _create()
    service.delete_endpoint(endpoint.id, ADMIN)

    assert service.list_endpoints() == ()
    for action in (
        lambda: service.get_endpoint(endpoint.id),
        lambda: service.delete_endpoint(endpoint.id, ADMIN),
        lambda: service.rotate_secret(endpoint.id, ADMIN),
        lambda: service.update_endpoint(endpoint.id, {"active": True}, ADMIN),
    ):
        with pytest.raises(NotFound):
            action()


def test_a_store_holds_at_most_twenty_endpoints_even_when_registrations_race() -> None:
    for _ in range(MAX_ENDPOINTS - 2):
        _create()

    def register(n: int) -> str:
        try:
            _create(f"https://partner{n}.example/hooks")
        except Conflict:
            return "refused"
        return "created"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(register, range(4)))

    assert outcomes == ["created", "created", "refused", "refused"]
    assert len(service.list_endpoints()) == MAX_ENDPOINTS
    assert len(json.loads(_stored())) == MAX_ENDPOINTS


# ---------------------------------------------------------------- the routes

webhooks_function = load_handler_module("functions/webhooks")
ROUTE_ADMIN = ("01JDQ7Z8X9K2M3N4P5Q6ADMINXX", "admin")
ROUTE_MANAGER = ("01JDQ7Z8X9K2M3N4P5Q6MANAGER", "manager")
PUBLIC_LITERAL = "https://93.184.216.34/hooks"  # numeric: no DNS asked


def call(method: str, path: str, principal: tuple[str, str] = ROUTE_ADMIN, body: Any = None) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, body=body, principal=principal)
    return dict(webhooks_function.lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def test_an_admin_registers_reads_changes_rotates_and_deletes_an_endpoint_over_the_routes() -> None:
    created = call("POST", "/v1/webhooks", body={"url": PUBLIC_LITERAL, "events": ["order.paid"], "description": "ERP"})
    assert created["statusCode"] == 201, created
    endpoint = body_of(created)
    assert endpoint["secret"].startswith("whsec_")
    assert created["headers"]["Cache-Control"] in ("private, no-store", "no-store", "private")
    path = f"/v1/webhooks/{endpoint['id']}"

    listed, read = body_of(call("GET", "/v1/webhooks")), body_of(call("GET", path))
    assert [item["id"] for item in listed["items"]] == [endpoint["id"]]
    assert "secret" not in read
    assert "secret" not in listed["items"][0]
    assert (read["events"], read["active"], read["previous_secret_expires_at"]) == (["order.paid"], True, None)

    patched = call("PATCH", path, body={"events": ["*"], "active": False})
    assert (patched["statusCode"], body_of(patched)["events"], body_of(patched)["active"]) == (200, ["*"], False)

    rotated = call("POST", f"{path}/rotate-secret")
    assert rotated["statusCode"] == 200
    assert body_of(rotated)["secret"] not in (endpoint["secret"], None)
    assert body_of(rotated)["previous_secret_expires_at"] is not None

    assert call("DELETE", path)["statusCode"] == 204
    assert call("GET", path)["statusCode"] == 404


def test_only_an_admin_reaches_the_webhook_routes() -> None:
    for principal in (ROUTE_MANAGER, ("01JDQ7Z8X9K2M3N4P5Q6CUSTOMR", "customer")):
        refused = call("POST", "/v1/webhooks", principal, {"url": PUBLIC_LITERAL, "events": ["*"]})
        assert refused["statusCode"] == 403
        assert call("GET", "/v1/webhooks", principal)["statusCode"] == 403
    assert service.list_endpoints() == ()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://10.0.0.1/hooks", "events": ["*"]}, "url"),
        ({"url": "https://169.254.169.254/latest/meta-data/", "events": ["*"]}, "url"),
        ({"url": "https://[fd00:ec2::254]/", "events": ["*"]}, "url"),
        ({"url": "https://user:pw@93.184.216.34/", "events": ["*"]}, "url"),
        ({"url": "https://93.184.216.34/" + "a" * 2048, "events": ["*"]}, "url"),
        ({"url": PUBLIC_LITERAL, "events": ["order.lost"]}, "events"),
        ({"url": PUBLIC_LITERAL, "events": []}, "events"),
        ({"url": PUBLIC_LITERAL, "events": ["*"], "secret": "whsec_mine"}, "secret"),
    ],
)
def test_a_refused_registration_is_a_422_naming_the_field_and_stores_nothing(body: dict[str, Any], field: str) -> None:
    refused = call("POST", "/v1/webhooks", body=body)

    assert refused["statusCode"] == 422, refused
    assert field in {str(location) for error in problem(refused)["errors"] for location in error["loc"]}
    assert service.list_endpoints() == ()


def test_local_mode_takes_a_loopback_http_endpoint() -> None:
    created = call("POST", "/v1/webhooks", body={"url": "http://127.0.0.1:9000/partner", "events": ["*"]})

    assert created["statusCode"] == 201, created
