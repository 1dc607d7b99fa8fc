"""The sign-in throttle's policy, its counting (DynamoDB calls) and its security logs, without AWS."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from storefront.data import throttle as counters_module
from storefront.domain.errors import TooManyRequests
from storefront.domain.identity import throttle
from storefront.domain.identity.throttle import Limit, Policy, source_of
from storefront.settings import Settings, SettingsError

RULES = Policy(window_s=900, per_email_from_address=5, per_address=100, per_email=50)
NOW = 1_800_000_060
PASSWORD = "correct horse battery"


class FakeCounters:
    """The table's counters in memory, recording every call (one call = one UpdateItem)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, ...]] = Counter()
        self.calls: list[tuple[str, ...]] = []

    def add_attempts(self, scope: str, subject: str, window: int, delta: int, expires_at: int) -> int:
        return self._add((scope, subject, str(window)), delta)

    def add_attempts_from(self, source: str, email: str, window: int, delta: int, expires_at: int) -> int:
        return self._add(("IP_EMAIL", source, email, str(window)), delta)

    def _add(self, key: tuple[str, ...], delta: int) -> int:
        self.calls.append(key)
        self.counts[key] += delta
        return self.counts[key]


class RecordingLogger:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict[str, Any]]] = []

    def info(self, message: str, *, extra: dict[str, Any]) -> None:
        self.records.append(("info", message, extra))

    def warning(self, message: str, *, extra: dict[str, Any]) -> None:
        self.records.append(("warning", message, extra))


@pytest.fixture
def counters(monkeypatch: pytest.MonkeyPatch) -> FakeCounters:
    fake = FakeCounters()
    monkeypatch.setattr(counters_module, "add_attempts", fake.add_attempts)
    monkeypatch.setattr(counters_module, "add_attempts_from", fake.add_attempts_from)
    monkeypatch.setattr(throttle, "policy", lambda: RULES)
    return fake


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> RecordingLogger:
    recorder = RecordingLogger()
    monkeypatch.setattr(throttle, "_logger", recorder)
    return recorder


def fail(email: str, source: str, now: int = NOW) -> None:
    attempt = throttle.begin_attempt(email, source, now)
    throttle.attempt_failed(attempt, None)


# ---------------------------------------------------------------- the policy, pure


def test_first_attempt_from_an_address_is_allowed_when_both_broad_limits_are_over() -> None:
    assert RULES.refusal(from_address=1, address=10_000, email=10_000) is None


def test_attempt_is_refused_by_the_tight_limit_when_5_failed_from_the_address() -> None:
    assert RULES.refusal(from_address=5) is None
    assert RULES.refusal(from_address=6) is Limit.EMAIL_FROM_ADDRESS


def test_attempt_is_refused_by_the_address_limit_when_it_failed_from_an_address_over_100() -> None:
    assert RULES.refusal(from_address=2, address=100, email=1) is None
    assert RULES.refusal(from_address=2, address=101, email=1) is Limit.ADDRESS


def test_attempt_is_refused_by_the_email_limit_when_it_failed_for_an_email_over_50() -> None:
    assert RULES.refusal(from_address=2, address=2, email=50) is None
    assert RULES.refusal(from_address=2, address=2, email=51) is Limit.EMAIL


def test_broad_counts_are_needed_first_only_when_the_broad_limits_can_refuse() -> None:
    assert [RULES.counts_broadly_first(count) for count in (1, 2, 5, 6)] == [False, True, True, False]


