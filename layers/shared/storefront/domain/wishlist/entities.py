"""Wishlist entities: what the table holds per product, and what a listing shows of it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from storefront.domain.catalog.cards import ProductCard

# At most this many products per wishlist: a counter on the user bounds it in every put.
MAX_WISHES = 200


@dataclass(frozen=True)
class Wish:
    """A product on a wishlist, and when it was first put there (epoch seconds)."""

    product_id: str
    added_at: int


@dataclass(frozen=True)
class WishlistEntry:
    """A wish as listed: `card` only while the product is active (shoppers see nothing else of it)."""

    product_id: str
    added_at: int
    card: ProductCard | None
    in_stock: bool


class PutOutcome(Enum):
    """How a conditional put of a wish ended (the cancellation reason, when it was cancelled)."""

    ADDED = "added"
    ALREADY_THERE = "already-there"
    NO_ACTIVE_PRODUCT = "no-active-product"
    FULL = "full"
    CONTENDED = "contended"


class DeleteOutcome(Enum):
    REMOVED = "removed"
    ABSENT = "absent"
    CONTENDED = "contended"
