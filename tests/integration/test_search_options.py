"""GET /v1/products with variant options, stock, ratings and review events (moto and DynamoDB Local).

Shoppers filter by size and colour, which live in variant options; `in_stock=true` with
option filters means one variant that has those options and is available now.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
import pytest

from storefront.data import keys
from tests.aws_fixtures import MOTO
from tests.integration.catalog_calls import MANAGER, call, create_category, product_body
from tests.integration.search_calls import body_of, deliver, found, index_pending, search
from tests.support import problem

pytestmark = pytest.mark.usefixtures("search_aws")
moto_only = pytest.mark.parametrize("aws", [MOTO], indirect=True)


def variant(sku: str, size: str, colour: str, stock: int) -> dict[str, Any]:
    return {"sku": sku, "options": {"size": size, "colour": colour}, "initial_stock": stock}


def tee(category_id: str, name: str, *variants: dict[str, Any]) -> str:
    body = product_body(category_id, name=name, attributes={"fabric": "cotton"}, variants=list(variants))
    response = call("POST", "/v1/products", MANAGER, body=body)
    assert response["statusCode"] == 201, response
    return str(body_of(response)["id"])


@pytest.fixture
def tees() -> dict[str, str]:
    """Three tees whose variants differ by size, colour and stock, and an indexed catalog.

    Basic: M red (sold out), L red (5), M blue (3): M red is not in stock although the
    product has an M and a red variant in stock. Linen: M red (2). Wool: S green, sold out.
    """
    category = create_category("Tees", fabric={"type": "string"}, fit={"type": "string"})
    made = {
        "basic": tee(
            category["id"],
            "Basic Tee",
            variant("BASIC-M-RED", "M", "red", 0),
            variant("BASIC-L-RED", "L", "red", 5),
            variant("BASIC-M-BLUE", "M", "blue", 3),
        ),
        "linen": tee(category["id"], "Linen Tee", variant("LINEN-M-RED", "M", "red", 2)),
        "wool": tee(category["id"], "Wool Tee", variant("WOOL-S-GREEN", "S", "green", 0)),
    }
    assert index_pending()["batchItemFailures"] == []
    return made


def names(pairs: list[tuple[str, str]]) -> list[str]:
    return sorted(found(pairs))


@moto_only
def test_option_filters_or_within_a_name_and_across_names(tees: dict[str, str]) -> None:
    assert names([("option.size", "M")]) == ["Basic Tee", "Linen Tee"]
    assert names([("option.size", "m")]) == ["Basic Tee", "Linen Tee"]  # case-insensitive, like attributes
    assert names([("option.size", "M"), ("option.size", "S")]) == ["Basic Tee", "Linen Tee", "Wool Tee"]
    assert names([("option.size", "L"), ("option.colour", "blue")]) == []  # no variant is both
    assert names([("option.size", "M"), ("option.colour", "blue")]) == ["Basic Tee"]
    assert names([("option.size", "XL")]) == []  # a known option, a value nobody has


@moto_only
def test_in_stock_with_options_means_one_variant_with_those_options_is_in_stock(tees: dict[str, str]) -> None:
    # Basic has M (blue) and red (L) in stock, but its M red is sold out: only Linen's M red is.
    in_stock_m_red = [("option.size", "M"), ("option.colour", "red"), ("in_stock", "true")]
    assert names(in_stock_m_red) == ["Linen Tee"]
    assert names([("option.size", "M"), ("option.colour", "red")]) == ["Basic Tee", "Linen Tee"]
    assert names([("option.size", "L"), ("in_stock", "true")]) == ["Basic Tee"]
    assert names([("option.size", "S"), ("in_stock", "true")]) == []
    # false: has a variant with those options, and none of them is in stock.
    out_of_stock_m_red = [("option.size", "M"), ("option.colour", "red"), ("in_stock", "false")]
    assert names(out_of_stock_m_red) == ["Basic Tee"]
    assert names([("option.size", "M"), ("in_stock", "false")]) == []  # Basic's M blue is in stock


@moto_only
def test_in_stock_false_finds_only_out_of_stock_products(tees: dict[str, str]) -> None:
    assert names([("in_stock", "false")]) == ["Wool Tee"]
    assert names([("in_stock", "true")]) == ["Basic Tee", "Linen Tee"]
    assert names([]) == ["Basic Tee", "Linen Tee", "Wool Tee"]


@moto_only
@pytest.mark.parametrize("q", [None, "tee"])
def test_option_facets_count_products_per_value_over_the_whole_match(tees: dict[str, str], q: str | None) -> None:
    pairs = [("limit", "1"), *([("q", q)] if q else [])]
    facets = body_of(search(pairs))["facets"]
    assert facets["option.size"] == {"M": 2, "L": 1, "S": 1}  # Basic counts once for its two M variants
    assert facets["option.colour"] == {"red": 2, "blue": 1, "green": 1}
    assert facets["attr.fabric"] == {"cotton": 3}
    narrowed = body_of(search([*pairs, ("option.colour", "red")]))["facets"]
    assert narrowed["option.size"] == {"M": 2, "L": 1}


@moto_only
@pytest.mark.parametrize(
    ("pairs", "field"),
    [
        ([("option.material", "silk")], "option.material"),  # no variant has this option
        ([("attr.weight", "200")], "attr.weight"),  # no category defines this attribute
        ([("attr.size", "M")], "attr.size"),  # size is an option here, not an attribute
        ([("in_stock", "maybe")], "in_stock"),
        ([("in_stock", "")], "in_stock"),
        ([("min_rating", "0")], "min_rating"),
        ([("min_rating", "5.5")], "min_rating"),
        ([("min_rating", "four")], "min_rating"),
        ([("min_rating", "nan")], "min_rating"),
        ([("min_rating", "inf")], "min_rating"),
        ([("option.", "M")], "option."),
    ],
)
def test_unknown_names_and_bad_values_are_a_422_naming_the_parameter(
    tees: dict[str, str], pairs: list[tuple[str, str]], field: str
) -> None:
    response = search(pairs)
    assert response["statusCode"] == 422, response
    assert [error["loc"] for error in problem(response)["errors"]] == [["query", field]]


@moto_only
def test_unknown_names_are_refused_together_in_one_422(tees: dict[str, str]) -> None:
    response = search([("option.material", "silk"), ("attr.weight", "1"), ("option.size", "M")])
    assert response["statusCode"] == 422
    assert sorted(error["loc"][1] for error in problem(response)["errors"]) == ["attr.weight", "option.material"]


@moto_only
def test_an_attribute_a_category_defines_filters_even_before_any_product_has_it(tees: dict[str, str]) -> None:
    assert names([("attr.fit", "slim")]) == []
    assert names([("attr.fabric", "cotton"), ("option.size", "S")]) == ["Wool Tee"]


def set_rating(product_id: str, average: float, count: int) -> None:
    """The running totals a review's transaction keeps (sum of stars, count), written behind the API."""
    stars = average * count
    assert stars == int(stars), "an average that whole stars cannot make"
    pk, sk = keys.product(product_id)
    boto3.client("dynamodb").update_item(
        TableName=os.environ["TABLE_NAME"],
        Key={"PK": {"S": pk}, "SK": {"S": sk}},
        UpdateExpression="SET rating_sum = :sum, rating_count = :count",
        ExpressionAttributeValues={":sum": {"N": str(int(stars))}, ":count": {"N": str(count)}},
    )


