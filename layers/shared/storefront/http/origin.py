"""Only the store's CDN may call the API, when the stack puts one in front of it.

The API's CloudFront distribution adds `X-Origin-Verify` (a random value kept in Secrets
Manager, named by ORIGIN_SECRET_ARN) to every request it forwards, and its viewer-request
function puts the address it saw the viewer at in `X-Viewer-Address`, replacing whatever
the client sent. A request without the value went around the CDN, its firewall and its
rate limits (straight to the execute-api address): a 403. Behind the CDN, API Gateway's
source address is a CloudFront edge's, so the viewer's address comes from the header,
which only a verified request can be trusted for. With no secret named (no CDN, local
mode) every request is served and the source address is API Gateway's.
"""

from __future__ import annotations

import hmac
import threading
import time
from typing import Any

from storefront import aws
from storefront.settings import get_settings

ORIGIN_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "x-viewer-address"
# A value that does not match is checked against a fresh read at most this often, so a
# rotated secret is picked up without letting every forged request cost a read.
_MISS_REFRESH_AFTER_S = 60.0


class _OriginSecret:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: bytes | None = None
        self._loaded_at = 0.0

    def _load(self, arn: str) -> bytes:
        secret = aws.client("secretsmanager").get_secret_value(SecretId=arn)
        self._value, self._loaded_at = secret["SecretString"].encode(), time.monotonic()
        return self._value

    def matches(self, arn: str, presented: str) -> bool:
        candidate = presented.encode("utf-8", errors="surrogatepass")
        with self._lock:
            value = self._value if self._value is not None else self._load(arn)
            if hmac.compare_digest(candidate, value):
                return True
            if time.monotonic() - self._loaded_at > _MISS_REFRESH_AFTER_S:
                return hmac.compare_digest(candidate, self._load(arn))
            return False

    def clear(self) -> None:
        with self._lock:
            self._value, self._loaded_at = None, 0.0


origin_secret = _OriginSecret()


def _headers(event: dict[str, Any]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()}


def came_through_cdn(event: dict[str, Any]) -> bool:
    """True when no CDN is configured, or the request carries the CDN's value."""
    arn = get_settings().origin_secret_arn
    if not arn:
        return True
    return origin_secret.matches(arn, _headers(event).get(ORIGIN_HEADER, ""))


def client_address(event: dict[str, Any]) -> str | None:
    """The address of whoever sent the request: the viewer's behind the CDN, else the source's."""
    if get_settings().origin_secret_arn:
        # Served only after came_through_cdn: the CDN wrote this header itself.
        return _headers(event).get(VIEWER_ADDRESS_HEADER) or None
    return ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp") or None
