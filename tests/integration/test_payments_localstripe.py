"""The Stripe adapter against localstripe, and localstripe in local mode.

localstripe ignores idempotency keys (and allows over-refunds): what these tests hold is
our side of the guarantee, that the same order always sends the same key on the wire,
also when the SDK retries; Stripe itself answers a repeated key with the first result.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import stripe

from devkit.localrun.runtime import Options, Runtime
from devkit.localrun.stripe import PYTHON, WEBHOOK_PATH, LocalStripe, StripeOptions
from devkit.localrun.testing import running, wait_until
from storefront.payments import IntentState, StripeProvider, verify_stripe_event
from storefront.payments import stripe_provider as stripe_provider_module
from storefront.payments.credentials import credentials_cache
from storefront.settings import get_settings
from tests.aws_fixtures import _forget_clients

API_KEY = "sk_test_local"


@pytest.fixture(scope="module")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    if not PYTHON.exists():
        pytest.fail("localstripe needs its virtual environment (make test installs .venv-localstripe)")
    server = LocalStripe(StripeOptions(), tmp_path_factory.mktemp("localstripe"))
    server.start(keep_state=False)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def provider(localstripe: LocalStripe, monkeypatch: pytest.MonkeyPatch) -> StripeProvider:
    """The adapter as local mode runs it: the local keys, the API base at localstripe."""
    settings = replace(get_settings(), stripe_api_base=localstripe.endpoint)
    monkeypatch.setattr(stripe_provider_module, "get_settings", lambda: settings)
    credentials_cache.clear()
    return StripeProvider()


class Deliveries(ThreadingHTTPServer):
    """A webhook endpoint on 127.0.0.1 that keeps what it receives, as Stripe sent it."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, str | None]] = []
        super().__init__(("127.0.0.1", 0), _Receiver)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{WEBHOOK_PATH}"

    def of_type(self, event_type: str) -> list[tuple[bytes, str | None]]:
        return [(body, header) for body, header in self.received if json.loads(body)["type"] == event_type]


