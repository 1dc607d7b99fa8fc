"""Whether a review's author bought the product: the one place `verified_purchase` is decided.

The contract: true when the author has a paid order containing the product. The store has
no orders yet (the orders issue), so no author has one and the answer is false; that issue
replaces this body with a lookup of the author's paid orders, and its test flips the flag.
"""

from __future__ import annotations


def verified_purchase(user_id: str, product_id: str) -> bool:
    """True when `user_id` has a paid order with `product_id`: none exists before orders do."""
    return False
