"""Merging a guest cart into the signed-in customer's cart (POST /v1/cart/merge).

Same SKU in both: quantities are summed and capped at min(99, available now); a SKU with
none available is left out. Both cases are listed in `capped`. The merge and the guest
cart's deletion are one transaction conditioned on what was read, so a token merges once:
a repeated or concurrent merge of it finds no guest cart (404) and changes nothing.
"""

from __future__ import annotations

from storefront.data import carts
from storefront.data.cart_merge import CartMergePlan, MergedLine, merge_carts
from storefront.data.product_cards import shopping_view
from storefront.domain import clock
from storefront.domain.cart.abandonment import expired_before_restart
from storefront.domain.cart.entities import MAX_LINES, MAX_QUANTITY, USER_IDLE_S, CartLine, CartView, StoredCart
from storefront.domain.cart.pricing import price
from storefront.domain.cart.service import ATTEMPTS, BUSY, NO_GUEST_CART, _backoff, customer_cart, guest_cart
from storefront.domain.errors import Conflict, NotFound, Unprocessable
from storefront.ids import new_ulid


def _currency(guest: StoredCart, user: StoredCart) -> str | None:
    guest_currency = guest.header.currency if guest.header is not None and guest.lines else None
    user_currency = user.header.currency if user.header is not None and user.lines else None
    if guest_currency and user_currency and guest_currency != user_currency:
        raise Unprocessable(
            f"The guest cart holds {guest_currency} products and your cart {user_currency} ones: a cart holds one "
            "currency.",
            cart_currency=user_currency,
            guest_cart_currency=guest_currency,
        )
    return user_currency or guest_currency


def _merged_lines(
    guest: StoredCart, user: StoredCart, stored: dict[str, CartLine]
) -> tuple[list[MergedLine], list[str]]:
    available = shopping_view((), guest.lines).available
    lines: list[MergedLine] = []
    capped: list[str] = []
    for sku, line in sorted(guest.lines.items()):
        mine = user.lines.get(sku)
        had = mine.quantity if mine is not None else 0
        wanted = had + line.quantity
        limit = min(MAX_QUANTITY, available.get(sku, 0))
        total = max(had, min(wanted, limit))  # never lowers what the customer had
        if total < wanted:
            capped.append(sku)
        if total == had:
            continue
        stale = stored.get(sku)
        lines.append(
            MergedLine(
                sku=sku,
                product_id=line.product_id,
                quantity=total,
                read_quantity=had if mine is not None else None,
                stored_cart_id=stale.cart_id if stale is not None else None,
            )
        )
    return lines, capped


def merge(user_id: str, token: str) -> CartView:
    guest_ref, user_ref = guest_cart(token), customer_cart(user_id)
    for attempt in range(ATTEMPTS):
        now = clock.now()
        guest = carts.read_cart(guest_ref.owner, now)
        if guest.header is None:
            raise NotFound(NO_GUEST_CART)
        user_header, user_lines = carts.read_partition(user_ref.owner)
        user = carts.live_cart(user_header, user_lines, now)
        if user.header is None and user_header is not None:  # expired, not yet deleted: restarts in place
            expired_before_restart(user_ref.owner, user_id, user_header)
        currency = _currency(guest, user)
        lines, capped = _merged_lines(guest, user, {line.sku: line for line in user_lines})
        read_skus = user.header.skus if user.header is not None else frozenset()
        new_skus = frozenset(line.sku for line in lines) - read_skus
        if len(read_skus) + len(new_skus) > MAX_LINES:
            raise Conflict(f"The merged cart would hold more than {MAX_LINES} lines.", max_lines=MAX_LINES)
        plan = CartMergePlan(
            user_owner=user_ref.owner,
            guest_owner=guest_ref.owner,
            guest_cart_id=guest.header.cart_id,
            live_cart_id=user.header.cart_id if user.header is not None else None,
            previous_cart_id=user_header.cart_id if user_header is not None else None,
            new_cart_id=new_ulid(now * 1000),
            read_skus=len(read_skus),
            new_skus=new_skus,
            currency=currency,
            lines=lines,
            now=now,
            expires_at=now + USER_IDLE_S,
        )
        if merge_carts(plan):
            return price(carts.read_cart(user_ref.owner, now), capped)
        _backoff(attempt)
    raise Conflict(BUSY)
