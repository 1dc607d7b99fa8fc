"""Sign-in throttling that an attacker cannot aim at someone else's account.

Failed sign-ins are counted in the table (so every Lambda container shares them) in
fixed windows aligned to the clock, three ways (docs/decisions.md, "Sign-in throttling"):

- per email *from one source address*: the guessing brake, tight (5 per 15 minutes);
- per source address, any email: broad (100), for one client spraying many accounts;
- per email, any address: broad (50), for many clients guessing one account.

Only the tight limit refuses by itself. The broad ones refuse an address only once it has
itself failed for that email in the window: they cut its allowance from 5 to 1, and
never touch an address that has not failed. So no failure from elsewhere (an attacker,
a shared office NAT) can lock an owner out who signs in from their own address, and a
correct password in a later window always passes: the window starts afresh.

Counting stays atomic: an attempt adds 1 to its (address, email) counter *before* the
password check (an UpdateItem ADD, so a parallel burst cannot all read "4" and pass) and
takes it back when it succeeds. The broad counters are added to before the check too
whenever they could refuse the attempt; a first attempt from an address (which they never
refuse) adds to them only when it fails. That keeps the usual sign-in to two writes.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from storefront.data import throttle as counters
from storefront.domain.errors import TooManyRequests
from storefront.observability import count, module_logger
from storefront.settings import Settings, get_settings

# What stands for the address when there is none (a direct invoke, not API Gateway).
NO_ADDRESS = "unknown"
# An IPv6 client usually holds a whole /64: counting single addresses would hand it 2^64.
_IPV6_PREFIX = 64
_ADDRESS, _EMAIL = "IP", "EMAIL"

_logger = module_logger()


class Limit(StrEnum):
    EMAIL_FROM_ADDRESS = "email_from_address"
    ADDRESS = "address"
    EMAIL = "email"


@dataclass(frozen=True)
class Policy:
    """The limits, and the decision: pure, so the rules are testable without a table."""

    window_s: int = 900
    per_email_from_address: int = 5
    per_address: int = 100
    per_email: int = 50

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            window_s=settings.login_window_seconds,
            per_email_from_address=settings.login_failures_per_email_and_address,
            per_address=settings.login_failures_per_address,
            per_email=settings.login_failures_per_email,
        )

    def window(self, now: int) -> int:
        return now // self.window_s

    def retry_after(self, now: int) -> int:
        """Seconds until the window ends: every counter of an attempt shares its window."""
        return max(1, (self.window(now) + 1) * self.window_s - now)

    def expires_at(self, window: int) -> int:
        # A counter outlives its window by one more; TTL deletion is lazy anyway.
        return (window + 2) * self.window_s

    def counts_broadly_first(self, from_address: int) -> bool:
        """Whether the broad counters can refuse this attempt, so must count it before the check.

        `from_address` is the (address, email) count with this attempt in it: 1 means no
        failure (nor attempt in flight) from this address for this email in the window.
        """
        return 1 < from_address <= self.per_email_from_address

    def refusal(self, from_address: int, address: int = 0, email: int = 0) -> Limit | None:
        """The limit that refuses an attempt, from the counts with the attempt in them."""
        if from_address > self.per_email_from_address:
            return Limit.EMAIL_FROM_ADDRESS
        if from_address <= 1:
            return None  # this address has not failed for this email: never refused
        if address > self.per_address:
            return Limit.ADDRESS
        if email > self.per_email:
            return Limit.EMAIL
        return None

    def limit_of(self, limit: Limit) -> int:
        return {
            Limit.EMAIL_FROM_ADDRESS: self.per_email_from_address,
            Limit.ADDRESS: self.per_address,
            Limit.EMAIL: self.per_email,
        }[limit]


@cache
def policy() -> Policy:
    return Policy.of(get_settings())


def source_of(source_ip: str | None) -> str:
    """The address attempts are counted under: the IP, or its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(source_ip or "")
    except ValueError:
        return NO_ADDRESS  # API Gateway always sends an IP; anything else shares one counter
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, _IPV6_PREFIX), strict=False))
    return str(parsed)


