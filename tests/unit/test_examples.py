"""The extension examples work: a partner's receiver verifies what the sender signs (and refuses a
forgery), and the shop's own rule listens to event types the store really emits."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from devkit.template import ROOT, load_template
from storefront.webhooks.signing import Message, new_secret, signed_headers


def _receiver_module() -> Any:
    spec = importlib.util.spec_from_file_location("partner_receiver", ROOT / "examples" / "partner_receiver.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def receiving() -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    secret, handled = new_secret(), list[dict[str, Any]]()
    server = _receiver_module().receiver(secret, handled.append, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", secret, handled
    server.shutdown()
    server.server_close()


def _delivery(secret: str) -> tuple[dict[str, str], bytes]:
    message = Message("01JEVENT0000000000000000AA", "order.paid", datetime.now(UTC), {"order_id": "01JORDER"})
    body = message.body()
    return signed_headers(message, body, [secret], datetime.now(UTC)), body


def test_the_example_receiver_takes_a_signed_delivery(receiving: tuple[str, str, list[dict[str, Any]]]) -> None:
    url, secret, handled = receiving
    headers, body = _delivery(secret)

    answer = requests.post(url, data=body, headers=headers, timeout=5)

    assert answer.status_code == 204
    assert [(event["type"], event["id"], event["data"]) for event in handled] == [
        ("order.paid", "01JEVENT0000000000000000AA", {"order_id": "01JORDER"})
    ]


def test_the_example_receiver_refuses_a_forgery(receiving: tuple[str, str, list[dict[str, Any]]]) -> None:
    url, _, handled = receiving
    headers, body = _delivery(new_secret())  # signed with another secret

    answer = requests.post(url, data=body, headers=headers, timeout=5)

    assert answer.status_code == 400
    assert handled == []


def test_the_example_rule_listens_to_event_types_the_store_emits() -> None:
    template = load_template(ROOT / "examples/order-alerts/template.yaml")
    rule = template["Resources"]["AlertsRule"]["Properties"]
    emitted = {path.name.split(".v")[0] for path in Path(ROOT / "docs/events").glob("*.json")}
    assert rule["EventPattern"]["source"] == ["storefront"]
    assert set(rule["EventPattern"]["detail-type"]) <= emitted
    [target] = rule["Targets"]
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["AlertsDeadLetterQueue", "Arn"]}
