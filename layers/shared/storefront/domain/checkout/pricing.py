"""Pricing a checkout from the cart and the catalog, and quoting its shipping (no HTTP, no writes).

Lines come from the cart priced now (the cart's own read, domain/cart/pricing.py): only
lines that can be bought now become checkout lines, so a cart with an unavailable,
sold-out or short line is refused whole, naming the lines to fix, rather than silently
checking out less than the customer sees. Shipping is quoted through the provider port
for the shipping address, the items' total weight (unknown weights count as 0 g), the
subtotal and the currency, every time a total is shown or charged.
"""

from __future__ import annotations

from storefront.domain.cart.entities import CartView
from storefront.domain.checkout.entities import Checkout, CheckoutLine
from storefront.domain.errors import Conflict
from storefront.domain.orders.entities import ChosenShipping, PostalAddress
from storefront.domain.shipping.providers import Destination, Parcel, ShippingQuote, shipping_provider

EMPTY_CART = "The cart is empty: add items before checking out."


def lines_of(view: CartView) -> tuple[CheckoutLine, ...]:
    """The cart's lines as checkout lines; refuses an empty cart or any line not buyable now."""
    if not view.lines or view.currency is None:
        raise Conflict(EMPTY_CART)
    unfit = [line for line in view.lines if line.status != "ok" or line.unit_price is None]
    if unfit:
        raise Conflict(
            "Some cart lines cannot be bought now: fix them in the cart (lower the quantity or remove "
            "the line), then open the checkout again.",
            lines=[
                {"sku": line.sku, "status": line.status, "quantity": line.quantity, "available": line.available}
                for line in unfit
            ],
        )
    # A cart holds one line per SKU (its lines are keyed by SKU): merged already.
    return tuple(
        CheckoutLine(
            sku=line.sku,
            product_id=line.product_id,
            name=line.name,
            options=dict(line.options),
            quantity=line.quantity,
            unit_price=line.unit_price or 0,
            weight_grams=line.weight_grams,
        )
        for line in view.lines
    )


def quotes_for(checkout: Checkout, address: PostalAddress) -> list[ShippingQuote]:
    """The methods the shipping provider offers this checkout's items to `address`."""
    destination = Destination(address.country, address.region, address.postal_code)
    parcel = Parcel(weight_grams=checkout.weight_grams, subtotal=checkout.subtotal, currency=checkout.currency)
    return shipping_provider().quote(destination, parcel)


def chosen(quote: ShippingQuote) -> ChosenShipping:
    return ChosenShipping(
        id=quote.id,
        name=quote.name,
        carrier=quote.carrier,
        amount=quote.amount,
        estimated_days_min=quote.estimated_days_min,
        estimated_days_max=quote.estimated_days_max,
    )


def requoted(checkout: Checkout, method_id: str | None) -> ChosenShipping | None:
    """The method `method_id` as quoted now for the checkout's address, items and currency;
    None when there is no method, no address, or the method is no longer offered."""
    if method_id is None or checkout.shipping_address is None:
        return None
    quote = next((q for q in quotes_for(checkout, checkout.shipping_address) if q.id == method_id), None)
    return chosen(quote) if quote is not None else None
