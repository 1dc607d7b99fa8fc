"""Payments in local mode: localstripe (a fake Stripe) on 127.0.0.1, or Stripe's own test mode.

By default the runtime starts localstripe from its own virtual environment
(`.venv-localstripe`, `make dev` installs it) through devkit/localstripe_server.py, bound to
127.0.0.1 at STRIPE_PORT (8420), and registers the API's webhook route with it, signed with
STRIPE_WEBHOOK_SECRET (a printed default), so a PaymentIntent confirmed with `pm_card_visa`
reaches POST /v1/payments/stripe/webhook with no other step. Its store is kept in the data
directory beside the table (DynamoDB Local): orders and their PaymentIntents survive a
restart together, and `make dev-reset` forgets both; with the table in memory (moto) it is
in memory too. With LOCAL_STRIPE=0 the functions talk to Stripe's test mode with the
STRIPE_API_KEY (sk_test_...) and STRIPE_WEBHOOK_SECRET given (`stripe listen` prints one).
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from devkit.localrun.emulators import EmulatorError, _die_with_parent, free_port
from devkit.template import ROOT

log = logging.getLogger("localrun")

DEFAULT_PORT: Final = 8420
DEFAULT_API_KEY: Final = "sk_test_local"
DEFAULT_WEBHOOK_SECRET: Final = "whsec_local_dev_secret"
WEBHOOK_PATH: Final = "/v1/payments/stripe/webhook"
WEBHOOK_NAME: Final = "storefront"
WEBHOOK_EVENTS: Final = ("payment_intent.succeeded", "payment_intent.payment_failed")
LAUNCHER: Final = ROOT / "devkit" / "localstripe_server.py"
PYTHON: Final = ROOT / ".venv-localstripe" / "bin" / "python"
READY_TIMEOUT_S: Final = 30.0


class StripeSetupError(Exception):
    """LOCAL_STRIPE, STRIPE_API_KEY or STRIPE_WEBHOOK_SECRET cannot be used."""


@dataclass(frozen=True)
class StripeOptions:
    use_localstripe: bool = True
    port: int = 0  # localstripe's port; 0: any free one (tests)
    api_key: str = DEFAULT_API_KEY
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    python: Path = PYTHON

    @property
    def is_default_secret(self) -> bool:
        return self.webhook_secret == DEFAULT_WEBHOOK_SECRET

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> StripeOptions:
        use_localstripe = environ.get("LOCAL_STRIPE", "1") != "0"
        api_key = environ.get("STRIPE_API_KEY") or DEFAULT_API_KEY
        webhook_secret = environ.get("STRIPE_WEBHOOK_SECRET") or DEFAULT_WEBHOOK_SECRET
        port_text = environ.get("STRIPE_PORT") or str(DEFAULT_PORT)
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise StripeSetupError(f"STRIPE_PORT={port_text!r} is not a port")
        if not webhook_secret.startswith("whsec_"):
            raise StripeSetupError("STRIPE_WEBHOOK_SECRET must start with whsec_")
        if not use_localstripe:
            # Local mode never moves real money: test-mode keys only, and the endpoint's own secret.
            if not api_key.startswith(("sk_test_", "rk_test_")) or api_key == DEFAULT_API_KEY:
                raise StripeSetupError("LOCAL_STRIPE=0 needs STRIPE_API_KEY set to a test-mode key (sk_test_...)")
            if webhook_secret == DEFAULT_WEBHOOK_SECRET:
                raise StripeSetupError("LOCAL_STRIPE=0 needs STRIPE_WEBHOOK_SECRET (`stripe listen` prints it)")
        return cls(use_localstripe, int(port_text), api_key, webhook_secret)


class LocalStripe:
    """localstripe in a child process on 127.0.0.1; its log in `<data_dir>/localstripe.log`."""

    def __init__(self, options: StripeOptions, data_dir: Path) -> None:
        self.options, self.data_dir = options, data_dir
        self.port = options.port or free_port()
        self.state_file: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "localstripe.log"

    def start(self, *, keep_state: bool) -> None:
        """Start the process (it boots while the emulators do); `wait_ready` waits for it."""
        self.state_file = self.data_dir / "localstripe.pickle" if keep_state else None
        command = [str(self.options.python), "-I", str(LAUNCHER), "--port", str(self.port)]
        if self.state_file is not None:
            command += ["--state", str(self.state_file)]
        with self.log_file.open("wb") as output:
            self.process = subprocess.Popen(
                command,
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the runtime, which stops it in order
                preexec_fn=_die_with_parent,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                output = self.log_file.read_text(errors="replace").strip()[-800:]
                raise EmulatorError(f"localstripe exited with {self.process.returncode} (STRIPE_PORT?):\n{output}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/js.stripe.com/v3/", timeout=1) as answer:
                    answer.read()
                return
            except OSError:  # not listening yet
                time.sleep(0.1)  # the interval of a bounded poll
        raise EmulatorError(f"localstripe did not answer within {READY_TIMEOUT_S:.0f} s")

    def register_webhook(self, url: str) -> None:
        """localstripe signs its deliveries to `url` with our webhook secret (Stripe's scheme)."""
        body = {"url": url, "secret": self.options.webhook_secret, "events": list(WEBHOOK_EVENTS)}
        request = urllib.request.Request(
            f"{self.endpoint}/_config/webhooks/{WEBHOOK_NAME}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                answer.read()
        except (OSError, urllib.error.HTTPError) as error:
            raise EmulatorError(f"localstripe refused the webhook registration: {error}") from error

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@dataclass
class Payments:
    """What the runtime started for payments, and what the functions are told."""

    options: StripeOptions
    localstripe: LocalStripe | None = None
    note: str | None = None

    @classmethod
    def start(cls, options: StripeOptions, data_dir: Path) -> Payments:
        if not options.use_localstripe:
            return cls(options)
        if not options.python.exists():
            note = f"localstripe is not installed ({options.python}; make dev installs it): card payments answer 503"
            return cls(options, LocalStripe(options, data_dir), note=note)
        localstripe = LocalStripe(options, data_dir)
        return cls(options, localstripe)

    @property
    def running(self) -> bool:
        return self.localstripe is not None and self.localstripe.process is not None

    def launch(self, *, keep_state: bool) -> None:
        if self.localstripe is not None and self.note is None:
            self.localstripe.start(keep_state=keep_state)

    def ready(self, api_url: str) -> None:
        """Once localstripe answers, it delivers its webhooks to the API's route."""
        if self.running:
            assert self.localstripe is not None
            self.localstripe.wait_ready()
            self.localstripe.register_webhook(f"{api_url}{WEBHOOK_PATH}")

    def environment(self) -> dict[str, str]:
        """The functions' Stripe settings; STRIPE_SECRET_ARN is emptied: the keys are these."""
        api_base = self.localstripe.endpoint if self.localstripe is not None else ""
        return {
            "STRIPE_API_BASE": api_base,
            "STRIPE_API_KEY": self.options.api_key,
            "STRIPE_WEBHOOK_SECRET": self.options.webhook_secret,
            "STRIPE_SECRET_ARN": "",
        }

    def describe(self, api_url: str) -> list[str]:
        if self.localstripe is None:
            where = f"Stripe's test mode (LOCAL_STRIPE=0), key {self.options.api_key[:8]}…{self.options.api_key[-4:]}"
            forward = f"stripe listen --forward-to {api_url}{WEBHOOK_PATH}"
            lines = [f"Stripe:   {where}", f"          forward its webhooks: {forward}"]
        else:
            kept = self.localstripe.state_file or "in memory"
            lines = [f"Stripe:   localstripe on {self.localstripe.endpoint} (127.0.0.1 only; state: {kept})"]
        default = "  (the default: set STRIPE_WEBHOOK_SECRET to choose one)" if self.options.is_default_secret else ""
        lines += [
            f"Webhook:  POST {api_url}{WEBHOOK_PATH}",
            f"          secret {self.options.webhook_secret}{default}",
        ]
        return [*lines, *([self.note] if self.note else [])]

    def stop(self) -> None:
        if self.localstripe is not None:
            self.localstripe.stop()
