"""A customer's cart: adding, reading with current prices, setting, removing, and its bounds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import pytest

from storefront.domain import clock
from tests.integration import inventory_calls
from tests.integration.cart_calls import (
    ANN,
    BOB,
    add,
    archive_product,
    body_of,
    call,
    cancel_cart_deletions,
    cart,
    change_product,
    environments,
    lines,
    product,
    seed_lines,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def test_an_absent_cart_reads_empty() -> None:
    view = cart()
    assert view == {"items": [], "subtotal": 0, "currency": None, "updated_at": None, "expires_at": None}


def test_adding_shows_the_line_with_current_price_and_availability_when_read() -> None:
    shoe = product("CART-1", "CART-2")
    assert add("CART-1", 2)["statusCode"] == 204
    assert add("CART-2", 1)["statusCode"] == 204

    view = cart()

    first, second = view["items"]
    assert first == {
        "sku": "CART-1",
        "product_id": shoe["id"],
        "name": "Trail Shoe",
        "options": {"size": "S0"},
        "quantity": 2,
        "unit_price": 8900,
        "line_total": 17800,
        "available": 7,
        "status": "ok",
    }
    assert second["sku"] == "CART-2"
    assert (view["subtotal"], view["currency"]) == (8900 * 3, "EUR")
    assert view["expires_at"] is not None


def test_adding_a_sku_already_in_the_cart_adds_to_its_line() -> None:
    product("CART-1")
    add("CART-1", 2)
    add("CART-1", 3)
    assert lines(cart()) == {"CART-1": 5}


def test_a_price_change_shows_in_the_cart_because_no_price_is_stored() -> None:
    shoe = product("CART-1")
    add("CART-1", 2)
    change_product(shoe["id"], price=5000)
    view = cart()
    assert (view["items"][0]["unit_price"], view["subtotal"]) == (5000, 10000)


def test_adding_more_than_available_is_a_409_with_available() -> None:
    product("CART-1", stock=4)
    add("CART-1", 3)

    response = add("CART-1", 2)

    assert response["statusCode"] == 409
    body = problem(response)
    assert (body["available"], body["in_cart"]) == (4, 3)
    assert lines(cart()) == {"CART-1": 3}


def test_a_line_holds_at_most_99_units_when_more_are_available() -> None:
    product("CART-1", stock=500)
    assert add("CART-1", 99)["statusCode"] == 204
    response = add("CART-1", 1)
    assert response["statusCode"] == 409
    assert problem(response)["available"] == 500


@pytest.mark.parametrize("quantity", [0, 100, "2", 1.5, True])
def test_a_quantity_outside_1_to_99_or_not_an_integer_is_a_422(quantity: object) -> None:
    product("CART-1")
    response = call("POST", "/v1/cart/items", body={"sku": "CART-1", "quantity": quantity})
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"][-1] == "quantity"


def test_an_unknown_sku_is_a_404() -> None:
    assert add("NO-SUCH-SKU", 1)["statusCode"] == 404


def test_a_removed_variant_is_a_404() -> None:
    shoe = product("CART-1", "CART-2")
    path = f"/v1/products/{shoe['id']}/variants/CART-2"
    from tests.integration import catalog_calls

    assert catalog_calls.call("DELETE", path, catalog_calls.MANAGER)["statusCode"] == 204
    assert add("CART-2", 1)["statusCode"] == 404


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_a_product_that_is_not_active_is_a_422(status: str) -> None:
    shoe = product("CART-1", status="draft" if status == "draft" else "active")
    if status == "archived":
        archive_product(shoe["id"])
    response = add("CART-1", 1)
    assert response["statusCode"] == 422
    assert problem(response)["product_status"] == status


def test_a_product_archived_after_the_cart_started_is_a_422_when_added_again() -> None:
    shoe = product("CART-1")
    add("CART-1", 1)
    archive_product(shoe["id"])
    assert add("CART-1", 1)["statusCode"] == 422


def test_a_product_in_another_currency_than_the_cart_is_a_422() -> None:
    product("CART-1")
    product("USD-1", currency="USD")
    add("CART-1", 1)
    response = add("USD-1", 1)
    assert response["statusCode"] == 422
    assert problem(response)["cart_currency"] == "EUR"


def test_archived_and_sold_out_lines_are_flagged_and_left_out_of_the_subtotal() -> None:
    shoe = product("CART-1")
    product("CART-2")
    product("CART-3")
    add("CART-1", 1)
    add("CART-2", 2)
    add("CART-3", 5)
    archive_product(shoe["id"])
    inventory_calls.adjust("CART-2", -7)
    inventory_calls.adjust("CART-3", -4)

    view = cart()

    flags = {item["sku"]: (item["status"], item["available"]) for item in view["items"]}
    assert flags == {"CART-1": ("unavailable", 7), "CART-2": ("sold_out", 0), "CART-3": ("insufficient_stock", 3)}
    assert view["subtotal"] == 0
    assert lines(view) == {"CART-1": 1, "CART-2": 2, "CART-3": 5}


def test_setting_a_quantity_replaces_it_and_zero_removes_the_line() -> None:
    product("CART-1", "CART-2")
    add("CART-1", 1)
    add("CART-2", 1)
    assert call("PATCH", "/v1/cart/items/CART-1", body={"quantity": 6})["statusCode"] == 204
    assert call("PATCH", "/v1/cart/items/CART-2", body={"quantity": 0})["statusCode"] == 204
    assert lines(cart()) == {"CART-1": 6}


def test_setting_more_than_available_is_a_409_with_available() -> None:
    product("CART-1", stock=4)
    add("CART-1", 1)
    response = call("PATCH", "/v1/cart/items/CART-1", body={"quantity": 5})
    assert response["statusCode"] == 409
    assert problem(response)["available"] == 4


def test_a_line_of_an_archived_product_may_shrink_but_not_grow() -> None:
    shoe = product("CART-1")
    add("CART-1", 3)
    archive_product(shoe["id"])
    grown = call("PATCH", "/v1/cart/items/CART-1", body={"quantity": 4})
    assert grown["statusCode"] == 422
    assert problem(grown)["product_status"] == "archived"
    assert call("PATCH", "/v1/cart/items/CART-1", body={"quantity": 2})["statusCode"] == 204
    assert lines(cart()) == {"CART-1": 2}


def test_deleting_a_line_removes_it_and_a_missing_line_is_a_404() -> None:
    product("CART-1")
    add("CART-1", 1)
    assert call("DELETE", "/v1/cart/items/CART-1")["statusCode"] == 204
    assert call("DELETE", "/v1/cart/items/CART-1")["statusCode"] == 404
    assert call("PATCH", "/v1/cart/items/CART-1", body={"quantity": 2})["statusCode"] == 404
    assert cart()["items"] == []


def test_another_customers_line_is_a_404_and_stays_untouched() -> None:
    product("CART-1")
    add("CART-1", 2, BOB)

    assert call("PATCH", "/v1/cart/items/CART-1", ANN, body={"quantity": 1})["statusCode"] == 404
    assert call("DELETE", "/v1/cart/items/CART-1", ANN)["statusCode"] == 404
    assert cart(ANN)["items"] == []
    assert lines(cart(BOB)) == {"CART-1": 2}


def test_deleting_the_cart_empties_it_and_the_next_add_starts_a_new_one() -> None:
    product("CART-1", "CART-2")
    add("CART-1", 1)
    add("CART-2", 1)
    assert call("DELETE", "/v1/cart")["statusCode"] == 204
    assert cart()["items"] == []
    assert call("DELETE", "/v1/cart")["statusCode"] == 204
    add("CART-2", 3)
    assert lines(cart()) == {"CART-2": 3}


def test_an_idle_cart_reads_empty_after_30_days_and_its_old_lines_never_come_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product("CART-1", "CART-2")
    start = clock.now()
    add("CART-1", 2)
    add("CART-2", 1)
    monkeypatch.setattr(clock, "now", lambda: start + 30 * 24 * 3600 - 1)
    assert lines(cart()) == {"CART-1": 2, "CART-2": 1}
    add("CART-2", 1)  # a write pushes the expiry forward
    monkeypatch.setattr(clock, "now", lambda: start + 60 * 24 * 3600 - 2)
    assert lines(cart()) == {"CART-1": 2, "CART-2": 2}
    monkeypatch.setattr(clock, "now", lambda: start + 60 * 24 * 3600 + 5)

    assert cart()["items"] == []  # expired, though the TTL has not deleted it yet
    add("CART-1", 1)
    assert lines(cart()) == {"CART-1": 1}


def test_the_96th_line_is_refused_with_a_409_until_a_line_is_removed() -> None:
    # 95 lines: checkout reserves them all in one transaction of at most 100 actions.
    product("L094", "L095", stock=5)
    seed_lines(ANN, [f"L{n:03d}" for n in range(94)])
    assert add("L094", 1)["statusCode"] == 204  # the 95th line

    response = add("L095", 1)

    assert response["statusCode"] == 409
    assert problem(response)["max_lines"] == 95
    assert add("L094", 1)["statusCode"] == 204  # a line already in the cart can still grow
    assert len(cart()["items"]) == 95
    assert call("DELETE", "/v1/cart/items/L000")["statusCode"] == 204
    assert add("L095", 1)["statusCode"] == 204


@pytest.mark.usefixtures("isolated_transactions")
def test_two_devices_adding_the_same_sku_at_once_sum_exactly() -> None:
    product("CART-1", stock=99)
    devices = environments(8)

    def add_from(environment: ModuleType) -> int:
        response = call("POST", "/v1/cart/items", body={"sku": "CART-1", "quantity": 3}, environment=environment)
        return int(response["statusCode"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(add_from, devices))

    assert statuses == [204] * 8
    assert lines(cart()) == {"CART-1": 24}


@pytest.mark.usefixtures("isolated_transactions")
def test_concurrent_adds_never_exceed_what_is_available() -> None:
    product("CART-1", stock=10)

    def add_from(environment: ModuleType) -> int:
        response = call("POST", "/v1/cart/items", body={"sku": "CART-1", "quantity": 3}, environment=environment)
        return int(response["statusCode"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(add_from, environments(6)))

    assert sorted(statuses) == [204] * 3 + [409] * 3
    assert lines(cart()) == {"CART-1": 9}
    assert body_of(call("GET", "/v1/cart"))["subtotal"] == 9 * 8900


def test_deleting_the_cart_is_retried_when_a_concurrent_write_cancels_it(monkeypatch: pytest.MonkeyPatch) -> None:
    product("CART-1")
    add("CART-1", 2)
    cancel_cart_deletions(monkeypatch, 1)

    assert call("DELETE", "/v1/cart")["statusCode"] == 204

    assert cart()["items"] == []


def test_deleting_the_cart_is_a_409_not_a_204_while_concurrent_writes_keep_cancelling_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product("CART-1")
    add("CART-1", 2)
    cancel_cart_deletions(monkeypatch, 1000)

    response = call("DELETE", "/v1/cart")

    assert response["statusCode"] == 409
    monkeypatch.undo()
    assert lines(cart()) == {"CART-1": 2}


def test_a_line_of_a_product_now_sold_in_another_currency_may_shrink_but_not_grow() -> None:
    shoe = product("CART-1")
    add("CART-1", 3)
    change_product(shoe["id"], currency="USD")

    grown = call("PATCH", "/v1/cart/items/CART-1", body={"quantity": 4})

    assert grown["statusCode"] == 422
    assert (problem(grown)["cart_currency"], problem(grown)["product_currency"]) == ("EUR", "USD")
    assert call("PATCH", "/v1/cart/items/CART-1", body={"quantity": 2})["statusCode"] == 204
    assert lines(cart()) == {"CART-1": 2}