class _Receiver(BaseHTTPRequestHandler):
    server: Deliveries

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received.append((body, self.headers.get("Stripe-Signature")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def deliveries(localstripe: LocalStripe) -> Iterator[Deliveries]:
    server = Deliveries()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    localstripe.register_webhook(server.url)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _sdk(localstripe: LocalStripe) -> stripe.StripeClient:
    return stripe.StripeClient(API_KEY, base_addresses={"api": localstripe.endpoint})


def test_start_creates_a_payment_intent_for_the_order_that_reads_back(provider: StripeProvider) -> None:
    started = provider.start("01ORDERSTART", 2599, "USD")

    assert started.provider == "stripe"
    assert started.payment_intent_id is not None
    assert started.payment_intent_id.startswith("pi_")
    assert started.client_secret is not None
    assert started.client_secret.startswith(f"{started.payment_intent_id}_secret_")
    assert provider.retrieve(started.payment_intent_id) == IntentState(
        id=started.payment_intent_id,
        status="requires_payment_method",
        amount=2599,
        currency="USD",
        order_id="01ORDERSTART",
    )


class _DropsTheFirstRequest(stripe.RequestsClient):
    """Loses the first request's connection, as a network would; records every attempt's key."""

    def __init__(self) -> None:
        super().__init__(timeout=5)
        self.keys: list[str | None] = []

    def request(  # type: ignore[override]
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None
    ) -> Any:
        self.keys.append((headers or {}).get("Idempotency-Key"))
        if len(self.keys) == 1:
            raise stripe.APIConnectionError("connection reset", should_retry=True)  # type: ignore[no-untyped-call]
        return super().request(method, url, headers, post_data)


@pytest.mark.usefixtures("provider")  # local mode's settings
def test_a_start_retried_after_a_lost_connection_sends_the_same_idempotency_key(localstripe: LocalStripe) -> None:
    http = _DropsTheFirstRequest()
    client = stripe.StripeClient(
        API_KEY, base_addresses={"api": localstripe.endpoint}, max_network_retries=2, http_client=http
    )
    provider = StripeProvider(client_factory=lambda: client)

    started = provider.start("01ORDERRETRY", 1000, "EUR")
    provider.start("01ORDERRETRY", 1000, "EUR")  # a completion retried by the client

    assert started.payment_intent_id is not None
    assert http.keys == ["order-01ORDERRETRY-payment-intent"] * 3


def test_confirming_with_pm_card_visa_delivers_a_signed_success_we_verify(
    provider: StripeProvider, localstripe: LocalStripe, deliveries: Deliveries
) -> None:
    started = provider.start("01ORDERPAID", 4200, "USD")
    assert started.payment_intent_id is not None

    _sdk(localstripe).v1.payment_intents.confirm(started.payment_intent_id, params={"payment_method": "pm_card_visa"})

    [(body, header)] = wait_until(lambda: deliveries.of_type("payment_intent.succeeded"), what="the success webhook")
    event = verify_stripe_event(body, header)
    assert event.type == "payment_intent.succeeded"
    assert event.intent == IntentState(started.payment_intent_id, "succeeded", 4200, "USD", "01ORDERPAID")
    assert provider.retrieve(started.payment_intent_id).status == "succeeded"


def test_a_declined_card_delivers_a_signed_failure_and_the_intent_stays_payable(
    provider: StripeProvider, localstripe: LocalStripe, deliveries: Deliveries
) -> None:
    started = provider.start("01ORDERDECLINED", 1500, "USD")
    assert started.payment_intent_id is not None

    with pytest.raises(stripe.CardError):
        _sdk(localstripe).v1.payment_intents.confirm(
            started.payment_intent_id, params={"payment_method": "pm_card_chargeCustomerFail"}
        )

    [(body, header)] = wait_until(lambda: deliveries.of_type("payment_intent.payment_failed"), what="the failure")
    event = verify_stripe_event(body, header)
    assert event.intent is not None
    assert (event.intent.order_id, event.intent.status) == ("01ORDERDECLINED", "requires_payment_method")


def test_a_paid_intent_is_refunded_and_cancelling_it_is_a_harmless_no_op(
    provider: StripeProvider, localstripe: LocalStripe
) -> None:
    started = provider.start("01ORDERREFUND", 3000, "USD")
    assert started.payment_intent_id is not None
    _sdk(localstripe).v1.payment_intents.confirm(started.payment_intent_id, params={"payment_method": "pm_card_visa"})

    refund_id = provider.refund(started.payment_intent_id, 3000, "order-01ORDERREFUND-refund-auto")
    provider.cancel(started.payment_intent_id)  # a paid intent cannot be cancelled: best effort, no error

    assert refund_id.startswith("re_")


def test_an_unpaid_intent_is_cancelled(provider: StripeProvider) -> None:
    started = provider.start("01ORDEREXPIRED", 3000, "USD")
    assert started.payment_intent_id is not None

    provider.cancel(started.payment_intent_id)

    assert provider.retrieve(started.payment_intent_id).status == "canceled"


def test_a_stopped_localstripe_no_longer_answers(tmp_path: Path) -> None:
    server = LocalStripe(StripeOptions(), tmp_path)
    server.start(keep_state=False)
    server.wait_ready()

    server.stop()

    assert server.process is not None
    assert server.process.poll() is not None
    assert _listening_addresses(server.port) == set()


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (Linux /proc): hex IPv4 or IPv6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    options = Options(port=0, data_dir=tmp_path_factory.mktemp("localrun-stripe"), use_java=False, prepare_store=False)
    with running(options) as started:
        yield started
    get_settings.cache_clear()
    _forget_clients()
    credentials_cache.clear()


def test_local_mode_serves_localstripe_on_loopback_only_and_points_the_functions_at_it(runtime: Runtime) -> None:
    assert runtime.payments is not None
    assert runtime.payments.localstripe is not None
    endpoint = runtime.payments.localstripe.endpoint
    with urllib.request.urlopen(f"{endpoint}/js.stripe.com/v3/", timeout=5) as answer:
        assert answer.status == 200

    assert _listening_addresses(runtime.payments.localstripe.port) == {"0100007F"}  # 127.0.0.1, nothing else
    environment = runtime._local_environment()
    assert environment["STRIPE_API_BASE"] == endpoint
    assert environment["STRIPE_WEBHOOK_SECRET"] == "whsec_local_dev_secret"
    # The keys are these, not the template's secret (its placeholder is for a deployed stack).
    assert os.environ["STRIPE_SECRET_ARN"] == ""
    assert "whsec_local_dev_secret" in runtime.describe()


def test_local_mode_registers_the_api_webhook_route_with_localstripe(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    assert runtime.payments is not None
    assert runtime.payments.localstripe is not None
    client = stripe.StripeClient(API_KEY, base_addresses={"api": runtime.payments.localstripe.endpoint})
    # localstripe offers cards only (and refuses automatic_payment_methods).
    params: Any = {"amount": 500, "currency": "usd", "payment_method_types": ["card"]}
    intent = client.v1.payment_intents.create(params=params)

    with caplog.at_level(logging.INFO, logger="localrun.http"):
        client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
        wait_until(
            lambda: any(f"POST {WEBHOOK_PATH}" in record.getMessage() for record in caplog.records),
            what="localstripe's delivery to the API's webhook route",
        )