def email_ref(email: str) -> str:
    """Names an email in logs without writing it: a short SHA-256 of the normalised address."""
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Attempt:
    email: str
    source: str
    window: int
    operation: str  # "login" or "password_change", for the logs
    counted_broadly: bool  # the broad counters hold this attempt already


def begin_attempt(email: str, source_ip: str | None, now: int, operation: str = "login") -> Attempt:
    """Counts an attempt before its password is checked; TooManyRequests when a limit refuses it.

    DynamoDB calls: 1 for a first attempt from an address (or one the tight limit refuses),
    3 otherwise.
    """
    rules = policy()
    window = rules.window(now)
    source = source_of(source_ip)
    expires_at = rules.expires_at(window)
    from_address = counters.add_attempts_from(source, email, window, 1, expires_at)
    address = email_count = 0
    broadly = rules.counts_broadly_first(from_address)
    if broadly:
        address = counters.add_attempts(_ADDRESS, source, window, 1, expires_at)
        email_count = counters.add_attempts(_EMAIL, email, window, 1, expires_at)
    attempt = Attempt(email, source, window, operation, broadly)
    _log_engaged(attempt, Limit.ADDRESS, address)
    _log_engaged(attempt, Limit.EMAIL, email_count)
    refused = rules.refusal(from_address, address, email_count)
    if refused is None:
        return attempt
    if refused is Limit.EMAIL_FROM_ADDRESS:
        _log_engaged(attempt, refused, from_address)
    retry_after = rules.retry_after(now)
    count("SignInsRefused")
    raise TooManyRequests(f"Too many failed sign-ins; try again in {retry_after} seconds.", retry_after=retry_after)


def attempt_failed(attempt: Attempt, user_id: str | None) -> None:
    """Logs the failure, and counts a first attempt in the broad counters (0 or 2 calls)."""
    _logger.info(
        "sign-in failed",
        extra={
            "security_event": "sign_in_failed",
            "operation": attempt.operation,
            "user_id": user_id,
            "email_ref": email_ref(attempt.email),
            "source": attempt.source,
        },
    )
    if attempt.counted_broadly:
        return
    rules = policy()
    expires_at = rules.expires_at(attempt.window)
    _log_engaged(attempt, Limit.ADDRESS, counters.add_attempts(_ADDRESS, attempt.source, attempt.window, 1, expires_at))
    _log_engaged(attempt, Limit.EMAIL, counters.add_attempts(_EMAIL, attempt.email, attempt.window, 1, expires_at))


def attempt_succeeded(attempt: Attempt) -> None:
    """Uncounts a successful attempt, in the window it was counted in (1 or 3 calls)."""
    expires_at = policy().expires_at(attempt.window)
    counters.add_attempts_from(attempt.source, attempt.email, attempt.window, -1, expires_at)
    if attempt.counted_broadly:
        counters.add_attempts(_ADDRESS, attempt.source, attempt.window, -1, expires_at)
        counters.add_attempts(_EMAIL, attempt.email, attempt.window, -1, expires_at)


def _log_engaged(attempt: Attempt, limit: Limit, attempts: int) -> None:
    """Logs a limit once per window: only the one attempt whose atomic ADD crossed it sees this count."""
    rules = policy()
    if attempts != rules.limit_of(limit) + 1:
        return
    count("SignInLockouts")
    _logger.warning(
        "sign-in throttle engaged",
        extra={
            "security_event": "sign_in_locked" if limit is Limit.EMAIL_FROM_ADDRESS else "sign_in_throttled",
            "limit": limit.value,
            "count": attempts,  # failures, and attempts still in flight
            "email_ref": email_ref(attempt.email) if limit is not Limit.ADDRESS else None,
            "source": attempt.source if limit is not Limit.EMAIL else None,
            "window_ends_at": (attempt.window + 1) * rules.window_s,
        },
    )
