"""Sign-in throttling kept in the table, through the auth handler, with a movable clock.

The tight limit is per email from one source address; the broad ones (per address, per
email) only refuse an address that has itself failed for the email in the window.
"""

from __future__ import annotations

import boto3
import pytest

from storefront.data import keys
from storefront.domain import clock
from storefront.domain.identity.throttle import policy
from tests.integration.auth_calls import PASSWORD, change_password, login, register
from tests.support import emitted_metrics, problem

pytestmark = pytest.mark.usefixtures("aws")
WRONG = "not the password"
LIMITS = policy()
WINDOW_S = LIMITS.window_s
START = 1_800_000_000 // WINDOW_S * WINDOW_S + 60  # one minute into a window
OWNER = "203.0.113.10"  # the address tests.support's events come from
ATTACKER = "198.51.100.7"
OFFICE = "198.51.100.20"


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


def fail_from_many_addresses(email: str, failures: int) -> None:
    """`failures` wrong passwords for `email`, one from each address (a first guess is always heard)."""
    for index in range(failures):
        source = f"10.0.{index // 250}.{index % 250 + 1}"
        assert login(email, WRONG, source_ip=source)["statusCode"] == 401


def test_login_is_429_with_retry_after_when_one_address_failed_5_times_for_an_email(frozen: Clock) -> None:
    register()
    for _ in range(LIMITS.per_email_from_address):
        assert login(password=WRONG)["statusCode"] == 401
    refused = login(password=WRONG)
    assert refused["statusCode"] == 429
    assert refused["headers"]["Retry-After"] == str(WINDOW_S - 60)
    assert problem(refused)["status"] == 429
    refused = login()
    assert refused["statusCode"] == 429, "even the right password waits, from that address"
    assert refused["headers"]["Retry-After"] == str(WINDOW_S - 60)


