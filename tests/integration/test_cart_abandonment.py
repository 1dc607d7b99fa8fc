"""An idle cart's expiry: `cart.abandoned` once per cart that held lines, and its stale lines removed."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from devkit.functions import load_handler_module
from storefront.data import cart_expiry, carts, keys
from storefront.data.table import TableItem
from storefront.domain import clock
from storefront.domain.cart.service import token_hash
from storefront.settings import get_settings
from tests.integration.cart_calls import ANN, add, call, cart, guest_add, lines, product, start_guest_cart
from tests.integration.inventory_calls import outbox_events
from tests.support import FakeContext

pytestmark = pytest.mark.usefixtures("aws")

expiry = load_handler_module("functions/cart_expiry")
TTL = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def _remove_header(owner: str, identity: dict[str, str] | None = TTL) -> dict[str, Any]:
    """Deletes the cart's header as the TTL would, and returns the stream record of the deletion."""
    client = boto3.client("dynamodb")
    pk, sk = keys.cart_header(owner)
    table = get_settings().table_name
    old = client.delete_item(TableName=table, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ReturnValues="ALL_OLD")
    record: dict[str, Any] = {
        "eventName": "REMOVE",
        "dynamodb": {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}, "OldImage": old["Attributes"], "SequenceNumber": "1"},
    }
    if identity is not None:
        record["userIdentity"] = identity
    return record


def _deliver(*records: dict[str, Any]) -> dict[str, Any]:
    return dict(expiry.lambda_handler({"Records": list(records)}, FakeContext()))


def _partition(owner: str) -> list[str]:
    client = boto3.client("dynamodb")
    response = client.query(
        TableName=get_settings().table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.cart_partition(owner)}},
        ConsistentRead=True,
    )
    return sorted(item["SK"]["S"] for item in response["Items"])


def test_a_customer_cart_deleted_by_the_ttl_emits_cart_abandoned_once_and_its_lines_go() -> None:
    product("CART-1", "CART-2")
    add("CART-1", 2)
    add("CART-2", 1)
    owner = carts.user_owner(ANN[0])
    record = _remove_header(owner)

    assert _deliver(record) == {"batchItemFailures": []}
    assert _deliver(record) == {"batchItemFailures": []}  # redelivered

    (event,) = outbox_events("cart.abandoned")
    assert event["id"] == record["dynamodb"]["OldImage"]["cart_id"]["S"]
    data = event["data"]
    assert (data["user_id"], data["guest"], data["skus"], data["currency"]) == (
        ANN[0],
        False,
        ["CART-1", "CART-2"],
        "EUR",
    )
    assert _partition(owner) == []
    assert cart()["items"] == []


def test_a_guest_cart_deleted_by_the_ttl_emits_it_without_a_user() -> None:
    product("CART-1")
    token = start_guest_cart()
    guest_add(token, "CART-1", 1)
    _deliver(_remove_header(carts.guest_owner(token_hash(token))))

    (event,) = outbox_events("cart.abandoned")
    assert (event["data"]["guest"], event["data"]["user_id"]) == (True, None)


def test_an_empty_cart_or_a_deletion_by_a_user_emits_nothing_but_still_clears_stale_lines() -> None:
    product("CART-1")
    token = start_guest_cart()
    guest_add(token, "CART-1", 1)
    assert call("POST", "/v1/cart/merge", ANN, body={"cart_token": token})["statusCode"] == 200
    empty = start_guest_cart()
    guest_owner = carts.guest_owner(token_hash(token))
    assert _partition(guest_owner) == ["LINE#CART-1"]  # left stale by the merge
    merged_header = {
        "eventName": "REMOVE",
        "dynamodb": {
            "OldImage": {
                "PK": {"S": keys.cart_partition(guest_owner)},
                "SK": {"S": "CART"},
                "entity": {"S": "CartHeader"},
                "cart_id": {"S": "MERGED"},
                "skus": {"SS": ["CART-1"]},
                "updated_at": {"N": "1"},
                "expires_at": {"N": "2"},
            },
            "SequenceNumber": "2",
        },
        "userIdentity": None,
    }

    assert _deliver(merged_header, _remove_header(carts.guest_owner(token_hash(empty)))) == {"batchItemFailures": []}

    assert outbox_events("cart.abandoned") == []
    assert _partition(guest_owner) == []


