"""Login attempt counters: one item per email, per source IP, or per (source IP, email), per time window."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute

from storefront.data import keys
from storefront.data.table import TableItem


class LoginAttemptsItem(TableItem, discriminator="LoginAttempts"):
    attempts = NumberAttribute(default=0)


def add_attempts(scope: str, subject: str, window: int, delta: int, expires_at: int) -> int:
    """Access pattern LOGIN-ATTEMPTS: UpdateItem ADD on LOGIN#<scope>#<subject> / WINDOW#<n>.

    Atomic: concurrent attempts each see their own count, so a burst cannot slip past
    the limit between a read and a write. Returns the count after the change.
    """
    return _add(*keys.login_attempts(scope, subject, window), delta, expires_at)


def add_attempts_from(source: str, email: str, window: int, delta: int, expires_at: int) -> int:
    """Access pattern LOGIN-ATTEMPTS-FROM: UpdateItem ADD on LOGIN#IP_EMAIL#<ip>#<email> / WINDOW#<n>.

    Atomic like LOGIN-ATTEMPTS. Returns the count after the change.
    """
    return _add(*keys.login_attempts_from(source, email, window), delta, expires_at)


def _add(pk: str, sk: str, delta: int, expires_at: int) -> int:
    item = LoginAttemptsItem(pk, sk)
    item.update(
        actions=[
            LoginAttemptsItem.attempts.add(delta),
            LoginAttemptsItem.expires_at.set(expires_at),
            LoginAttemptsItem.entity.set(LoginAttemptsItem),
        ]
    )
    return int(item.attempts)