def test_a_lockout_and_each_refused_sign_in_are_counted_as_metrics(
    frozen: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    register()
    for _ in range(LIMITS.per_email_from_address + 2):
        login(password=WRONG)

    assert emitted_metrics(capsys.readouterr().out) == {"SignInLockouts": 1, "SignInsRefused": 2}


def test_owner_signs_in_from_their_own_address_when_an_attacker_failed_5_times_from_another(frozen: Clock) -> None:
    register()
    for _ in range(LIMITS.per_email_from_address):
        assert login(password=WRONG, source_ip=ATTACKER)["statusCode"] == 401
    assert login(password=WRONG, source_ip=ATTACKER)["statusCode"] == 429
    assert login(source_ip=OWNER)["statusCode"] == 200
    assert login(source_ip=ATTACKER)["statusCode"] == 429, "the attacker's address stays refused"


def test_owner_signs_in_after_a_typo_when_one_attacker_address_tried_60_times(frozen: Clock) -> None:
    register()
    answers = [login(password=WRONG, source_ip=ATTACKER)["statusCode"] for _ in range(60)]
    assert answers == [401] * LIMITS.per_email_from_address + [429] * (60 - LIMITS.per_email_from_address)
    assert login(password=WRONG, source_ip=OWNER)["statusCode"] == 401
    assert login(source_ip=OWNER)["statusCode"] == 200, "refused attempts do not count towards the email's limit"


def test_owner_signs_in_from_their_own_address_when_the_email_failed_50_times_across_addresses(
    frozen: Clock,
) -> None:
    register()
    fail_from_many_addresses("ann@example.com", LIMITS.per_email + 10)
    assert login(source_ip=OWNER)["statusCode"] == 200


def test_address_that_failed_is_429_when_the_email_failed_50_times_across_addresses(frozen: Clock) -> None:
    register()
    fail_from_many_addresses("ann@example.com", LIMITS.per_email)
    newcomer = "198.51.100.250"
    assert login(password=WRONG, source_ip=newcomer)["statusCode"] == 401, "an address's first guess is heard"
    refused = login(password=WRONG, source_ip=newcomer)
    assert refused["statusCode"] == 429, "but the email's limit leaves it no second one"
    assert refused["headers"]["Retry-After"] == str(WINDOW_S - 60)
    assert login(password=WRONG, source_ip="198.51.100.251")["statusCode"] == 401


def test_account_without_failures_from_an_address_signs_in_when_that_address_failed_100_times(
    frozen: Clock,
) -> None:
    register("ann@example.com")
    for index in range(LIMITS.per_address):
        assert login(f"colleague{index}@example.com", WRONG, source_ip=OFFICE)["statusCode"] == 401
    assert login("ann@example.com", source_ip=OFFICE)["statusCode"] == 200
    assert login("ann@example.com", WRONG, source_ip=OFFICE)["statusCode"] == 401


def test_account_that_failed_from_an_address_is_429_when_that_address_failed_100_times(frozen: Clock) -> None:
    register("ann@example.com")
    assert login("ann@example.com", WRONG, source_ip=OFFICE)["statusCode"] == 401
    for index in range(LIMITS.per_address):
        assert login(f"colleague{index}@example.com", WRONG, source_ip=OFFICE)["statusCode"] == 401
    refused = login("ann@example.com", source_ip=OFFICE)
    assert refused["statusCode"] == 429
    assert refused["headers"]["Retry-After"] == str(WINDOW_S - 60)
    assert login("ann@example.com", source_ip=OWNER)["statusCode"] == 200, "from another address it passes"


def test_login_recovers_when_the_window_has_passed(frozen: Clock) -> None:
    register()
    for _ in range(LIMITS.per_email_from_address + 1):
        login(password=WRONG)
    assert login()["statusCode"] == 429
    frozen.now += WINDOW_S
    assert login()["statusCode"] == 200


def test_correct_password_passes_when_the_window_has_passed_after_the_emails_limit_refused(frozen: Clock) -> None:
    register()
    assert login(password=WRONG)["statusCode"] == 401  # the owner's own typo
    fail_from_many_addresses("ann@example.com", LIMITS.per_email + 10)
    refused = login()
    assert refused["statusCode"] == 429, "an address that failed for an attacked email waits for the window"
    frozen.now += int(refused["headers"]["Retry-After"])
    assert login()["statusCode"] == 200


def test_successful_logins_do_not_count_when_mixed_with_failures(frozen: Clock) -> None:
    register()
    for _ in range(LIMITS.per_email_from_address - 1):
        assert login(password=WRONG)["statusCode"] == 401
    for _ in range(3):
        assert login()["statusCode"] == 200
    assert login(password=WRONG)["statusCode"] == 401
    assert login(password=WRONG)["statusCode"] == 429


def test_successful_logins_leave_no_count_on_their_address_when_they_pass(frozen: Clock) -> None:
    register("ann@example.com")
    register("bob@example.com")
    for _ in range(3):
        assert login("ann@example.com", source_ip=OFFICE)["statusCode"] == 200
    assert login("bob@example.com", WRONG, source_ip=OFFICE)["statusCode"] == 401
    assert login("bob@example.com", source_ip=OFFICE)["statusCode"] == 200
    pk, sk = keys.login_attempts("IP", OFFICE, START // WINDOW_S)
    item = boto3.resource("dynamodb").Table("storefront-test").get_item(Key={"PK": pk, "SK": sk})["Item"]
    assert item["attempts"] == 1, "only bob's failure"


def test_unknown_email_is_throttled_like_a_known_one_when_it_keeps_failing(frozen: Clock) -> None:
    for _ in range(LIMITS.per_email_from_address):
        assert login("nobody@example.com", WRONG)["statusCode"] == 401
    assert login("nobody@example.com", WRONG)["statusCode"] == 429


def test_email_casing_shares_one_counter_when_throttled(frozen: Clock) -> None:
    register()
    for variant in ("ann@example.com", "ANN@example.com", "Ann@Example.com", " ann@EXAMPLE.com", "ANN@EXAMPLE.COM"):
        assert login(variant, WRONG)["statusCode"] == 401
    assert login("ann@example.com", WRONG)["statusCode"] == 429


def test_addresses_of_one_ipv6_64_share_a_counter_when_failing(frozen: Clock) -> None:
    register()
    for host in range(LIMITS.per_email_from_address):
        assert login(password=WRONG, source_ip=f"2001:db8:1:2::{host + 1:x}")["statusCode"] == 401
    assert login(source_ip="2001:db8:1:2:ffff::1")["statusCode"] == 429
    assert login(source_ip="2001:db8:1:3::1")["statusCode"] == 200


def test_other_emails_are_unaffected_when_one_email_is_throttled(frozen: Clock) -> None:
    register("ann@example.com")
    register("bob@example.com")
    for _ in range(LIMITS.per_email_from_address + 1):
        login("ann@example.com", WRONG)
    assert login("bob@example.com")["statusCode"] == 200


def test_counters_expire_through_the_table_ttl_when_written(frozen: Clock) -> None:
    login("nobody@example.com", WRONG)
    table = boto3.resource("dynamodb").Table("storefront-test")
    window = START // WINDOW_S
    for pk, sk in (
        keys.login_attempts_from(OWNER, "nobody@example.com", window),
        keys.login_attempts("IP", OWNER, window),
        keys.login_attempts("EMAIL", "nobody@example.com", window),
    ):
        item = table.get_item(Key={"PK": pk, "SK": sk})["Item"]
        assert item["attempts"] == 1
        assert item["entity"] == "LoginAttempts"
        assert START + WINDOW_S <= item["expires_at"] <= START + 3 * WINDOW_S


def test_wrong_current_passwords_are_throttled_when_changing_the_password(frozen: Clock) -> None:
    user_id = register()["user"]["id"]
    for _ in range(LIMITS.per_email_from_address):
        assert change_password(user_id, WRONG, "a new passphrase")["statusCode"] == 422
    refused = change_password(user_id, PASSWORD, "a new passphrase")
    assert refused["statusCode"] == 429
    assert refused["headers"]["Retry-After"] == str(WINDOW_S - 60)
