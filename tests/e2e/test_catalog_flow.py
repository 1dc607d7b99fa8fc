"""The catalog over HTTP, as a manager and the public see it through `make dev`: a category
tree with inherited attributes, products and their variants, visibility, caching, and the
low-stock event on the bus.

Slugs and SKUs are unique per test: the session's runtime keeps its table for the whole run.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devkit import localstate
from devkit.localrun.testing import wait_until
from tests.e2e.local_api import REQUEST_TIMEOUT_S, LocalApi

pytestmark = pytest.mark.e2e

EVENT_TIMEOUT_S = 20.0  # the relay reads the table stream, then the bus delivers to the queue
QUIET_S = 2.0  # after the event: long enough for a duplicate to show up


def call(
    api: LocalApi, method: str, path: str, token: str | None = None, body: Any = None, **headers: str
) -> requests.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, api.url + path, headers=headers, json=body, timeout=REQUEST_TIMEOUT_S)


def created(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def register_shopper(api: LocalApi, name: str) -> str:
    """The access token of a new customer account named `name` (its email unique to this run)."""
    body = {"email": f"{unique(name)}@example.com", "password": "customer-password", "name": name}
    return str(created(call(api, "POST", "/v1/auth/register", body=body))["access_token"])


@pytest.fixture(scope="module")
def customer(local_api: LocalApi) -> str:
    return register_shopper(local_api, "Cat")


def category(api: LocalApi, token: str, name: str, parent_id: str | None, **attributes: Any) -> dict[str, Any]:
    body = {"name": name, "slug": unique(name.lower().replace(" ", "-")), "parent_id": parent_id}
    return created(call(api, "POST", "/v1/categories", token, {**body, "attributes": attributes}))


@pytest.fixture(scope="module")
def tree(local_api: LocalApi, manager: str) -> dict[str, dict[str, Any]]:
    """Apparel > Shoes > Trail running, each level adding attribute definitions."""
    root = category(local_api, manager, "Apparel", None, material={"type": "string", "values": ["mesh", "leather"]})
    middle = category(local_api, manager, "Shoes", root["id"], waterproof={"type": "boolean"})
    leaf = category(local_api, manager, "Trail running", middle["id"], drop_mm={"type": "number", "required": True})
    return {"root": root, "middle": middle, "leaf": leaf}


def product_body(category_id: str, *skus: str, **fields: Any) -> dict[str, Any]:
    variants = [
        {"sku": sku, "options": {"size": str(40 + number)}, "initial_stock": 10} for number, sku in enumerate(skus)
    ]
    return {
        **{"name": "Ridgeline Trail Runner", "description": "Grippy on wet rock.", "category_id": category_id},
        **{"brand": "Northpeak", "price": 12999, "currency": "USD", "tags": ["trail"], "status": "active"},
        **{"attributes": {"material": "mesh", "waterproof": True, "drop_mm": 6}, "variants": variants, **fields},
    }


def test_leaf_category_has_its_ancestors_and_inherits_their_attributes_when_read_publicly(
    local_api: LocalApi, tree: dict[str, dict[str, Any]]
) -> None:
    leaf = call(local_api, "GET", f"/v1/categories/{tree['leaf']['id']}")

    assert leaf.status_code == 200, leaf.text
    assert [ancestor["id"] for ancestor in leaf.json()["ancestors"]] == [tree["root"]["id"], tree["middle"]["id"]]
    assert leaf.json()["attributes"] == {
        "drop_mm": {"type": "number", "values": None, "required": True},
        "material": {"type": "string", "values": ["mesh", "leather"], "required": False},
        "waterproof": {"type": "boolean", "values": None, "required": False},
    }
    [root] = [node for node in call(local_api, "GET", "/v1/categories").json() if node["id"] == tree["root"]["id"]]
    [middle] = root["children"]
    assert [child["id"] for child in middle["children"]] == [tree["leaf"]["id"]]


def test_manager_creates_a_product_with_variants_and_is_refused_bad_attributes_and_taken_skus(
    local_api: LocalApi, manager: str, tree: dict[str, dict[str, Any]]
) -> None:
    leaf_id, sku = tree["leaf"]["id"], unique("TRL")

    product = created(call(local_api, "POST", "/v1/products", manager, product_body(leaf_id, f"{sku}-1", f"{sku}-2")))

    assert [(v["sku"], v["available"]) for v in product["variants"]] == [(f"{sku}-1", 10), (f"{sku}-2", 10)]
    for attributes in (
        {"material": "plastic", "drop_mm": 6},  # not an allowed value of the root's definition
        {"waterproof": "yes", "drop_mm": 6},  # the middle's boolean
        {"material": "mesh"},  # the leaf's required drop_mm is missing
    ):
        refused = call(
            local_api, "POST", "/v1/products", manager, product_body(leaf_id, unique("X"), attributes=attributes)
        )
        assert refused.status_code == 422, (attributes, refused.text)
        assert all(error["loc"][:2] == ["body", "attributes"] for error in refused.json()["errors"]), refused.text
    taken = call(local_api, "POST", "/v1/products", manager, product_body(leaf_id, unique("NEW"), f"{sku}-2"))
    assert taken.status_code == 409, taken.text
    assert taken.json()["skus"] == [f"{sku}-2"]


def test_customer_is_403_when_creating_a_product(
    local_api: LocalApi, customer: str, tree: dict[str, dict[str, Any]]
) -> None:
    refused = call(local_api, "POST", "/v1/products", customer, product_body(tree["leaf"]["id"], unique("C")))

    assert refused.status_code == 403, refused.text


def test_draft_is_404_for_the_public_and_customers_and_private_for_a_manager(
    local_api: LocalApi, manager: str, customer: str, tree: dict[str, dict[str, Any]]
) -> None:
    draft = created(
        call(local_api, "POST", "/v1/products", manager, product_body(tree["leaf"]["id"], unique("D"), status="draft"))
    )
    path = f"/v1/products/{draft['id']}"

    assert call(local_api, "GET", path).status_code == 404
    assert call(local_api, "GET", path, customer).status_code == 404
    seen = call(local_api, "GET", path, manager)
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "draft"
    assert {"private", "no-store"} & set(seen.headers["Cache-Control"].replace(" ", "").split(","))


def test_active_product_is_revalidated_with_304_when_the_etag_matches(
    local_api: LocalApi, manager: str, tree: dict[str, dict[str, Any]]
) -> None:
    product = created(call(local_api, "POST", "/v1/products", manager, product_body(tree["leaf"]["id"], unique("E"))))
    path = f"/v1/products/{product['id']}"

    first = call(local_api, "GET", path)

    assert first.status_code == 200
    assert first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = call(local_api, "GET", path, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.content == b""
    assert call(local_api, "GET", path, **{"If-None-Match": '"stale"'}).status_code == 200


@pytest.fixture
def low_stock_queue(local_api: LocalApi) -> Iterator[tuple[Any, str]]:
    """An SQS queue subscribed, by a rule on the runtime's bus, to inventory.low_stock."""
    state = localstate.read_state(local_api.data_dir)
    events = localstate.local_client("events", local_api.data_dir)
    sqs = localstate.local_client("sqs", local_api.data_dir)
    bus, name = state["environment"]["EVENT_BUS_NAME"], unique("e2e-low-stock")
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["storefront"], "detail-type": ["inventory.low_stock"]}
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
    try:
        yield sqs, queue_url
    finally:
        events.remove_targets(Rule=name, EventBusName=bus, Ids=["queue"])
        events.delete_rule(Name=name, EventBusName=bus)
        sqs.delete_queue(QueueUrl=queue_url)


