"""Orders after payment over HTTP against the local runtime and localstripe (issue 13's e2e tests).

A card order paid through the webhook is moved by staff to processing, shipped (with a UPS
tracking URL) and delivered, refunded in part then in full, its history naming who made each
change; every move the state table lacks is a 409 naming where the order can go; two managers
racing one move get one 200 and one 409; customers never reach another's order nor move or
refund their own; the buyer's purchase history counts paid orders net of refunds.
"""

from __future__ import annotations

import time
import uuid
from functools import partial
from typing import Any

import pytest
import requests

from tests.e2e.local_api import LocalApi
from tests.e2e.orders_support import all_at_once, complete, paid_card_order, product, ready_checkout
from tests.e2e.test_catalog_flow import call, created, unique

pytestmark = pytest.mark.e2e

STATUSES = ("pending_payment", "paid", "processing", "shipped", "delivered", "cancelled", "refunded")
# The contract's state table: where an order in each state may go (`refunded` by an admin's refund only).
ALLOWED: dict[str, set[str]] = {
    "pending_payment": {"paid", "cancelled"},
    "paid": {"processing", "cancelled", "refunded"},
    "processing": {"shipped", "cancelled", "refunded"},
    "shipped": {"delivered", "refunded"},
    "delivered": {"refunded"},
    "cancelled": set(),
    "refunded": set(),
}
PARCEL = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}


def _me(api: LocalApi, token: str) -> dict[str, Any]:
    me = call(api, "GET", "/v1/users/me", token)
    assert me.status_code == 200, me.text
    return dict(me.json())


def _order(api: LocalApi, token: str, order_id: str) -> dict[str, Any]:
    order = call(api, "GET", f"/v1/orders/{order_id}", token)
    assert order.status_code == 200, order.text
    return dict(order.json())


def _move(api: LocalApi, token: str, order_id: str, to: str) -> requests.Response:
    body = {"to": to, **PARCEL} if to == "shipped" else {"to": to}
    return call(api, "POST", f"/v1/orders/{order_id}/transitions", token, body)


def _moved(api: LocalApi, token: str, order_id: str, to: str) -> dict[str, Any]:
    moved = _move(api, token, order_id, to)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == to
    return dict(moved.json())


def _refund(api: LocalApi, token: str, order_id: str, **body: Any) -> requests.Response:
    return call(api, "POST", f"/v1/orders/{order_id}/refunds", token, {"reason": "returned", **body})


def _manual_order(api: LocalApi, shopper: str, sku: str, quantity: int) -> dict[str, Any]:
    """An order the shopper will pay by bank transfer: `pending_payment` until staff record the payment."""
    checkout = ready_checkout(api, shopper, sku, quantity)
    completed = complete(api, shopper, checkout["id"], str(uuid.uuid4()), payment_method="manual")
    assert completed.status_code == 201, completed.text
    return dict(completed.json()["order"])


def _new_manager(api: LocalApi, admin: str) -> str:
    """The access token of a new account an admin made a manager (signed in after the promotion)."""
    email = f"{unique('manager')}@example.com"
    body = {"email": email, "password": "manager-password", "name": "Mo Manager"}
    user_id = created(call(api, "POST", "/v1/auth/register", body=body))["user"]["id"]
    promoted = call(api, "PATCH", f"/v1/users/{user_id}", admin, {"role": "manager"})
    assert promoted.status_code == 200, promoted.text
    signed_in = call(api, "POST", "/v1/auth/login", body={"email": email, "password": "manager-password"})
    assert signed_in.status_code == 200, signed_in.text
    return str(signed_in.json()["access_token"])


def _shopper(api: LocalApi, name: str) -> tuple[str, str]:
    """A new customer's access token and user id."""
    body = {"email": f"{unique(name)}@example.com", "password": "customer-password", "name": name}
    signed_up = created(call(api, "POST", "/v1/auth/register", body=body))
    return str(signed_up["access_token"]), str(signed_up["user"]["id"])


