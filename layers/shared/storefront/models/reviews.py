"""API models of the reviews routes. Their descriptions become the OpenAPI document.

A review's title and body are plain text: stored and returned exactly as accepted, as
JSON strings, never interpreted as HTML (a client that renders them escapes them).
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field, StrictInt, StrictStr, model_validator

from storefront.domain.reviews.entities import MAX_BODY, MAX_RATING, MAX_TITLE, MIN_RATING
from storefront.domain.reviews.entities import Review as ReviewEntity
from storefront.events.base import rfc3339
from storefront.models.base import ApiModel
from storefront.models.patches import NotNull
from storefront.models.text_fields import Text
from storefront.text import check_paragraphs

Stars = Annotated[
    StrictInt, Field(ge=MIN_RATING, le=MAX_RATING, description=f"Stars, {MIN_RATING}–{MAX_RATING} (an integer)")
]
Title = Annotated[StrictStr, Text(MAX_TITLE, f"Plain-text title, 1–{MAX_TITLE} characters")]
Body = Annotated[
    StrictStr,
    Text(
        MAX_BODY,
        f"Plain-text review, 1–{MAX_BODY} characters; line breaks and tabs are kept, other control characters "
        "and bidirectional formatting characters are refused; never interpreted as HTML",
        rule=check_paragraphs,
    ),
]


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")


class ReviewCreate(_Request):
    rating: Stars
    title: Title
    body: Body


class ReviewPatch(_Request):
    """Any of rating, title and body; the review goes back to pending moderation."""

    rating: Annotated[Stars | None, NotNull] = None
    title: Annotated[Title | None, NotNull] = None
    body: Annotated[Body | None, NotNull] = None

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one of rating, title and body")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class PublicReview(ApiModel):
    """An approved review as shoppers see it (without its author's account id)."""

    id: str = Field(description="The review id")
    product_id: str = Field(description="The product reviewed")
    rating: int = Field(description="Stars, 1–5")
    title: str = Field(description="Plain text, exactly as the author sent it")
    body: str = Field(description="Plain text, exactly as the author sent it")
    verified_purchase: bool = Field(description="The author has a paid order with this product")
    created_at: str = Field(description="RFC 3339, UTC: first posted")
    submitted_at: str = Field(description="RFC 3339, UTC: last posted or edited (the `newest` order)")

    @classmethod
    def of(cls, review: ReviewEntity) -> PublicReview:
        return cls(
            id=review.id,
            product_id=review.product_id,
            rating=review.rating,
            title=review.title,
            body=review.body,
            verified_purchase=review.verified_purchase,
            created_at=rfc3339(review.created_at),
            submitted_at=rfc3339(review.submitted_at),
        )


class PublicReviewPage(ApiModel):
    items: list[PublicReview] = Field(description="Approved reviews in the requested order")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class Review(ApiModel):
    """A review as its author and the managers see it."""

    id: str = Field(description="The review id")
    product_id: str = Field(description="The product reviewed")
    user_id: str = Field(description="The author's id")
    rating: int = Field(description="Stars, 1–5")
    title: str = Field(description="Plain text, exactly as the author sent it")
    body: str = Field(description="Plain text, exactly as the author sent it")
    status: str = Field(description="pending (awaiting moderation), approved (public, counted) or rejected")
    verified_purchase: bool = Field(description="The author has a paid order with this product")
    created_at: str = Field(description="RFC 3339, UTC: first posted")
    submitted_at: str = Field(description="RFC 3339, UTC: last posted or edited")
    updated_at: str = Field(description="RFC 3339, UTC: last change, moderation included")

    @classmethod
    def of(cls, review: ReviewEntity) -> Review:
        return cls(
            id=review.id,
            product_id=review.product_id,
            user_id=review.user_id,
            rating=review.rating,
            title=review.title,
            body=review.body,
            status=review.status,
            verified_purchase=review.verified_purchase,
            created_at=rfc3339(review.created_at),
            submitted_at=rfc3339(review.submitted_at),
            updated_at=rfc3339(review.updated_at),
        )


class ReviewPage(ApiModel):
    items: list[Review] = Field(description="Pending reviews, oldest submission first")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