def review_event(kind: str, product_id: str) -> dict[str, Any]:
    """A review event as the bus hands it to the indexer's queue."""
    envelope = {"id": f"ev-{kind}-{product_id}", "type": kind, "data": {"product_id": product_id}}
    return {"version": "0", "id": envelope["id"], "detail-type": kind, "source": "storefront", "detail": envelope}


def ratings(pairs: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    response = search(pairs)
    assert response["statusCode"] == 200, response
    return [(item["name"], item["rating"]) for item in body_of(response)["items"]]


def test_review_events_reindex_the_product_so_sort_rating_and_min_rating_follow(tees: dict[str, str]) -> None:
    set_rating(tees["basic"], 4.5, 2)
    set_rating(tees["linen"], 4.5, 10)
    set_rating(tees["wool"], 3.0, 1)
    assert ratings([("sort", "rating")])[0][1] == {"average": None, "count": 0}  # no event yet: the index is as it was

    kinds = ("review.approved", "review.rejected", "review.deleted")
    events = [review_event(kind, product_id) for kind, product_id in zip(kinds, tees.values(), strict=True)]
    assert deliver(*events)["batchItemFailures"] == []

    # By average, ties by the number of ratings (more first); unrated products would come last.
    assert ratings([("sort", "rating")]) == [
        ("Linen Tee", {"average": 4.5, "count": 10}),
        ("Basic Tee", {"average": 4.5, "count": 2}),
        ("Wool Tee", {"average": 3.0, "count": 1}),
    ]
    assert names([("min_rating", "4")]) == ["Basic Tee", "Linen Tee"]
    assert names([("min_rating", "4.6")]) == []
    assert names([("min_rating", "3"), ("option.size", "S")]) == ["Wool Tee"]


@moto_only
def test_sort_rating_puts_unrated_last_and_pages_every_match_once(tees: dict[str, str]) -> None:
    set_rating(tees["wool"], 2.5, 4)
    assert deliver(review_event("review.submitted", tees["wool"]))["batchItemFailures"] == []
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = body_of(search([("sort", "rating"), ("limit", "1"), *([("cursor", cursor)] if cursor else [])]))
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen[0] == "Wool Tee"
    assert sorted(seen[1:]) == ["Basic Tee", "Linen Tee"]  # unrated: ties broken by id
    assert len(seen) == 3
