"""Checkout use cases before payment: open one from the cart, read it, change it, list its methods.

The user id always comes from the caller's principal and names the partition read, so
another user's checkout (or saved address) is simply not found: a 404. Every change reads
the checkout, computes the new state (shipping quoted again, totals derived) and writes it
conditioned on the revision read, still open and unexpired; a lost race is read again.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace

from storefront.data import addresses, carts, checkouts, users
from storefront.domain import clock
from storefront.domain.cart.pricing import price
from storefront.domain.checkout.entities import Checkout
from storefront.domain.checkout.pricing import lines_of, quotes_for, requoted
from storefront.domain.errors import Conflict, FieldError, NotFound, Unprocessable
from storefront.domain.orders.entities import PostalAddress
from storefront.domain.shipping.providers import ShippingQuote
from storefront.domain.users.entities import Address
from storefront.ids import new_ulid
from storefront.settings import get_settings

ATTEMPTS = 5
NO_CHECKOUT = "No such checkout."
NO_ADDRESS = "No such saved address."
BUSY = "The checkout changed concurrently too often; try again."
NO_SHIPPING_ADDRESS = "Set a shipping address first (PATCH shipping_address_id or shipping_address)."


@dataclass(frozen=True)
class CheckoutChanges:
    """A PATCH: each address as a saved address's id or inline (not both), and a method id."""

    shipping_address_id: str | None = None
    shipping_address: PostalAddress | None = None
    billing_address_id: str | None = None
    billing_address: PostalAddress | None = None
    shipping_method_id: str | None = None


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto


def postal(address: Address) -> PostalAddress:
    """A saved address copied into the checkout: later edits of the saved one do not change it."""
    return PostalAddress(
        name=address.name,
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        region=address.region,
        postal_code=address.postal_code,
        country=address.country,
        phone=address.phone,
    )


def _saved(user_id: str, address_id: str | None) -> PostalAddress | None:
    if address_id is None:
        return None
    address = addresses.get_address(user_id, address_id)
    return postal(address) if address is not None else None


def open_checkout(user_id: str) -> Checkout:
    """A checkout of the caller's cart priced now, with the default addresses filled in."""
    now = clock.now()
    # The customer's cart priced now (an absent or expired one is empty): read directly, not
    # through the cart's service, whose edits and abandonment checkout's cold start never needs.
    view = price(carts.read_cart(carts.user_owner(user_id), now))
    lines = lines_of(view)
    profile = users.get_profile(user_id)
    shipping_id = profile.default_shipping_address_id if profile is not None else None
    billing_id = profile.default_billing_address_id if profile is not None else None
    shipping = _saved(user_id, shipping_id)
    billing = shipping if billing_id is not None and billing_id == shipping_id else _saved(user_id, billing_id)
    checkout = Checkout(
        id=new_ulid(now * 1000),
        user_id=user_id,
        status="open",
        currency=view.currency or "",
        lines=lines,
        created_at=now,
        updated_at=now,
        valid_until=now + get_settings().checkout_ttl_seconds,
        shipping_address=shipping,
        billing_address=billing,
        cart_updated_at=view.updated_at,
    )
    checkouts.create_checkout(checkout)
    return checkout


def get_checkout(user_id: str, checkout_id: str) -> Checkout:
    checkout = checkouts.read_checkout(user_id, checkout_id)
    if checkout is None:
        raise NotFound(NO_CHECKOUT)
    return checkout


def refuse_unless_open(checkout: Checkout, now: int) -> None:
    status = checkout.status_at(now)
    if status == "completed":
        raise Conflict("This checkout is completed: it became an order.", order_id=checkout.order_id)
    if status == "expired":
        raise Conflict("This checkout has expired: open a new one from the cart.", checkout_status="expired")


def _check_changes(changes: CheckoutChanges) -> None:
    errors = []
    for kind in ("shipping", "billing"):
        if getattr(changes, f"{kind}_address_id") is not None and getattr(changes, f"{kind}_address") is not None:
            message = f"Send {kind}_address_id or {kind}_address, not both."
            errors.append(FieldError((f"{kind}_address",), message))
    if changes == CheckoutChanges():
        errors.append(FieldError(("shipping_address_id",), "Nothing to change: send at least one field."))
    if errors:
        raise Unprocessable("The request has invalid fields.", errors=errors)


def _resolve(user_id: str, changes: CheckoutChanges) -> tuple[PostalAddress | None, PostalAddress | None]:
    """The addresses the PATCH sets (None: unchanged); a saved address id that is not the caller's → 404."""
    resolved: list[PostalAddress | None] = []
    for kind in ("shipping", "billing"):
        address_id: str | None = getattr(changes, f"{kind}_address_id")
        inline: PostalAddress | None = getattr(changes, f"{kind}_address")
        if address_id is not None:
            saved = _saved(user_id, address_id)
            if saved is None:
                raise NotFound(NO_ADDRESS, field=f"{kind}_address_id")
            resolved.append(saved)
        else:
            resolved.append(inline)
    return resolved[0], resolved[1]


def change_checkout(user_id: str, checkout_id: str, changes: CheckoutChanges) -> Checkout:
    """Sets addresses and the method; shipping is quoted again each time. A new address drops a
    method it is no longer offered; a method not offered for the address is a 422."""
    _check_changes(changes)
    shipping, billing = _resolve(user_id, changes)
    for attempt in range(ATTEMPTS):
        now = clock.now()
        before = get_checkout(user_id, checkout_id)
        refuse_unless_open(before, now)
        draft = before.changed(
            now,
            shipping_address=shipping or before.shipping_address,
            billing_address=billing or before.billing_address,
            shipping_method=None,
        )
        if draft.shipping_address is None and changes.shipping_method_id is not None:
            raise Conflict(NO_SHIPPING_ADDRESS)
        kept = before.shipping_method.id if before.shipping_method is not None else None
        method = requoted(draft, changes.shipping_method_id or kept)
        if method is None and changes.shipping_method_id is not None:
            message = "This method is not offered for the shipping address, the items' weight and the currency."
            raise Unprocessable(
                "The shipping method is not offered.", errors=[FieldError(("shipping_method_id",), message)]
            )
        after = replace(draft, shipping_method=method)
        if checkouts.update_checkout(before, after, now):
            return replace(after, revision=before.revision + 1)
        _backoff(attempt)
    raise Conflict(BUSY)


def shipping_methods(user_id: str, checkout_id: str) -> list[ShippingQuote]:
    """The methods offered for the checkout's shipping address and items ([] when none)."""
    checkout = get_checkout(user_id, checkout_id)
    refuse_unless_open(checkout, clock.now())
    if checkout.shipping_address is None:
        raise Conflict(NO_SHIPPING_ADDRESS)
    return quotes_for(checkout, checkout.shipping_address)
