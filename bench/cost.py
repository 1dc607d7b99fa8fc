"""Cost per 1,000 orders, measured: a shopper mix driven through the local runtime and priced at AWS list prices.

The local runtime (`make dev`'s: every function in-process, DynamoDB Local, moto, localstripe)
runs inside this process on a free port with its data in a temporary directory, so that
bench/cost_meter.py can count what AWS would bill without a line of product code changed.
Each activity of the mix runs alone and the asynchronous work it causes (table stream → relay
→ bus → queues, indexer, analytics) is waited for before the next starts, so its usage is its own:

- **order** (the converting path), once per order: a returning customer signs in, adds 3
  products to the cart, reads it, opens a checkout, sets the address, reads the shipping
  methods, picks one, completes with a card, confirms at Stripe (localstripe; the browser's call,
  not ours), Stripe's webhook marks the order paid, the customer reads the order; staff list the
  paid orders and move it to processing, shipped and delivered;
- **product view**, 20 per order: a product page, `GET /v1/products/{id}` and its reviews;
- **search**, 3 per order: `GET /v1/products?q=…` (some narrowed to a category, sorted by price);
- **sign-up**, 1 per 2 orders; **review**, 1 per 10 orders (written, then approved by staff).

Product views and searches are public GETs that CloudFront caches: a hit costs CloudFront and
WAF only, so their other quantities are scaled by the miss ratio (HIT_RATIOS). Lambda duration
is measured on this shared 2-core machine, in a process that also runs the client, the server
and the pollers: it is higher than on Lambda, and billed here rounded up to 1 ms per invocation
at the template's MemorySize (x86 prices). Results: bench/results/cost.json and a table in
bench/README.md. `--orders 5` runs a quick check.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.checkout import ADDRESS, TIMEOUT_S, Client
from bench.cost_meter import Meter, stdout_counted
from bench.cost_model import MONTHLY_USD, PRICES, PRICES_AS_OF, PRICES_SOURCE, Activity, priced, report_of, table
from bench.readme import write_section
from devkit.localrun.config import LocalTemplate
from devkit.localrun.eventsources import rate_seconds
from devkit.localrun.runtime import LocalAdmin, Options, Runtime
from devkit.localrun.stripe import DEFAULT_API_KEY
from devkit.localrun.testing import running, wait_until

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "cost.json"
# The mix, per order.
PER_ORDER = {"order": 1.0, "product view": 20.0, "search": 3.0, "sign-up": 0.5, "review": 0.1}
CART_LINES = 3
# The CDN's assumed hit ratios for the cacheable GETs (product pages are public for 60 s,
# search answers for 5 s: a search hits only where many shoppers ask the same within seconds).
HIT_RATIOS = {"product view": 0.80, "search": 0.40}
MIN_RUNS = 5  # of the rare activities (sign-ups, reviews), for a usable average
CATALOG = [f"{adjective} {noun}" for adjective in ("Summit", "Trail", "Harbor") for noun in ("Jacket", "Boot", "Tent")]
SEARCHES = ["jacket", "trail boot", "tent", "harbor", "summit jack"]
QUIET_S = 5.0  # no invocation for this long: the asynchronous work of an activity is done
SETTLE_TIMEOUT_S = 180.0
MONTH_S = 730 * 3600
IDLE_POLLERS, LONG_POLL_S = 5, 20  # Lambda's SQS event source keeps five 20-second long polls open per queue
ADMIN = LocalAdmin("cost-admin@storefront.local", "cost-admin-password")
CUSTOMER_PASSWORD = "cost-customer-password"


class Shopper(Client):
    def __init__(self, url: str) -> None:
        self.url, self.session = url, requests.Session()


def queues_fed_by_rules(template: LocalTemplate) -> set[str]:
    """The ARNs of the queues that EventBridge rules deliver to (one SendMessage per event)."""
    arns = set()
    for logical_id in template.resources("AWS::Events::Rule"):
        for target in template.properties(logical_id).get("Targets") or []:
            arn = str(template.resolve(target["Arn"]))
            if arn.startswith("arn:aws:sqs:"):
                arns.add(arn)
    return arns


class Mix:
    """The shopper mix against one running runtime, each activity metered under its own name."""

    def __init__(self, runtime: Runtime, meter: Meter) -> None:
        self.runtime, self.meter, self.api = runtime, meter, Shopper(runtime.url)
        self.run_id = datetime.now(UTC).strftime("%H%M%S")
        self.products: list[dict[str, str]] = []  # id, sku, category
        self.customers: list[str] = []  # emails
        self.bought: list[tuple[str, str]] = []  # (email, product id) for reviews

    def staff(self) -> str:
        login = {"email": ADMIN.email, "password": ADMIN.password}
        return str(self.api.call("POST", "/v1/auth/login", body=login)["access_token"])

    def sign_in(self, email: str) -> str:
        login = {"email": email, "password": CUSTOMER_PASSWORD}
        return str(self.api.call("POST", "/v1/auth/login", body=login)["access_token"])

    def prepare(self, customers: int, stock: int) -> None:
        staff = self.staff()
        categories = []
        for name in ("Outerwear", "Camping"):
            body: dict[str, Any] = {
                "name": name,
                "slug": f"{name.lower()}-{self.run_id}",
                "parent_id": None,
                "attributes": {},
            }
            categories.append(str(self.api.call("POST", "/v1/categories", staff, body)["id"]))
        for number, name in enumerate(CATALOG):
            sku = f"COST-{self.run_id}-{number}"
            product = {
                **{"name": name, "description": f"The {name}, for every season.", "price": 4900 + 100 * number},
                **{"category_id": categories[number % 2], "currency": "USD", "tags": ["outdoor"], "status": "active"},
                "attributes": {},
                "variants": [{"sku": sku, "options": {"size": "M"}, "initial_stock": stock, "weight_grams": 900}],
            }
            created = self.api.call("POST", "/v1/products", staff, product)
            self.products.append({"id": str(created["id"]), "sku": sku, "category": categories[number % 2]})
        for number in range(customers):
            email = f"cost-{self.run_id}-{number}@example.com"
            self.api.call(
                "POST", "/v1/auth/register", body={"email": email, "password": CUSTOMER_PASSWORD, "name": "Buyer"}
            )
            self.customers.append(email)

    def measure(self, name: str, runs: int, run: Callable[[int], None]) -> Activity:
        """Runs `run(0..runs-1)` as activity `name`, then waits until its asynchronous work is done."""
        self.settle()
        self.meter.phase = name
        for number in range(runs):
            run(number)
        self.settle()
        self.meter.phase = None
        usage = dict(self.meter.usage.get(name, {}))
        return Activity(name, runs, PER_ORDER[name], usage, HIT_RATIOS.get(name, 0.0))

    def settle(self) -> None:
        wait_until(
            lambda: time.monotonic() - self.meter.last_invocation >= QUIET_S,
            timeout_s=SETTLE_TIMEOUT_S,
            interval_s=0.2,
            what="no invocation for a while",
        )

    def order(self, number: int, staff: str) -> None:
        email = self.customers[number]
        token = self.sign_in(email)
        lines = [self.products[(number * CART_LINES + line) % len(self.products)] for line in range(CART_LINES)]
        for line in lines:
            self.api.call("POST", "/v1/cart/items", token, {"sku": line["sku"], "quantity": 1})
        self.api.call("GET", "/v1/cart", token)
        checkout = f"/v1/checkouts/{self.api.call('POST', '/v1/checkouts', token)['id']}"
        self.api.call("PATCH", checkout, token, {"shipping_address": ADDRESS})
        method = self.api.call("GET", f"{checkout}/shipping-methods", token)[0]["id"]
        self.api.call("PATCH", checkout, token, {"shipping_method_id": method})
        key = {"Idempotency-Key": f"cost-{self.run_id}-{number}"}
        done = self.api.call("POST", f"{checkout}/complete", token, {"payment_method": "card"}, **key)
        order_id = done["order"]["id"]
        self.pay(done["payment"]["payment_intent_id"])
        if self.api.call("GET", f"/v1/orders/{order_id}", token)["status"] != "paid":
            raise SystemExit(f"order {order_id} is not paid after Stripe's webhook")
        self.api.call("GET", "/v1/orders?status=paid", staff)
        for move in ({"to": "processing"}, {"to": "shipped", "carrier": "UPS", "tracking_number": "1Z999"}):
            self.api.call("POST", f"/v1/orders/{order_id}/transitions", staff, move)
        self.api.call("POST", f"/v1/orders/{order_id}/transitions", staff, {"to": "delivered"})
        self.bought += [(email, line["id"]) for line in lines]

    def pay(self, intent: str) -> None:
        """Confirms at localstripe as the shopper's browser does, then waits for its webhook's invocation."""
        payments = self.runtime.functions["PaymentsFunction"]
        before = payments.invocations
        assert self.runtime.payments is not None
        assert self.runtime.payments.localstripe is not None
        confirm = f"{self.runtime.payments.localstripe.endpoint}/v1/payment_intents/{intent}/confirm"
        answer = requests.post(
            confirm,
            data={"payment_method": "pm_card_visa"},
            headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
            timeout=TIMEOUT_S,
        )
        answer.raise_for_status()
        wait_until(lambda: payments.invocations > before and not payments.lock.locked(), what="Stripe's webhook")

    def product_view(self, number: int) -> None:
        product = self.products[number % len(self.products)]["id"]
        self.api.call("GET", f"/v1/products/{product}")
        self.api.call("GET", f"/v1/products/{product}/reviews")

    def search(self, number: int) -> None:
        query = f"/v1/products?q={SEARCHES[number % len(SEARCHES)]}"
        if number % 3 == 2:
            query += f"&category_id={self.products[number % len(self.products)]['category']}&sort=price_asc"
        self.api.call("GET", query)

    def sign_up(self, number: int) -> None:
        account = {"email": f"new-{self.run_id}-{number}@example.com", "password": CUSTOMER_PASSWORD, "name": "New"}
        self.api.call("POST", "/v1/auth/register", body=account)

    def review(self, number: int, tokens: dict[str, str], staff: str) -> None:
        email, product = self.bought[number]  # each (customer, product) pair reviewed once
        body = {"rating": 4 + number % 2, "title": "Does the job", "body": "Warm, light and well made."}
        review = self.api.call("POST", f"/v1/products/{product}/reviews", tokens[email], body)
        self.api.call("GET", "/v1/reviews?status=pending", staff)
        self.api.call("POST", f"/v1/reviews/{review['id']}/approve", staff)


def _rare(name: str, orders: int) -> int:
    return max(MIN_RUNS, round(PER_ORDER[name] * orders))


def measure_mix(runtime: Runtime, meter: Meter, orders: int) -> list[Activity]:
    mix = Mix(runtime, meter)
    views, searches = round(PER_ORDER["product view"] * orders), round(PER_ORDER["search"] * orders)
    mix.prepare(customers=orders, stock=orders * CART_LINES + 10)
    staff = mix.staff()
    activities = [mix.measure("order", orders, lambda number: mix.order(number, staff))]
    activities.append(mix.measure("product view", views, mix.product_view))
    activities.append(mix.measure("search", searches, mix.search))
    activities.append(mix.measure("sign-up", _rare("sign-up", orders), mix.sign_up))
    reviewers = {email for email, _ in mix.bought}
    tokens, staff = {email: mix.sign_in(email) for email in reviewers}, mix.staff()  # unbilled: between activities
    activities.append(mix.measure("review", _rare("review", orders), lambda number: mix.review(number, tokens, staff)))
    return activities


def run(orders: int) -> dict[str, Any]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as workdir:
        options = Options(port=0, data_dir=Path(workdir) / "data", admin=ADMIN)
        # The stack as deployed (the local runtime turns the CDN off): for the fixed costs.
        deployed = LocalTemplate(options.template, parameter_overrides={"ApiCdn": "on"})
        meter = Meter(queues_fed_by_rules(deployed))
        meter.install_botocore_hooks()
        with stdout_counted(meter), running(options) as runtime:
            assert runtime.server is not None
            runtime.server.app = meter.wrap_wsgi(runtime.server.app)
            for function in runtime.functions.values():
                definition = function.definition
                function.handler = meter.wrap_handler(definition.logical_id, definition.memory_mb, function.handler)
            meter.reader = runtime.aws_client("dynamodb")
            activities = measure_mix(runtime, meter, orders)
            fixed = _fixed_monthly(deployed, meter.usage["scheduled"])
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "duration_s": round(time.monotonic() - started),
        "method": "the local runtime in this process (DynamoDB Local, moto, localstripe), metered from outside",
        "prices": {"as_of": PRICES_AS_OF, "source": PRICES_SOURCE}
        | {quantity: price.list_price for quantity, price in PRICES.items()},
        **report_of(activities, meter.functions),
        "fixed_monthly_usd": fixed,
    }


def _fixed_monthly(template: LocalTemplate, usage: Mapping[str, float]) -> dict[str, float]:
    """What is billed whatever the orders: the web ACL, secrets, keys, idle queue polling, the schedules' runs."""
    acls = template.resources("AWS::WAFv2::WebACL")
    counts = {
        "WAF web ACL": len(acls),
        "WAF rule": sum(len(acl["Properties"].get("Rules") or []) for acl in acls.values()),
        "Secrets Manager secret": len(template.resources("AWS::SecretsManager::Secret")),
        "KMS customer-managed key": len(template.resources("AWS::KMS::Key")),
    }
    fixed = {f"{label} × {count}": round(MONTHLY_USD[label] * count, 2) for label, count in counts.items()}
    fixed["CloudWatch custom metric, each (per name and dimensions)"] = MONTHLY_USD["CloudWatch custom metric"]
    definitions = template.functions()
    queues = sum(event.get("Type") == "SQS" for function in definitions for event in function.events.values())
    fixed[f"SQS: Lambda's idle long polling of {queues} queues"] = round(
        queues * IDLE_POLLERS * MONTH_S / LONG_POLL_S * PRICES["sqs_requests"].usd, 2
    )
    runs = usage.get("lambda_requests", 0)
    for function in definitions:
        for event in function.events.values():
            expression = (event.get("Properties") or {}).get("Schedule", "")
            every = rate_seconds(expression) if event.get("Type") == "Schedule" else None
            if every and runs:  # the measured usage of a timer's run, as often as it runs in a month
                usd = sum(priced(usage, MONTH_S / every / runs).values())
                fixed[f"{function.logical_id} every {expression} (measured runs)"] = round(usd, 2)
    return fixed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=50, help="orders measured (default 50), the rest in proportion")
    arguments = parser.parse_args()
    if arguments.orders * CART_LINES < MIN_RUNS:
        parser.error(f"--orders must be ≥ {math.ceil(MIN_RUNS / CART_LINES)}: each review needs a product bought")
    report = run(arguments.orders)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    text = table(report)
    write_section("cost", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
