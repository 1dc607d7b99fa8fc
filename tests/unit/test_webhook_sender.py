"""One webhook delivery attempt against real local servers: signed as Standard Webhooks verifies
it, sent to the checked address only, TLS verified for the URL's name, no redirect followed, at
most 1 KB of the answer kept, a timeout an attempt without an answer."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import trustme
from standardwebhooks.webhooks import Webhook

from storefront.webhooks.destinations import Destination, checked_destination
from storefront.webhooks.sender import KEPT_RESPONSE_BYTES, deliver
from storefront.webhooks.signing import Message, new_secret, signed_headers
from tests.webhook_partner import new_partner, running

MESSAGE = Message("evt_01JEVENT", "order.paid", datetime(2026, 12, 4, 6, 0, tzinfo=UTC), {"order_id": "01JORDER"})


@pytest.fixture
def partner() -> Iterator[Any]:
    with running(new_partner()) as server:
        yield server


def _local(server: Any, path: str = "/hooks") -> Destination:
    return checked_destination(f"http://127.0.0.1:{server.server_address[1]}{path}", local_mode=True)


def _send(destination: Destination, secrets: list[str], **options: Any) -> Any:
    body = MESSAGE.body()
    return deliver(destination, signed_headers(MESSAGE, body, secrets, datetime.now(UTC)), body, **options)


def test_a_delivery_is_signed_so_that_the_standard_webhooks_library_verifies_it(partner: Any) -> None:
    secret = new_secret()

    attempt = _send(_local(partner, "/hooks?shop=1"), [secret])

    assert (attempt.delivered, attempt.status_code, attempt.error) == (True, 204, None)
    [(path, headers, body)] = partner.received
    assert path == "/hooks?shop=1"
    assert Webhook(secret).verify(body, headers) == {
        "type": "order.paid",
        "id": "evt_01JEVENT",
        "timestamp": "2026-12-04T06:00:00Z",
        "data": {"order_id": "01JORDER"},
    }
    assert headers["webhook-id"] == "evt_01JEVENT"  # the event's id: the same on every retry


def test_after_a_rotation_both_secrets_sign_and_either_verifies(partner: Any) -> None:
    new, old = new_secret(), new_secret()

    _send(_local(partner), [new, old])

    [(_, headers, body)] = partner.received
    assert headers["webhook-signature"].count("v1,") == 2
    for secret in (new, old):
        Webhook(secret).verify(body, headers)


def test_a_secret_is_whsec_and_32_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(Webhook(secret)._whsecret) == 32
    assert new_secret() != secret


def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(partner: Any) -> None:
    partner.answer = (302, {"location": "http://169.254.169.254/latest/meta-data/"}, b"", 0.0)

    attempt = _send(_local(partner), [new_secret()])

    assert (attempt.status_code, attempt.delivered) == (302, False)
    assert len(partner.received) == 1


def test_at_most_1_kb_of_the_answer_is_kept_and_retry_after_is_read(partner: Any) -> None:
    partner.answer = (503, {"retry-after": "120"}, b"<html>" + b"x" * 5000, 0.0)

    attempt = _send(_local(partner), [new_secret()])

    assert (attempt.status_code, attempt.retry_after_s) == (503, 120)
    assert len(attempt.response_excerpt.encode()) == KEPT_RESPONSE_BYTES


def test_no_answer_within_the_timeout_is_an_attempt_without_a_status(partner: Any) -> None:
    partner.answer = (200, {}, b"", 2.0)

    attempt = _send(_local(partner), [new_secret()], timeout_s=0.3)

    assert (attempt.status_code, attempt.delivered) == (None, False)
    assert attempt.error is not None
    assert "Timeout" in attempt.error
    assert attempt.duration_ms < 2000


def test_a_refused_connection_is_an_attempt_without_a_status() -> None:
    closed = Destination("http://127.0.0.1:9/", "http", "127.0.0.1", 9, "/", "127.0.0.1")

    attempt = _send(closed, [new_secret()], timeout_s=1.0)

    assert attempt.status_code is None
    assert attempt.error is not None


@pytest.fixture
def tls_partner(tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """An https partner on 127.0.0.1 whose certificate names partner.example (a test CA's)."""
    authority = trustme.CA()
    server = new_partner()
    server.answer = (200, {}, b"ok", 0.0)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("partner.example").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    with running(server):
        yield server, str(bundle)


def test_https_connects_to_the_checked_address_and_verifies_the_certificate_for_the_urls_name(
    tls_partner: tuple[Any, str],
) -> None:
    server, bundle = tls_partner
    port = server.server_address[1]
    # The name would resolve elsewhere (or nowhere): the checked address is the one connected to.
    destination = Destination(f"https://partner.example:{port}/h", "https", "partner.example", port, "/h", "127.0.0.1")

    attempt = _send(destination, [new_secret()], ca_certs=bundle)

    assert (attempt.status_code, attempt.response_excerpt) == (200, "ok")
    [(_, headers, _)] = server.received
    assert headers["host"] == f"partner.example:{port}"


def test_a_certificate_for_another_name_fails_the_attempt(tls_partner: tuple[Any, str]) -> None:
    server, bundle = tls_partner
    port = server.server_address[1]
    destination = Destination(f"https://other.example:{port}/h", "https", "other.example", port, "/h", "127.0.0.1")

    attempt = _send(destination, [new_secret()], ca_certs=bundle)

    assert attempt.status_code is None
    assert attempt.error is not None
    assert server.received == []
