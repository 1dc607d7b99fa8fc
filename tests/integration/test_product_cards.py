"""Product cards: the one-batch read carts and wishlists make, kept current by every variant write."""

from __future__ import annotations

import pytest

from storefront.data import keys
from storefront.data.product_cards import shopping_view
from storefront.data.product_items import ProductItem
from tests.integration.catalog_calls import MANAGER, call, create_category, create_product
from tests.integration.test_catalog_products import dynamodb_requests

pytestmark = pytest.mark.usefixtures("aws")


def test_cards_show_current_variant_options_prices_and_stock_after_each_variant_write() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"], "CARD-1")
    base = f"/v1/products/{product['id']}/variants"
    added = call("POST", base, MANAGER, body={"sku": "CARD-2", "options": {"size": "44"}, "price": 9900})
    assert added["statusCode"] == 201, added
    assert call("PATCH", f"{base}/CARD-1", MANAGER, body={"price": 7500})["statusCode"] == 200
    assert call("PATCH", f"/v1/products/{product['id']}", MANAGER, body={"price": 8000})["statusCode"] == 200

    view = shopping_view([product["id"]], ["CARD-1", "CARD-2"])

    card = view.products[product["id"]]
    assert sorted(card.variants) == ["CARD-1", "CARD-2"]
    assert card.variants["CARD-2"].options == {"size": "44"}
    assert (card.unit_price("CARD-1"), card.unit_price("CARD-2")) == (7500, 9900)
    assert card.price == 8000
    assert card.status == "active"
    assert view.available == {"CARD-1": 7, "CARD-2": 0}

    assert call("DELETE", f"{base}/CARD-2", MANAGER)["statusCode"] == 204
    assert sorted(shopping_view([product["id"]], []).products[product["id"]].variants) == ["CARD-1"]


def test_fifty_products_and_their_stock_are_one_request() -> None:
    category = create_category("Shoes")
    products = [create_product(category["id"], f"MANY-{n}", name=f"Shoe {n}") for n in range(50)]
    with dynamodb_requests() as seen:
        view = shopping_view([product["id"] for product in products], [f"MANY-{n}" for n in range(50)])
    assert seen == ["BatchGetItem"]
    assert len(view.products) == 50
    assert len(view.available) == 50


def test_a_product_item_from_before_the_cards_is_read_whole() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"], "OLD-1")
    item = ProductItem.get(*keys.product(product["id"]))
    item.update(actions=[ProductItem.variant_cards.remove()])

    card = shopping_view([product["id"]], ["OLD-1"]).products[product["id"]]

    assert list(card.variants) == ["OLD-1"]
    assert card.unit_price("OLD-1") == product["price"]


def test_unknown_products_and_skus_are_absent() -> None:
    view = shopping_view(["NO-SUCH-PRODUCT"], ["NO-SUCH-SKU"])
    assert view.products == {}
    assert view.available == {}


def test_cards_carry_each_variants_weight_and_read_the_older_two_element_form() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"], "WEIGHT-1")
    base = f"/v1/products/{product['id']}/variants"
    added = call("POST", base, MANAGER, body={"sku": "WEIGHT-2", "options": {"size": "44"}, "weight_grams": 750})
    assert added["statusCode"] == 201, added
    card = shopping_view([product["id"]], []).products[product["id"]]
    assert (card.variants["WEIGHT-1"].weight_grams, card.variants["WEIGHT-2"].weight_grams) == (None, 750)

    item = ProductItem.get(*keys.product(product["id"]))
    item.update(actions=[ProductItem.variant_cards.set('{"WEIGHT-1":[{"size":"42"},null]}')])  # before weights

    older = shopping_view([product["id"]], []).products[product["id"]].variants["WEIGHT-1"]
    assert (older.options, older.price, older.weight_grams) == ({"size": "42"}, None, None)
