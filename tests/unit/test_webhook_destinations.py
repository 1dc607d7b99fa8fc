"""The SSRF guard of partner webhooks: every spelling of a non-public address is refused, by
what the host resolves to; local mode allows loopback only (pure: a fake resolver for names)."""

from __future__ import annotations

import socket
import time

import pytest

from storefront.webhooks.destinations import UnsafeDestination, checked_destination, system_resolver

PUBLIC_V4, PUBLIC_V6 = "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"

# Literal spellings, resolved by the C library itself (no DNS is asked for a numeric host).
REFUSED_LITERALS = [
    "https://127.0.0.1/hook",
    "https://2130706433/hook",  # decimal
    "https://0177.0.0.1/hook",  # octal
    "https://0x7f.0.0.1/hook",  # hex
    "https://0x7f000001/hook",
    "https://127.1/hook",  # short form
    "https://127.0.0.1./hook",  # trailing dot
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
    "https://[::ffff:a9fe:a9fe]/hook",  # IPv4-mapped metadata address
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://10.0.0.1/hook",
    "https://10.255.255.255/hook",
    "https://172.16.5.4/hook",
    "https://172.31.255.255/hook",
    "https://192.168.1.1/hook",
    "https://100.64.0.1/hook",  # CGNAT
    "https://100.127.255.254/hook",
    "https://0.0.0.0/hook",
    "https://0/hook",
    "https://[::]/hook",
    "https://224.0.0.1/hook",  # multicast
    "https://[ff02::1]/hook",
    "https://[fe80::1]/hook",  # IPv6 link-local
    "https://[fc00::1]/hook",  # IPv6 unique-local
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of the metadata address
    "https://[2002:a00:1::]/hook",  # 6to4 of 10.0.0.1
    "https://240.0.0.1/hook",  # reserved
    "https://255.255.255.255/hook",
]


@pytest.mark.parametrize("url", REFUSED_LITERALS)
def test_every_spelling_of_a_non_public_address_is_refused(url: str) -> None:
    with pytest.raises(UnsafeDestination, match="webhooks are not sent there"):
        checked_destination(url, local_mode=False)


def test_localhost_with_a_trailing_dot_is_loopback_too() -> None:
    with pytest.raises(UnsafeDestination, match="loopback"):
        checked_destination("https://localhost./hook", local_mode=False)


@pytest.mark.parametrize(
    "url",
    ["https://10.0.0.1/hook", "https://169.254.169.254/", "https://[fd00:ec2::254]/", "https://[::ffff:127.0.0.1]/"],
)
def test_local_mode_still_refuses_private_link_local_metadata_and_mapped_addresses(url: str) -> None:
    with pytest.raises(UnsafeDestination):
        checked_destination(url, local_mode=True)


def test_local_mode_allows_loopback_over_http() -> None:
    destination = checked_destination("http://127.0.0.1:9000/partner?x=1", local_mode=True)
    assert (destination.scheme, destination.port, destination.target, destination.address) == (
        "http",
        9000,
        "/partner?x=1",
        "127.0.0.1",
    )


def test_a_public_address_is_checked_once_and_is_the_one_connected_to() -> None:
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return [PUBLIC_V4, PUBLIC_V6]

    destination = checked_destination("https://Partner.Example.COM./hooks/orders", local_mode=False, resolve=resolve)

    assert asked == [("partner.example.com", 443)]
    assert (destination.host, destination.address, destination.target) == (
        "partner.example.com",
        PUBLIC_V4,
        "/hooks/orders",
    )


@pytest.mark.parametrize("private", ["10.1.2.3", "127.0.0.1", "169.254.169.254", "fd00::1", "100.64.1.1"])
def test_a_name_with_any_non_public_address_among_public_ones_is_refused(private: str) -> None:
    with pytest.raises(UnsafeDestination, match=private):
        checked_destination(
            "https://rebind.example/hook", local_mode=False, resolve=lambda host, port: [PUBLIC_V4, private]
        )


def test_a_nat64_address_of_a_public_ipv4_is_allowed() -> None:
    assert checked_destination("https://[64:ff9b::5db8:d822]/", local_mode=False).address == "64:ff9b::5db8:d822"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://partner.example/hook", "https"),
        ("ftp://partner.example/hook", "https"),
        ("https://user:secret@partner.example/hook", "credentials"),
        ("https:///hook", "no host"),
        ("https://partner.example:99999/hook", "port"),
        ("https://[::1/hook", "well formed"),
        ("https://partner.example/a b", "spaces"),
        ("https://partner.example/\x00", "control"),
        ("https://partner.example/" + "a" * 2048, "2048"),
    ],
)
def test_a_malformed_or_non_https_url_is_refused_before_any_lookup(url: str, reason: str) -> None:
    def resolve(host: str, port: int) -> list[str]:
        raise AssertionError("no lookup for a URL refused by its form")

    with pytest.raises(UnsafeDestination, match=reason):
        checked_destination(url, local_mode=False, resolve=resolve)


def test_a_host_that_does_not_resolve_is_refused() -> None:
    def resolve(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(UnsafeDestination, match="does not resolve"):
        checked_destination("https://nowhere.invalid/hook", local_mode=False, resolve=resolve)


def test_the_system_resolver_reads_numeric_spellings_without_dns() -> None:
    assert system_resolver("0x7f.1", 443) == ["127.0.0.1"]


def test_a_dns_that_does_not_answer_in_time_is_a_refusal_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    def silent(*args: object, **kwargs: object) -> list[object]:
        time.sleep(2)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", silent)
    started = time.monotonic()

    with pytest.raises(UnsafeDestination, match="did not resolve in time"):
        checked_destination(
            "https://slow.example/hooks", local_mode=False, resolve=lambda host, port: system_resolver(host, port, 0.2)
        )

    assert time.monotonic() - started < 1.5
