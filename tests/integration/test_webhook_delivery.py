"""Partner webhook deliveries: the sender function on its queue (moto), a real receiver on loopback.

A domain event reaches every active endpoint subscribed to it, signed so that the partner's
`standardwebhooks` verifies it; failures are retried with the same `webhook-id` on the
(compressed) schedule, then parked; 410 and five days of failures turn an endpoint off with
an event; a destination that now resolves to a private address is refused at delivery.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from devkit.localrun.pollers import sqs_record
from storefront.data import webhook_attempts
from storefront.data.outbox import OutboxItem
from storefront.domain import clock
from storefront.domain.webhooks import delivery, service
from storefront.domain.webhooks.entities import FAILING_LIMIT_S, MAX_ATTEMPTS, Delivery, Endpoint
from storefront.settings import get_settings
from storefront.webhooks.destinations import checked_destination
from storefront.webhooks.sender import deliver
from tests.integration.webhook_calls import SenderQueues
from tests.support import FakeContext, emitted_metrics
from tests.webhook_partner import new_partner, running

pytestmark = pytest.mark.usefixtures("aws", "webhook_key")
ADMIN = "01JDQ7Z8X9K2M3N4P5Q6ADMIN00"
EVENT_ID = "01JEVENT0000000000000000AA"
OCCURRED = "2026-12-04T06:00:00Z"


@pytest.fixture
def partner() -> Iterator[Any]:
    with running(new_partner()) as server:
        yield server


def _endpoint(url: str, events: list[str] | None = None, active: bool = True) -> tuple[Endpoint, str]:
    local = partial(checked_destination, local_mode=True)
    return service.create_endpoint(url + "/hooks", events or ["order.paid"], None, active, ADMIN, check=local)


def _log(endpoint_id: str) -> list[Any]:
    return list(webhook_attempts.list_attempts(endpoint_id, 100, None).items)


def _stored(endpoint_id: str) -> Endpoint:
    return service.get_endpoint(endpoint_id)


def test_an_event_reaches_each_subscribed_active_endpoint_signed_as_standard_webhooks(
    sender: SenderQueues, partner: Any
) -> None:
    subscribed, secret = _endpoint(partner.url)
    everything, secret_of_all = _endpoint(partner.url, ["*"])
    _endpoint(partner.url, ["order.shipped"])
    _endpoint(partner.url, ["order.paid"], active=False)

    sender.publish("order.paid", {"order_id": "01JORDER"}, EVENT_ID, OCCURRED)
    sender.run()

    assert len(partner.received) == 2
    expected = {"type": "order.paid", "id": EVENT_ID, "timestamp": OCCURRED, "data": {"order_id": "01JORDER"}}
    verified_by = []
    for _, headers, body in partner.received:
        assert headers["webhook-id"] == EVENT_ID
        for key in (secret, secret_of_all):
            try:
                assert Webhook(key).verify(body, headers) == expected
            except WebhookVerificationError:
                continue
            verified_by.append(key)
    assert sorted(verified_by) == sorted([secret, secret_of_all])  # each endpoint's own secret signs its copy
    for endpoint in (subscribed, everything):
        [line] = _log(endpoint.id)
        assert (line.succeeded, line.status_code, line.delivery.attempt, line.next_attempt_at) == (True, 204, 1, None)


def test_an_event_type_outside_the_contract_is_not_delivered_even_to_star(sender: SenderQueues, partner: Any) -> None:
    _endpoint(partner.url, ["*"])

    sender.publish("inventory.availability_changed", {"sku": "A"}, EVENT_ID, OCCURRED)
    sender.run()

    assert partner.received == []


def test_a_500_then_a_200_is_one_retry_with_the_same_webhook_id_and_body(
    sender: SenderQueues, partner: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint, secret = _endpoint(partner.url)
    partner.script = [(500, {}, b"<html>oops</html>", 0.0)]

    sender.publish("order.paid", {"order_id": "01JORDER"}, EVENT_ID, OCCURRED)
    sender.run()

    assert emitted_metrics(capsys.readouterr().out) == {"WebhookAttempts": 2, "WebhookAttemptsFailed": 1}

    first, second = partner.received
    assert first[1]["webhook-id"] == second[1]["webhook-id"] == EVENT_ID
    assert first[2] == second[2]
    Webhook(secret).verify(second[2], second[1])
    retry, failure = _log(endpoint.id)  # newest first
    assert (failure.status_code, failure.delivery.attempt, failure.response) == (500, 1, "<html>oops</html>")
    assert failure.next_attempt_at is not None
    assert (retry.status_code, retry.delivery.attempt, retry.next_attempt_at) == (204, 2, None)
    assert _stored(endpoint.id).failing_since is None  # the success cleared the first failure's mark


def test_a_partner_that_never_answers_gets_every_attempt_then_the_delivery_is_parked(
    sender: SenderQueues, partner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, _ = _endpoint(partner.url)
    partner.answer = (200, {}, b"", 1.0)
    monkeypatch.setattr(sender.module, "PORTS", replace(sender.module.PORTS, send=partial(deliver, timeout_s=0.1)))

    sender.publish("order.paid", {"order_id": "01JORDER"}, EVENT_ID, OCCURRED)
    sender.run()

    log = _log(endpoint.id)
    assert [line.delivery.attempt for line in log] == list(range(MAX_ATTEMPTS, 0, -1))
    assert all(line.status_code is None and "Timeout" in (line.error or "") for line in log)
    assert log[0].next_attempt_at is None
    assert all(line.next_attempt_at is not None for line in log[1:])
    [parked] = sender.parked()
    assert parked["webhook_delivery"]["event_id"] == EVENT_ID
    assert parked["webhook_delivery"]["attempt"] == MAX_ATTEMPTS
    assert _stored(endpoint.id).active  # three days of failures are not five


def test_a_410_turns_the_endpoint_off_at_once_with_an_event_and_no_retry(sender: SenderQueues, partner: Any) -> None:
    endpoint, _ = _endpoint(partner.url)
    partner.answer = (410, {}, b"", 0.0)

    sender.publish("order.paid", {"order_id": "01JORDER"}, EVENT_ID, OCCURRED)
    sender.run()

    assert len(partner.received) == 1
    stored = _stored(endpoint.id)
    assert (stored.active, stored.disabled_reason) == (False, "gone")
    [line] = _log(endpoint.id)
    assert (line.status_code, line.next_attempt_at) == (410, None)
    [event] = [item for item in OutboxItem.scan() if item.event_type == "webhook_endpoint.disabled"]
    assert json.loads(event.envelope)["data"] == {
        "webhook_id": endpoint.id,
        "url": endpoint.url,
        "reason": "gone",
        "failing_since": stored.failing_since,
    }
    assert sender.parked() == []


def test_an_endpoint_failing_every_delivery_for_five_days_is_turned_off(
    sender: SenderQueues, partner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, _ = _endpoint(partner.url)
    partner.answer = (503, {}, b"", 0.0)
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)  # the clock stands still: no second boundary between reads
    ports = replace(sender.module.PORTS, now=lambda: float(clock.now()))
    monkeypatch.setattr(sender.module, "PORTS", ports)

    single = Delivery(endpoint.id, EVENT_ID, "order.paid", OCCURRED, {}, attempt=MAX_ATTEMPTS, manual=False)
    delivery.attempt(single, {endpoint.id: endpoint}, replace(ports, queue=_NoQueue()))
    assert _stored(endpoint.id).failing_since == start

    monkeypatch.setattr(clock, "now", lambda: start + FAILING_LIMIT_S + 1)
    later = _stored(endpoint.id)
    delivery.attempt(single, {endpoint.id: later}, replace(ports, queue=_NoQueue()))

    stored = _stored(endpoint.id)
    assert (stored.active, stored.disabled_reason, stored.failing_since) == (False, "failing", start)
    assert [item.event_type for item in OutboxItem.scan()] == ["webhook_endpoint.disabled"]


def test_turning_an_endpoint_back_on_clears_the_senders_marks(sender: SenderQueues, partner: Any) -> None:
    endpoint, _ = _endpoint(partner.url)
    partner.answer = (410, {}, b"", 0.0)
    sender.publish("order.paid", {}, EVENT_ID, OCCURRED)
    sender.run()

    again = service.update_endpoint(endpoint.id, {"active": True}, ADMIN)

    assert (again.active, again.disabled_reason, again.failing_since) == (True, None, None)


def test_a_destination_that_now_resolves_to_a_private_address_is_refused_at_delivery(
    sender: SenderQueues, partner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def public_then_loopback(url: str) -> Any:
        return checked_destination(url, local_mode=False, resolve=lambda host, port: ["127.0.0.1"])

    endpoint, _ = service.create_endpoint(
        "https://partner.example/hooks",
        ["order.paid"],
        None,
        True,
        ADMIN,
        check=partial(checked_destination, local_mode=False, resolve=lambda host, port: ["93.184.216.34"]),
    )
    monkeypatch.setattr(sender.module, "PORTS", replace(sender.module.PORTS, check=public_then_loopback))

    sender.publish("order.paid", {}, EVENT_ID, OCCURRED)
    sender.run()

    assert partner.received == []
    first = _log(endpoint.id)[-1]
    assert first.status_code is None
    assert first.error is not None
    assert first.error.startswith("Refused")
    assert "127.0.0.1" in first.error


def test_after_a_rotation_a_delivery_carries_both_signatures(sender: SenderQueues, partner: Any) -> None:
    endpoint, old = _endpoint(partner.url)
    _, new = service.rotate_secret(endpoint.id, ADMIN)

    sender.publish("order.paid", {}, EVENT_ID, OCCURRED)
    sender.run()

    [(_, headers, body)] = partner.received
    assert headers["webhook-signature"].count("v1,") == 2
    for secret in (old, new):
        Webhook(secret).verify(body, headers)


def test_a_retry_waiting_for_a_deleted_endpoint_is_dropped(sender: SenderQueues, partner: Any) -> None:
    endpoint, _ = _endpoint(partner.url)
    partner.script = [(500, {}, b"", 0.0)]
    sender.publish("order.paid", {}, EVENT_ID, OCCURRED)
    assert sender.module.lambda_handler(_batch(sender), FakeContext()) == {"batchItemFailures": []}
    service.delete_endpoint(endpoint.id, ADMIN)

    sender.run()

    assert len(partner.received) == 1


def test_a_retry_due_after_sqs_longest_delay_waits_in_hops_without_an_attempt(partner: Any) -> None:
    endpoint, _ = _endpoint(partner.url)
    queue = _NoQueue()
    due = clock.now() + 3600
    waiting = Delivery(endpoint.id, EVENT_ID, "order.paid", OCCURRED, {}, attempt=5, not_before=due)

    assert delivery.attempt(waiting, {endpoint.id: endpoint}, delivery.Ports(queue=queue)) is None

    [(again, delay)] = queue.later_calls
    assert again == waiting
    assert delay == pytest.approx(3600, abs=2)
    assert partner.received == []


def test_retry_after_longer_than_the_schedule_is_honoured(partner: Any) -> None:
    endpoint, _ = _endpoint(partner.url)
    partner.answer = (503, {"retry-after": "600"}, b"", 0.0)
    queue = _NoQueue()
    first = Delivery(endpoint.id, EVENT_ID, "order.paid", OCCURRED, {})

    record = delivery.attempt(first, {endpoint.id: endpoint}, delivery.Ports(queue=queue))

    [(next_delivery, delay)] = queue.later_calls
    assert next_delivery.attempt == 2
    scale = get_settings().webhook_retry_scale
    assert delay == pytest.approx(600 * scale)  # not the schedule's 5 s
    assert record is not None
    assert record.next_attempt_at is not None


def test_an_unreadable_message_is_a_batch_item_failure(sender: SenderQueues) -> None:
    sender.sqs.send_message(QueueUrl=sender.url, MessageBody="not json")

    result = sender.module.lambda_handler(_batch(sender), FakeContext())

    assert len(result["batchItemFailures"]) == 1


class _NoQueue:
    """A queue that only records what would be queued."""

    def __init__(self) -> None:
        self.later_calls: list[tuple[Delivery, float]] = []
        self.parked: list[Delivery] = []

    def later(self, item: Delivery, delay_s: float) -> None:
        self.later_calls.append((item, delay_s))

    def park(self, item: Delivery) -> None:
        self.parked.append(item)


def _batch(sender: SenderQueues) -> dict[str, Any]:
    messages = sender.sqs.receive_message(QueueUrl=sender.url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        sender.sqs.delete_message(QueueUrl=sender.url, ReceiptHandle=message["ReceiptHandle"])
    return {"Records": [sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:q") for message in messages]}


def test_one_endpoints_failed_delivery_is_tried_again_alone_so_the_other_partner_gets_the_event_once(
    sender: SenderQueues, partner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _endpoint(partner.url)
    second, _ = _endpoint(partner.url)
    record_attempt = webhook_attempts.record_attempt

    def table_refuses_the_seconds_log_once(record: Any) -> None:
        if record.delivery.endpoint_id == second.id and not refused:
            refused.append(record)
            raise ConnectionError("the table did not answer")
        record_attempt(record)

    refused: list[Any] = []
    monkeypatch.setattr(webhook_attempts, "record_attempt", table_refuses_the_seconds_log_once)
    sender.publish("order.paid", {"order_id": "01JORDER"}, EVENT_ID, OCCURRED)

    results = sender.run()

    assert results[0]["batchItemFailures"] == []  # the event is not fanned out again
    assert len(refused) == 1
    assert len(_log(first.id)) == 1
    assert [line.succeeded for line in _log(second.id)] == [True]
    assert len(partner.received) == 3  # the first endpoint once; the second twice (its first post was not logged)
