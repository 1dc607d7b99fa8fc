"""The published public keys (JWKS), read back for verifying tokens where API Gateway does not.

API Gateway's JWT authorizer verifies tokens on protected routes. A public route that
grants more to a signed-in viewer (a manager sees drafts) verifies the token itself,
and the local runtime verifies exactly as the gateway does: both read the JWKS the
stack publishes, never the private keys. Refreshed every few minutes, and at once (at
most every 30 s, so forged `kid`s cannot hammer S3) for an unknown `kid`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from storefront import aws
from storefront.refreshing import Refreshing
from storefront.security.signing_keys import JWKS_KEY
from storefront.settings import get_settings

JwksLoader = Callable[[], dict[str, Any]]


def read_published_jwks() -> dict[str, Any]:
    body = aws.client("s3").get_object(Bucket=get_settings().images_bucket, Key=JWKS_KEY)["Body"].read()
    document = json.loads(body)
    return document if isinstance(document, dict) else {"keys": []}


def _keys_by_kid(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    keys = document.get("keys") or []
    return {str(key["kid"]): key for key in keys if isinstance(key, dict) and "kid" in key}


class JwksCache:
    def __init__(self, loader: JwksLoader = read_published_jwks) -> None:
        self.loader = loader  # what reads the published document (tests read a key set of their own)
        self._keys = Refreshing(lambda: _keys_by_kid(self.loader()), fresh_for=300.0, miss_interval=30.0)

    def key_for(self, kid: str) -> dict[str, Any] | None:
        key = self._keys.current().get(kid)
        if key is None and (reread := self._keys.reread_after_miss()) is not None:
            return reread.get(kid)
        return key

    def clear(self) -> None:
        self._keys.clear()


published_jwks = JwksCache()
