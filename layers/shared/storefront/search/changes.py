"""What a batch of events asks of the search index.

Events are change notices, not data: a batch names the products that changed (the
indexer then reads each one's current state from the table) and whether the category
tree changed; rebuild requests ask for a full rebuild, always or only when no index of
this schema version exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from storefront.data import search_index

PRODUCT_EVENTS = ("product.created", "product.updated", "product.deleted")
# Events that name a product by `data.product_id`: its stock or its rating changed.
PRODUCT_ID_EVENTS = (
    "inventory.availability_changed",
    "review.submitted",
    "review.approved",
    "review.rejected",
    "review.deleted",
)
CATEGORY_EVENTS = ("category.created", "category.updated", "category.deleted")


@dataclass(frozen=True)
class Changes:
    product_ids: frozenset[str] = frozenset()
    categories: bool = False
    rebuild: bool = False  # a full rebuild, whatever exists
    # A full rebuild only if no index of this schema version exists (what a search function asks).
    ensure_index: bool = False

    @property
    def empty(self) -> bool:
        return not (self.product_ids or self.categories or self.rebuild or self.ensure_index)

    @property
    def only_ensure_index(self) -> bool:
        return self.ensure_index and not (self.product_ids or self.categories or self.rebuild)


def changes_of(events: Iterable[Mapping[str, Any]]) -> Changes:
    """What a batch of EventBridge events (or rebuild requests) asks of the index.

    Unknown event types are ignored (the rule may route more than the indexer needs);
    a known type whose detail lacks the id it names raises `ValueError` (a broken producer).
    """
    product_ids: set[str] = set()
    touched_categories = rebuild = ensure_index = False
    for event in events:
        kind = event.get("detail-type") or event.get("type")
        data = (event.get("detail") or {}).get("data") or {}
        if kind in PRODUCT_EVENTS:
            product_id = (data.get("product") or {}).get("id")
            if not isinstance(product_id, str):
                raise ValueError(f"{kind} without data.product.id")
            product_ids.add(product_id)
        elif kind in PRODUCT_ID_EVENTS:
            if not isinstance(data.get("product_id"), str):
                raise ValueError(f"{kind} without data.product_id")
            product_ids.add(data["product_id"])
        elif kind in CATEGORY_EVENTS:
            touched_categories = True
        elif kind == search_index.REBUILD_REQUEST:
            if (event.get("detail") or {}).get("only_if_missing") is True:
                ensure_index = True  # many search environments may ask at once: one rebuild serves all
            else:
                rebuild = True
    return Changes(frozenset(product_ids), touched_categories, rebuild, ensure_index)
