"""Where a partner webhook may be sent: the SSRF guard of registration and of every delivery.

A URL is checked by what its host *resolves to*, once: every address the name has must be
public, and the delivery then connects to the checked address (never resolving again, so a
name cannot answer a public address to the check and a private one to the connection).
Resolving through `getaddrinfo` also reads every spelling of an address the C library
accepts, so `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1` and `localhost.` are all seen
as 127.0.0.1 and refused like it.

Refused: loopback (allowed in local mode only, where partners run on this machine), private
(10/8, 172.16/12, 192.168/16, IPv6 unique-local), link-local (the cloud metadata address
169.254.169.254 included; fd00:ec2::254 is unique-local), shared CGNAT space (100.64/10),
unspecified (0.0.0.0, ::), multicast, IPv4-mapped IPv6, NAT64 and 6to4 addresses that
embed such an IPv4, and anything else that is not globally routable.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_S = 3.0


class UnsafeDestination(ValueError):
    """The URL may not receive webhooks; the message says why, for the admin who gave it."""


@dataclass(frozen=True)
class Destination:
    """A checked URL: connect to `address` (a literal IP) on `port`, naming `host` (Host, TLS SNI)."""

    url: str
    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    address: str


def system_resolver(host: str, port: int, timeout_s: float = RESOLVE_TIMEOUT_S) -> list[str]:
    """Every address `host` has (IPv4 and IPv6), as the C library resolves it, within `timeout_s`.

    `getaddrinfo` has no timeout of its own (a slow or silent DNS server holds it for the
    resolver's own retries): it runs in a worker thread, abandoned after `timeout_s`, so a
    registration answers and a delivery attempt ends (as a failure) in bounded time.
    """
    pool = ThreadPoolExecutor(max_workers=1)
    pending = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    pool.shutdown(wait=False)
    try:
        infos = pending.result(timeout=timeout_s)
    except FutureTimeout as error:
        raise TimeoutError(f"no answer from DNS in {timeout_s:g} s") from error
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_destination(url: str, *, local_mode: bool, resolve: Resolver = system_resolver) -> Destination:
    """The destination of `url` if webhooks may go there; UnsafeDestination says why not."""
    scheme, host, port, target = _parts(url, local_mode)
    try:
        addresses = resolve(host, port)
    except TimeoutError as error:  # an OSError too: named apart, the admin may simply retry
        raise UnsafeDestination(f"The host {host} did not resolve in time ({error}).") from error
    except (OSError, UnicodeError) as error:
        raise UnsafeDestination(f"The host {host} does not resolve.") from error
    if not addresses:
        raise UnsafeDestination(f"The host {host} does not resolve.")
    for address in addresses:
        reason = refusal(ipaddress.ip_address(address.split("%", 1)[0]), local_mode=local_mode)
        if reason is not None:
            raise UnsafeDestination(f"The host {host} resolves to {address}, {reason}: webhooks are not sent there.")
    return Destination(url, scheme, host, port, target, addresses[0])


def refusal(address: IpAddress, *, local_mode: bool) -> str | None:
    """Why a delivery may not connect to `address`; None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        embedded = _embedded_ipv4(address)
        if embedded is not None:  # a NAT64 or 6to4 address reaches the IPv4 address it carries
            inner = refusal(embedded, local_mode=False)
            return None if inner is None else f"an IPv6 address that reaches {embedded}, {inner}"
    if address.is_loopback:
        return None if local_mode else "a loopback address"
    for reason, matches in (
        ("an unspecified address", address.is_unspecified),
        ("a link-local address (cloud metadata lives there)", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a shared (CGNAT) address", isinstance(address, ipaddress.IPv4Address) and address in _CGNAT),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
    ):
        if matches:
            return reason
    if not address.is_global:
        return "an address that is not publicly routable"
    return None


def _embedded_ipv4(address: IpAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address carries."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def _parts(url: str, local_mode: bool) -> tuple[str, str, int, str]:
    """scheme, host (lower case, no trailing dot), port and request target of a well-formed URL."""
    if len(url) > MAX_URL_LENGTH or any(ord(character) <= 0x20 or ord(character) == 0x7F for character in url):
        raise UnsafeDestination("The URL must be at most 2048 characters, with no spaces or control characters.")
    try:
        parts: Any = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeDestination("The URL is not well formed (its port, or its IPv6 address).") from error
    allowed = ("https", "http") if local_mode else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeDestination("Webhook URLs must use https." if not local_mode else "Use an http or https URL.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("The URL may not carry credentials: authenticate with the signature instead.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeDestination("The URL has no host.")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), target