def test_a_card_order_is_processed_shipped_delivered_then_refunded_in_part_and_in_full_with_its_history(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=5)
    shopper, shopper_id = _shopper(local_api, "Journey")
    admin_id = _me(local_api, manager)["id"]
    order = paid_card_order(local_api, shopper, sku, 2)
    order_id, total = order["id"], order["total"]

    _moved(local_api, manager, order_id, "processing")
    shipped = _moved(local_api, manager, order_id, "shipped")
    _moved(local_api, manager, order_id, "delivered")
    part = _refund(local_api, manager, order_id, amount=1000, reason="one sleeve torn")
    rest = _refund(local_api, manager, order_id)

    assert shipped["tracking"] == {
        "carrier": "UPS",
        "number": PARCEL["tracking_number"],
        "url": f"https://www.ups.com/track?tracknum={PARCEL['tracking_number']}",
    }
    assert part.status_code == 201, part.text
    assert (part.json()["status"], part.json()["refunded_total"]) == ("delivered", 1000)
    assert part.json()["payment"]["status"] == "partially_refunded"
    assert rest.status_code == 201, rest.text
    assert (rest.json()["status"], rest.json()["refunded_total"]) == ("refunded", total)
    assert rest.json()["payment"]["status"] == "refunded"
    seen = _order(local_api, shopper, order_id)
    assert seen["tracking"] == shipped["tracking"]
    assert [(entry["status"], entry["by"]) for entry in seen["history"]] == [
        ("pending_payment", shopper_id),
        ("paid", "stripe"),
        ("processing", admin_id),
        ("shipped", admin_id),
        ("delivered", admin_id),
        ("refunded", admin_id),
    ]
    moments = [entry["at"] for entry in seen["history"]]
    assert moments == sorted(moments)
    assert [(refund["amount"], refund["by"]) for refund in seen["refunds"]] == [
        (1000, admin_id),
        (total - 1000, admin_id),
    ]


def _assert_every_forbidden_move_is_refused(api: LocalApi, manager: str, order_id: str, status: str) -> None:
    """Each target the table lacks from `status` (and `refunded`, reached only by refunds) → 409."""
    forbidden = [to for to in STATUSES if to not in ALLOWED[status] or to == "refunded"]
    for to in forbidden:
        refused = _move(api, manager, order_id, to)
        assert refused.status_code == 409, (status, to, refused.text)
        assert refused.headers["Content-Type"] == "application/problem+json"
        problem = refused.json()
        assert (problem["current_status"], set(problem["allowed"])) == (status, ALLOWED[status]), (to, problem)
    if status in ("pending_payment", "cancelled", "refunded"):
        refund = _refund(api, manager, order_id)
        assert (refund.status_code, refund.json()["current_status"]) == (409, status), refund.text
    assert _order(api, manager, order_id)["status"] == status  # nothing refused wrote anything


def test_every_move_the_state_table_lacks_is_a_409_naming_the_current_status_and_the_allowed_targets(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=5)
    shopper, _ = _shopper(local_api, "Forbidden")
    walked = _manual_order(local_api, shopper, sku, 1)["id"]
    abandoned = _manual_order(local_api, shopper, sku, 1)["id"]

    _assert_every_forbidden_move_is_refused(local_api, manager, walked, "pending_payment")
    for status in ("paid", "processing", "shipped", "delivered"):
        _moved(local_api, manager, walked, status)
        _assert_every_forbidden_move_is_refused(local_api, manager, walked, status)
    assert _refund(local_api, manager, walked).status_code == 201
    _assert_every_forbidden_move_is_refused(local_api, manager, walked, "refunded")
    assert call(local_api, "POST", f"/v1/orders/{abandoned}/cancel", shopper).status_code == 200
    _assert_every_forbidden_move_is_refused(local_api, manager, abandoned, "cancelled")

    history = [entry["status"] for entry in _order(local_api, shopper, walked)["history"]]
    assert history == ["pending_payment", "paid", "processing", "shipped", "delivered", "refunded"]


