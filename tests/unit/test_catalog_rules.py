"""Catalog rules without AWS: attribute inheritance and checks, the tree, slugs, ETags."""

from __future__ import annotations

import pytest

from storefront.domain.catalog import attributes, tree
from storefront.domain.catalog.entities import AttributeDefinition, AttributeValue, Category
from storefront.domain.catalog.products import slugify
from storefront.domain.errors import Unprocessable
from storefront.http.caching import etag_of, matches
from storefront.models.catalog import CategoryRef

NUMBER, STRING = AttributeDefinition("number"), AttributeDefinition("string")


def category(category_id: str, parent_id: str | None = None, name: str = "", **own: AttributeDefinition) -> Category:
    return Category(category_id, name or category_id, category_id.lower(), parent_id, dict(own), 1, 1)


def catalog(*categories: Category) -> dict[str, Category]:
    return {item.id: item for item in categories}


def test_definitions_merge_down_three_levels_when_inherited() -> None:
    by_id = catalog(
        category("A", material=STRING),
        category("B", "A", size=NUMBER),
        category("C", "B", size=AttributeDefinition("number", (40, 42), required=True)),
    )
    merged = tree.effective_attributes(by_id, "C")
    assert merged == {"material": STRING, "size": AttributeDefinition("number", (40, 42), True)}
    assert [item.id for item in tree.ancestors(by_id, "C")] == ["A", "B"]


def test_merge_is_refused_when_a_child_changes_an_inherited_type() -> None:
    with pytest.raises(Unprocessable) as refused:
        attributes.merge([{"size": NUMBER}, {"size": STRING}])
    assert refused.value.errors is not None
    assert refused.value.errors[0].field == ("attributes", "size")


@pytest.mark.parametrize(
    ("values", "offender"),
    [
        ({"size": 42, "extra": "x"}, "extra"),
        ({"size": "42"}, "size"),
        ({"size": True}, "size"),
        ({"size": 44}, "size"),
        ({}, "size"),
        ({"size": 42, "waterproof": 1}, "waterproof"),
    ],
)
def test_values_are_refused_naming_the_attribute_when_they_break_a_definition(
    values: dict[str, AttributeValue], offender: str
) -> None:
    definitions = {
        "size": AttributeDefinition("number", (40, 42), required=True),
        "waterproof": AttributeDefinition("boolean"),
    }
    with pytest.raises(Unprocessable) as refused:
        attributes.validate(definitions, values)
    assert refused.value.errors is not None
    assert [error.field[-1] for error in refused.value.errors] == [offender]


def test_values_pass_when_they_fit_their_definitions() -> None:
    definitions = {"size": AttributeDefinition("number", (40, 42.5)), "waterproof": AttributeDefinition("boolean")}
    attributes.validate(definitions, {"size": 42.5, "waterproof": False})


def test_definitions_are_refused_when_allowed_values_have_another_type() -> None:
    with pytest.raises(Unprocessable):
        attributes.check_definitions({"size": AttributeDefinition("number", ("40",))})


def test_tree_sorts_children_by_name_and_keeps_orphans_as_roots_when_built() -> None:
    roots = tree.build(
        [
            category("A", name="zeta"),
            category("B", "A", name="beta"),
            category("C", "A", name="Alpha"),
            category("D", "GONE", name="orphan"),
        ]
    )
    assert [root.category.name for root in roots] == ["orphan", "zeta"]
    assert [child.category.name for child in roots[1].children] == ["Alpha", "beta"]


def test_height_and_descendants_cover_the_whole_subtree() -> None:
    by_id = catalog(category("A"), category("B", "A"), category("C", "B"), category("D", "A"))
    assert tree.height(by_id, "A") == 3
    assert tree.height(by_id, "C") == 1
    assert {item.id for item in tree.descendants(by_id, "A")} == {"B", "C", "D"}


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Trail Shoe 2", "trail-shoe-2"), ("  Café Crème! ", "cafe-creme"), ("???", "product")],
)
def test_slug_is_made_from_the_name(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_etag_matches_when_the_header_lists_it_weak_or_strong() -> None:
    etag = etag_of(CategoryRef(id="1", name="n", slug="s"))
    assert len(etag) == 34
    assert etag[0] == etag[-1] == '"'
    assert matches(etag, etag)
    assert matches(f'"other", W/{etag}', etag)
    assert matches("*", etag)
    assert not matches('"other"', etag)
    assert not matches(None, etag)
    assert etag_of([CategoryRef(id="1", name="n", slug="s")]) != etag
