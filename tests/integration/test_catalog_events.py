"""Product events go through the outbox in the product's own transaction; sample events replay."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storefront.data.outbox import OutboxItem
from storefront.domain.catalog import categories, products
from tests.integration.catalog_calls import MANAGER, call, catalog, create_category, create_product, product_body
from tests.integration.principals import ensure_user, sample_principal
from tests.support import FakeContext, sample_event

pytestmark = pytest.mark.usefixtures("aws")


def product_events() -> list[dict[str, Any]]:
    """The product envelopes waiting in the outbox (a test may scan; the code never does)."""
    envelopes = [json.loads(item.envelope) for item in OutboxItem.scan(consistent_read=True)]
    return [envelope for envelope in envelopes if envelope["type"].startswith("product.")]


def test_every_product_change_stages_its_event_when_committed() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"], "SHOE-1")
    base = f"/v1/products/{product['id']}"
    assert call("PATCH", base, MANAGER, body={"price": 9900})["statusCode"] == 200
    variant = {"sku": "SHOE-2", "options": {"size": "1"}}
    assert call("POST", f"{base}/variants", MANAGER, body=variant)["statusCode"] == 201
    assert call("PATCH", f"{base}/variants/SHOE-2", MANAGER, body={"price": 100})["statusCode"] == 200
    assert call("DELETE", f"{base}/variants/SHOE-2", MANAGER)["statusCode"] == 204
    assert call("DELETE", base, MANAGER)["statusCode"] == 204
    assert call("DELETE", base, MANAGER)["statusCode"] == 204  # already archived: no second event
    events = {(event["type"], event["data"].get("change")): event for event in product_events()}
    assert sorted(events, key=str) == sorted(
        [
            ("product.created", None),
            ("product.updated", "product"),
            ("product.updated", "variant_added"),
            ("product.updated", "variant_updated"),
            ("product.updated", "variant_removed"),
            ("product.deleted", None),
        ],
        key=str,
    )
    assert all(event["version"] == 1 and event["data"]["product"]["id"] == product["id"] for event in events.values())
    assert events["product.updated", "product"]["data"]["product"]["price"] == 9900
    added = events["product.updated", "variant_added"]["data"]
    assert [variant["sku"] for variant in added["product"]["variants"]] == ["SHOE-1", "SHOE-2"]
    assert added["sku"] == "SHOE-2"
    assert events["product.deleted", None]["data"]["product"]["status"] == "archived"


def test_no_event_is_staged_when_the_change_is_refused() -> None:
    category = create_category("Shoes")
    create_product(category["id"], "SHOE-1")
    refused = call("POST", "/v1/products", MANAGER, body=product_body(category["id"], "SHOE-9", "SHOE-1"))
    assert refused["statusCode"] == 409
    assert [event["type"] for event in product_events()] == ["product.created"]


CASES = [
    ("create-category", 201),
    ("list-categories", 200),
    ("get-category", 200),
    ("create-product", 201),
    ("get-product", 200),
    ("patch-product", 200),
    ("add-variant", 201),
    ("archive-product", 204),
]


def test_every_sample_event_succeeds_when_replayed_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    # The samples name fixed ids (events/catalog/*.json also feed `sam local invoke`).
    monkeypatch.setattr(categories, "new_ulid", lambda: "01JDQ9CAT00000000000000SHOE")
    monkeypatch.setattr(products, "new_ulid", lambda: "01JDQ9PRD0000000000000TRAIL")
    for case, status in CASES:
        ensure_user(sample_principal("catalog", case))
        response = catalog.lambda_handler(sample_event("catalog", case), FakeContext())
        assert response["statusCode"] == status, (case, response)
