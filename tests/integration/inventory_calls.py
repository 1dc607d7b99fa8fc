"""Calling the inventory function the way API Gateway does, seeding stock, counting requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import botocore.session
import pytest

from devkit.functions import load_handler_module
from storefront.data.inventory import stock_item
from storefront.data.outbox import OutboxItem
from tests.aws_fixtures import _forget_clients
from tests.integration.principals import ensure_user
from tests.support import FakeContext, http_event

inventory_function = load_handler_module("functions/inventory")

MANAGER = ("01JDQ7Z8X9K2M3N4P5Q6MANAGER", "manager")
CUSTOMER = ("01JDQ7Z8X9K2M3N4P5Q6CUSTOMR", "customer")


def put_stock(sku: str, on_hand: int, threshold: int = 5, *, reserved: int = 0, product_id: str = "P1") -> None:
    """A stock item as product creation writes it (optionally with units already reserved)."""
    item = stock_item(sku, product_id, on_hand, threshold)
    if reserved:
        item.reserved = reserved
        item.available = on_hand - reserved
        item.headroom = on_hand - reserved - threshold
        low = item.headroom <= 0
        item.GSI2PK, item.GSI2SK = ("LOWSTOCK", f"SKU#{sku}") if low else (None, None)
    item.save()


def call(
    method: str,
    path: str,
    principal: tuple[str, str] = MANAGER,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, body=body, query=query, principal=principal)
    return dict(inventory_function.lambda_handler(event, FakeContext()))


def environments(count: int) -> list[ModuleType]:
    """One inventory function per concurrent caller: Lambda gives concurrent requests separate
    environments, and a Powertools resolver must never serve two requests at once."""
    return [load_handler_module("functions/inventory", fresh=True) for _ in range(count)]


def adjust_in(environment: ModuleType, sku: str, delta: int) -> int:
    """The status of an adjustment sent to one environment (for concurrency tests)."""
    body = {"delta": delta, "reason": "concurrent"}
    ensure_user(MANAGER)
    event = http_event("POST", f"/v1/inventory/{sku}/adjustments", body=body, principal=MANAGER)
    return int(environment.lambda_handler(event, FakeContext())["statusCode"])


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def adjust(sku: str, delta: int, reason: str = "count correction") -> dict[str, Any]:
    return call("POST", f"/v1/inventory/{sku}/adjustments", body={"delta": delta, "reason": reason})


def outbox_events(event_type: str, sku: str | None = None) -> list[dict[str, Any]]:
    """The envelopes of one type waiting in the outbox (a test may scan; the code never does)."""
    envelopes = [envelope for item in OutboxItem.scan(consistent_read=True) for envelope in item.envelopes()]
    return [
        envelope
        for envelope in envelopes
        if envelope["type"] == event_type and sku in (None, envelope["data"].get("sku"))
    ]


def low_stock_events(sku: str | None = None) -> list[dict[str, Any]]:
    return outbox_events("inventory.low_stock", sku)


def availability_events(sku: str | None = None) -> list[dict[str, Any]]:
    return outbox_events("inventory.availability_changed", sku)


@contextmanager
def dynamodb_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names of the DynamoDB operations sent while inside, counted by a botocore before-call hook."""
    calls: list[str] = []
    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    _forget_clients()  # the next call builds a client, with the hook
    try:
        yield calls
    finally:
        monkeypatch.setattr(botocore.session.Session, "create_client", original)
        _forget_clients()
