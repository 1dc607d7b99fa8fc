"""A delta: what one change batch did to the index, as the index writer's input.

It holds the changed products' whole current documents (upserts), the ids of products
to take out, and the whole category tree. Applying it goes through the same
`IndexWriter` calls the indexer used to make on the file itself, so a base with its
deltas applied in order answers as a file patched batch by batch would. Each delta is
the table's state when it was read, not a diff: applying one again, or a duplicate
event's, changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from storefront.domain.catalog.entities import AttributeDefinition, Category
from storefront.search.documents import SearchDocument, SearchVariant
from storefront.search.index import IndexWriter


@dataclass(frozen=True)
class Delta:
    documents: tuple[SearchDocument, ...]  # products to index, sorted by id
    removed: tuple[str, ...]  # ids of products to take out (archived, draft, deleted)
    categories: tuple[Category, ...]  # the whole tree

    def to_json(self) -> bytes:
        document = {
            "documents": [asdict(item) for item in self.documents],
            "removed": list(self.removed),
            "categories": [_category_json(category) for category in self.categories],
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def parse(cls, body: bytes) -> Delta:
        document = json.loads(body)
        return cls(
            documents=tuple(_document(raw) for raw in document["documents"]),
            removed=tuple(str(product_id) for product_id in document["removed"]),
            categories=tuple(_category(raw) for raw in document["categories"]),
        )

    def apply(self, writer: IndexWriter) -> tuple[int, int]:
        """Writes the delta through `writer` (not committed): (products indexed, products removed)."""
        writer.set_categories(self.categories)
        removed = writer.write(self.documents, self.removed)
        return len(self.documents), removed


def folded(deltas: Sequence[Delta]) -> Delta:
    """The deltas as one, to apply at once: each product's last document or removal, the last tree.

    Each delta holds states, not differences, so the last state of each product is all
    that applying them in order leaves (within a delta, removals come after upserts).
    A new search environment catching up on a cycle's deltas writes each product once.
    """
    if len(deltas) == 1:
        return deltas[0]
    latest: dict[str, SearchDocument | None] = {}
    for delta in deltas:
        latest.update((document.id, document) for document in delta.documents)
        latest.update((product_id, None) for product_id in delta.removed)
    documents = tuple(sorted((item for item in latest.values() if item is not None), key=lambda item: item.id))
    removed = tuple(sorted(product_id for product_id, item in latest.items() if item is None))
    return Delta(documents, removed, deltas[-1].categories)


def _category_json(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "name": category.name,
        "slug": category.slug,
        "parent_id": category.parent_id,
        "attributes": {name: definition.as_dict() for name, definition in category.attributes.items()},
        "created_at": category.created_at,
        "updated_at": category.updated_at,
    }


def _category(raw: dict[str, Any]) -> Category:
    return Category(
        id=raw["id"],
        name=raw["name"],
        slug=raw["slug"],
        parent_id=raw["parent_id"],
        attributes={name: AttributeDefinition.of(definition) for name, definition in raw["attributes"].items()},
        created_at=int(raw["created_at"]),
        updated_at=int(raw["updated_at"]),
    )


def _document(raw: dict[str, Any]) -> SearchDocument:
    variants = tuple(SearchVariant(dict(variant["options"]), bool(variant["in_stock"])) for variant in raw["variants"])
    return SearchDocument(**{**raw, "tags": tuple(raw["tags"]), "variants": variants})
