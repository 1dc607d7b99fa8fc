"""After a cart header is deleted: `cart.abandoned` for an idle cart that held lines, and stale-line cleanup.

The table's TTL deletes an expired header (the stream's REMOVE record then names the
DynamoDB service as its user identity). If the cart held lines, `cart.abandoned` is put in
the outbox keyed by the cart's generation id, so a redelivered record emits it once. Any
header deletion (TTL, an emptied cart, a merged guest cart) then has the lines no header
counts any more deleted. A customer's cart that expired and starts again before the TTL
deleted it (the header is rewritten in place) emits its event when it restarts.
"""

from __future__ import annotations

from storefront.data.cart_expiry import RemovedCart, delete_stale_lines, put_event_once
from storefront.domain import clock
from storefront.domain.cart.entities import CartHeader
from storefront.events.base import rfc3339
from storefront.events.cart import CartAbandoned
from storefront.observability import module_logger

_logger = module_logger()


def _emit(cart: RemovedCart) -> bool:
    event = CartAbandoned(
        cart_id=cart.cart_id,
        guest=cart.user_id is None,
        user_id=cart.user_id,
        skus=cart.skus,
        currency=cart.currency,
        last_updated_at=rfc3339(cart.updated_at),
        expired_at=rfc3339(cart.expires_at),
    )
    return put_event_once(event, cart.cart_id, clock.now())


def header_removed(cart: RemovedCart, *, expired: bool) -> bool:
    """Handles one removed header; True when it emitted `cart.abandoned` now."""
    emitted = _emit(cart) if expired and cart.skus else False
    deleted = delete_stale_lines(cart.owner)
    _logger.info("cart header removed", extra={"expired": expired, "abandoned": emitted, "stale_lines": deleted})
    return emitted


def expired_before_restart(owner: str, user_id: str | None, header: CartHeader) -> None:
    """A customer's cart that expired but was not yet deleted by the TTL is about to start again in place.

    Its header will be rewritten, never deleted, so no stream REMOVE will tell of this
    generation: its `cart.abandoned` is put now (keyed by its generation id, so a TTL
    deletion that raced ahead, or a retried request, still emits it once).
    """
    if header.skus:
        removed = RemovedCart(
            owner, user_id, header.cart_id, sorted(header.skus), header.currency, header.updated_at, header.expires_at
        )
        _emit(removed)
