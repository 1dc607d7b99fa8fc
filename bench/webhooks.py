"""Partner webhook delivery: latency through the whole local pipeline, and one sender's throughput.

**Latency** (`--events`, default 200): the local runtime (`make dev`, as the e2e tests start
it) with one endpoint subscribed to `product.updated` on a loopback receiver that answers
204 at once. One product is changed `--events` times, one change after another; each is
timed from the PATCH's answer (the write and its outbox item committed) to the receiver's
204 for its event: table stream → relay → bus → the rule's queue → the sender → signed POST.
The local runtime polls the stream and the queues the way Lambda does (about once a second
when idle), so most of the time is polling; AWS's own pipeline differs, the code's share
is the same.

**Throughput** (`--throughput-events`, default 1000): one sender execution environment (its
handler called batch after batch with the records Lambda's SQS poller would hand it,
BatchSize 10, as one Lambda environment is) delivering to one endpoint on moto's services
in this process (DynamoDB, SQS, KMS): the events per second it delivers, with the receiver
answering at once and after 200 ms (a slow partner: the attempts of a batch run side by side).

Results go to bench/results/webhooks.json and a table in bench/README.md.
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

from bench.checkout import Client, _percentile
from bench.readme import write_section
from tests.e2e.local_api import ADMIN_EMAIL, ADMIN_PASSWORD, SESSION_ENVIRONMENT, start_local_api
from tests.webhook_partner import new_partner, running, wait_for_requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "webhooks.json"


def _latency(events: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as workdir, running(new_partner()) as partner:
        api = start_local_api(Path(workdir), SESSION_ENVIRONMENT)
        try:
            client = Client(api)
            admin = client.call("POST", "/v1/auth/login", body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            token = admin["access_token"]
            run = uuid.uuid4().hex[:8]
            category: dict[str, Any] = {"name": "Bench", "slug": f"bench-{run}", "parent_id": None, "attributes": {}}
            category_id = client.call("POST", "/v1/categories", token, category)["id"]
            variant = {"sku": f"HOOK-{run}", "options": {"size": "M"}, "initial_stock": 1}
            product = {
                **{"name": "Bench hook", "description": "Timed.", "category_id": category_id, "price": 100},
                **{"currency": "USD", "tags": [], "status": "active", "attributes": {}, "variants": [variant]},
            }
            product_id = client.call("POST", "/v1/products", token, product)["id"]
            endpoint = {"url": partner.url + "/in", "events": ["product.updated"]}
            client.call("POST", "/v1/webhooks", token, endpoint)
            timings = []
            for number in range(events):
                client.call("PATCH", f"/v1/products/{product_id}", token, {"description": f"Timed {number}."})
                committed = time.monotonic()
                wait_for_requests(partner, number + 1, timeout_s=60)
                while len(partner.answered_at) <= number:
                    time.sleep(0.001)
                timings.append((partner.answered_at[number] - committed) * 1000)
        finally:
            api.stop(signal.SIGINT)
    return timings


def _throughput(events: int, partner_delay_s: float) -> float:
    """Events delivered per second by one sender environment, on moto in this process."""
    from moto import mock_aws

    import tests.conftest  # noqa: F401 - the integration tests' environment: fake credentials, the queues' names
    from devkit import provision
    from devkit.functions import load_handler_module
    from tests.integration.webhook_calls import DEAD_LETTERS, QUEUE, SenderQueues
    from tests.support import FakeContext

    with mock_aws(), running(new_partner()) as partner:
        import boto3

        from storefront.domain.webhooks import service

        partner.answer = (204, {}, b"", partner_delay_s)
        provision.create_table(boto3.client("dynamodb"), os.environ["TABLE_NAME"])
        kms = boto3.client("kms")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/storefront-webhooks", TargetKeyId=key_id)
        sqs = boto3.client("sqs")
        dead_letters = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
        queues = SenderQueues(sqs, sqs.create_queue(QueueName=QUEUE)["QueueUrl"], dead_letters, None)
        queues.module = load_handler_module("functions/webhook_sender", fresh=True)

        def local(url: str) -> Any:
            from storefront.webhooks.destinations import checked_destination

            return checked_destination(url, local_mode=True)

        service.create_endpoint(partner.url + "/in", ["order.paid"], None, True, "bench", check=local)
        # The batches Lambda's SQS poller would hand the function (the poller is Lambda's work, not ours).
        batches = [
            {"Records": [_record(number) for number in range(start, min(events, start + 10))]}
            for start in range(0, events, 10)
        ]
        context = FakeContext()
        started = time.perf_counter()
        for batch in batches:
            if queues.module.lambda_handler(batch, context)["batchItemFailures"]:
                raise SystemExit("the sender failed a batch")
        elapsed = time.perf_counter() - started
        if len(partner.received) != events:
            raise SystemExit(f"{len(partner.received)} of {events} events delivered")
    return events / elapsed


def _record(number: int) -> dict[str, Any]:
    """An SQS record holding `order.paid` number `number` as the bus's rule puts it on the queue."""
    event_id = f"01JBENCH{number:018d}"
    detail = {"id": event_id, "type": "order.paid", "version": 1, "occurred_at": "2026-12-04T06:00:00Z"}
    body = {"detail-type": "order.paid", "source": "storefront", "detail": {**detail, "data": {"n": number}}}
    return {"messageId": event_id, "body": json.dumps(body), "eventSource": "aws:sqs"}


def run(events: int, throughput_events: int) -> dict[str, Any]:
    timings = _latency(events)
    fast = _throughput(throughput_events, 0.0)
    slow = _throughput(max(100, throughput_events // 5), 0.2)
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "latency": {
            "method": "local runtime, one product.updated at a time, from the PATCH's answer to the receiver's 204",
            "events": events,
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_percentile(timings, 0.95), 1),
            "max_ms": round(max(timings), 1),
        },
        "throughput": {
            "method": "one sender environment, BatchSize 10, moto in process, one endpoint",
            "events": throughput_events,
            "per_second_partner_instant": round(fast, 1),
            "per_second_partner_200ms": round(slow, 1),
        },
    }


def _table(report: dict[str, Any]) -> str:
    latency, throughput = report["latency"], report["throughput"]
    return "\n".join(
        [
            f"Python {report['python']}, {report['machine']}, {report['generated_at']} (`python -m bench.webhooks`;"
            " `bench/results/webhooks.json`).",
            "",
            "| delivery latency, committed write → partner's 2xx | events | p50 | p95 | max |",
            "|---|---:|---:|---:|---:|",
            f"| local runtime (ms) | {latency['events']} | {latency['p50_ms']} | {latency['p95_ms']}"
            f" | {latency['max_ms']} |",
            "",
            "| one sender environment | events | per second |",
            "|---|---:|---:|",
            f"| partner answers at once | {throughput['events']} | {throughput['per_second_partner_instant']} |",
            f"| partner answers in 200 ms | {max(100, throughput['events'] // 5)}"
            f" | {throughput['per_second_partner_200ms']} |",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200, help="product changes timed end to end (default 200)")
    parser.add_argument("--throughput-events", type=int, default=1000, help="events for one sender (default 1000)")
    arguments = parser.parse_args()
    if arguments.events < 1 or arguments.throughput_events < 10:
        parser.error("--events must be ≥ 1 and --throughput-events ≥ 10")
    report = run(arguments.events, arguments.throughput_events)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    table = _table(report)
    write_section("webhooks", table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
