"""The demo catalog of `make seed`: the synthetic catalog of devkit/catalog_generator.py, as API requests.

The one generator the search benchmark uses too: its category tree (143 categories under 8
roots, parents first) and its product stream. Product `i` of seed `s` is the stream's
`i`-th product; the stream is prefix-stable, so the first 12 products of a 200-product
run are the 12 products of a 12-product run. Its variants (what the stream does not
make: options, stock, weight) come from its own `random.Random(f"{s}:{i}")`, and its
SKUs (`<root>-<s>-<i>-<n>`) are the same on every run: the API's SKU uniqueness (409)
is what makes a re-run add nothing.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from devkit.catalog_generator import Catalog, draw_variants, make_catalog, make_products


@dataclass(frozen=True)
class CategorySpec:
    name: str
    slug: str
    parent: str | None  # its slug
    attributes: dict[str, Any]  # the API's definitions: {"type", "values", "required"}

    def body(self, parent_id: str | None) -> dict[str, Any]:
        return {"name": self.name, "slug": self.slug, "parent_id": parent_id, "attributes": self.attributes}


def _categories(catalog: Catalog) -> tuple[CategorySpec, ...]:
    slugs = {category.id: category.slug for category in catalog.categories}
    return tuple(
        CategorySpec(
            category.name,
            category.slug,
            slugs[category.parent_id] if category.parent_id else None,
            {name: definition.as_dict() for name, definition in category.attributes.items()},
        )
        for category in catalog.categories  # the generator lists parents first
    )


_CATALOG = make_catalog()
CATEGORIES = _categories(_CATALOG)


@dataclass(frozen=True)
class ProductSpec:
    index: int
    body: dict[str, Any]  # POST /v1/products without category_id
    category: str  # slug
    colour: tuple[int, int, int]

    @property
    def skus(self) -> list[str]:
        return [variant["sku"] for variant in self.body["variants"]]


def _variants(rng: random.Random, root: str, code: str, price: int, in_stock: bool) -> list[dict[str, Any]]:
    variants = []
    for number, draw in enumerate(draw_variants(rng, root), start=1):
        variant: dict[str, Any] = {
            "sku": f"{code}-{number}",
            "options": draw.options,
            "initial_stock": draw.stock if in_stock else 0,
            "weight_grams": draw.weight_grams,
        }
        if number == 4:
            variant["price"] = price + 1000
        variants.append(variant)
    return variants


def demo_products(count: int, seed: int) -> list[ProductSpec]:
    """The first `count` demo products of seed `seed`."""
    slugs = {category.id: category.slug for category in _CATALOG.categories}
    root_of = _CATALOG.root_of
    specs = []
    for index, document in enumerate(make_products(_CATALOG, count, seed)):
        rng = random.Random(f"{seed}:{index}")  # noqa: S311 - demo data, reproducible on purpose
        root = root_of[document.category_id]
        code = f"{root[:3].upper()}-{seed}-{index:04d}"
        body = {
            **{"name": document.name, "description": document.description, "brand": document.brand},
            **{"price": document.price, "currency": document.currency, "attributes": document.attributes},
            **{"tags": list(document.tags), "status": "active"},
            "variants": _variants(rng, root, code, document.price, document.in_stock),
        }
        colour = (rng.randint(40, 200), rng.randint(40, 200), rng.randint(40, 200))
        specs.append(ProductSpec(index, body, slugs[document.category_id], colour))
    return specs


def categories_of(products: list[ProductSpec]) -> tuple[CategorySpec, ...]:
    """The categories these products are filed under and their ancestors, parents first.

    A demo catalog has no empty branches, and a small seed creates a few dozen categories,
    not the generator's whole tree (each is one request to a function serving one at a time).
    """
    parents = {category.slug: category.parent for category in CATEGORIES}
    needed: set[str] = set()
    for product in products:
        slug: str | None = product.category
        while slug is not None and slug not in needed:
            needed.add(slug)
            slug = parents[slug]
    return tuple(category for category in CATEGORIES if category.slug in needed)


def card_png(text: str, colour: tuple[int, int, int], size: int = 320) -> bytes:
    """A coloured square with `text` (the product's initials) in the middle, as PNG bytes."""
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), text, fill=(255, 255, 255), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:3] if word[0].isalnum()).upper()
