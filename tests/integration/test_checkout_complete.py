"""Completing a checkout: the order, the reserved stock, the emptied cart, the payment, and every refusal."""

from __future__ import annotations

import pytest

from storefront.data import keys
from storefront.data.inventory import StockItem
from storefront.domain import clock
from tests.integration import cart_calls, inventory_calls
from tests.integration.checkout_calls import (
    ANN,
    US_ADDRESS,
    body_of,
    call,
    complete,
    counting_card_payments,
    fill_cart,
    open_checkout,
    outbox_envelopes,
    patch,
    product,
    ready_checkout,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def _stock(sku: str) -> tuple[int, int, int]:
    item = StockItem.get(*keys.stock(sku), consistent_read=True)
    return int(item.on_hand), int(item.reserved), int(item.available)


def test_completing_creates_the_order_reserves_the_stock_and_empties_the_cart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cards = counting_card_payments(monkeypatch)
    shoe = product("CO-1", "CO-2", stock=7, price=2500)
    ready = ready_checkout({"CO-1": 2, "CO-2": 1})

    response = complete(ready["id"], method="card")

    assert response["statusCode"] == 201, response
    answer = body_of(response)
    order = answer["order"]
    assert (order["id"], order["status"], order["user_id"]) == (ready["id"], "pending_payment", ANN[0])
    assert len(order["number"]) == 8
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["items"]] == [
        ("CO-1", 2, 2500),
        ("CO-2", 1, 2500),
    ]
    assert order["items"][0]["product_id"] == shoe["id"]
    assert (order["subtotal"], order["shipping_total"], order["total"], order["currency"]) == (7500, 500, 8000, "USD")
    assert order["shipping_address"]["country"] == "US"
    assert order["billing_address"] == order["shipping_address"]  # none set: the shipping address bills
    assert order["payment"] == {"provider": "stripe", "status": "pending", "payment_intent_id": "pi_0001"}
    assert [entry["status"] for entry in order["history"]] == ["pending_payment"]
    assert answer["payment"] == {
        "provider": "stripe",
        "payment_intent_id": "pi_0001",
        "client_secret": "pi_0001_secret_test",
    }
    assert cards.starts == [ready["id"]]
    assert _stock("CO-1") == (7, 2, 5)
    assert _stock("CO-2") == (7, 1, 6)
    assert cart_calls.cart()["items"] == []
    assert body_of(call("GET", f"/v1/checkouts/{ready['id']}"))["status"] == "completed"
    assert body_of(call("GET", f"/v1/checkouts/{ready['id']}"))["order_id"] == ready["id"]
    (created,) = outbox_envelopes("order.created")
    assert (created["data"]["order_id"], created["data"]["total"]) == (ready["id"], 8000)


def test_a_manual_payment_has_no_payment_intent() -> None:
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})
    answer = body_of(complete(ready["id"], method="manual"))
    assert answer["payment"] == {"provider": "manual", "payment_intent_id": None, "client_secret": None}
    assert answer["order"]["payment"]["provider"] == "manual"


def test_crossing_the_low_stock_threshold_emits_exactly_one_low_stock_event() -> None:
    product("CO-1", stock=8)  # threshold 5: 8 → 4 crosses it
    ready = ready_checkout({"CO-1": 4})

    assert complete(ready["id"])["statusCode"] == 201

    (event,) = [envelope for envelope in outbox_envelopes("inventory.low_stock") if envelope["data"]["sku"] == "CO-1"]
    assert (event["data"]["available"], event["data"]["reserved"]) == (4, 4)
    assert _stock("CO-1") == (8, 4, 4)


def test_the_same_key_and_body_answer_the_same_201_and_create_one_order(monkeypatch: pytest.MonkeyPatch) -> None:
    cards = counting_card_payments(monkeypatch)
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})

    first = complete(ready["id"], key="same", method="card")
    second = complete(ready["id"], key="same", method="card")

    assert (first["statusCode"], second["statusCode"]) == (201, 201)
    assert body_of(first) == body_of(second)
    assert len(outbox_envelopes("order.created")) == 1
    assert cards.starts == [ready["id"]]
    assert _stock("CO-1") == (7, 1, 6)


def test_the_same_key_with_another_body_is_a_422() -> None:
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})
    assert complete(ready["id"], key="same", method="manual")["statusCode"] == 201
    refused = complete(ready["id"], key="same", method="card")
    assert refused["statusCode"] == 422
    assert "another request" in problem(refused)["detail"]


def test_another_key_on_a_completed_checkout_is_a_409() -> None:
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})
    assert complete(ready["id"], key="one")["statusCode"] == 201
    refused = complete(ready["id"], key="two")
    assert refused["statusCode"] == 409
    assert problem(refused)["order_id"] == ready["id"]


def test_a_completion_whose_payment_failed_resumes_the_same_order_when_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cards = counting_card_payments(monkeypatch)
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})
    from storefront.payments.port import PaymentProviderUnavailable

    real_start = cards.start
    calls = [0]

    def down_once(order_id: str, amount: int, currency: str) -> object:
        calls[0] += 1
        if calls[0] == 1:
            raise PaymentProviderUnavailable()
        return real_start(order_id, amount, currency)

    monkeypatch.setattr(cards, "start", down_once)

    failed = complete(ready["id"], key="retry", method="card")
    assert failed["statusCode"] == 503
    assert failed["headers"]["Retry-After"] == "2"
    retried = complete(ready["id"], key="retry", method="card")

    assert retried["statusCode"] == 201, retried
    assert body_of(retried)["order"]["payment"]["payment_intent_id"] == "pi_0001"
    assert len(outbox_envelopes("order.created")) == 1
    assert _stock("CO-1") == (7, 1, 6)