def test_lines_of_a_cart_started_again_after_the_expiry_stay() -> None:
    product("CART-1", "CART-2")
    add("CART-1", 1)
    owner = carts.user_owner(ANN[0])
    record = _remove_header(owner)
    add("CART-2", 2)  # a new generation before the stream record arrives

    _deliver(record)

    assert lines(cart()) == {"CART-2": 2}
    assert _partition(owner) == ["CART", "LINE#CART-2"]
    assert len(outbox_events("cart.abandoned")) == 1


def test_a_malformed_record_is_reported_as_a_failure() -> None:
    record = {"eventName": "REMOVE", "dynamodb": {"OldImage": {"PK": {"S": "CART#USER#X"}}, "SequenceNumber": "7"}}
    assert _deliver(record) == {"batchItemFailures": [{"itemIdentifier": "7"}]}


def test_an_expired_cart_started_again_before_the_ttl_deleted_it_emits_cart_abandoned_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product("CART-1", "CART-2")
    start = clock.now()
    add("CART-1", 2)
    monkeypatch.setattr(clock, "now", lambda: start + 31 * 24 * 3600)

    add("CART-2", 1)  # the header is rewritten in place: no stream REMOVE will tell of the old cart
    add("CART-2", 1)

    (event,) = outbox_events("cart.abandoned")
    assert (event["data"]["skus"], event["data"]["user_id"]) == (["CART-1"], ANN[0])
    assert lines(cart()) == {"CART-2": 2}


@pytest.mark.parametrize("guest", [False, True])
def test_deleting_a_cart_that_already_expired_leaves_it_to_the_ttl_so_cart_abandoned_is_still_emitted(
    monkeypatch: pytest.MonkeyPatch, guest: bool
) -> None:
    product("CART-1")
    start = clock.now()
    if guest:
        token = start_guest_cart()
        guest_add(token, "CART-1", 2)
        owner, path, idle_days = carts.guest_owner(token_hash(token)), "/v1/guest-cart", 7
    else:
        add("CART-1", 2)
        owner, path, idle_days = carts.user_owner(ANN[0]), "/v1/cart", 30
    monkeypatch.setattr(clock, "now", lambda: start + (idle_days + 1) * 24 * 3600)

    deleted = call("DELETE", path, None if guest else ANN, token=token if guest else None)

    assert deleted["statusCode"] == (404 if guest else 204)  # an expired cart is already gone for its owner
    _deliver(_remove_header(owner))  # the TTL's deletion comes later
    (event,) = outbox_events("cart.abandoned")
    assert (event["data"]["skus"], event["data"]["guest"]) == (["CART-1"], guest)
    assert _partition(owner) == []


def test_a_stale_line_rewritten_after_the_read_stays_while_the_other_stale_lines_still_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product("CART-1", "CART-2")
    token = start_guest_cart()
    guest_add(token, "CART-1", 1)
    guest_add(token, "CART-2", 1)
    owner = carts.guest_owner(token_hash(token))
    table, client = get_settings().table_name, boto3.client("dynamodb")
    partition = keys.cart_partition(owner)
    client.delete_item(TableName=table, Key={"PK": {"S": partition}, "SK": {"S": "CART"}})  # the TTL's deletion
    read = list(TableItem.query(partition, consistent_read=True))  # what the expiry reads: two stale lines
    client.update_item(  # then a new generation of the cart rewrites one of them
        TableName=table,
        Key={"PK": {"S": partition}, "SK": {"S": "LINE#CART-2"}},
        UpdateExpression="SET cart_id = :next",
        ExpressionAttributeValues={":next": {"S": "NEXT-GENERATION"}},
    )
    monkeypatch.setattr(TableItem, "query", lambda *args, **kwargs: iter(read))

    assert cart_expiry.delete_stale_lines(owner) == 1
    assert _partition(owner) == ["LINE#CART-2"]
