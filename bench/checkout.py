"""Checkout completion latency in local mode: POST /v1/checkouts/{id}/complete over HTTP, one after another.

The local runtime (`make dev`: its HTTP server, each function in-process, DynamoDB Local
in a JVM) is started on a free port with its data in a temporary directory, as the e2e
tests start it (tests/e2e/local_api.py). `--completions` times over, one customer fills the cart with
`--lines` products, opens a checkout (a US address, the default zone's Standard method)
and completes it with `payment_method: manual` and its own Idempotency-Key; only the
completion is timed, from the request sent to the 201 read (a checkout completes only
from the cart it was opened from, so each has its own cart). Manual payment, so no
Stripe (or localstripe) round trip is timed: what is measured is the store's own path —
the idempotency record, the checkout read, the prices and stock re-read in one
BatchGetItem, the shipping quote, the one transaction reserving every line with the
order, and the record's completion. Every completion is timed; the first one, which also
builds the route's models in the checkout function, is reported apart as well.

Not Lambda's or DynamoDB's speed: DynamoDB Local on this machine, without a network hop to a
region and without the service's latency. Results go to bench/results/checkout.json and a
table in bench/README.md. `--completions 10` runs a small check.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.readme import write_section
from tests.e2e.local_api import ADMIN_EMAIL, ADMIN_PASSWORD, SESSION_ENVIRONMENT, LocalApi, start_local_api

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "checkout.json"
ADDRESS = {"name": "Ada Buyer", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"}
TIMEOUT_S = 60.0  # a function's first request imports it: slow on a loaded machine


class Client:
    def __init__(self, api: LocalApi) -> None:
        self.url, self.session = api.url, requests.Session()

    def call(self, method: str, path: str, token: str | None = None, body: Any = None, **headers: str) -> Any:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        answer = self.session.request(method, self.url + path, json=body, headers=headers, timeout=TIMEOUT_S)
        if answer.status_code >= 300:
            raise SystemExit(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json() if answer.content else None


def _prepare(client: Client, completions: int, lines: int) -> tuple[str, list[str]]:
    """The customer's token and the SKUs of `lines` products, each with stock for every completion."""
    login = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    admin = client.call("POST", "/v1/auth/login", body=login)["access_token"]
    run = uuid.uuid4().hex[:8]
    category: dict[str, Any] = {"name": "Bench", "slug": f"bench-{run}", "parent_id": None, "attributes": {}}
    category_id = client.call("POST", "/v1/categories", admin, category)["id"]
    skus = [f"BENCH-{run}-{n}" for n in range(lines)]
    for sku in skus:
        variant = {"sku": sku, "options": {"size": "M"}, "initial_stock": completions + 1, "weight_grams": 500}
        product = {
            **{"name": f"Bench {sku}", "description": "Timed.", "category_id": category_id, "price": 2500},
            **{"currency": "USD", "tags": [], "status": "active", "attributes": {}, "variants": [variant]},
        }
        client.call("POST", "/v1/products", admin, product)
    account = {"email": f"bench-{run}@example.com", "password": "bench-customer-password", "name": "Bench"}
    customer = client.call("POST", "/v1/auth/register", body=account)["access_token"]
    return customer, skus


def _ready_checkout(client: Client, customer: str, skus: list[str]) -> str:
    """A checkout of a freshly filled cart (completing one empties the cart), address and method set."""
    for sku in skus:
        client.call("POST", "/v1/cart/items", customer, {"sku": sku, "quantity": 1})
    checkout_id = str(client.call("POST", "/v1/checkouts", customer)["id"])
    chosen = {"shipping_address": ADDRESS, "shipping_method_id": "standard"}
    client.call("PATCH", f"/v1/checkouts/{checkout_id}", customer, chosen)
    return checkout_id


def _complete_all(client: Client, customer: str, skus: list[str], completions: int) -> list[float]:
    timings = []
    for _ in range(completions):
        checkout_id = _ready_checkout(client, customer, skus)
        path = f"/v1/checkouts/{checkout_id}/complete"
        key = {"Idempotency-Key": str(uuid.uuid4())}
        started = time.perf_counter()
        done = client.call("POST", path, customer, {"payment_method": "manual"}, **key)
        timings.append((time.perf_counter() - started) * 1000)
        if done["order"]["status"] != "pending_payment":
            raise SystemExit(f"{path}: unexpected order {done['order']}")
    return timings


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]  # nearest rank


def run(completions: int, lines: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-checkout-") as workdir:
        api = start_local_api(Path(workdir), SESSION_ENVIRONMENT)
        try:
            client = Client(api)
            customer, skus = _prepare(client, completions, lines)
            timings = _complete_all(client, customer, skus, completions)
        finally:
            api.stop(signal.SIGINT)
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "method": "local runtime over HTTP, DynamoDB Local, sequential, payment_method manual (no Stripe call)",
        "completions": completions,
        "lines_per_order": lines,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(_percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "first_ms": round(timings[0], 1),
        "timings_ms": [round(timing, 1) for timing in timings],
    }


def _table(report: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Python {report['python']}, {report['machine']}, {report['generated_at']} (`python -m bench.checkout`;"
            " `bench/results/checkout.json`). Milliseconds, over HTTP to the local runtime, DynamoDB Local.",
            "",
            "| route | completions | lines | payment | p50 | p95 | max | first |",
            "|---|---:|---:|---|---:|---:|---:|---:|",
            f"| `POST /v1/checkouts/{{id}}/complete` | {report['completions']} | {report['lines_per_order']} | manual"
            f" | {report['p50_ms']} | {report['p95_ms']} | {report['max_ms']} | {report['first_ms']} |",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--completions", type=int, default=200, help="checkouts prepared and completed (default 200)")
    parser.add_argument("--lines", type=int, default=3, help="products in each order, one unit each (default 3)")
    arguments = parser.parse_args()
    if arguments.completions < 1 or not 1 <= arguments.lines <= 50:
        parser.error("--completions must be ≥ 1 and --lines 1 to 50 (a cart's limit)")
    report = run(arguments.completions, arguments.lines)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    table = _table(report)
    write_section("checkout", table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
