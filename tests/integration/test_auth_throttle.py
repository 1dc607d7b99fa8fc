"""Login throttling kept in the table: per email and per source IP, with a movable clock."""

from __future__ import annotations

import boto3
import pytest

from storefront.data import keys
from storefront.domain import clock
from storefront.domain.identity.throttle import EMAIL_LIMIT, IP_LIMIT, WINDOW_S
from tests.integration.auth_calls import PASSWORD, change_password, login, register
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")
WRONG = "not the password"
START = 1_800_000_000 // WINDOW_S * WINDOW_S + 60  # one minute into a window


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(START)
    monkeypatch.setattr(clock, "now", fake)
    return fake


def test_login_is_429_with_retry_after_when_an_email_failed_5_times(frozen: Clock) -> None:
    register()
    for _ in range(EMAIL_LIMIT):
        assert login(password=WRONG)["statusCode"] == 401
    refused = login(password=WRONG)
    assert refused["statusCode"] == 429
    assert refused["headers"]["Retry-After"] == str(WINDOW_S - 60)
    assert problem(refused)["status"] == 429
    assert login()["statusCode"] == 429, "even the right password waits for the window to end"


def test_login_recovers_when_the_window_has_passed(frozen: Clock) -> None:
    register()
    for _ in range(EMAIL_LIMIT + 1):
        login(password=WRONG)
    frozen.now += WINDOW_S
    assert login()["statusCode"] == 200


def test_successful_logins_do_not_count_when_mixed_with_failures(frozen: Clock) -> None:
    register()
    for _ in range(EMAIL_LIMIT - 1):
        assert login(password=WRONG)["statusCode"] == 401
    for _ in range(3):
        assert login()["statusCode"] == 200
    assert login(password=WRONG)["statusCode"] == 401
    assert login(password=WRONG)["statusCode"] == 429


def test_unknown_email_is_throttled_like_a_known_one_when_it_keeps_failing(frozen: Clock) -> None:
    for _ in range(EMAIL_LIMIT):
        assert login("nobody@example.com", WRONG)["statusCode"] == 401
    assert login("nobody@example.com", WRONG)["statusCode"] == 429


def test_email_casing_shares_one_counter_when_throttled(frozen: Clock) -> None:
    register()
    for variant in ("ann@example.com", "ANN@example.com", "Ann@Example.com", " ann@EXAMPLE.com", "ANN@EXAMPLE.COM"):
        assert login(variant, WRONG)["statusCode"] == 401
    assert login("ann@example.com", WRONG)["statusCode"] == 429


def test_other_emails_are_unaffected_when_one_email_is_throttled(frozen: Clock) -> None:
    register("ann@example.com")
    register("bob@example.com")
    for _ in range(EMAIL_LIMIT + 1):
        login("ann@example.com", WRONG)
    assert login("bob@example.com")["statusCode"] == 200


def test_login_is_429_when_one_source_ip_failed_50_times_across_emails(frozen: Clock) -> None:
    register("ann@example.com")
    attacker = "198.51.100.7"
    for index in range(IP_LIMIT):
        assert login(f"victim{index}@example.com", WRONG, source_ip=attacker)["statusCode"] == 401
    assert login("ann@example.com", source_ip=attacker)["statusCode"] == 429
    assert login("ann@example.com", source_ip="192.0.2.1")["statusCode"] == 200


def test_counters_expire_through_the_table_ttl_when_written(frozen: Clock) -> None:
    login("nobody@example.com", WRONG)
    pk, sk = keys.login_attempts("EMAIL", "nobody@example.com", START // WINDOW_S)
    item = boto3.resource("dynamodb").Table("storefront-test").get_item(Key={"PK": pk, "SK": sk})["Item"]
    assert item["attempts"] == 1
    assert item["entity"] == "LoginAttempts"
    assert START + WINDOW_S <= item["expires_at"] <= START + 3 * WINDOW_S


def test_wrong_current_passwords_are_throttled_when_changing_the_password(frozen: Clock) -> None:
    user_id = register()["user"]["id"]
    for _ in range(EMAIL_LIMIT):
        assert change_password(user_id, WRONG, "a new passphrase")["statusCode"] == 422
    assert change_password(user_id, PASSWORD, "a new passphrase")["statusCode"] == 429
