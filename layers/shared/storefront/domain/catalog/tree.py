"""The category tree, built in memory from the one partition that holds every category."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from storefront.domain.catalog import attributes
from storefront.domain.catalog.entities import AttributeDefinition, Category

# Depth of the deepest category (a root is 1). Bounds a move's transaction (one
# condition per ancestor of the new parent) and keeps breadcrumbs sane.
MAX_DEPTH = 8


@dataclass
class Node:
    category: Category
    children: list[Node] = field(default_factory=list)


def build(categories: Iterable[Category]) -> list[Node]:
    """Roots with their children, each level sorted by name. Orphans (never expected) become roots."""
    nodes = {category.id: Node(category) for category in categories}
    roots: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.category.parent_id or "")
        (parent.children if parent is not None else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.category.name.casefold(), child.category.id))
    roots.sort(key=lambda root: (root.category.name.casefold(), root.category.id))
    return roots


def ancestors(by_id: Mapping[str, Category], category_id: str) -> list[Category]:
    """The ancestors of a category, root first (without the category itself)."""
    chain: list[Category] = []
    seen = {category_id}
    current = by_id.get(category_id)
    while current is not None and current.parent_id is not None and current.parent_id not in seen:
        seen.add(current.parent_id)
        parent = by_id.get(current.parent_id)
        if parent is None:
            break
        chain.append(parent)
        current = parent
    chain.reverse()
    return chain


def descendants(by_id: Mapping[str, Category], category_id: str) -> list[Category]:
    """Every category below `category_id`, breadth first."""
    children: dict[str, list[Category]] = {}
    for category in by_id.values():
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    found: list[Category] = []
    pending = [category_id]
    while pending:
        for child in children.get(pending.pop(0), []):
            found.append(child)
            pending.append(child.id)
    return found


def height(by_id: Mapping[str, Category], category_id: str) -> int:
    """Levels in the subtree rooted at `category_id` (a leaf is 1)."""
    below = descendants(by_id, category_id)
    if not below:
        return 1
    return 1 + max(len(ancestors(by_id, item.id)) - len(ancestors(by_id, category_id)) for item in below)


def effective_attributes(by_id: Mapping[str, Category], category_id: str) -> dict[str, AttributeDefinition]:
    """Own definitions merged with every inherited one (root first)."""
    chain = [*ancestors(by_id, category_id), by_id[category_id]]
    return attributes.merge(category.attributes for category in chain)
