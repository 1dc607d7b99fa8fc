"""What a batch of bus events asks of the search index (`indexing.changes_of`)."""

from __future__ import annotations

from typing import Any

import pytest

from storefront.search.changes import Changes, changes_of


def bus_event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"detail-type": kind, "source": "storefront", "detail": {"type": kind, "data": data}}


@pytest.mark.parametrize("kind", ["review.submitted", "review.approved", "review.rejected", "review.deleted"])
def test_a_review_event_names_its_product_for_reindexing_when_received(kind: str) -> None:
    changes = changes_of([bus_event(kind, {"product_id": "P1", "review_id": "R1"})])
    assert changes.product_ids == {"P1"}
    assert changes == Changes(product_ids=frozenset({"P1"}))


def test_review_stock_and_product_events_of_one_batch_name_each_product_once_when_combined() -> None:
    changes = changes_of(
        [
            bus_event("review.approved", {"product_id": "P1"}),
            bus_event("inventory.availability_changed", {"product_id": "P1", "sku": "S1", "in_stock": False}),
            bus_event("product.updated", {"product": {"id": "P2"}}),
            bus_event("review.deleted", {"product_id": "P3"}),
        ]
    )
    assert changes.product_ids == {"P1", "P2", "P3"}


@pytest.mark.parametrize("kind", ["review.approved", "review.rejected"])
def test_a_review_event_without_its_product_id_is_refused_when_read(kind: str) -> None:
    with pytest.raises(ValueError, match=r"without data\.product_id"):
        changes_of([bus_event(kind, {"review_id": "R1"})])
