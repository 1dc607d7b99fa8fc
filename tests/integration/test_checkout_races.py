"""Completions racing: one key sent ten times at once, and twenty buyers for five units.

The racing calls go to the completion use case itself, not through the HTTP handler:
Powertools keeps the resolver's current event on a class attribute (BaseRouter), shared by
every resolver in a process, so threads in one process cannot stand for concurrent Lambda
environments at the HTTP layer (each environment is its own process). The answers to
the losers are checked as problems the handler would send.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import pytest

from storefront.data import keys
from storefront.data.inventory import StockItem
from storefront.domain.checkout.completion import Completion
from storefront.domain.checkout.completion import complete as complete_checkout
from storefront.domain.checkout.idempotency import CompletionInProgress, track_remaining_time
from storefront.domain.errors import Conflict, DomainError
from tests.aws_fixtures import DYNAMODB_LOCAL, MOTO, serializable_moto_writes
from tests.integration.checkout_calls import (
    ANN,
    body_of,
    complete,
    counting_card_payments,
    outbox_envelopes,
    product,
    ready_checkout,
)
from tests.support import FakeContext

Outcome = Completion | DomainError


def _attempt(user_id: str, checkout_id: str, key: str, method: str) -> Outcome:
    track_remaining_time(FakeContext())  # as the handler does with its Lambda context
    try:
        return complete_checkout(user_id, checkout_id, key, method)  # type: ignore[arg-type]
    except DomainError as error:
        return error


def test_the_same_key_sent_ten_times_at_once_makes_one_order_and_one_payment_intent(
    aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cards = counting_card_payments(monkeypatch)
    product("RACE-1")
    ready = ready_checkout({"RACE-1": 2})

    with serializable_moto_writes() if aws == MOTO else nullcontext(), ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(lambda _: _attempt(ANN[0], ready["id"], "one-key", "card"), range(10)))

    done = [outcome for outcome in outcomes if isinstance(outcome, Completion)]
    waiting = [outcome for outcome in outcomes if isinstance(outcome, CompletionInProgress)]
    assert done
    assert len(done) + len(waiting) == 10, outcomes  # the rest: 409, retry after 1 s
    assert all(outcome.status == 409 and outcome.retry_after == 1 for outcome in waiting)
    assert all(outcome == done[0] for outcome in done)
    assert cards.starts == [ready["id"]]
    assert len(outbox_envelopes("order.created")) == 1
    item = StockItem.get(*keys.stock("RACE-1"), consistent_read=True)
    assert (int(item.reserved), int(item.available)) == (2, 5)
    again = complete(ready["id"], "one-key", "card")
    assert again["statusCode"] == 201
    assert body_of(again)["order"]["payment"]["payment_intent_id"] == done[0].payment.payment_intent_id


# moto's transactions are not isolated under concurrency: only DynamoDB Local proves this.
@pytest.mark.parametrize("aws", [DYNAMODB_LOCAL], indirect=True)
def test_twenty_buyers_for_five_units_make_exactly_five_orders_and_fifteen_short_409s(aws: str) -> None:
    product("RACE-1", stock=5)
    buyers = [(f"01JDQ7Z8X9K2M3N4P5Q6BUYR{n:02d}", "customer") for n in range(20)]
    checkouts = [ready_checkout({"RACE-1": 1}, buyer)["id"] for buyer in buyers]

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(
            pool.map(
                lambda pair: _attempt(pair[0][0], pair[1], f"key-{pair[1]}", "manual"),
                zip(buyers, checkouts, strict=True),
            )
        )

    orders = [outcome for outcome in outcomes if isinstance(outcome, Completion)]
    refused = [outcome for outcome in outcomes if not isinstance(outcome, Completion)]
    assert (len(orders), len(refused)) == (5, 15), outcomes
    for error in refused:
        assert isinstance(error, Conflict), error
        assert error.extra["short"] == [{"sku": "RACE-1", "available": 0, "requested": 1}]
    item = StockItem.get(*keys.stock("RACE-1"), consistent_read=True)
    assert (int(item.on_hand), int(item.reserved), int(item.available)) == (5, 5, 0)
    assert len(outbox_envelopes("order.created")) == 5
