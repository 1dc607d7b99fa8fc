"""Wishlist use cases: put and delete are idempotent; the listing reads current product data.

The user id always comes from the caller's principal and every wish lives in its owner's
partition, so no request can reach another user's wishlist.
"""

from __future__ import annotations

from storefront.data import wishlists
from storefront.data.product_cards import shopping_view
from storefront.domain import clock
from storefront.domain.errors import Conflict, NotFound
from storefront.domain.wishlist.entities import MAX_WISHES, DeleteOutcome, PutOutcome, WishlistEntry

# A transaction cancelled by a concurrent one (not by a condition) is retried this often.
ATTEMPTS = 5
# What the catalog answers a shopper for a product that is not active (draft, archived, absent).
NO_PRODUCT = "No such product."
FULL = f"The wishlist already holds {MAX_WISHES} products; remove one first."
BUSY = "The wishlist changed concurrently; try again."


def add(user_id: str, product_id: str) -> None:
    """Puts an active product on the wishlist; a product already there stays as it was (first `added_at`)."""
    for _ in range(ATTEMPTS):
        outcome = wishlists.put_wish(user_id, product_id, clock.now(), MAX_WISHES)
        if outcome in (PutOutcome.ADDED, PutOutcome.ALREADY_THERE):
            return
        if outcome is PutOutcome.NO_ACTIVE_PRODUCT:
            raise NotFound(NO_PRODUCT)
        if outcome is PutOutcome.FULL:
            # An engine may report only the first failed condition: a full list that already
            # holds the product is still an idempotent success.
            if wishlists.has_wish(user_id, product_id):
                return
            raise Conflict(FULL, limit=MAX_WISHES)
    raise Conflict(BUSY)


def remove(user_id: str, product_id: str) -> None:
    """Takes a product off the wishlist; one that is not there is already removed."""
    for _ in range(ATTEMPTS):
        if wishlists.delete_wish(user_id, product_id) is not DeleteOutcome.CONTENDED:
            return
    raise Conflict(BUSY)


def wishlist(user_id: str) -> list[WishlistEntry]:
    """The caller's wishes, newest first, each with its product's current card and stock.

    One Query for the wishes, then the products' cards and then the stock of the active
    products' SKUs, each one BatchGetItem per 100 keys (3 requests for up to 100 products
    with up to 100 SKUs). A product no longer active keeps its place but shows no card, as
    the catalog shows it to no shopper.
    """
    wishes = wishlists.list_wishes(user_id)
    cards = shopping_view([wish.product_id for wish in wishes], []).products
    active = {product_id: card for product_id, card in cards.items() if card.status == "active"}
    stock = shopping_view([], [sku for card in active.values() for sku in card.variants]).available
    entries = []
    for wish in wishes:
        card = active.get(wish.product_id)
        in_stock = card is not None and any(stock.get(sku, 0) > 0 for sku in card.variants)
        entries.append(WishlistEntry(wish.product_id, wish.added_at, card, in_stock))
    return sorted(entries, key=lambda entry: (entry.added_at, entry.product_id), reverse=True)
