"""Only the store's CDN may call the API, when the stack puts one in front of it.

The API's CloudFront distribution adds `X-Origin-Verify` (a random value kept in Secrets
Manager, named by ORIGIN_SECRET_ARN: `{"current": ..., "previous": ...}`; the distribution
sends `current`, and either is accepted, so a rotation has no moment when the distribution
and the functions disagree) to every request it forwards, and its viewer-request
function puts the address it saw the viewer at in `X-Viewer-Address`, replacing whatever
the client sent. A request without the value went around the CDN, its firewall and its
rate limits (straight to the execute-api address): a 403. Behind the CDN, API Gateway's
source address is a CloudFront edge's, so the viewer's address comes from the header,
which only a verified request can be trusted for. With no secret named (no CDN, local
mode) every request is served and the source address is API Gateway's.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from storefront import aws
from storefront.refreshing import Refreshing
from storefront.settings import get_settings

ORIGIN_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "x-viewer-address"
ACCEPTED_KEYS = ("current", "previous")


def _read_origin_values() -> tuple[bytes, ...]:
    document = json.loads(
        aws.client("secretsmanager").get_secret_value(SecretId=get_settings().origin_secret_arn)["SecretString"]
    )
    values = tuple(str(document[key]).encode() for key in ACCEPTED_KEYS if document.get(key))
    if not values:
        raise ValueError("the origin secret holds no current value")  # a deployment fault
    return values


# Read again every few minutes, so a value made by a rotation is known before the
# distribution sends it; and on a value that matches none, at most once a minute.
origin_secret = Refreshing(_read_origin_values, fresh_for=300.0, miss_interval=60.0)


def _any(candidate: bytes, values: tuple[bytes, ...]) -> bool:
    # Every value compared, in constant time each: no early exit tells which one was close.
    return sum(hmac.compare_digest(candidate, value) for value in values) > 0


def _matches(presented: str) -> bool:
    candidate = presented.encode("utf-8", errors="surrogatepass")
    if _any(candidate, origin_secret.current()):
        return True
    reread = origin_secret.reread_after_miss()
    return reread is not None and _any(candidate, reread)


def _headers(event: dict[str, Any]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()}


def came_through_cdn(event: dict[str, Any]) -> bool:
    """True when no CDN is configured, or the request carries the CDN's value."""
    if not get_settings().origin_secret_arn:
        return True
    return _matches(_headers(event).get(ORIGIN_HEADER, ""))


def client_address(event: dict[str, Any]) -> str | None:
    """The address of whoever sent the request: the viewer's behind the CDN, else the source's."""
    if get_settings().origin_secret_arn:
        # Served only after came_through_cdn: the CDN wrote this header itself.
        return _headers(event).get(VIEWER_ADDRESS_HEADER) or None
    return ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp") or None
