"""Product use cases: create, read (with visibility), change, archive, and variants.

Every write re-reads the product, decides, and commits one transaction conditioned on
the `revision` it read (with the outbox event of the change); a lost race re-reads and
tries again, so each event describes exactly the product as it was written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from storefront.data import products as repository
from storefront.data import users
from storefront.domain import clock
from storefront.domain.catalog import attributes, categories, images
from storefront.domain.catalog.entities import NewVariant, Product, Variant
from storefront.domain.errors import Conflict, FieldError, NotFound, Unprocessable
from storefront.domain.identity.roles import Role
from storefront.events.catalog import ProductCreated, ProductData, ProductDeleted, ProductUpdated
from storefront.ids import new_ulid

# A creation writes 3 items per variant (variant, SKU claim, stock item) plus the
# product, its slug claim, the category counter and the outbox event: DynamoDB's
# 100-item transaction limit allows 32; 30 leaves room.
MAX_VARIANTS = 30
ATTEMPTS = 3
NO_PRODUCT = "No such product."
BUSY = "The product changed concurrently; try again."


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")
    return slug or "product"


def _check_variants(variants: list[Variant]) -> None:
    skus = [variant.sku for variant in variants]
    if len(set(skus)) != len(skus):
        raise Unprocessable("Each variant needs its own SKU.", errors=[FieldError(("variants",), "duplicate SKU")])
    options = [tuple(sorted(variant.options.items())) for variant in variants]
    if len(set(options)) != len(options):
        raise Unprocessable(
            "Two variants have the same options.", errors=[FieldError(("variants",), "duplicate options")]
        )


def _taken(skus: list[str]) -> Conflict | None:
    owners = repository.sku_owners(skus)
    if not owners:
        return None
    return Conflict(f"SKU already in use: {', '.join(sorted(owners))}.", skus=sorted(owners))


def _fit_category(category_id: str, values: Mapping[str, Any] | None) -> None:
    """The category exists and, when given, the attribute values fit its definitions (422 naming each)."""
    definitions = categories.effective_attributes(category_id)
    if values is not None:
        attributes.validate(definitions, values)


def check_fields(fields: Mapping[str, Any], product_id: str | None = None) -> None:
    """The checks of a product's fields that need the store: its category, and the attributes against it.

    `fields` may be any part of a product's fields, as sent: the edge runs this over the
    fields that passed the API model when others did not, so one answer names every
    error. With `product_id`, the fields are changes to that product.
    """
    if not {"category_id", "attributes"} & fields.keys():
        return
    current = _current(product_id) if product_id is not None else None
    category_id = fields.get("category_id", current.category_id if current is not None else None)
    if category_id is not None:
        _fit_category(category_id, fields.get("attributes", current.attributes if current is not None else None))


def create_product(fields: dict[str, Any], new_variants: list[NewVariant]) -> Product:
    """`fields`: name, description, category_id, brand, price, currency, attributes, tags, status."""
    variants = [new.variant for new in new_variants]
    _check_variants(variants)
    check_fields(fields)
    now, product_id = clock.now(), new_ulid()
    slug = slugify(fields["name"])
    if repository.product_slug_taken(slug):
        slug = f"{slug}-{product_id[-6:].lower()}"
    for _ in range(ATTEMPTS):
        product = Product(id=product_id, slug=slug, **fields, created_at=now, updated_at=now, variants=variants)
        if repository.create_product(product, new_variants, ProductCreated(product=ProductData.of(product))):
            available = {new.variant.sku: new.initial_stock for new in new_variants}
            return replace(product, variants=[replace(v, available=available[v.sku]) for v in variants])
        conflict = _taken([variant.sku for variant in variants])
        if conflict is not None:
            raise conflict
        categories.effective_attributes(fields["category_id"])  # 422 when the category went away
        slug = f"{slugify(fields['name'])}-{product_id[-6:].lower()}"
    raise Conflict(BUSY)


def _still_staff(user_id: str) -> bool:
    """The token said manager; is the account still an enabled manager (or admin)?"""
    profile = users.get_profile(user_id)
    return profile is not None and not profile.disabled and profile.role.includes(Role.MANAGER)


def is_staff_view(viewer_role: Role | None) -> bool:
    """Whether the token asks for the staff view (what `get_product` answers may depend on it)."""
    return viewer_role is not None and viewer_role.includes(Role.MANAGER)


def get_product(product_id: str, viewer_id: str | None = None, viewer_role: Role | None = None) -> Product:
    """Active products for everyone; drafts and archived ones only for managers and admins.

    Everyone else reads through PRODUCT-VIEW, one request, and sees the ready images.
    Staff read consistently (they just wrote) and see every image with its status (a
    pending upload, a failed one and why); the viewer's account is confirmed first, as
    the token may predate a demotion or a disabling (one GetItem).
    """
    staff = viewer_id is not None and is_staff_view(viewer_role) and _still_staff(viewer_id)
    product = repository.read_product(product_id) if staff else repository.view_product(product_id)
    if product is None or (product.status != "active" and not staff):
        raise NotFound(NO_PRODUCT)
    if staff:
        product = replace(product, images=images.staff_images(product_id))
    return product


def _current(product_id: str) -> Product:
    product = repository.read_product(product_id)
    if product is None:
        raise NotFound(NO_PRODUCT)
    return product


def update_product(product_id: str, changes: dict[str, Any]) -> Product:
    for _ in range(ATTEMPTS):
        before = _current(product_id)
        after = replace(before, **changes, updated_at=clock.now(), revision=before.revision + 1)
        if {"attributes", "category_id"} & changes.keys():
            _fit_category(after.category_id, after.attributes)
        event = ProductUpdated(product=ProductData.of(after), change="product")
        if repository.update_product(before, after, event):
            return after
        if after.counts_in_category:
            categories.effective_attributes(after.category_id)  # 422 when its category went away
    raise Conflict(BUSY)


def archive_product(product_id: str) -> None:
    """DELETE archives: the product disappears for customers; orders keep referring to it."""
    for _ in range(ATTEMPTS):
        before = _current(product_id)
        if before.status == "archived":
            return
        after = replace(before, status="archived", updated_at=clock.now(), revision=before.revision + 1)
        if repository.update_product(before, after, ProductDeleted(product=ProductData.of(after))):
            return
    raise Conflict(BUSY)


def add_variant(product_id: str, new: NewVariant) -> Product:
    for _ in range(ATTEMPTS):
        before = _current(product_id)
        if len(before.variants) >= MAX_VARIANTS:
            raise Unprocessable(f"A product has at most {MAX_VARIANTS} variants.")
        if any(variant.sku == new.variant.sku for variant in before.variants):
            raise Conflict(f"SKU already in use: {new.variant.sku}.", skus=[new.variant.sku])
        variants = sorted([*before.variants, replace(new.variant, available=new.initial_stock)], key=lambda v: v.sku)
        _check_variants(variants)
        now = clock.now()
        after = replace(before, variants=variants, updated_at=now, revision=before.revision + 1)
        event = ProductUpdated(product=ProductData.of(after), change="variant_added", sku=new.variant.sku)
        if repository.add_variant(before, new, MAX_VARIANTS, event, now):
            return after
        conflict = _taken([new.variant.sku])
        if conflict is not None:
            raise conflict
    raise Conflict(BUSY)


def _variant_of(product: Product, sku: str) -> Variant:
    for variant in product.variants:
        if variant.sku == sku:
            return variant
    raise NotFound("No such variant.")


def update_variant(product_id: str, sku: str, changes: dict[str, Any]) -> Product:
    """`changes`: options, price (None: the product's), weight_grams (None: unknown)."""
    for _ in range(ATTEMPTS):
        before = _current(product_id)
        variant = replace(_variant_of(before, sku), **changes)
        variants = [variant if item.sku == sku else item for item in before.variants]
        _check_variants(variants)
        now = clock.now()
        after = replace(before, variants=variants, updated_at=now, revision=before.revision + 1)
        event = ProductUpdated(product=ProductData.of(after), change="variant_updated", sku=sku)
        if repository.update_variant(before, variant, event, now):
            return after
    raise Conflict(BUSY)


def remove_variant(product_id: str, sku: str) -> None:
    for _ in range(ATTEMPTS):
        before = _current(product_id)
        _variant_of(before, sku)
        if len(before.variants) <= 1:
            raise Conflict("A product keeps at least one variant: archive the product instead.")
        now = clock.now()
        variants = [item for item in before.variants if item.sku != sku]
        after = replace(before, variants=variants, updated_at=now, revision=before.revision + 1)
        event = ProductUpdated(product=ProductData.of(after), change="variant_removed", sku=sku)
        if repository.remove_variant(before, sku, event, now):
            return
    raise Conflict(BUSY)
