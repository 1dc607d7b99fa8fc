"""Review events: a review submitted (new or edited), approved, rejected or deleted.

Each is staged in the transaction of the change it describes, which also changes the
product's rating totals when an approved review gains or loses its weight; the event says
by how much (`product_rating_change`), not the totals after it: concurrent moderations add
to the totals without reading them, so no writer knows the result (docs/events.md).
"""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from storefront.domain.reviews.entities import Review
from storefront.domain.reviews.rating import RatingChange
from storefront.events.base import EVENT_CONFIG, DomainEvent


class ProductRatingChange(BaseModel):
    """What the change added to the product's rating totals (negative: removed)."""

    model_config = EVENT_CONFIG

    sum: StrictInt = Field(description="Stars added to the product's rating sum (negative: removed)")
    count: StrictInt = Field(description="Approved reviews added to the product's rating count: 1, or -1")


class _ReviewEvent(DomainEvent):
    review_id: StrictStr = Field(description="The review")
    product_id: StrictStr = Field(description="The product reviewed")
    user_id: StrictStr = Field(description="The review's author")
    rating: StrictInt = Field(description="The review's stars, 1-5, after the change (when deleted: as it was)")
    status: Literal["pending", "approved", "rejected"] = Field(
        description="The review's status after the change (when deleted: the status it had)"
    )
    verified_purchase: StrictBool = Field(description="The author had a paid order with the product")
    product_rating_change: ProductRatingChange | None = Field(
        description="What the change did to the product's rating totals; null when the rating did not change. "
        "The product's current rating is read from the product (GET /v1/products/{id})"
    )

    @classmethod
    def of(cls, review: Review, change: RatingChange | None) -> Self:
        return cls(
            review_id=review.id,
            product_id=review.product_id,
            user_id=review.user_id,
            rating=review.rating,
            status=review.status,
            verified_purchase=review.verified_purchase,
            product_rating_change=None if change is None else ProductRatingChange(sum=change.sum, count=change.count),
        )


class ReviewSubmitted(_ReviewEvent):
    """A review was submitted for moderation: a new review, or an edit that sent it back to pending.

    An edit of an approved review removes its weight from the product's rating in the same
    transaction (`product_rating_change` is then negative).
    """

    event_type: ClassVar[str] = "review.submitted"
    version: ClassVar[int] = 1


class ReviewApproved(_ReviewEvent):
    """A manager approved a review: it is public and counts in the product's rating."""

    event_type: ClassVar[str] = "review.approved"
    version: ClassVar[int] = 1


class ReviewRejected(_ReviewEvent):
    """A manager rejected a review; if it was approved, its weight left the product's rating."""

    event_type: ClassVar[str] = "review.rejected"
    version: ClassVar[int] = 1


class ReviewDeleted(_ReviewEvent):
    """The author deleted a review; if it was approved, its weight left the product's rating."""

    event_type: ClassVar[str] = "review.deleted"
    version: ClassVar[int] = 1
