"""Review use cases: post, edit, delete (the author), moderate (a manager), and the lists.

Every change is one transaction conditioned on the review as read (its `revision`), with
its event and, when an approved review gains or loses its weight, the product's rating
totals: two moderators racing on one review cannot both count it, and an author's edit
racing a moderation makes one of them re-read. A lost race re-reads and tries again.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

from storefront.data import reviews as repository
from storefront.domain import clock
from storefront.domain.errors import Conflict, FieldError, NotFound, Unprocessable
from storefront.domain.pages import Slice
from storefront.domain.reviews.entities import (
    MAX_BODY,
    MAX_RATING,
    MAX_TITLE,
    MIN_RATING,
    Review,
    ReviewSort,
    ReviewStatus,
    rating_change,
)
from storefront.domain.reviews.purchases import verified_purchase
from storefront.events.reviews import ReviewApproved, ReviewDeleted, ReviewRejected, ReviewSubmitted
from storefront.ids import new_ulid
from storefront.observability import module_logger
from storefront.text import check_name, check_paragraphs

# A cancelled transaction is retried after a jittered pause: besides a real race on the review,
# DynamoDB cancels a transaction that meets another one in flight on the same item (the
# product's rating totals, when many reviews of one product are moderated at once).
ATTEMPTS = 10
NO_PRODUCT = "No such product."
NO_REVIEW = "No such review."
BUSY = "The review changed concurrently; try again."

_logger = module_logger()


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto


# The fields an author writes; every other field of a review is the service's to set.
EDITABLE = ("rating", "title", "body")


def _field_error(name: str, value: Any) -> str | None:
    if name not in EDITABLE:  # e.g. `user_id` or `status`: it would replace what the service sets
        return "unknown field: only rating, title and body can be set"
    if name == "rating":
        ok = type(value) is int and MIN_RATING <= value <= MAX_RATING
        return None if ok else f"must be an integer from {MIN_RATING} to {MAX_RATING}"
    limit, rule = (MAX_TITLE, check_name) if name == "title" else (MAX_BODY, check_paragraphs)
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        return f"must be text of 1 to {limit} characters"
    try:
        rule(value)
    except ValueError as error:
        return str(error)
    return None


def check_fields(fields: dict[str, Any]) -> None:
    """The domain's own check of a review's fields (the API models check them first): 422 naming each."""
    errors = [FieldError((name,), msg) for name, value in fields.items() if (msg := _field_error(name, value))]
    if errors:
        raise Unprocessable("The review has invalid fields.", errors=errors)


def _reviewable(product_id: str) -> None:
    """A customer may review an active product; a draft is unknown to them, an archived one is closed."""
    status = repository.product_status(product_id)
    if status is None or status == "draft":
        raise NotFound(NO_PRODUCT)
    if status != "active":
        raise Unprocessable("This product is no longer sold and cannot be reviewed.", product_status=status)


def submit(user_id: str, product_id: str, rating: int, title: str, body: str) -> Review:
    """A new review, pending moderation; the author's second review of the product is a 409."""
    check_fields({"rating": rating, "title": title, "body": body})
    for attempt in range(ATTEMPTS):
        now = clock.now()
        review = Review(
            id=new_ulid(now * 1000),
            product_id=product_id,
            user_id=user_id,
            rating=rating,
            title=title,
            body=body,
            status="pending",
            verified_purchase=verified_purchase(user_id, product_id),
            created_at=now,
            submitted_at=now,
            updated_at=now,
        )
        if repository.create_review(review, ReviewSubmitted.of(review, None)):
            return review
        # Cancelled: the product is not reviewable, the author already has a review, or a
        # concurrent transaction held an item (then the claim is absent: try again).
        _reviewable(product_id)
        existing = repository.claimed_review(product_id, user_id)
        if existing is not None:
            raise Conflict("You have already reviewed this product; edit that review instead.", review_id=existing)
        _backoff(attempt)
    raise Conflict(BUSY)


def _own(user_id: str, review_id: str) -> Review:
    """The caller's review: another author's is as absent as an unknown one (404)."""
    review = repository.get_review(review_id)
    if review is None or review.user_id != user_id:
        raise NotFound(NO_REVIEW)
    return review


def edit(user_id: str, review_id: str, changes: dict[str, Any]) -> Review:
    """The author changes rating, title or body: the review goes back to pending moderation.

    An approved review loses its weight in the product's rating until it is approved again.
    No change at all is a 422: it would still withdraw an approved review from the rating.
    """
    if not changes:
        raise Unprocessable("Send at least one of rating, title and body.")
    check_fields(changes)
    for attempt in range(ATTEMPTS):
        before = _own(user_id, review_id)
        now = clock.now()
        after = replace(
            before,
            **changes,
            status="pending",
            verified_purchase=verified_purchase(user_id, before.product_id),
            submitted_at=now,
            updated_at=now,
            revision=before.revision + 1,
        )
        change = rating_change(before, after)
        if repository.update_review(before, after, change, ReviewSubmitted.of(after, change)):
            return after
        _backoff(attempt)
    raise Conflict(BUSY)


def delete(user_id: str, review_id: str) -> None:
    """The author deletes a review; an approved one's weight leaves the product's rating."""
    for attempt in range(ATTEMPTS):
        before = _own(user_id, review_id)
        change = rating_change(before, None)
        if repository.delete_review(before, change, ReviewDeleted.of(before, change), clock.now()):
            return
        _backoff(attempt)
    raise Conflict(BUSY)


def moderate(manager_id: str, review_id: str, decision: ReviewStatus) -> Review:
    """Approve or reject a review (`decision`): deciding what it already is is a 409 naming its status.

    Approving adds its weight to the product's rating; rejecting an approved review removes it.
    A rejected review may still be approved (a manager changing their mind).
    """
    event_type = ReviewApproved if decision == "approved" else ReviewRejected
    for attempt in range(ATTEMPTS):
        before = repository.get_review(review_id)
        if before is None:
            raise NotFound(NO_REVIEW)
        if before.status == decision:
            raise Conflict(f"The review is already {decision}.", review_status=before.status)
        now = clock.now()
        after = replace(
            before,
            status=decision,
            updated_at=now,
            revision=before.revision + 1,
            moderated_by=manager_id,
            moderated_at=now,
        )
        change = rating_change(before, after)
        if repository.update_review(before, after, change, event_type.of(after, change)):
            details = {"review_id": review_id, "product_id": before.product_id, "decision": decision}
            _logger.info("review moderated", extra={"actor": manager_id, **details})
            return after
        _backoff(attempt)
    raise Conflict(BUSY)


def list_public(product_id: str, sort: ReviewSort, limit: int, start: dict[str, Any] | None) -> Slice[Review]:
    """An active product's approved reviews, in `sort` order; any other product is unknown (404)."""
    if repository.product_status(product_id) != "active":
        raise NotFound(NO_PRODUCT)
    return repository.list_approved(product_id, sort, limit, start)


def list_pending(limit: int, start: dict[str, Any] | None) -> Slice[Review]:
    """The moderation queue: pending reviews, oldest submission first."""
    return repository.list_pending(limit, start)
