"""Categories: one partition holds them all, with their slug claims and counters.

Every write is one transaction whose conditions carry the rules: slugs are unique
(a claim item per slug), a category with children or products cannot be deleted (the
counters on its item, kept in the same transactions that change them), and a move
cannot create a cycle (each ancestor of the new parent must still have the parent it
was read with). The functions return False when a condition cancelled the transaction;
the domain reads again and says why.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.outbox import stage_event
from storefront.data.table import TableItem, committed
from storefront.domain.catalog.entities import AttributeDefinition, Category
from storefront.events.base import DomainEvent


class CategoryItem(TableItem, discriminator="Category"):
    category_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    attributes = UnicodeAttribute(default="{}")  # JSON of its own definitions
    child_count = NumberAttribute(default=0)
    product_count = NumberAttribute(default=0)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()


class CategorySlugItem(TableItem, discriminator="CategorySlug"):
    category_id = UnicodeAttribute()


def _category(item: CategoryItem) -> Category:
    raw: dict[str, Any] = json.loads(item.attributes or "{}")
    return Category(
        id=item.category_id,
        name=item.name,
        slug=item.slug,
        parent_id=item.parent_id,
        attributes={name: AttributeDefinition.of(definition) for name, definition in raw.items()},
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        child_count=int(item.child_count or 0),
        product_count=int(item.product_count or 0),
    )


def list_categories(*, consistent: bool = False) -> list[Category]:
    """Access pattern CATEGORIES-ALL: Query PK = CATEGORIES, begins_with(SK, "CATEGORY#").

    One request up to 1 MB (thousands of categories); writes read it consistently.
    """
    results = CategoryItem.query(
        keys.categories_partition(),
        CategoryItem.SK.startswith(keys.category_prefix()),
        consistent_read=consistent,
    )
    return [_category(item) for item in results]


def slug_owner(slug: str) -> str | None:
    """Access pattern CATEGORY-SLUG: GetItem CATEGORY_SLUG#<slug> / SLUG (the owner's id)."""
    pk, sk = keys.category_slug(slug)
    try:
        return str(CategorySlugItem.get(pk, sk, consistent_read=True).category_id)
    except CategorySlugItem.DoesNotExist:
        return None


def _item(category: Category) -> CategoryItem:
    pk, sk = keys.category(category.id)
    return CategoryItem(
        pk,
        sk,
        category_id=category.id,
        name=category.name,
        slug=category.slug,
        parent_id=category.parent_id,
        attributes=json.dumps({name: item.as_dict() for name, item in category.attributes.items()}),
        child_count=0,
        product_count=0,
        created_at=category.created_at,
        updated_at=category.updated_at,
    )


def _ref(category_id: str) -> CategoryItem:
    return CategoryItem(*keys.category(category_id))


def _parent_is(parent_id: str | None) -> Any:
    return CategoryItem.parent_id.does_not_exist() if parent_id is None else CategoryItem.parent_id == parent_id


def create_category(category: Category, event: DomainEvent) -> bool:
    """Access pattern CATEGORY-CREATE: TransactWriteItems.

    Put the category and its slug claim, each if absent; Update the parent (if any)
    `ADD child_count 1` if it exists; Put the event's outbox item.
    """
    claim = CategorySlugItem(*keys.category_slug(category.slug), category_id=category.id)

    def write_all(write: TransactWrite) -> None:
        write.save(_item(category), condition=CategoryItem.PK.does_not_exist())
        write.save(claim, condition=CategorySlugItem.PK.does_not_exist())
        if category.parent_id is not None:
            write.update(
                _ref(category.parent_id), actions=[CategoryItem.child_count.add(1)], condition=CategoryItem.PK.exists()
            )
        stage_event(write, event, category.updated_at)

    return committed(write_all)


