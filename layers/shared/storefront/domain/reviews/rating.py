"""A product's rating as running totals of its approved reviews: a sum of stars and a count.

The totals change by the weight of a review (its stars and 1 while approved, nothing
otherwise) in the same transaction as the review's change; they are never recomputed by
reading the reviews. DynamoDB cannot divide, so the average is derived where the product
is read.
"""

from __future__ import annotations

from dataclasses import dataclass

# Shown to two decimals: 4.666… is 4.67.
AVERAGE_DECIMALS = 2


@dataclass(frozen=True)
class RatingChange:
    """What one review change adds to its product's totals (negative to remove)."""

    sum: int
    count: int


def weight(rating: int, approved: bool) -> RatingChange:
    """What a review contributes to its product's totals: only an approved review counts."""
    return RatingChange(rating, 1) if approved else RatingChange(0, 0)


def change_between(before: RatingChange, after: RatingChange) -> RatingChange | None:
    """The change from one weight to another; None when the product's rating stays as it is."""
    change = RatingChange(after.sum - before.sum, after.count - before.count)
    return None if change == RatingChange(0, 0) else change


def average_rating(total: int, count: int) -> float | None:
    """The average of `count` ratings summing to `total`, rounded for display; None without any."""
    if count <= 0:
        return None
    return round(total / count, AVERAGE_DECIMALS)
