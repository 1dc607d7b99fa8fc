"""Opening, reading and changing a checkout, and its shipping methods (before completion)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storefront.domain import clock
from storefront.domain.checkout import pricing
from tests.integration import cart_calls, inventory_calls
from tests.integration.checkout_calls import (
    ANN,
    BOB,
    US_ADDRESS,
    body_of,
    call,
    fill_cart,
    open_checkout,
    patch,
    product,
    ready_checkout,
    saved_address,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def test_opening_snapshots_the_cart_at_current_prices_with_weights_and_expires_in_30_minutes() -> None:
    shoe = product("CO-1", "CO-2", price=2500, weight=400)
    fill_cart({"CO-1": 2, "CO-2": 1})
    start = clock.now()

    opened = open_checkout()

    assert opened["status"] == "open"
    assert opened["items"][0] == {
        "sku": "CO-1",
        "product_id": shoe["id"],
        "name": "Trail Shoe",
        "options": {"size": "S0"},
        "quantity": 2,
        "unit_price": 2500,
        "line_total": 5000,
        "weight_grams": 400,
    }
    assert (opened["subtotal"], opened["shipping_total"], opened["total"], opened["currency"]) == (
        7500,
        0,
        7500,
        "USD",
    )
    assert (opened["shipping_address"], opened["billing_address"], opened["shipping_method"]) == (None, None, None)
    assert opened["order_id"] is None
    assert body_of(call("GET", f"/v1/checkouts/{opened['id']}")) == opened
    expires = datetime.strptime(opened["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert start + 1800 <= expires <= clock.now() + 1800


def test_an_empty_cart_is_a_409() -> None:
    response = call("POST", "/v1/checkouts")
    assert response["statusCode"] == 409
    assert "empty" in problem(response)["detail"]


def test_lines_that_cannot_be_bought_now_are_a_409_naming_them() -> None:
    product("CO-1", stock=3)
    shoe = product("CO-9")
    fill_cart({"CO-1": 3, "CO-9": 1})
    cart_calls.archive_product(shoe["id"])
    assert inventory_calls.adjust("CO-1", -2)["statusCode"] == 200

    response = call("POST", "/v1/checkouts")

    assert response["statusCode"] == 409
    lines = {line["sku"]: line for line in problem(response)["lines"]}
    assert lines == {
        "CO-1": {"sku": "CO-1", "status": "insufficient_stock", "quantity": 3, "available": 1},
        "CO-9": {"sku": "CO-9", "status": "unavailable", "quantity": 1, "available": 7},
    }


def test_the_default_addresses_are_filled_in_when_opened() -> None:
    product("CO-1")
    home = saved_address(ANN, is_default_shipping=True, is_default_billing=True)
    fill_cart({"CO-1": 1})

    opened = open_checkout()

    expected = {key: home[key] for key in ("name", "line1", "line2", "city", "region", "postal_code", "country")}
    assert {key: opened["shipping_address"][key] for key in expected} == expected
    assert opened["billing_address"] == opened["shipping_address"]


def test_another_customers_checkout_is_a_404_on_every_route() -> None:
    product("CO-1")
    fill_cart({"CO-1": 1})
    opened = open_checkout()
    path = f"/v1/checkouts/{opened['id']}"
    assert call("GET", path, BOB)["statusCode"] == 404
    assert call("PATCH", path, BOB, body={"shipping_address": US_ADDRESS})["statusCode"] == 404
    assert call("GET", f"{path}/shipping-methods", BOB)["statusCode"] == 404
    assert call("POST", f"{path}/complete", BOB, body={"payment_method": "manual"}, key="k")["statusCode"] == 404


def test_setting_an_address_and_the_method_computes_the_totals_on_the_server() -> None:
    product("CO-1", price=2500)
    fill_cart({"CO-1": 2})
    opened = open_checkout()
    path = f"/v1/checkouts/{opened['id']}"

    methods = call("GET", f"{path}/shipping-methods")
    assert methods["statusCode"] == 409  # no address yet
    assert patch(opened["id"], {"shipping_address": US_ADDRESS})["statusCode"] == 200
    offered = body_of(call("GET", f"{path}/shipping-methods"))
    assert offered == [
        {
            "id": "standard",
            "name": "Standard",
            "carrier": "Standard",
            "amount": 500,
            "currency": "USD",
            "estimated_days": {"min": 3, "max": 7},
        }
    ]

    changed = body_of(patch(opened["id"], {"shipping_method_id": "standard"}))

    assert changed["shipping_method"]["id"] == "standard"
    assert (changed["subtotal"], changed["shipping_total"], changed["total"]) == (5000, 500, 5500)
    assert changed["shipping_address"]["country"] == "US"
    assert changed["billing_address"] is None


def test_a_saved_address_of_another_user_is_a_404_and_ones_own_is_copied() -> None:
    product("CO-1")
    fill_cart({"CO-1": 1})
    opened = open_checkout()
    bobs = saved_address(BOB, name="Bob Other")
    anns = saved_address(ANN, name="Ann Office", country="DE")

    refused = patch(opened["id"], {"shipping_address_id": bobs["id"]})
    assert refused["statusCode"] == 404
    assert problem(refused)["field"] == "shipping_address_id"

    changed = body_of(patch(opened["id"], {"shipping_address_id": anns["id"], "billing_address": US_ADDRESS}))
    assert (changed["shipping_address"]["name"], changed["shipping_address"]["country"]) == ("Ann Office", "DE")
    assert changed["billing_address"]["country"] == "US"


@pytest.mark.parametrize(
    "body",
    [
        {"shipping_address_id": "X", "shipping_address": US_ADDRESS},
        {"shipping_address": {**US_ADDRESS, "country": "us"}},
        {"shipping_address": {**US_ADDRESS, "name": ""}},
        {"shipping_address": {**US_ADDRESS, "label": "Home"}},
        {"shipping_method_id": None},
        {"total": 1},
        {},
    ],
)
def test_an_invalid_change_is_a_422(body: dict[str, object]) -> None:
    product("CO-1")
    fill_cart({"CO-1": 1})
    opened = open_checkout()
    response = patch(opened["id"], body)
    assert response["statusCode"] == 422, response
    assert problem(response)["errors"]


def test_a_method_not_offered_is_a_422_and_one_without_an_address_a_409() -> None:
    product("CO-1")
    fill_cart({"CO-1": 1})
    opened = open_checkout()
    assert patch(opened["id"], {"shipping_method_id": "standard"})["statusCode"] == 409
    refused = patch(opened["id"], {"shipping_address": US_ADDRESS, "shipping_method_id": "overnight"})
    assert refused["statusCode"] == 422
    assert problem(refused)["errors"][0]["loc"] == ["body", "shipping_method_id"]


def test_an_address_change_drops_a_method_no_longer_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})
    assert ready["shipping_method"]["id"] == "standard"
    monkeypatch.setattr(pricing, "quotes_for", lambda checkout, address: [])  # a country no zone serves

    changed = body_of(patch(ready["id"], {"shipping_address": {**US_ADDRESS, "country": "FR"}}))

    assert (changed["shipping_method"], changed["shipping_total"]) == (None, 0)
    assert changed["total"] == changed["subtotal"]


def test_an_expired_checkout_reads_as_expired_and_refuses_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    product("CO-1")
    fill_cart({"CO-1": 1})
    opened = open_checkout()
    later = clock.now() + 1801
    monkeypatch.setattr(clock, "now", lambda: later)

    assert body_of(call("GET", f"/v1/checkouts/{opened['id']}"))["status"] == "expired"
    refused = patch(opened["id"], {"shipping_address": US_ADDRESS})
    assert refused["statusCode"] == 409
    assert problem(refused)["checkout_status"] == "expired"
    assert call("GET", f"/v1/checkouts/{opened['id']}/shipping-methods")["statusCode"] == 409


def test_an_unknown_checkout_is_a_404() -> None:
    assert call("GET", "/v1/checkouts/NOPE")["statusCode"] == 404