@pytest.mark.parametrize(("key", "status"), [(None, 400), ("", 422), ("x" * 256, 422), ("é", 422)])
def test_a_missing_or_malformed_idempotency_key_is_refused(key: str | None, status: int) -> None:
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})
    response = complete(ready["id"], key=key)
    assert response["statusCode"] == status, response
    assert _stock("CO-1") == (7, 0, 7)


def test_a_bad_payment_method_is_a_422() -> None:
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})
    response = call("POST", f"/v1/checkouts/{ready['id']}/complete", body={"payment_method": "cash"}, key="k")
    assert response["statusCode"] == 422


def test_completing_without_an_address_or_a_method_is_a_409() -> None:
    product("CO-1")
    fill_cart({"CO-1": 1})
    opened = open_checkout()
    assert complete(opened["id"])["statusCode"] == 409
    assert patch(opened["id"], {"shipping_address": US_ADDRESS})["statusCode"] == 200
    refused = complete(opened["id"])
    assert refused["statusCode"] == 409
    assert "shipping method" in problem(refused)["detail"]


def test_a_changed_price_updates_the_checkout_and_is_a_409_naming_it() -> None:
    shoe = product("CO-1", price=2500)
    ready = ready_checkout({"CO-1": 2})
    cart_calls.change_product(shoe["id"], price=3000)

    refused = complete(ready["id"])

    assert refused["statusCode"] == 409
    body = problem(refused)
    assert body["changed"] == [{"sku": "CO-1", "old_unit_price": 2500, "new_unit_price": 3000}]
    assert (body["old_total"], body["new_total"]) == (5500, 6500)
    updated = body_of(call("GET", f"/v1/checkouts/{ready['id']}"))
    assert (updated["items"][0]["unit_price"], updated["total"]) == (3000, 6500)
    assert _stock("CO-1") == (7, 0, 7)
    accepted = complete(ready["id"], key="after-seeing-it")
    assert accepted["statusCode"] == 201
    assert body_of(accepted)["order"]["total"] == 6500


def test_short_stock_is_a_409_naming_each_short_sku_and_reserves_nothing() -> None:
    product("CO-1", "CO-2", stock=5)
    ready = ready_checkout({"CO-1": 4, "CO-2": 2})
    assert inventory_calls.adjust("CO-1", -3)["statusCode"] == 200

    refused = complete(ready["id"])

    assert refused["statusCode"] == 409
    assert problem(refused)["short"] == [{"sku": "CO-1", "available": 2, "requested": 4}]
    assert (_stock("CO-1"), _stock("CO-2")) == ((2, 0, 2), (5, 0, 5))
    assert outbox_envelopes("order.created") == []


def test_an_expired_checkout_cannot_be_completed(monkeypatch: pytest.MonkeyPatch) -> None:
    product("CO-1")
    ready = ready_checkout({"CO-1": 1})
    later = clock.now() + 1801
    monkeypatch.setattr(clock, "now", lambda: later)
    refused = complete(ready["id"])
    assert refused["statusCode"] == 409
    assert problem(refused)["checkout_status"] == "expired"


def test_a_cart_changed_after_the_checkout_was_opened_is_a_409_and_nothing_is_reserved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product("CC-1", "CC-2", stock=9)
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    ready = ready_checkout({"CC-1": 1})
    monkeypatch.setattr(clock, "now", lambda: start + 5)
    fill_cart({"CC-2": 1})  # added after the checkout was opened: it would be lost with the emptied cart

    response = complete(ready["id"])

    assert response["statusCode"] == 409, response
    assert problem(response)["cart_changed"] is True
    assert (_stock("CC-1"), _stock("CC-2")) == ((9, 0, 9), (9, 0, 9))
    assert sorted(line["sku"] for line in cart_calls.cart()["items"]) == ["CC-1", "CC-2"]


def test_two_checkouts_of_one_cart_make_one_order(monkeypatch: pytest.MonkeyPatch) -> None:
    product("TWO-1", stock=9)
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    first = ready_checkout({"TWO-1": 2})
    second = open_checkout()  # a second tab: the same cart
    patched = patch(second["id"], {"shipping_address": US_ADDRESS, "shipping_method_id": "standard"})
    assert patched["statusCode"] == 200, patched
    monkeypatch.setattr(clock, "now", lambda: start + 5)

    assert complete(first["id"], key="tab-1")["statusCode"] == 201
    again = complete(second["id"], key="tab-2")

    assert again["statusCode"] == 409, again
    assert problem(again)["cart_changed"] is True
    assert _stock("TWO-1") == (9, 2, 7)  # reserved once


def test_a_card_payment_above_what_stripe_takes_is_refused_before_anything_is_reserved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cards = counting_card_payments(monkeypatch)
    product("BIG-1", stock=5, price=60_000_000)
    ready = ready_checkout({"BIG-1": 2})

    response = complete(ready["id"], method="card")

    assert response["statusCode"] == 422, response
    assert problem(response)["errors"][0]["loc"][-1] == "payment_method"
    assert cards.starts == []
    assert _stock("BIG-1") == (5, 0, 5)
    assert complete(ready["id"], key="key-2", method="manual")["statusCode"] == 201
