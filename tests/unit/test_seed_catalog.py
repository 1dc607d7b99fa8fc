"""The demo catalog of `make seed`, without any API: deterministic, valid against its own
category definitions, and the command's target resolution."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from devkit import seed
from devkit.seed_api import SeedError
from devkit.seed_catalog import CATEGORIES, card_png, categories_of, demo_products, initials

DEFINITIONS = {spec.slug: spec for spec in CATEGORIES}


def effective(slug: str) -> dict[str, Any]:
    spec = DEFINITIONS[slug]
    inherited = effective(spec.parent) if spec.parent else {}
    return {**inherited, **spec.attributes}


def test_products_are_the_same_when_generated_again_whatever_the_count() -> None:
    assert [spec.body for spec in demo_products(20, 3)] == [spec.body for spec in demo_products(40, 3)[:20]]
    assert demo_products(6, 3)[5].body != demo_products(6, 4)[5].body


def test_categories_are_the_generators_tree_listed_parents_first() -> None:
    seen: set[str] = set()
    for spec in CATEGORIES:
        assert spec.parent is None or spec.parent in seen
        seen.add(spec.slug)
    assert len(CATEGORIES) == 143
    assert {spec.category for spec in demo_products(200, 1)} <= seen


def test_a_seed_creates_its_products_categories_and_their_ancestors_only_parents_first() -> None:
    products = demo_products(12, 7)
    created = [category.slug for category in categories_of(products)]

    assert {product.category for product in products} <= set(created)
    for position, slug in enumerate(created):
        parent = DEFINITIONS[slug].parent
        assert parent is None or parent in created[:position]
    leaves = {slug for slug in created if not any(DEFINITIONS[other].parent == slug for other in created)}
    assert leaves <= {product.category for product in products}  # no empty branch
    assert len(created) < len(CATEGORIES)


def test_every_product_fits_its_category_when_two_hundred_are_made() -> None:
    specs = demo_products(200, 1)
    skus = [sku for spec in specs for sku in spec.skus]

    assert len(skus) == len(set(skus))
    assert {len(spec.skus) for spec in specs} <= {1, 2, 3, 4}
    assert any(variant["initial_stock"] <= 5 for spec in specs for variant in spec.body["variants"])
    for spec in specs:
        definitions = effective(spec.category)
        for name, value in spec.body["attributes"].items():
            definition = definitions[name]
            assert definition["type"] == {bool: "boolean", int: "number", str: "string"}[type(value)], (name, value)
            assert "values" not in definition or value in definition["values"], (name, value)
        required = {name for name, definition in definitions.items() if definition.get("required")}
        assert required <= set(spec.body["attributes"])


def test_card_is_a_small_png_when_drawn() -> None:
    picture = Image.open(io.BytesIO(card_png(initials("Northpeak Summit Trail Runner"), (10, 20, 30))))

    assert (picture.format, picture.size) == ("PNG", (320, 320))
    assert initials("Hearth & Co Ember Skillet") == "HC"


class _FakeCloudFormation:
    def __init__(self, outputs: dict[str, str]) -> None:
        self.outputs = outputs

    def describe_stacks(self, StackName: str) -> dict[str, Any]:  # noqa: N803 - boto3's spelling
        outputs = [{"OutputKey": key, "OutputValue": value} for key, value in self.outputs.items()]
        return {"Stacks": [{"StackName": StackName, "Outputs": outputs}]}


def test_stack_target_is_its_api_url_output_when_named() -> None:
    url = "https://abc.execute-api.eu-west-1.amazonaws.com"

    assert seed.stack_api_url("shop", _FakeCloudFormation({"ApiUrl": url})) == url
    with pytest.raises(SeedError, match="no ApiUrl output"):
        seed.stack_api_url("shop", _FakeCloudFormation({}))


def test_deployed_target_needs_an_email_when_given_by_url() -> None:
    with pytest.raises(SeedError, match="--email"):
        seed.main(["--api-url", "https://api.example.com"])
