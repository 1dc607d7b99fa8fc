"""Partner webhooks over HTTP against the local runtime (moto's KMS, its key kept in the data
directory): an admin registers a loopback endpoint (local mode allows it), sees its secret once,
rotates it, and is refused private and metadata addresses in any spelling; a catalog change
reaches a loopback receiver through the outbox, the bus, the rule's queue and the sender,
signed, retried after a 500 with the same `webhook-id`, and logged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from tests.e2e.local_api import LocalApi
from tests.e2e.orders_support import product
from tests.e2e.test_catalog_flow import call, created
from tests.webhook_partner import Answer, new_partner, running

pytestmark = pytest.mark.e2e


def test_an_admin_registers_an_endpoint_sees_its_secret_once_and_rotates_it(local_api: LocalApi, manager: str) -> None:
    endpoint = created(
        call(local_api, "POST", "/v1/webhooks", manager, {"url": "http://127.0.0.1:9/partner", "events": ["*"]})
    )
    secret = endpoint["secret"]
    Webhook(secret)  # a secret the Standard Webhooks library takes as it is
    path = f"/v1/webhooks/{endpoint['id']}"

    read = call(local_api, "GET", path, manager)
    rotated = call(local_api, "POST", f"{path}/rotate-secret", manager)

    assert read.status_code == 200, read.text
    assert "secret" not in read.json()
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"] != secret
    assert rotated.json()["previous_secret_expires_at"] is not None
    assert call(local_api, "DELETE", path, manager).status_code == 204


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/hooks", "http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/", "http://[::ffff:10.0.0.1]/"]
)
def test_private_and_metadata_addresses_are_refused_even_in_local_mode(
    local_api: LocalApi, manager: str, url: str
) -> None:
    refused = call(local_api, "POST", "/v1/webhooks", manager, {"url": url, "events": ["order.paid"]})

    assert refused.status_code == 422, refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert [error["loc"] for error in refused.json()["errors"]] == [["body", "url"]]


@contextmanager
def _subscribed_partner(api: LocalApi, token: str, *script: Answer) -> Iterator[tuple[Any, dict[str, Any], str]]:
    """A loopback partner answering `script` first, registered for `product.created`; removed after."""
    with running(new_partner()) as partner:
        partner.script = list(script)
        body = {"url": partner.url + "/in", "events": ["product.created"]}
        endpoint = created(call(api, "POST", "/v1/webhooks", token, body))
        path = f"/v1/webhooks/{endpoint['id']}"
        try:
            yield partner, endpoint, path
        finally:
            call(api, "DELETE", path, token)


def _naming(partner: Any, sku: str, count: int) -> list[tuple[str, dict[str, str], bytes]]:
    """The first `count` requests whose body names `sku` (another test's product may also arrive)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        mine = [request for request in list(partner.received) if sku.encode() in request[2]]
        if len(mine) >= count:
            return mine[:count]
        time.sleep(0.05)
    raise AssertionError(f"the partner got {len(mine)} deliveries naming {sku}, not {count}")


def test_a_new_product_reaches_a_partner_signed_and_a_500_is_retried_with_the_same_id(
    local_api: LocalApi, manager: str
) -> None:
    with _subscribed_partner(local_api, manager, (500, {}, b"busy", 0.0)) as (partner, endpoint, path):
        sku = product(local_api, manager, 3)
        first, second = _naming(partner, sku, 2)
        tested = call(local_api, "POST", f"{path}/test", manager)
        [test] = _naming(partner, endpoint["id"], 1)  # a test event's data is {webhook_id}

    assert first[1]["webhook-id"] == second[1]["webhook-id"]
    assert first[2] == second[2]
    message = Webhook(endpoint["secret"]).verify(second[2], second[1])
    assert message["type"] == "product.created"
    assert message["id"] == second[1]["webhook-id"]
    assert tested.status_code == 202, tested.text
    assert Webhook(endpoint["secret"]).verify(test[2], test[1])["type"] == "webhook.test"


def test_the_delivery_log_shows_each_attempt_newest_first(local_api: LocalApi, manager: str) -> None:
    with _subscribed_partner(local_api, manager, (503, {"retry-after": "1"}, b"<b>later</b>", 0.0)) as (
        partner,
        _,
        path,
    ):
        sku = product(local_api, manager, 1)
        first, _ = _naming(partner, sku, 2)
        event_id = first[1]["webhook-id"]
        log = _log_of(local_api, manager, path, event_id, lines=2)

    retry, failure = log
    assert (failure["attempt"], failure["status_code"], failure["response"]) == (1, 503, "<b>later</b>")
    assert failure["next_attempt_at"] is not None
    assert (retry["attempt"], retry["status_code"], retry["succeeded"]) == (2, 204, True)


def _log_of(api: LocalApi, token: str, path: str, event_id: str, lines: int) -> list[dict[str, object]]:
    """The log's lines of one event once it has `lines` of them (the sender logs just after answering)."""
    deadline = time.monotonic() + 30
    while True:
        answer = call(api, "GET", f"{path}/deliveries", token)
        assert answer.status_code == 200, answer.text
        items = [line for line in answer.json()["items"] if line["event_id"] == event_id]
        if len(items) >= lines or time.monotonic() > deadline:
            return items
        time.sleep(0.2)
