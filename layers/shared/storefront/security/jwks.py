"""The published public keys (JWKS), read back for verifying tokens where API Gateway does not.

API Gateway's JWT authorizer verifies tokens on protected routes. A public route that
grants more to a signed-in viewer (a manager sees drafts) verifies the token itself,
and the local runtime verifies exactly as the gateway does: both read the JWKS the
stack publishes, never the private keys. Refreshed every few minutes, and at once (at
most every 30 s, so forged `kid`s cannot hammer S3) for an unknown `kid`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from storefront import aws
from storefront.security.signing_keys import JWKS_KEY
from storefront.settings import get_settings

_REFRESH_AFTER_S = 300.0
_MISS_REFRESH_AFTER_S = 30.0

JwksLoader = Callable[[], dict[str, Any]]


def read_published_jwks() -> dict[str, Any]:
    body = aws.client("s3").get_object(Bucket=get_settings().images_bucket, Key=JWKS_KEY)["Body"].read()
    document = json.loads(body)
    return document if isinstance(document, dict) else {"keys": []}


class JwksCache:
    def __init__(self, loader: JwksLoader = read_published_jwks) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._keys: dict[str, dict[str, Any]] | None = None
        self._loaded_at = 0.0

    def _load(self) -> dict[str, dict[str, Any]]:
        keys = self._loader().get("keys") or []
        self._keys = {str(key["kid"]): key for key in keys if isinstance(key, dict) and "kid" in key}
        self._loaded_at = time.monotonic()
        return self._keys

    def key_for(self, kid: str) -> dict[str, Any] | None:
        with self._lock:
            age = time.monotonic() - self._loaded_at
            if self._keys is None or age > _REFRESH_AFTER_S:
                return self._load().get(kid)
            if kid not in self._keys and age > _MISS_REFRESH_AFTER_S:
                return self._load().get(kid)
            return self._keys.get(kid)

    def clear(self) -> None:
        with self._lock:
            self._keys, self._loaded_at = None, 0.0


published_jwks = JwksCache()