def _low_stock_details(sqs: Any, queue_url: str, sku: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    details = [json.loads(message["Body"])["detail"] for message in messages.get("Messages", [])]
    return [detail for detail in details if detail["data"]["sku"] == sku]


def test_low_stock_event_reaches_the_bus_once_when_stock_is_adjusted_past_the_threshold(
    local_api: LocalApi, manager: str, tree: dict[str, dict[str, Any]], low_stock_queue: tuple[Any, str]
) -> None:
    sqs, queue_url = low_stock_queue
    sku = unique("LOW")
    product = created(call(local_api, "POST", "/v1/products", manager, product_body(tree["leaf"]["id"], sku)))
    adjust = f"/v1/inventory/{sku}/adjustments"

    crossed = call(local_api, "POST", adjust, manager, {"delta": -6, "reason": "damaged in the warehouse"})
    assert crossed.status_code == 200, crossed.text
    assert (crossed.json()["available"], crossed.json()["low_stock_threshold"]) == (4, 5)
    still_low = call(local_api, "POST", adjust, manager, {"delta": -1, "reason": "count correction"})
    assert still_low.status_code == 200  # staying under the threshold is no new crossing

    received = wait_until(
        lambda: _low_stock_details(sqs, queue_url, sku), timeout_s=EVENT_TIMEOUT_S, what="inventory.low_stock"
    )
    deadline = time.monotonic() + QUIET_S
    while time.monotonic() < deadline:  # bounded: a second event would arrive within this
        received += _low_stock_details(sqs, queue_url, sku)
        time.sleep(0.2)
    [event] = received
    assert event["type"] == "inventory.low_stock"
    assert event["data"]["product_id"] == product["id"]
    assert (event["data"]["available"], event["data"]["low_stock_threshold"]) == (4, 5)
    assert call(local_api, "GET", f"/v1/inventory/{sku}", manager).json()["on_hand"] == 3
