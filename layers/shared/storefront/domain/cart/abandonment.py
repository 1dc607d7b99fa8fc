"""After a cart header is deleted: `cart.abandoned` for an idle cart that held lines, and stale-line cleanup.

The table's TTL deletes an expired header (the stream's REMOVE record then names the
DynamoDB service as its user identity). If the cart held lines, `cart.abandoned` is put in
the outbox keyed by the cart's generation id, so a redelivered record emits it once. Any
header deletion (TTL, an emptied cart, a merged guest cart) then has the lines no header
counts any more deleted.
"""

from __future__ import annotations

from storefront.data.cart_expiry import RemovedCart, delete_stale_lines, put_event_once
from storefront.domain import clock
from storefront.events.base import rfc3339
from storefront.events.cart import CartAbandoned
from storefront.observability import module_logger

_logger = module_logger()


def header_removed(cart: RemovedCart, *, expired: bool) -> bool:
    """Handles one removed header; True when it emitted `cart.abandoned` now."""
    emitted = False
    if expired and cart.skus:
        event = CartAbandoned(
            cart_id=cart.cart_id,
            guest=cart.user_id is None,
            user_id=cart.user_id,
            skus=cart.skus,
            currency=cart.currency,
            last_updated_at=rfc3339(cart.updated_at),
            expired_at=rfc3339(cart.expires_at),
        )
        emitted = put_event_once(event, cart.cart_id, clock.now())
    deleted = delete_stale_lines(cart.owner)
    _logger.info("cart header removed", extra={"expired": expired, "abandoned": emitted, "stale_lines": deleted})
    return emitted
