"""A stored cart priced now: current prices, availability and flags, in one batch read.

Lines whose product is gone, no longer active, no longer has the SKU, or is now sold in
another currency than the cart's are `unavailable`; lines with less stock than their
quantity are `insufficient_stock` (or `sold_out` at 0). They stay in the cart, shown, and
are left out of the subtotal: the subtotal is what can be bought now.
"""

from __future__ import annotations

from storefront.data.product_cards import shopping_view
from storefront.domain.cart.entities import CartLine, CartView, PricedLine, StoredCart
from storefront.domain.catalog.cards import ProductCard


def _priced(line: CartLine, card: ProductCard | None, available: int, currency: str | None) -> PricedLine:
    variant = card.variants.get(line.sku) if card is not None else None
    name = card.name if card is not None else line.sku
    options = dict(variant.options) if variant is not None else {}
    unit_price = card.unit_price(line.sku) if card is not None and variant is not None else None
    if card is None or variant is None or card.status != "active" or card.currency != currency:
        status = "unavailable"
    elif available <= 0:
        status = "sold_out"
    elif line.quantity > available:
        status = "insufficient_stock"
    else:
        status = "ok"
    weight = variant.weight_grams if variant is not None else None
    return PricedLine(line.sku, line.product_id, name, options, line.quantity, unit_price, available, status, weight)


def price(cart: StoredCart, capped: list[str] | None = None) -> CartView:
    """Access pattern PRODUCT-CARDS (one BatchGetItem per 100 keys) for the lines' products and stock."""
    header = cart.header
    if header is None or not cart.lines:
        updated_at = header.updated_at if header is not None else None
        expires_at = header.expires_at if header is not None else None
        return CartView([], None, updated_at, expires_at, capped or [])
    lines = sorted(cart.lines.values(), key=lambda line: (line.added_at, line.sku))
    view = shopping_view({line.product_id for line in lines}, cart.lines)
    priced = [
        _priced(line, view.products.get(line.product_id), view.available.get(line.sku, 0), header.currency)
        for line in lines
    ]
    return CartView(priced, header.currency, header.updated_at, header.expires_at, capped or [])
