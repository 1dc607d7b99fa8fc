"""Password hashing with bcrypt, at the cost set by `BCRYPT_ROUNDS`.

Only the auth function imports this module (bcrypt is a compiled extension; the
authorizer never pays for it).
"""

from __future__ import annotations

from functools import cache

import bcrypt

from storefront.domain.identity.rules import check_password_size
from storefront.settings import get_settings


def hash_password(password: str) -> bytes:
    check_password_size(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=get_settings().bcrypt_rounds))


def verify_password(password: str, password_hash: bytes | None) -> bool:
    """True when `password` matches; with no hash (unknown email) it does the same work and fails.

    Checking against a dummy hash of the same cost keeps an unknown email as slow as a
    wrong password, so response times do not tell which emails have accounts.
    """
    check_password_size(password)
    matches = bcrypt.checkpw(password.encode("utf-8"), password_hash or _dummy_hash())
    return matches and password_hash is not None


@cache
def _dummy_hash() -> bytes:
    # Made once per container at the configured cost; a match against it is never trusted.
    return bcrypt.hashpw(b"no account has this password", bcrypt.gensalt(rounds=get_settings().bcrypt_rounds))