def test_two_managers_racing_the_same_move_get_one_200_and_one_409(local_api: LocalApi, manager: str) -> None:
    sku = product(local_api, manager, stock=5)
    shopper, _ = _shopper(local_api, "Raced")
    order_id = _manual_order(local_api, shopper, sku, 1)["id"]
    _moved(local_api, manager, order_id, "paid")
    managers = [_new_manager(local_api, manager), _new_manager(local_api, manager)]

    answers = all_at_once([partial(_move, local_api, token, order_id, "processing") for token in managers])

    assert sorted(answer.status_code for answer in answers) == [200, 409], [answer.text for answer in answers]
    [lost] = [answer.json() for answer in answers if answer.status_code == 409]
    assert (lost["current_status"], set(lost["allowed"])) == ("processing", ALLOWED["processing"])
    history = [entry["status"] for entry in _order(local_api, shopper, order_id)["history"]]
    assert history == ["pending_payment", "paid", "processing"]  # moved once


def test_a_customer_never_reaches_another_customers_order_and_cannot_move_or_refund_their_own(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=5)
    owner, _ = _shopper(local_api, "Owner")
    other, _ = _shopper(local_api, "Other")
    order_id = _manual_order(local_api, owner, sku, 1)["id"]
    _moved(local_api, manager, order_id, "paid")
    path = f"/v1/orders/{order_id}"

    read = call(local_api, "GET", path, other)
    cancel = call(local_api, "POST", f"{path}/cancel", other)
    moved = call(local_api, "POST", f"{path}/transitions", owner, {"to": "processing"})
    refund = call(local_api, "POST", f"{path}/refunds", owner, {"reason": "changed my mind"})

    assert (read.status_code, cancel.status_code) == (404, 404), (read.text, cancel.text)
    assert (moved.status_code, refund.status_code) == (403, 403), (moved.text, refund.text)
    unknown = call(local_api, "GET", f"/v1/orders/{uuid.uuid4()}", other)
    assert read.json()["detail"] == unknown.json()["detail"]  # another's order looks like no order
    order = _order(local_api, owner, order_id)
    assert (order["status"], order["refunded_total"], len(order["history"])) == ("paid", 0, 2)
    assert call(local_api, "GET", "/v1/orders", other).json()["items"] == []


def test_the_buyers_account_counts_two_paid_orders_and_its_total_spent_is_net_of_a_refund(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=5)
    shopper, _ = _shopper(local_api, "Spender")
    before = _me(local_api, shopper)
    card = paid_card_order(local_api, shopper, sku, 1)
    transfer = _moved(local_api, manager, _manual_order(local_api, shopper, sku, 2)["id"], "paid")

    refunded = _refund(local_api, manager, card["id"], amount=700, reason="late delivery")

    assert refunded.status_code == 201, refunded.text
    assert (before["order_count"], before["total_spent"], before["last_order_at"]) == (0, {}, None)
    after = _me(local_api, shopper)
    assert after["order_count"] == 2
    assert after["total_spent"] == {"USD": card["total"] + transfer["total"] - 700}
    assert after["last_order_at"] == transfer["history"][-1]["at"]  # when the last order was paid


def test_staff_list_every_order_newest_first_and_a_refund_resent_with_its_key_refunds_once(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=5)
    (first_buyer, _), (second_buyer, _) = _shopper(local_api, "First"), _shopper(local_api, "Second")
    older = _manual_order(local_api, first_buyer, sku, 1)
    # An order's id is its checkout's, a ULID of whole seconds: orders of one second have no order.
    time.sleep(1.1)
    newer = paid_card_order(local_api, second_buyer, sku, 1)

    listed = call(local_api, "GET", "/v1/orders?limit=100", manager)
    assert listed.status_code == 200, listed.text
    ids = [order["id"] for order in listed.json()["items"]]
    assert {newer["id"], older["id"]} <= set(ids), ids  # both customers', whatever their status
    assert ids.index(newer["id"]) < ids.index(older["id"])

    key = {"Idempotency-Key": str(uuid.uuid4())}
    path = f"/v1/orders/{newer['id']}/refunds"
    sent = call(local_api, "POST", path, manager, {"amount": 300, "reason": "scratched"}, **key)
    resent = call(local_api, "POST", path, manager, {"amount": 300, "reason": "scratched"}, **key)
    reused = call(local_api, "POST", path, manager, {"amount": 400, "reason": "scratched"}, **key)

    assert (sent.status_code, resent.status_code, reused.status_code) == (201, 201, 422), reused.text
    assert resent.json()["refunds"] == sent.json()["refunds"]
    assert _order(local_api, second_buyer, newer["id"])["refunded_total"] == 300
