"""Pure rules of users and addresses, and the one pagination helper."""

from __future__ import annotations

from typing import Any

import pytest

from storefront.domain.errors import BadRequest, Forbidden
from storefront.domain.identity.roles import Role
from storefront.domain.pages import Slice
from storefront.domain.users.rules import COUNTRY_CODES, check_admin_change, check_country, check_phone
from storefront.http.pagination import paginate


def test_country_list_holds_the_249_assigned_codes() -> None:
    assert len(COUNTRY_CODES) == 249
    assert {"US", "DE", "GB", "JP", "SS", "XK"} & COUNTRY_CODES == {"US", "DE", "GB", "JP", "SS"}


@pytest.mark.parametrize("code", ["US", "DE", "AX", "CW"])
def test_country_is_accepted_when_an_assigned_upper_case_code(code: str) -> None:
    assert check_country(code) == code


@pytest.mark.parametrize("code", ["us", "Us", "USA", "U", "", "XX", "UK", "ÄB", "1A"])
def test_country_is_refused_when_not_an_assigned_upper_case_alpha_2_code(code: str) -> None:
    with pytest.raises(ValueError, match="ISO 3166-1"):
        check_country(code)


@pytest.mark.parametrize("phone", ["+1 415 555 0100", "(030) 1234-5678", "0171.234.5678", "112 3"])
def test_phone_is_accepted_when_digits_and_separators(phone: str) -> None:
    assert check_phone(phone) == phone


@pytest.mark.parametrize("phone", ["call me", "++1 415", "+", "12", "1-", "+1 415 555 0100 ext 2", "1 2 3"])
def test_phone_is_refused_when_not_a_phone_number(phone: str) -> None:
    with pytest.raises(ValueError, match="phone"):
        check_phone(phone)


@pytest.mark.parametrize(
    ("role", "disabled"),
    [
        (Role.MANAGER, None),
        (Role.CUSTOMER, False),
        (None, True),
        (Role.ADMIN, False),
        (Role.ADMIN, None),
        (None, False),
    ],
)
def test_admin_change_is_forbidden_when_it_touches_their_own_role_or_flag(role: Role | None, disabled: bool) -> None:
    with pytest.raises(Forbidden):
        check_admin_change("me", "me", role, disabled)


def test_admin_change_of_themself_passes_when_it_names_neither_role_nor_flag() -> None:
    check_admin_change("me", "me", None, None)


def test_admin_change_of_another_user_passes_when_demoting_or_disabling() -> None:
    check_admin_change("me", "other", Role.CUSTOMER, True)


def test_paginate_signs_the_next_cursor_and_resumes_from_it_when_called_again() -> None:
    rows = [{"PK": {"S": f"K{n}"}} for n in range(5)]

    def fetch(limit: int, start: dict[str, Any] | None) -> Slice[int]:
        offset = 0 if start is None else int(start["PK"]["S"][1:]) + 1
        chunk = list(range(offset, min(offset + limit, len(rows))))
        last = rows[chunk[-1]] if chunk and chunk[-1] < len(rows) - 1 else None
        return Slice(chunk, last)

    first = paginate(fetch, limit=2, cursor=None, caller="u", scope="s")
    assert first.items == [0, 1]
    second = paginate(fetch, limit=2, cursor=first.next_cursor, caller="u", scope="s")
    assert second.items == [2, 3]
    last = paginate(fetch, limit=2, cursor=second.next_cursor, caller="u", scope="s")
    assert (last.items, last.next_cursor) == ([4], None)
    with pytest.raises(BadRequest):
        paginate(fetch, limit=2, cursor=first.next_cursor, caller="u", scope="other")
