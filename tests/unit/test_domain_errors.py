"""Domain errors: extra members add to a problem document, never replace its own."""

from __future__ import annotations

import pytest

from storefront.domain.errors import PROBLEM_MEMBERS, Conflict


@pytest.mark.parametrize("member", sorted(PROBLEM_MEMBERS - {"errors"}))  # errors= is the field list
def test_an_extra_member_named_like_a_problem_member_is_a_programming_error(member: str) -> None:
    extra: dict[str, object] = {member: "approved"}
    with pytest.raises(TypeError, match=member):
        Conflict("The review is already approved.", **extra)  # type: ignore[arg-type]


def test_other_extra_members_are_kept_for_the_problem() -> None:
    assert Conflict("Short.", available=3, review_status="approved").extra == {
        "available": 3,
        "review_status": "approved",
    }
