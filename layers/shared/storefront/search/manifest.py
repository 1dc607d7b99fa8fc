"""What the published search index is: a base file and the deltas applied on top of it, in order.

The manifest is small JSON (`search/manifest.json`, storefront.data.search_index). Readers
holding the same base apply only the deltas they have not applied yet; a manifest with
another base (a compaction or a rebuild) is a new file to download. A manifest of
another schema version is never read (`OutdatedIndex`): readers ignore it, the writer
rebuilds.

Compaction bounds what a new search environment applies on top of the base and what a
change batch costs on average. A compaction moves the whole base (the writer uploads it,
each reader downloads it); amortised over the deltas before it, that is at most
`delta bytes / COMPACT_FRACTION` per delta, so compacting when the deltas reach an
eighth of the base keeps the average under eight times a delta's own size whatever the
catalog's size (≈ 0.5 MB for a 100-product delta). `MAX_DELTAS` bounds the number of
objects a new environment fetches, and is high enough that a stream of one-product
deltas (a few KB each) does not compact every few batches: at 128, 77 MB of base over
128 deltas is 0.6 MB per delta for a reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from storefront.data.search_index import StoredObject
from storefront.search.schema import SCHEMA_VERSION, OutdatedIndex

COMPACT_FRACTION = 1 / 8  # compact when the deltas' bytes reach this share of the base's
COMPACT_MIN_BYTES = 256 * 1024  # a small catalog's base is cheap to move; don't compact every batch
MAX_DELTAS = 128


@dataclass(frozen=True)
class Manifest:
    base: StoredObject
    deltas: tuple[StoredObject, ...] = ()
    schema_version: int = SCHEMA_VERSION
    products: int = field(default=0, compare=False)  # in the base, for logs and benchmarks

    @property
    def delta_bytes(self) -> int:
        return sum(delta.bytes for delta in self.deltas)

    @property
    def keys(self) -> set[str]:
        return {self.base.key, *(delta.key for delta in self.deltas)}

    def with_delta(self, delta: StoredObject) -> Manifest:
        return replace(self, deltas=(*self.deltas, delta))

    def needs_compaction(self) -> bool:
        bound = max(COMPACT_MIN_BYTES, int(self.base.bytes * COMPACT_FRACTION))
        return len(self.deltas) >= MAX_DELTAS or self.delta_bytes >= bound

    def deltas_after(self, held: Manifest) -> tuple[StoredObject, ...] | None:
        """The deltas to apply to a copy of `held` to make it this manifest; None when it must be downloaded anew."""
        applied = len(held.deltas)
        if held.base != self.base or self.deltas[:applied] != held.deltas:
            return None
        return self.deltas[applied:]

    def to_json(self) -> bytes:
        document = {
            "schema_version": self.schema_version,
            "base": _stored(self.base) | {"products": self.products},
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
            base = document["base"]
            return cls(
                base=_object(base),
                deltas=tuple(_object(delta) for delta in document["deltas"]),
                products=int(base.get("products") or 0),
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise OutdatedIndex(f"unreadable search index manifest: {error}") from error


def _stored(item: StoredObject) -> dict[str, Any]:
    return {"key": item.key, "bytes": item.bytes}


def _object(raw: dict[str, Any]) -> StoredObject:
    return StoredObject(str(raw["key"]), int(raw["bytes"]))
