"""Login throttling, kept in the table so every Lambda container shares it.

Each attempt is counted *before* the password is checked (an atomic ADD, so a burst of
parallel guesses cannot all read "4" and pass) and uncounted when it succeeds, so the
counters hold failures and attempts in flight. Windows are fixed, aligned to the clock:
5 failures for one email, or 50 for one source IP, within one 15-minute window refuse
further attempts with 429 until the window ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from storefront.data import throttle as counters
from storefront.domain.errors import TooManyRequests

WINDOW_S = 15 * 60
EMAIL_LIMIT = 5
IP_LIMIT = 50
# Counters outlive their window a little; TTL deletion is lazy anyway.
_KEEP_S = WINDOW_S


@dataclass(frozen=True)
class Attempt:
    email: str
    source_ip: str | None
    window: int


def _expiry(window: int) -> int:
    return (window + 1) * WINDOW_S + _KEEP_S


def begin_attempt(email: str, source_ip: str | None, now: int) -> Attempt:
    """Counts an attempt; raises TooManyRequests when the email or the IP is over its limit."""
    attempt = Attempt(email=email, source_ip=source_ip, window=now // WINDOW_S)
    over = False
    if source_ip:
        over = counters.add_attempts("IP", source_ip, attempt.window, 1, _expiry(attempt.window)) > IP_LIMIT
    over = counters.add_attempts("EMAIL", email, attempt.window, 1, _expiry(attempt.window)) > EMAIL_LIMIT or over
    if over:
        retry_after = max(1, (attempt.window + 1) * WINDOW_S - now)
        raise TooManyRequests(f"Too many failed sign-ins; try again in {retry_after} seconds.", retry_after=retry_after)
    return attempt


def attempt_succeeded(attempt: Attempt) -> None:
    """Uncounts a successful attempt, in the window it was counted in."""
    if attempt.source_ip:
        counters.add_attempts("IP", attempt.source_ip, attempt.window, -1, _expiry(attempt.window))
    counters.add_attempts("EMAIL", attempt.email, attempt.window, -1, _expiry(attempt.window))
