"""Writes the benchmark's whole catalog into the local runtime's table before the runtime starts.

`bench/search_visibility.py` used to write it through the running runtime (`make dev`):
≈ 320 items a second with DynamoDB Local on 2 cores, so ≈ 28 minutes for the ≈ 540,000
items of 100,000 products, and the 100,000 run timed out. Measured here on a bare
DynamoDB Local (BatchWriteItem of 25, 3 threads, 30,000 items): ≈ 620 items/s with the
table's stream on, ≈ 770 with it off, fewer with 8 threads (≈ 400/s: Java does the work,
the client waits); the running runtime took the rest — its stream pollers read every
load item's record, and its TTL sweeper scans the growing table every 30 s. And the
stream's consumers start at TRIM_HORIZON, so a table loaded with its stream on would be
replayed to them as half a million changes at the next start.

So the data goes in as `make dev` keeps a developer's data between runs: DynamoDB Local
alone (the runtime's own launcher, `DynamoDBLocal`) on the runtime's data directory, the
table created from the template's definition (`provision.table_definition`) with its
stream off, the items (the data modules' own item builders, `items_of`) written with
BatchWriteItem from a few threads, unprocessed items and timeouts retried with backoff,
then the stream turned on (the template's view type), and Java stopped. The runtime then
starts on that directory: it keeps the table, adds the TTL setting and builds its first
search index from the whole catalog.

Run in a process of its own (`python -m bench.search_visibility_load --size N --data-dir
DIR`, one JSON line out): it imports the shared package with its default settings, which
the benchmark's own process must not do before `admin.configure`.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bench.search_visibility import items_of
from devkit import provision
from devkit.catalog_generator import make_catalog, make_products, with_variants
from devkit.localrun.config import LocalTemplate
from devkit.localrun.emulators import DynamoDBLocal, find_jar, find_java
from devkit.template import TEMPLATE_PATH

THREADS: Final = 3  # more only wait on Java: 8 threads were slower than 3 (see above)
BATCH: Final = 25  # BatchWriteItem's most
ATTEMPTS: Final = 12  # per batch: unprocessed items and timeouts, with backoff up to 5 s
IN_FLIGHT: Final = THREADS * 8  # batches built ahead of the writers, so memory stays flat
RETRIED_ERRORS: Final = {
    "InternalServerError",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ThrottlingException",
}


class Writer:
    """BatchWriteItem into one table, counting what had to be retried."""

    def __init__(self, client: Any, table: str) -> None:
        self.client, self.table = client, table
        self.retries = 0
        self.lock = threading.Lock()

    def write(self, items: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in items]
        delay = 0.1
        for _ in range(ATTEMPTS):
            try:
                answer = self.client.batch_write_item(RequestItems={self.table: requests})
                requests = answer.get("UnprocessedItems", {}).get(self.table, [])
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in RETRIED_ERRORS:
                    raise
            except BotoCoreError:  # a read timeout on a busy machine: puts repeat safely
                pass
            else:
                if not requests:
                    return
            with self.lock:
                self.retries += 1
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        raise RuntimeError(f"{len(requests)} items still unwritten after {ATTEMPTS} attempts")


def _batches(size: int) -> Iterator[list[dict[str, Any]]]:
    """The categories' items, then each product's, serialized, BATCH at a time."""
    from storefront.data.categories import _item as category_item

    catalog = make_catalog()
    documents = with_variants(catalog, make_products(catalog, size))
    pending = [category_item(category).serialize() for category in catalog.categories]
    for document in documents:
        pending.extend(item.serialize() for item in items_of(document))
        while len(pending) >= BATCH:
            yield pending[:BATCH]
            del pending[:BATCH]
    if pending:
        yield pending


def load(size: int, data_dir: Path) -> dict[str, Any]:
    java, jar = find_java(), find_jar()
    if java is None or jar is None:
        raise RuntimeError("DynamoDB Local needs Java and `npm ci`; the benchmark's --no-java loads through moto")
    table = LocalTemplate(TEMPLATE_PATH).physical_name("Table")
    dynamodb = DynamoDBLocal(java, jar, data_dir)
    dynamodb.start()
    try:
        dynamodb.wait_ready()
        config = Config(max_pool_connections=THREADS * 2, retries={"mode": "standard", "max_attempts": 3})
        client = boto3.client(
            "dynamodb",
            endpoint_url=dynamodb.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - DynamoDB Local takes any
            config=config.merge(Config(connect_timeout=5, read_timeout=60)),
        )
        definition = provision.table_definition("Table", LocalTemplate(TEMPLATE_PATH).document)
        stream = definition.pop("StreamSpecification", None)
        client.create_table(TableName=table, **definition)
        client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        writer = Writer(client, table)
        written = 0
        started = time.perf_counter()
        slots = threading.BoundedSemaphore(IN_FLIGHT)
        futures: list[Future[None]] = []
        with ThreadPoolExecutor(THREADS) as pool:
            for batch in _batches(size):
                slots.acquire()
                future = pool.submit(writer.write, batch)
                future.add_done_callback(lambda _: slots.release())
                futures.append(future)
                written += len(batch)
                if written % 50_000 < BATCH:
                    elapsed = time.perf_counter() - started
                    print(f"{size}: {written:,} items in {elapsed:.0f} s", file=sys.stderr, flush=True)
            for future in futures:
                future.result()
        seconds = time.perf_counter() - started
        if stream:
            client.update_table(TableName=table, StreamSpecification=stream)
    finally:
        dynamodb.terminate()  # Java closes its database on SIGTERM: give it time to
        if dynamodb.process is not None:
            dynamodb.process.wait(timeout=300)
        dynamodb.stop()
    return {
        "items": written,
        "seconds": round(seconds, 1),
        "items_per_second": round(written / seconds),
        "threads": THREADS,
        "retried_batches": writer.retries,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, required=True, help="products in the catalog")
    parser.add_argument("--data-dir", type=Path, required=True, help="the local runtime's data directory (new)")
    arguments = parser.parse_args()
    result = load(arguments.size, arguments.data_dir)
    (arguments.data_dir / "bench-load.json").write_text(json.dumps({"products": arguments.size, **result}) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
