"""Email normalisation and password bounds: pure rules, no AWS."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from storefront.domain.identity.rules import check_new_password, check_password_size, normalise_email
from storefront.ids import new_ulid
from storefront.models.identity import LoginRequest, PasswordChangeRequest, RegisterRequest

# "é" is two bytes in UTF-8: 37 of them are 37 characters but 74 bytes.
MULTIBYTE_74_BYTES = "é" * 37
MULTIBYTE_73_BYTES = "a" + "é" * 36


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Smith@Example.COM \n", "ann.smith@example.com"),
        ("ANN+shop@EXAMPLE.co.uk", "ann+shop@example.co.uk"),
    ],
)
def test_email_is_stripped_and_lower_cased_when_normalised(raw: str, normalised: str) -> None:
    assert normalise_email(raw) == normalised


@pytest.mark.parametrize("raw", ["", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", "a@b@c.com"])
def test_email_is_refused_when_not_shaped_like_an_address(raw: str) -> None:
    with pytest.raises(ValueError, match="email"):
        normalise_email(raw)


def test_email_is_refused_when_longer_than_254_characters() -> None:
    with pytest.raises(ValueError, match="email"):
        normalise_email("a" * 250 + "@example.com")


def test_password_is_accepted_when_8_characters_to_72_bytes() -> None:
    assert check_new_password("x" * 8) == "x" * 8
    assert check_new_password("x" * 72) == "x" * 72
    assert check_new_password("é" * 36) == "é" * 36  # 72 bytes


@pytest.mark.parametrize("password", ["", "short", "x" * 7])
def test_new_password_is_refused_when_under_8_characters(password: str) -> None:
    with pytest.raises(ValueError, match=r"at least 8|must not be empty"):
        check_new_password(password)


@pytest.mark.parametrize("password", ["x" * 73, MULTIBYTE_73_BYTES, MULTIBYTE_74_BYTES])
def test_password_is_refused_when_over_72_bytes(password: str) -> None:
    with pytest.raises(ValueError, match="72 bytes"):
        check_password_size(password)


def test_password_is_refused_when_it_holds_a_lone_surrogate() -> None:
    with pytest.raises(ValueError, match="Unicode"):
        check_password_size("abcdefgh\ud800")


def test_register_model_is_422_material_when_password_is_73_bytes_of_multibyte_characters() -> None:
    with pytest.raises(ValidationError) as raised:
        RegisterRequest.model_validate({"email": "a@example.com", "password": MULTIBYTE_73_BYTES, "name": "A"})
    assert [error["loc"] for error in raised.value.errors()] == [("password",)]


@pytest.mark.parametrize("field", ["role", "id", "disabled"])
def test_register_model_refuses_a_field_when_the_client_may_not_set_it(field: str) -> None:
    body = {"email": "a@example.com", "password": "x" * 10, "name": "A", field: "admin"}
    with pytest.raises(ValidationError) as raised:
        RegisterRequest.model_validate(body)
    assert raised.value.errors()[0]["type"] == "extra_forbidden"


def test_register_model_normalises_the_email_when_valid() -> None:
    request = RegisterRequest.model_validate({"email": " Ann@Example.com ", "password": "x" * 10, "name": " Ann "})
    assert request.email == "ann@example.com"
    assert request.name == "Ann"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_register_model_refuses_the_name_when_blank_or_too_long(name: str) -> None:
    with pytest.raises(ValidationError):
        RegisterRequest.model_validate({"email": "a@example.com", "password": "x" * 10, "name": name})


@pytest.mark.parametrize("value", [12345678, None, ["x" * 10], True])
def test_login_model_refuses_the_password_when_not_a_string(value: object) -> None:
    with pytest.raises(ValidationError):
        LoginRequest.model_validate({"email": "a@example.com", "password": value})


def test_password_change_model_bounds_both_passwords_when_validated() -> None:
    with pytest.raises(ValidationError) as raised:
        PasswordChangeRequest.model_validate({"current_password": "x" * 73, "new_password": "short"})
    assert {error["loc"] for error in raised.value.errors()} == {("current_password",), ("new_password",)}


def test_ulids_sort_by_creation_time_when_made_in_different_milliseconds() -> None:
    earlier, later = new_ulid(1_700_000_000_000), new_ulid(1_700_000_000_001)
    assert len(earlier) == len(later) == 26
    assert earlier < later
    assert new_ulid() != new_ulid()
