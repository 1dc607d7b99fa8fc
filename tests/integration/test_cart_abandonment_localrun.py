"""In the local runtime, with the real template: an idle cart expires and `cart.abandoned` reaches the bus.

The runtime runs in-process (the table on DynamoDB Local, or moto without Java; the rest on
moto's server) with its TTL sweeper every 0.2 s. The test writes a customer's cart whose
`expires_at` has passed; the sweeper deletes its header as the TTL would, the stream's
REMOVE record (with the TTL service's identity) reaches the cart expiry function, and the
relay publishes the event it put in the outbox to the local bus.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from devkit.localrun.runtime import Options, Runtime
from devkit.localrun.testing import wait_until
from storefront.data import carts, keys
from storefront.data.carts import CartHeaderItem, CartLineItem
from storefront.events.base import rfc3339
from storefront.settings import get_settings
from tests.integration.localrun_calls import drain, runtime_fixture, subscribe

USER_ID = "01JDQ7Z8X9K2M3N4P5Q6R7S8T9"
CART_ID = "01JDQ80000000000000000CART"


# The TTL sweeper every 0.2 s: the expired cart goes within the test's wait (AWS takes up to days).
runtime = runtime_fixture("localrun-cart-expiry", Options(ttl_sweep_s=0.2))


def _idle_cart(owner: str, expired_at: int) -> None:
    """A customer's cart of two lines, last changed 30 days before `expired_at`."""
    updated_at = expired_at - 30 * 86400
    pk, sk = keys.cart_header(owner)
    header = CartHeaderItem(pk, sk, cart_id=CART_ID, skus={"IDLE-1", "IDLE-2"}, currency="EUR")
    header.updated_at, header.expires_at = updated_at, expired_at
    header.save()
    for sku in ("IDLE-1", "IDLE-2"):
        line_pk, line_sk = keys.cart_line(owner, sku)
        line = CartLineItem(line_pk, line_sk, cart_id=CART_ID, sku=sku, product_id=f"P-{sku}", quantity=1)
        line.added_at = updated_at
        line.save()


def _partition(runtime: Runtime, owner: str) -> list[dict[str, Any]]:
    answer = runtime.aws_client("dynamodb").query(
        TableName=get_settings().table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.cart_partition(owner)}},
        ConsistentRead=True,
    )
    return list(answer["Items"])


@pytest.mark.usefixtures("storefront_on_runtime")
def test_an_expired_cart_ends_in_cart_abandoned_on_the_bus_and_its_lines_go(runtime: Runtime) -> None:
    assert "TTL: items past their expires_at of" in runtime.describe()
    url = subscribe(runtime, "cart-abandoned-local")
    owner = carts.user_owner(USER_ID)
    expired_at = int(time.time()) - 60

    _idle_cart(owner, expired_at)

    received: list[dict[str, Any]] = []

    def abandoned() -> list[dict[str, Any]]:
        received.extend(drain(runtime, url))
        return [event for event in received if event["detail-type"] == "cart.abandoned"]

    [event] = wait_until(abandoned, timeout_s=30, what="cart.abandoned on the bus")
    assert event["source"] == "storefront"
    assert event["detail"]["id"] == CART_ID
    data = event["detail"]["data"]
    assert (data["cart_id"], data["guest"], data["user_id"]) == (CART_ID, False, USER_ID)
    assert (data["skus"], data["currency"]) == (["IDLE-1", "IDLE-2"], "EUR")
    assert data["expired_at"] == rfc3339(expired_at)
    wait_until(lambda: _partition(runtime, owner) == [], what="the stale lines deleted")
