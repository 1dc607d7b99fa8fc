"""The rating arithmetic of reviews: weights, the change a review's transition makes, the average."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storefront.domain.errors import Unprocessable
from storefront.domain.reviews.entities import Review, rating_change
from storefront.domain.reviews.rating import RatingChange, average_rating
from storefront.domain.reviews.service import check_fields
from storefront.text import check_paragraphs

PENDING = Review("R1", "P1", "U1", 4, "Title", "Body", "pending", False, 1, 1, 1)
APPROVED = replace(PENDING, status="approved")


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (PENDING, APPROVED, RatingChange(4, 1)),  # approval
        (APPROVED, replace(APPROVED, status="rejected"), RatingChange(-4, -1)),  # rejection of an approved one
        (APPROVED, replace(PENDING, rating=2), RatingChange(-4, -1)),  # an edit sends it back to pending
        (APPROVED, None, RatingChange(-4, -1)),  # deletion of an approved one
        (PENDING, replace(PENDING, status="rejected"), None),  # never counted: nothing changes
        (PENDING, None, None),
        (None, PENDING, None),  # a new review is pending
    ],
)
def test_a_review_changes_its_products_totals_only_when_its_approved_weight_changes(
    before: Review | None, after: Review | None, change: RatingChange | None
) -> None:
    assert rating_change(before, after) == change


def test_the_average_is_rounded_to_two_decimals_and_none_without_ratings() -> None:
    assert average_rating(0, 0) is None
    assert average_rating(14, 3) == 4.67
    assert average_rating(121, 40) == 3.02
    assert average_rating(5, 1) == 5.0


def test_paragraph_text_keeps_line_breaks_and_tabs_but_refuses_other_controls_and_bidi() -> None:
    assert check_paragraphs("one\r\n\ttwo <b>") == "one\r\n\ttwo <b>"
    for bad in ("bell\x07", "nul\x00", "rlo\u202e", "isolate\u2066", "c1\x85"):
        with pytest.raises(ValueError, match="control characters"):
            check_paragraphs(bad)


def test_the_domain_refuses_bad_fields_itself_naming_each() -> None:
    check_fields({"rating": 5, "title": "Fine", "body": "Two\nlines"})
    with pytest.raises(Unprocessable) as refused:
        check_fields({"rating": True, "title": "a\u202eb", "body": "x" * 5001})
    assert [error.field for error in refused.value.errors or []] == [("rating",), ("title",), ("body",)]
