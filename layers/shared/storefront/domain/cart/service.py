"""Cart use cases: read, add, set, remove, clear, for a customer's cart and a guest cart alike.

A customer's cart starts with its first add; a guest cart exists only once created
(`start_guest_cart`) and is named by the hash of its token: an absent or expired guest
cart is a 404 on every guest route. Every change reads the header, the line and the SKU's
stock in one request and writes one transaction conditioned on what it read; a lost race
is retried from the read a bounded number of times.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from dataclasses import dataclass

from storefront.data import cart_edits, carts
from storefront.data.cart_edits import CartDeletion
from storefront.data.carts import AddOutcome, LineAdd
from storefront.domain import clock
from storefront.domain.cart.abandonment import expired_before_restart
from storefront.domain.cart.entities import (
    GUEST_IDLE_S,
    MAX_GUEST_LINES,
    MAX_LINES,
    MAX_QUANTITY,
    USER_IDLE_S,
    CartView,
    LineSnapshot,
)
from storefront.domain.cart.pricing import price
from storefront.domain.errors import Conflict, NotFound, Unprocessable
from storefront.ids import new_ulid

ATTEMPTS = 10
NO_GUEST_CART = "No guest cart for this Cart-Token (missing, unknown or expired)."
NO_SKU = "No product variant has this SKU."
NOT_IN_CART = "This SKU is not in the cart."
BUSY = "The cart changed concurrently too often; try again."


@dataclass(frozen=True)
class CartRef:
    """Which cart a request names, and the rules of its kind."""

    owner: str
    guest: bool
    user_id: str | None = None  # None for a guest cart

    @property
    def idle_s(self) -> int:
        return GUEST_IDLE_S if self.guest else USER_IDLE_S

    @property
    def max_lines(self) -> int:
        return MAX_GUEST_LINES if self.guest else MAX_LINES


def customer_cart(user_id: str) -> CartRef:
    return CartRef(carts.user_owner(user_id), guest=False, user_id=user_id)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def guest_cart(token: str | None) -> CartRef:
    """The guest cart a Cart-Token names (a missing token names none: 404)."""
    if not token:
        raise NotFound(NO_GUEST_CART)
    return CartRef(carts.guest_owner(token_hash(token)), guest=True)


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto


def view(cart: CartRef) -> CartView:
    """The cart priced now; an absent or expired customer cart is empty, a guest one a 404."""
    stored = carts.read_cart(cart.owner, clock.now())
    if cart.guest and stored.header is None:
        raise NotFound(NO_GUEST_CART)
    return price(stored)


def start_guest_cart() -> tuple[str, int]:
    """A new guest cart: its token (256 random bits, returned once, stored only as a hash) and expiry."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    expires_at = now + GUEST_IDLE_S
    cart_edits.start_guest_cart(carts.guest_owner(token_hash(token)), new_ulid(now * 1000), now, expires_at)
    return token, expires_at


def _product_currency(product_id: str, currency: str | None) -> str:
    """The product's currency; raises why it cannot go into a cart in `currency` (None: any)."""
    terms = carts.product_terms(product_id)
    if terms is None:
        raise NotFound(NO_SKU)
    status, product_currency = terms
    if status != "active":
        raise Unprocessable(f"This product is {status}: it cannot be added to a cart.", product_status=status)
    if currency is not None and product_currency != currency:
        raise Unprocessable(
            f"This product is sold in {product_currency}; the cart holds {currency} products only.",
            cart_currency=currency,
            product_currency=product_currency,
        )
    return product_currency


def _snapshot(cart: CartRef, sku: str, now: int) -> LineSnapshot:
    snapshot = carts.read_line_snapshot(cart.owner, sku)
    if cart.guest and snapshot.live_header(now) is None:
        raise NotFound(NO_GUEST_CART)
    return snapshot


def _too_many(sku: str, wanted: int, available: int, in_cart: int) -> Conflict:
    limit = min(MAX_QUANTITY, available)
    return Conflict(
        f"The line of {sku} may hold at most {limit} units (available now: {available}, at most "
        f"{MAX_QUANTITY} per line); {wanted} were asked for.",
        available=available,
        in_cart=in_cart,
    )