def update_category(before: Category, after: Category, chain: list[Category], event: DomainEvent) -> bool:
    """Access pattern CATEGORY-UPDATE: TransactWriteItems (rename, new slug, move).

    Update the category if its slug and parent are still as read. A new slug: Put its
    claim if absent, Delete the old claim. A move: Update the old parent `ADD child_count
    -1`, the new parent `ADD child_count 1`, and require every category of `chain` (the
    new parent and its ancestors, as read) to still have its parent: a concurrent move
    that would close a cycle changes one of them, and one of the two transactions fails.
    Put the event's outbox item.
    """
    conditions: dict[str, Any] = {}
    counts: dict[str, int] = {}
    if after.parent_id != before.parent_id:
        for link in chain:
            conditions[link.id] = CategoryItem.PK.exists() & _parent_is(link.parent_id)
        if before.parent_id is not None:
            counts[before.parent_id] = -1
            conditions.setdefault(before.parent_id, CategoryItem.PK.exists())
        if after.parent_id is not None:
            counts[after.parent_id] = 1
    own = CategoryItem.PK.exists() & (CategoryItem.slug == before.slug) & _parent_is(before.parent_id)
    actions: list[Any] = [CategoryItem.name.set(after.name), CategoryItem.updated_at.set(after.updated_at)]
    actions.append(CategoryItem.slug.set(after.slug))
    actions.append(
        CategoryItem.parent_id.remove() if after.parent_id is None else CategoryItem.parent_id.set(after.parent_id)
    )

    def write_all(write: TransactWrite) -> None:
        write.update(_ref(before.id), actions=actions, condition=own)
        if after.slug != before.slug:
            claim = CategorySlugItem(*keys.category_slug(after.slug), category_id=before.id)
            write.save(claim, condition=CategorySlugItem.PK.does_not_exist())
            old = CategorySlugItem(*keys.category_slug(before.slug))
            write.delete(old, condition=CategorySlugItem.category_id == before.id)
        for category_id, condition in conditions.items():
            if category_id in counts:
                write.update(
                    _ref(category_id), actions=[CategoryItem.child_count.add(counts[category_id])], condition=condition
                )
            else:
                write.condition_check(CategoryItem, *keys.category(category_id), condition=condition)
        for category_id, delta in counts.items():
            if category_id not in conditions:
                write.update(
                    _ref(category_id), actions=[CategoryItem.child_count.add(delta)], condition=CategoryItem.PK.exists()
                )
        stage_event(write, event, after.updated_at)

    return committed(write_all)


def delete_category(category: Category, event: DomainEvent, now: int) -> bool:
    """Access pattern CATEGORY-DELETE: TransactWriteItems.

    Delete the category if `child_count = 0 AND product_count = 0`; Delete its slug claim;
    Update the parent (if any) `ADD child_count -1`; Put the event's outbox item.
    """
    empty = (CategoryItem.child_count.does_not_exist() | (CategoryItem.child_count == 0)) & (
        CategoryItem.product_count.does_not_exist() | (CategoryItem.product_count == 0)
    )

    def write_all(write: TransactWrite) -> None:
        write.delete(_ref(category.id), condition=CategoryItem.PK.exists() & empty)
        write.delete(
            CategorySlugItem(*keys.category_slug(category.slug)), condition=CategorySlugItem.category_id == category.id
        )
        if category.parent_id is not None:
            write.update(
                _ref(category.parent_id), actions=[CategoryItem.child_count.add(-1)], condition=CategoryItem.PK.exists()
            )
        stage_event(write, event, now)

    return committed(write_all)


def product_count_update(category_id: str, delta: int) -> tuple[CategoryItem, list[Any], Any]:
    """The category part of a product write (PRODUCT-CREATE, -UPDATE, -ARCHIVE): `ADD product_count`.

    Conditioned on the category existing, so a product can never land in a deleted one.
    """
    return _ref(category_id), [CategoryItem.product_count.add(delta)], CategoryItem.PK.exists()
