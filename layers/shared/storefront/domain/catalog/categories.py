"""Category use cases: the tree, one category with its inheritance, and the manager's writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from storefront.data import categories as repository
from storefront.domain import clock
from storefront.domain.catalog import attributes, tree
from storefront.domain.catalog.entities import AttributeDefinition, Category
from storefront.domain.errors import Conflict, FieldError, NotFound, Unprocessable
from storefront.events.catalog import CategoryCreated, CategoryData, CategoryDeleted, CategoryUpdated
from storefront.ids import new_ulid

ATTEMPTS = 3
NO_CATEGORY = "No such category."


@dataclass(frozen=True)
class CategoryDetail:
    category: Category
    ancestors: list[Category]
    attributes: dict[str, AttributeDefinition]


def _parent(by_id: dict[str, Category], parent_id: str) -> Category:
    parent = by_id.get(parent_id)
    if parent is None:
        errors = [FieldError(("parent_id",), f"no category {parent_id}", "category_unknown")]
        raise Unprocessable("The parent category does not exist.", errors=errors)
    return parent


def check_fields(fields: Mapping[str, Any], category_id: str | None = None) -> None:
    """The check of a category's fields that needs the tree: its parent exists.

    `fields` may be any part of a category's fields, as sent: the edge runs this over the
    fields that passed the API model when others did not, so one answer names every error.
    """
    parent_id = fields.get("parent_id")
    if isinstance(parent_id, str):
        _parent(_by_id(consistent=True), parent_id)


def _by_id(*, consistent: bool = False) -> dict[str, Category]:
    return {category.id: category for category in repository.list_categories(consistent=consistent)}


def category_tree() -> list[tree.Node]:
    return tree.build(repository.list_categories())


def detail_of(by_id: dict[str, Category], category_id: str) -> CategoryDetail:
    category = by_id.get(category_id)
    if category is None:
        raise NotFound(NO_CATEGORY)
    return CategoryDetail(category, tree.ancestors(by_id, category_id), tree.effective_attributes(by_id, category_id))


def get_category(category_id: str) -> CategoryDetail:
    return detail_of(_by_id(), category_id)


def effective_attributes(category_id: str) -> dict[str, AttributeDefinition]:
    """The definitions a product in `category_id` is checked against; 422 when it does not exist."""
    by_id = _by_id(consistent=True)
    if category_id not in by_id:
        errors = [FieldError(("category_id",), f"no category {category_id}", "category_unknown")]
        raise Unprocessable("The category does not exist.", errors=errors)
    return tree.effective_attributes(by_id, category_id)


def _slug_taken(slug: str) -> Conflict:
    return Conflict(f"The slug {slug!r} is taken by another category.")


def create_category(name: str, slug: str, parent_id: str | None, own: dict[str, AttributeDefinition]) -> CategoryDetail:
    attributes.check_definitions(own)
    now = clock.now()
    category = Category(new_ulid(), name, slug, parent_id, own, now, now)
    for _ in range(ATTEMPTS):
        by_id = _by_id(consistent=True)
        if parent_id is not None:
            _parent(by_id, parent_id)
            if len(tree.ancestors(by_id, parent_id)) + 2 > tree.MAX_DEPTH:
                raise Unprocessable(f"Categories nest at most {tree.MAX_DEPTH} levels deep.")
        by_id[category.id] = category
        detail = detail_of(by_id, category.id)  # raises 422 on a type clash with an inherited attribute
        if repository.create_category(category, CategoryCreated(category=CategoryData.of(category))):
            return detail
        if repository.slug_owner(slug) is not None:
            raise _slug_taken(slug)
    raise Conflict("The category tree changed concurrently; try again.")


def update_category(category_id: str, changes: dict[str, str | None]) -> CategoryDetail:
    """`changes` holds `name`, `slug` and/or `parent_id` (None moves it to the root)."""
    for _ in range(ATTEMPTS):
        by_id = _by_id(consistent=True)
        before = by_id.get(category_id)
        if before is None:
            raise NotFound(NO_CATEGORY)
        after = replace(before, updated_at=clock.now(), **changes)  # type: ignore[arg-type]
        chain: list[Category] = []
        if after.parent_id != before.parent_id and after.parent_id is not None:
            chain = _check_move(by_id, before, after.parent_id)
        by_id[category_id] = after
        detail = detail_of(by_id, category_id)
        for below in tree.descendants(by_id, category_id):
            tree.effective_attributes(by_id, below.id)  # the subtree must agree with its new ancestors
        event = CategoryUpdated(category=CategoryData.of(after), previous_parent_id=before.parent_id)
        if repository.update_category(before, after, chain, event):
            return detail
        if after.slug != before.slug and repository.slug_owner(after.slug) not in (None, category_id):
            raise _slug_taken(after.slug)
    raise Conflict("The category tree changed concurrently; try again.")


def _check_move(by_id: dict[str, Category], moving: Category, parent_id: str) -> list[Category]:
    parent = _parent(by_id, parent_id)
    chain = [*tree.ancestors(by_id, parent_id), parent]
    if any(link.id == moving.id for link in chain):
        raise Conflict("A category cannot move under itself or one of its descendants.")
    if len(chain) + tree.height(by_id, moving.id) > tree.MAX_DEPTH:
        raise Unprocessable(f"Categories nest at most {tree.MAX_DEPTH} levels deep.")
    return chain


def delete_category(category_id: str) -> None:
    for _ in range(ATTEMPTS):
        category = _by_id(consistent=True).get(category_id)
        if category is None:
            raise NotFound(NO_CATEGORY)
        if category.child_count or category.product_count:
            raise Conflict(
                "Only an empty category can be deleted: move or delete its subcategories and products first.",
                child_count=category.child_count,
                product_count=category.product_count,
            )
        if repository.delete_category(category, CategoryDeleted(category=CategoryData.of(category)), clock.now()):
            return
    raise Conflict("The category changed concurrently; try again.")
