"""bcrypt hashing at the configured cost, and the dummy check for unknown emails."""

from __future__ import annotations

import bcrypt
import pytest

from storefront.domain.identity import passwords
from storefront.settings import Settings, SettingsError, get_settings


def test_hash_uses_the_configured_cost_when_hashing() -> None:
    assert get_settings().bcrypt_rounds == 4
    assert passwords.hash_password("correct horse").startswith(b"$2b$04$")


def test_password_verifies_when_it_matches_and_not_otherwise() -> None:
    stored = passwords.hash_password("correct horse")
    assert passwords.verify_password("correct horse", stored) is True
    assert passwords.verify_password("correct horsf", stored) is False


def test_unknown_user_costs_one_bcrypt_check_when_there_is_no_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[bytes] = []
    real_checkpw = bcrypt.checkpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed)
        return bool(real_checkpw(password, hashed))

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    assert passwords.verify_password("no account has this password", None) is False
    assert len(checked) == 1
    assert checked[0].startswith(b"$2b$04$")


def test_password_over_72_bytes_raises_value_error_before_bcrypt_when_hashed_or_checked() -> None:
    with pytest.raises(ValueError, match="72 bytes"):
        passwords.hash_password("é" * 37)
    with pytest.raises(ValueError, match="72 bytes"):
        passwords.verify_password("x" * 73, None)


def test_settings_default_to_cost_12_when_bcrypt_rounds_is_unset() -> None:
    assert Settings.from_environment({}).bcrypt_rounds == 12
    assert Settings.from_environment({"BCRYPT_ROUNDS": "10"}).bcrypt_rounds == 10


@pytest.mark.parametrize("rounds", ["3", "17", "twelve", "-1", ""])
def test_settings_refuse_bcrypt_rounds_when_out_of_range_or_not_a_number(rounds: str) -> None:
    with pytest.raises(SettingsError, match="BCRYPT_ROUNDS"):
        Settings.from_environment({"BCRYPT_ROUNDS": rounds})
