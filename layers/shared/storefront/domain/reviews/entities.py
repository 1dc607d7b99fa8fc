"""A review as the domain sees it, and the limits of its fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from storefront.domain.reviews.rating import RatingChange, change_between, weight

ReviewStatus = Literal["pending", "approved", "rejected"]
ReviewSort = Literal["newest", "rating_desc", "rating_asc"]
MIN_RATING, MAX_RATING = 1, 5
MAX_TITLE = 120
MAX_BODY = 5000


@dataclass(frozen=True)
class Review:
    """`submitted_at` is the last time the author sent it (creation or edit): the moderation
    queue's order and the public `newest` order. `revision` conditions every write."""

    id: str
    product_id: str
    user_id: str
    rating: int
    title: str
    body: str
    status: ReviewStatus
    verified_purchase: bool
    created_at: int
    submitted_at: int
    updated_at: int
    revision: int = 1
    moderated_by: str | None = None
    moderated_at: int | None = None

    @property
    def weight(self) -> RatingChange:
        return weight(self.rating, self.status == "approved")


def rating_change(before: Review | None, after: Review | None) -> RatingChange | None:
    """What a change from `before` to `after` (None: absent) does to the product's totals."""
    nothing = RatingChange(0, 0)
    return change_between(before.weight if before else nothing, after.weight if after else nothing)