def test_retry_after_is_the_rest_of_the_window_when_refused() -> None:
    assert RULES.retry_after(NOW) == 900 - 60
    assert RULES.retry_after(NOW // 900 * 900 + 899) == 1


@pytest.mark.parametrize(
    ("raw", "source"),
    [
        ("203.0.113.10", "203.0.113.10"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.10", "203.0.113.10"),
        (None, "unknown"),
        ("", "unknown"),
        ("not#an#address", "unknown"),
    ],
)
def test_source_is_the_ip_or_its_ipv6_64_when_counted(raw: str | None, source: str) -> None:
    assert source_of(raw) == source


# ---------------------------------------------------------------- counting, with DynamoDB calls


def test_sign_in_costs_two_counter_writes_when_the_address_has_no_failure_for_the_email(
    counters: FakeCounters,
) -> None:
    attempt = throttle.begin_attempt("ann@example.com", "203.0.113.10", NOW)
    throttle.attempt_succeeded(attempt)
    assert len(counters.calls) == 2
    assert set(counters.counts.values()) == {0}


def test_failure_is_counted_in_all_three_counters_when_it_is_a_first_attempt(counters: FakeCounters) -> None:
    fail("ann@example.com", "203.0.113.10")
    window = str(NOW // 900)
    assert counters.counts == {
        ("IP_EMAIL", "203.0.113.10", "ann@example.com", window): 1,
        ("IP", "203.0.113.10", window): 1,
        ("EMAIL", "ann@example.com", window): 1,
    }
    assert len(counters.calls) == 3


def test_later_attempt_is_counted_everywhere_before_the_check_when_its_address_failed_before(
    counters: FakeCounters,
) -> None:
    fail("ann@example.com", "203.0.113.10")
    counters.calls.clear()
    attempt = throttle.begin_attempt("ann@example.com", "203.0.113.10", NOW)
    assert len(counters.calls) == 3, "counted before the check wherever a limit could refuse it"
    throttle.attempt_succeeded(attempt)
    assert len(counters.calls) == 6
    assert sorted(counters.counts.values()) == [1, 1, 1], "the earlier failure stays, the success is gone"


def test_refusal_by_the_tight_limit_costs_one_write_and_no_broad_count_when_an_address_hammers(
    counters: FakeCounters,
) -> None:
    for _ in range(5):
        fail("ann@example.com", "198.51.100.7")
    counters.calls.clear()
    for _ in range(50):
        with pytest.raises(TooManyRequests):
            throttle.begin_attempt("ann@example.com", "198.51.100.7", NOW)
    assert len(counters.calls) == 50
    assert counters.counts[("EMAIL", "ann@example.com", str(NOW // 900))] == 5


def test_correct_password_is_allowed_from_a_new_address_when_the_email_is_over_its_limit(
    counters: FakeCounters,
) -> None:
    for index in range(60):
        fail("ann@example.com", f"10.0.0.{index + 1}")
    throttle.attempt_succeeded(throttle.begin_attempt("ann@example.com", "203.0.113.10", NOW))
    with pytest.raises(TooManyRequests) as refused:
        throttle.begin_attempt("ann@example.com", "10.0.0.1", NOW)
    assert refused.value.retry_after == 840


def test_attempt_is_allowed_when_a_new_window_starts(counters: FakeCounters) -> None:
    for _ in range(5):
        fail("ann@example.com", "203.0.113.10")
    with pytest.raises(TooManyRequests):
        throttle.begin_attempt("ann@example.com", "203.0.113.10", NOW)
    throttle.begin_attempt("ann@example.com", "203.0.113.10", NOW + 840)


# ---------------------------------------------------------------- security logs


def test_failed_sign_in_is_logged_once_without_the_email_or_password_when_it_fails(
    counters: FakeCounters, logs: RecordingLogger
) -> None:
    attempt = throttle.begin_attempt("ann@example.com", "203.0.113.10", NOW)
    throttle.attempt_failed(attempt, "01USER")
    assert len(logs.records) == 1
    level, _, extra = logs.records[0]
    assert level == "info"
    assert extra["security_event"] == "sign_in_failed"
    assert extra["user_id"] == "01USER"
    assert extra["source"] == "203.0.113.10"
    assert extra["email_ref"] == throttle.email_ref("ann@example.com")
    written = json.dumps(logs.records)
    assert "ann@example.com" not in written
    assert PASSWORD not in written


def test_lockout_is_logged_once_when_an_address_keeps_failing_for_an_email(
    counters: FakeCounters, logs: RecordingLogger
) -> None:
    for _ in range(5):
        fail("ann@example.com", "198.51.100.7")
    for _ in range(3):
        with pytest.raises(TooManyRequests):
            throttle.begin_attempt("ann@example.com", "198.51.100.7", NOW)
    locks = [extra for level, _, extra in logs.records if level == "warning"]
    assert len(locks) == 1
    assert locks[0]["security_event"] == "sign_in_locked"
    assert locks[0]["limit"] == "email_from_address"
    assert locks[0]["window_ends_at"] == (NOW // 900 + 1) * 900
    assert "ann@example.com" not in json.dumps(logs.records)


def test_broad_limit_is_logged_once_when_an_email_crosses_it(counters: FakeCounters, logs: RecordingLogger) -> None:
    for index in range(55):
        fail("ann@example.com", f"10.0.0.{index + 1}")
    throttled = [extra for level, _, extra in logs.records if level == "warning"]
    assert [(extra["security_event"], extra["limit"], extra["source"]) for extra in throttled] == [
        ("sign_in_throttled", "email", None)
    ]


# ---------------------------------------------------------------- settings


def test_login_limits_have_their_defaults_when_the_environment_is_silent() -> None:
    assert Policy.of(Settings.from_environment({})) == Policy(900, 5, 100, 50)


def test_login_limits_are_read_when_set_in_the_environment() -> None:
    settings = Settings.from_environment(
        {
            "LOGIN_WINDOW_SECONDS": "600",
            "LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS": "3",
            "LOGIN_FAILURES_PER_ADDRESS": "500",
            "LOGIN_FAILURES_PER_EMAIL": "80",
        }
    )
    assert Policy.of(settings) == Policy(600, 3, 500, 80)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOGIN_WINDOW_SECONDS", "fifteen"),
        ("LOGIN_WINDOW_SECONDS", "59"),
        ("LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS", "0"),
        ("LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS", "-5"),
        ("LOGIN_FAILURES_PER_ADDRESS", "4"),
        ("LOGIN_FAILURES_PER_EMAIL", "2"),
    ],
)
def test_settings_are_refused_when_a_login_limit_is_out_of_bounds(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_environment({name: value})
