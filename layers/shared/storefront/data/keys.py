"""Every key of the single table is built here, and only here.

Key typos are the commonest single-table bug; one module makes them impossible to
scatter. See docs/data-model.md for the entity chart and access patterns.
"""

from __future__ import annotations

SEPARATOR = "#"


def _key(*parts: str) -> str:
    return SEPARATOR.join(parts)


def health_probe() -> tuple[str, str]:
    """A fixed key the health check reads: proves the table answers reads."""
    return _key("HEALTH"), _key("PROBE")


# ---------------------------------------------------------------- identity


def user(user_id: str) -> tuple[str, str]:
    """The user's profile item: email, name, role, password hash, disabled flag."""
    return _key("USER", user_id), "PROFILE"


def email_claim(normalised_email: str) -> tuple[str, str]:
    """One item per email in use: makes emails unique and maps an email to its user."""
    return _key("EMAIL", normalised_email), "EMAIL"


def refresh_token(token_hash: str) -> tuple[str, str]:
    """A refresh token, addressed by the SHA-256 hex of its value (never the value)."""
    return _key("REFRESH", token_hash), "REFRESH"


def token_family(user_id: str, family_id: str) -> tuple[str, str]:
    """A sign-in session: every refresh token rotated from one login shares it."""
    return _key("USER", user_id), _key("FAMILY", family_id)


def login_attempts(scope: str, subject: str, window: int) -> tuple[str, str]:
    """Login attempt counter of one email or source IP (`scope`) in one time window."""
    return _key("LOGIN", scope, subject), _key("WINDOW", str(window))


def users_index(user_id: str) -> tuple[str, str]:
    """GSI1 keys of a user: every user in one partition, in sign-up order (ids are ULIDs)."""
    return "USERS", _key("USER", user_id)


def users_index_partition() -> str:
    return "USERS"


def users_index_prefix() -> str:
    """Sort-key prefix of the users in GSI1 (Query with begins_with)."""
    return _key("USER", "")


def address(user_id: str, address_id: str) -> tuple[str, str]:
    """A saved address, in its owner's partition: another user's id can never reach it."""
    return _key("USER", user_id), _key("ADDRESS", address_id)


def address_prefix() -> str:
    """Sort-key prefix of a user's addresses (Query with begins_with)."""
    return _key("ADDRESS", "")