def _plan(cart: CartRef, sku: str, quantity: int, snapshot: LineSnapshot, now: int) -> LineAdd:
    stock = snapshot.stock
    if stock is None:
        raise NotFound(NO_SKU)
    header, line = snapshot.live_header(now), snapshot.live_line(now)
    in_cart = line.quantity if line is not None else 0
    limit = min(MAX_QUANTITY, stock.available)
    if in_cart + quantity > limit:
        _product_currency(stock.product_id, None)  # an inactive product is a 422 before a stock 409
        raise _too_many(sku, in_cart + quantity, stock.available, in_cart)
    if header is not None and sku not in header.skus and len(header.skus) >= cart.max_lines:
        raise Conflict(f"A cart holds at most {cart.max_lines} lines.", max_lines=cart.max_lines)
    if header is None and snapshot.header is not None:  # expired, not yet deleted: restarts in place
        expired_before_restart(cart.owner, cart.user_id, snapshot.header)
    currency = header.currency if header is not None and header.skus else None
    if currency is None:  # the cart's first line sets its currency
        currency = _product_currency(stock.product_id, None)
    return LineAdd(
        owner=cart.owner,
        sku=sku,
        product_id=stock.product_id,
        quantity=quantity,
        currency=currency,
        limit=limit,
        max_lines=cart.max_lines,
        live_cart_id=header.cart_id if header is not None else None,
        new_cart_id=new_ulid(now * 1000),
        previous_cart_id=snapshot.header.cart_id if snapshot.header is not None else None,
        line_live=line is not None,
        line_cart_id=snapshot.line.cart_id if snapshot.line is not None else None,
        now=now,
        expires_at=now + cart.idle_s,
    )


def add(cart: CartRef, sku: str, quantity: int) -> None:
    """Adds units of a SKU; a customer's first add starts their cart. Two adds at once sum exactly."""
    for attempt in range(ATTEMPTS):
        now = clock.now()
        plan = _plan(cart, sku, quantity, _snapshot(cart, sku, now), now)
        outcome = carts.add_line(plan)
        if outcome is AddOutcome.DONE:
            return
        if outcome is AddOutcome.PRODUCT_REFUSED:
            _product_currency(plan.product_id, plan.currency)
        elif outcome is AddOutcome.NOT_A_VARIANT:
            raise NotFound(NO_SKU)
        _backoff(attempt)
    raise Conflict(BUSY)


def set_quantity(cart: CartRef, sku: str, quantity: int) -> None:
    """Sets a line's quantity (0 removes it); more than available is a 409 with `available`, and
    raising the line of a product no longer active, or now sold in another currency than the
    cart's, is a 422 like adding it."""
    if quantity == 0:
        remove(cart, sku)
        return
    for attempt in range(ATTEMPTS):
        now = clock.now()
        snapshot = _snapshot(cart, sku, now)
        header, line = snapshot.live_header(now), snapshot.live_line(now)
        if header is None or line is None:
            raise NotFound(NOT_IN_CART)
        available = snapshot.stock.available if snapshot.stock is not None else 0
        if quantity > available:
            raise _too_many(sku, quantity, available, line.quantity)
        # Fewer units of a product no longer sold (inactive, or now in another currency than the
        # cart's) are fine; more are refused like an add.
        on_sale = (line.product_id, header.currency) if quantity > line.quantity and header.currency else None
        if cart_edits.set_line_quantity(
            cart.owner, header.cart_id, sku, quantity, now, now + cart.idle_s, on_sale=on_sale
        ):
            return
        if on_sale is not None:
            _product_currency(*on_sale)  # inactive or another currency: a 422 (a deleted product: a 404)
        _backoff(attempt)
    raise Conflict(BUSY)


def remove(cart: CartRef, sku: str) -> None:
    for attempt in range(ATTEMPTS):
        now = clock.now()
        snapshot = _snapshot(cart, sku, now)
        header, line = snapshot.live_header(now), snapshot.live_line(now)
        if header is None or line is None:
            raise NotFound(NOT_IN_CART)
        if cart_edits.remove_line(cart.owner, header.cart_id, sku, now, now + cart.idle_s):
            return
        _backoff(attempt)
    raise Conflict(BUSY)


def clear(cart: CartRef) -> None:
    """Deletes the cart (header and lines); a customer's absent cart is fine, a guest's is a 404.
    A deletion a concurrent write cancelled is retried: a 204 always means the cart is gone."""
    for attempt in range(ATTEMPTS):
        outcome = cart_edits.delete_cart(cart.owner, clock.now())
        if outcome is CartDeletion.ABSENT and cart.guest:
            raise NotFound(NO_GUEST_CART)
        if outcome is not CartDeletion.CANCELLED:
            return
        _backoff(attempt)
    raise Conflict(BUSY)
