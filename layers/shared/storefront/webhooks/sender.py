"""One delivery attempt to a checked destination (destinations.py): POST, nothing else.

The connection goes to the address the guard checked, never resolved again; TLS still
verifies the certificate for the URL's host name (sent as SNI and in `Host`). Redirects
are not followed (a 3xx is a failed attempt); the attempt ends after `timeout_s` (10 s);
at most 1 KB of the answer is read and kept, as text, for the delivery log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import urllib3

from storefront.webhooks.destinations import Destination

TIMEOUT_S = 10.0
KEPT_RESPONSE_BYTES = 1024
USER_AGENT = "storefront-webhooks/1"


@dataclass(frozen=True)
class Attempt:
    """What one attempt got: `status_code` None when no answer came (timeout, refused, TLS)."""

    status_code: int | None
    duration_ms: int
    response_excerpt: str
    retry_after_s: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def deliver(
    destination: Destination,
    headers: dict[str, str],
    body: bytes,
    *,
    timeout_s: float = TIMEOUT_S,
    ca_certs: str | None = None,
) -> Attempt:
    """POSTs `body` to `destination`; `ca_certs` replaces the system's trust store (tests only)."""
    started = time.monotonic()
    pool = _pool(destination, timeout_s, ca_certs)
    default_port = 443 if destination.scheme == "https" else 80
    name = f"[{destination.host}]" if ":" in destination.host else destination.host  # an IPv6 literal
    host = name if destination.port == default_port else f"{name}:{destination.port}"
    try:
        response = pool.urlopen(
            "POST",
            destination.target,
            body=body,
            headers={**headers, "host": host, "user-agent": USER_AGENT},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(KEPT_RESPONSE_BYTES, decode_content=False)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        return Attempt(None, _since(started), "", error=_described(error))
    finally:
        pool.close()
    text = excerpt.decode("utf-8", errors="replace")
    return Attempt(response.status, _since(started), text, _retry_after(response.headers.get("retry-after")))


def _pool(destination: Destination, timeout_s: float, ca_certs: str | None) -> Any:
    timeout = urllib3.Timeout(total=timeout_s)
    if destination.scheme == "http":  # local mode only: the guard allows http nowhere else
        return urllib3.HTTPConnectionPool(destination.address, destination.port, timeout=timeout, retries=False)
    return urllib3.HTTPSConnectionPool(
        destination.address,
        destination.port,
        timeout=timeout,
        retries=False,
        cert_reqs="CERT_REQUIRED",
        ca_certs=ca_certs,
        server_hostname=destination.host,
        assert_hostname=destination.host,
    )


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _described(error: Exception) -> str:
    """The failure's kind and a short reason, for the delivery log (never a stack trace)."""
    reason = getattr(error, "reason", None) or error
    return f"{type(error).__name__}: {str(reason)[:200]}"


def _retry_after(value: str | None) -> int | None:
    """`Retry-After` in seconds (delta-seconds or an HTTP date), or None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int(moment.timestamp() - time.time()))
