"""The admin's view of deliveries: the delivery log (newest first, paged), a test event, and one
logged delivery sent again; each queued for the sender, which alone opens signing secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from devkit.functions import load_handler_module
from tests.integration.principals import ensure_user
from tests.integration.webhook_calls import SenderQueues
from tests.support import FakeContext, http_event, problem
from tests.webhook_partner import new_partner, running

pytestmark = pytest.mark.usefixtures("aws", "webhook_key")
webhooks_function = load_handler_module("functions/webhooks")
ADMIN = ("01JDQ7Z8X9K2M3N4P5Q6ADMINXX", "admin")
MANAGER = ("01JDQ7Z8X9K2M3N4P5Q6MANAGER", "manager")
OCCURRED = "2026-12-04T06:00:00Z"


@pytest.fixture
def partner() -> Iterator[Any]:
    with running(new_partner()) as server:
        yield server


def call(method: str, path: str, principal: tuple[str, str] = ADMIN, **options: Any) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, principal=principal, **options)
    return dict(webhooks_function.lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def _register(url: str) -> dict[str, Any]:
    created = call("POST", "/v1/webhooks", body={"url": url + "/hooks", "events": ["order.paid"]})
    assert created["statusCode"] == 201, created
    return dict(body_of(created))


def test_a_test_event_is_queued_then_delivered_signed_and_logged(sender: SenderQueues, partner: Any) -> None:
    endpoint = _register(partner.url)

    queued = call("POST", f"/v1/webhooks/{endpoint['id']}/test")

    assert queued["statusCode"] == 202, queued
    answer = body_of(queued)
    assert (answer["webhook_id"], answer["event_type"], answer["attempt"]) == (endpoint["id"], "webhook.test", 1)
    sender.run()
    [(_, headers, body)] = partner.received
    message = Webhook(endpoint["secret"]).verify(body, headers)
    assert (message["type"], message["id"], message["data"]) == (
        "webhook.test",
        answer["event_id"],
        {"webhook_id": endpoint["id"]},
    )
    [line] = body_of(call("GET", f"/v1/webhooks/{endpoint['id']}/deliveries"))["items"]
    assert {name: line[name] for name in ("event_id", "event_type", "attempt", "manual", "succeeded")} == {
        "event_id": answer["event_id"],
        "event_type": "webhook.test",
        "attempt": 1,
        "manual": True,
        "succeeded": True,
    }
    assert (line["status_code"], line["next_attempt_at"], line["error"]) == (204, None, None)
    assert isinstance(line["duration_ms"], int)
    assert line["delivered_at"].endswith("Z")


def test_a_failed_test_is_not_retried(sender: SenderQueues, partner: Any) -> None:
    endpoint = _register(partner.url)
    partner.answer = (500, {}, b"", 0.0)

    call("POST", f"/v1/webhooks/{endpoint['id']}/test")
    sender.run()

    assert len(partner.received) == 1
    [line] = body_of(call("GET", f"/v1/webhooks/{endpoint['id']}/deliveries"))["items"]
    assert (line["status_code"], line["succeeded"], line["next_attempt_at"]) == (500, False, None)


def test_the_delivery_log_pages_newest_first(sender: SenderQueues, partner: Any) -> None:
    endpoint = _register(partner.url)
    for number in range(3):
        sender.publish("order.paid", {"n": number}, f"01JEVENT000000000000000{number:03d}", OCCURRED)
        sender.run()
    path = f"/v1/webhooks/{endpoint['id']}/deliveries"

    first = body_of(call("GET", path, query={"limit": "2"}))
    second = body_of(call("GET", path, query={"limit": "2", "cursor": first["next_cursor"]}))

    events = [line["event_id"] for line in first["items"] + second["items"]]
    assert events == [f"01JEVENT000000000000000{number:03d}" for number in (2, 1, 0)]
    assert second["next_cursor"] is None
    other = _register(partner.url)
    refused = call("GET", f"/v1/webhooks/{other['id']}/deliveries", query={"cursor": first["next_cursor"]})
    assert refused["statusCode"] == 400  # a cursor of one endpoint's log does not page another's


def test_a_logged_delivery_is_sent_again_with_the_same_id_and_body(sender: SenderQueues, partner: Any) -> None:
    endpoint = _register(partner.url)
    partner.answer = (410, {}, b"", 0.0)  # the endpoint turns itself off; a redelivery still reaches it
    sender.publish("order.paid", {"order_id": "01JORDER"}, "01JEVENT0000000000000000AA", OCCURRED)
    sender.run()
    [line] = body_of(call("GET", f"/v1/webhooks/{endpoint['id']}/deliveries"))["items"]
    partner.answer = (200, {}, b"thanks", 0.0)

    queued = call("POST", f"/v1/webhooks/{endpoint['id']}/deliveries/{line['id']}/retry")

    assert queued["statusCode"] == 202, queued
    assert body_of(queued)["attempt"] == 2
    sender.run()
    first, again = partner.received
    assert again[1]["webhook-id"] == first[1]["webhook-id"] == "01JEVENT0000000000000000AA"
    assert again[2] == first[2]
    newest = body_of(call("GET", f"/v1/webhooks/{endpoint['id']}/deliveries"))["items"][0]
    assert (newest["attempt"], newest["manual"], newest["status_code"], newest["response"]) == (2, True, 200, "thanks")


def test_unknown_endpoints_and_lines_are_404_and_only_admins_may_ask(sender: SenderQueues, partner: Any) -> None:
    endpoint = _register(partner.url)

    for method, path in (
        ("GET", "/v1/webhooks/nope/deliveries"),
        ("POST", "/v1/webhooks/nope/test"),
        ("POST", f"/v1/webhooks/{endpoint['id']}/deliveries/nope/retry"),
    ):
        answer = call(method, path)
        assert answer["statusCode"] == 404, (path, answer)
        assert problem(answer)["status"] == 404
    for method, path in (
        ("GET", f"/v1/webhooks/{endpoint['id']}/deliveries"),
        ("POST", f"/v1/webhooks/{endpoint['id']}/test"),
    ):
        assert call(method, path, principal=MANAGER)["statusCode"] == 403
    sender.run()
    assert partner.received == []
