"""Order expiry, every minute: unpaid orders past their payment deadline are cancelled.

Their reserved stock goes back in the same transaction; a card order's PaymentIntent is
asked for first, so a payment whose webhook was lost pays the order instead
(storefront/domain/orders/expiry.py). `stripe` is imported only when a card order is due.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storefront.domain import clock
from storefront.domain.orders.expiry import MAX_SECONDS_PER_RUN, expire_due_orders
from storefront.observability import function_logger
from storefront.payments import PaymentProvider, payment_provider

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = function_logger()
_MARGIN_S = 10.0  # left of the timeout for the order in flight when the budget runs out


def _card_provider() -> PaymentProvider:
    return payment_provider("card")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    budget = min(MAX_SECONDS_PER_RUN, context.get_remaining_time_in_millis() / 1000 - _MARGIN_S)
    run = expire_due_orders(clock.now(), _card_provider, max_seconds=max(budget, 1.0))
    return {"cancelled": run.cancelled, "paid": run.paid, "left": run.left}
