"""What the published search index is: a base file and the deltas applied on top of it, in order.

The manifest is small JSON (`search/manifest.json`, storefront.data.search_index). Readers
holding the same base apply only the deltas they have not applied yet; a manifest with
another base (a compaction or a rebuild) is a new file to download. A manifest of
another schema version is never read (`OutdatedIndex`): readers ignore it, the writer
rebuilds.

Compaction trades what a change batch costs on average against what a new search
environment does before its first answer. A compaction moves the whole base (the writer
uploads it, each search environment downloads it); a new environment applies every delta
on top of the base it downloads, folded (`delta.folded`), at 0.13–0.2 ms a product at
100,000 products (a price change or a text edit; bench/README.md). Compacting when the
deltas name as many products as `COMPACT_PRODUCTS_SHARE` (1/25) of the base's makes both
proportional to the base, as its download already is: a new environment applies at most
4 % of the catalog (its first answer just before a compaction: 1.2 s at 100,000 products,
1.45 s after a cycle of text edits, 0.56 s without deltas; 0.2 s at 10,000), and a full
100-product batch's share of the next
compaction is the base over the 0.04 × n / 100 batches before it, 2,500 × the base's
bytes per product (≈ 550 gzipped): ≈ 1.4 MB whatever the catalog's size. `MAX_DELTAS` bounds the
objects a new environment fetches when batches are small (128 one-product deltas: 0.6 MB
each of a 55 MB base), and the byte share guards against unusually large documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from storefront.data.search_index import StoredObject
from storefront.search.schema import SCHEMA_VERSION, OutdatedIndex

COMPACT_PRODUCTS_SHARE = 1 / 25  # compact when the deltas name this share of the base's products
COMPACT_BYTES_SHARE = 1 / 8  # or their bytes reach this share of the base's
# A small catalog's base is cheap to move, but compacting every batch or two gains nothing.
COMPACT_MIN_PRODUCTS = 200
COMPACT_MIN_BYTES = 1_000_000
MAX_DELTAS = 128


@dataclass(frozen=True)
class Manifest:
    base: StoredObject
    deltas: tuple[StoredObject, ...] = ()
    schema_version: int = SCHEMA_VERSION

    @property
    def products(self) -> int:
        return self.base.products

    @property
    def delta_bytes(self) -> int:
        return sum(delta.bytes for delta in self.deltas)

    @property
    def delta_products(self) -> int:
        return sum(delta.products for delta in self.deltas)

    @property
    def keys(self) -> set[str]:
        return {self.base.key, *(delta.key for delta in self.deltas)}

    def with_delta(self, delta: StoredObject) -> Manifest:
        return replace(self, deltas=(*self.deltas, delta))

    def needs_compaction(self) -> bool:
        products = max(COMPACT_MIN_PRODUCTS, int(self.base.products * COMPACT_PRODUCTS_SHARE))
        return (
            len(self.deltas) >= MAX_DELTAS
            or self.delta_products >= products
            or self.delta_bytes >= max(COMPACT_MIN_BYTES, self.base.bytes * COMPACT_BYTES_SHARE)
        )

    def deltas_after(self, held: Manifest) -> tuple[StoredObject, ...] | None:
        """The deltas to apply to a copy of `held` to make it this manifest; None when it must be downloaded anew."""
        applied = len(held.deltas)
        if held.base != self.base or self.deltas[:applied] != held.deltas:
            return None
        return self.deltas[applied:]

    def to_json(self) -> bytes:
        document = {
            "schema_version": self.schema_version,
            "base": _stored(self.base),
            "deltas": [_stored(delta) for delta in self.deltas],
        }
        return json.dumps(document, separators=(",", ":")).encode()

    @classmethod
    def parse(cls, body: bytes) -> Manifest:
        """Raises `OutdatedIndex` for a manifest of another schema version or one this code cannot read."""
        try:
            document = json.loads(body)
            version = document.get("schema_version")
            if version != SCHEMA_VERSION:
                raise OutdatedIndex(
                    f"search index manifest of schema version {version}, this code needs {SCHEMA_VERSION}"
                )
            return cls(
                base=_object(document["base"]),
                deltas=tuple(_object(delta) for delta in document["deltas"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise OutdatedIndex(f"unreadable search index manifest: {error}") from error


def _stored(item: StoredObject) -> dict[str, Any]:
    return {"key": item.key, "bytes": item.bytes, "products": item.products}


def _object(raw: dict[str, Any]) -> StoredObject:
    return StoredObject(str(raw["key"]), int(raw["bytes"]), int(raw["products"]))
