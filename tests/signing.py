"""The tests' RS256 key set (made once per process) and tokens signed with any key we like."""

from __future__ import annotations

import time
import uuid
from functools import cache
from typing import Any

import jwt

from storefront.security.jwks import JwksCache
from storefront.security.signing_keys import KeySet


@cache
def store_key_set() -> KeySet:
    return KeySet(()).initialised(int(time.time()) - 3 * 3600)


def store_jwks() -> JwksCache:
    """A verifier's key cache holding the test key set's public keys."""
    return JwksCache(lambda: store_key_set().jwks())


def active_private_key() -> str:
    return store_key_set().active.private_key


def forge_token(key: Any = None, *, kid: str | None = None, algorithm: str = "RS256", **overrides: Any) -> str:
    """A token we sign ourselves (by default as the store would), to test what verifiers accept."""
    now = int(time.time())
    claims = {
        "sub": "user-1",
        "role": "customer",
        "typ": "access",
        "sep": 0,
        "iss": "storefront",
        "aud": "storefront-api",
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    headers = overrides.pop("headers", {})
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    signing_key = active_private_key() if key is None else key
    return jwt.encode(
        claims, signing_key, algorithm=algorithm, headers={"kid": kid or store_key_set().active.kid, **headers}
    )
