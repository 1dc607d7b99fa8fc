"""How soon a committed product change is found by search, in the local runtime (`make dev`).

The local runtime runs as `make dev` runs it (a subprocess, DynamoDB Local when Java is
here, its S3, outbox relay, bus, the indexer's queue with its 5-second batching window,
search functions checking the manifest every second). The benchmark's whole catalog
(devkit/catalog_generator.py) is written straight into its table in the catalog data
module's item shapes (product, variants, stock; categories) — the API would take hours
at 10^5. With DynamoDB Local that is done before the runtime starts, on its data
directory, as `make dev` finds a developer's data kept from an earlier run
(`bench/search_visibility_load.py`: ≈ 2x faster than through the running runtime, whose
stream pollers and TTL sweeps compete for the 2 cores); the runtime then starts on it and
builds its first index from the whole table. With moto (`--no-java`, in memory) the
items go through the running runtime. Then `make search-rebuild`
(`devkit.search_rebuild`) publishes a base. With `--base-from-documents` (100,000
products: the table Scan of the runtime's own first index and of `make search-rebuild`
times out on DynamoDB Local at ≈ 540,000 items) the table still holds the whole catalog,
but the base is built from the same generated documents with the project's `build_index`
and published as a rebuild publishes it, no search-rebuild runs, and the runtime's local
TTL sweeper (a whole-table Scan every 30 s, which AWS's TTL does not cost) is off: see
`bench/search_visibility_runtime.py`; the result says so (`base`, `ttl_sweep`). Then
each timed change is a PATCH of one product's description through the API, adding a word
no other product has, and the time is from the PATCH's answer (committed) to the first
search for that word that finds the product (polled every 50 ms). A burst of 100 PATCHes
at once shows a full batch. The deltas the runtime's indexer published are read from its
bucket afterwards: their sizes are what each change batch uploaded and each search
environment downloaded.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from devkit import admin
from devkit.catalog_generator import Catalog, make_catalog, make_products, with_variants
from devkit.localrun.__main__ import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from devkit.localrun.emulators import free_port
from devkit.template import ROOT
from storefront.search.documents import SearchDocument

READY_TIMEOUT_S = 900.0  # the runtime builds its first search index from the whole table as it starts
POLL_S = 0.05
NO_SWEEP_S = 86_400
GIVE_UP_S = 180.0  # beyond the indexer queue's redelivery of a failed batch: a slow one is recorded, not lost
WRITE_THREADS = 3
LOAD_ATTEMPTS = 5
LOAD_RECORD = "bench-load.json"  # what search_visibility_load wrote and took, in its data directory


@contextmanager
def local_runtime(workdir: Path, *, java: bool = True, base_of: int | None = None) -> Iterator[tuple[str, Path]]:
    """`make dev` on a free port with its data in `workdir`: (its URL, its data directory).

    `java=False` runs its DynamoDB on moto in memory (`--no-java`), as on a machine without Java.
    `base_of=N`: its first search index is built from the N generated documents rather than
    from a Scan of the table (`bench/search_visibility_runtime.py` says why).
    """
    port, data_dir = free_port(), workdir / "data"
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_ENDPOINT_URL")}
    env.update({"PYTHONUNBUFFERED": "1", "STRIPE_PORT": str(free_port()), "POWERTOOLS_LOG_LEVEL": "WARNING"})
    runner = ["devkit.localrun"] if base_of is None else ["bench.search_visibility_runtime", "--size", str(base_of)]
    command = [sys.executable, "-m", *runner, "--port", str(port), "--data-dir", str(data_dir)]
    # With 10^5 products the TTL sweeper's Scan of the whole table (every 30 s; AWS's TTL needs
    # none) holds DynamoDB Local long enough for the indexer's reads to time out: off for those runs.
    command += [] if base_of is None else ["--ttl-sweep-seconds", str(NO_SWEEP_S)]
    command += [] if java else ["--no-java"]
    with (workdir / "stdout.log").open("wb") as stdout, (workdir / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _ready(url):
            if process.poll() is not None or time.monotonic() > deadline:
                # The work directory is temporary: what the runtime said goes with the error.
                said = (workdir / "stderr.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the local runtime did not start (exit code {process.poll()}):\n{said}")
            time.sleep(0.2)
        yield url, data_dir
    except BaseException:
        # The work directory is temporary: the runtime's log is kept where the error can say.
        kept = Path(tempfile.gettempdir()) / f"search-visibility-runtime-{os.getpid()}.log"
        shutil.copyfile(workdir / "stderr.log", kept)
        print(f"the runtime's stderr: {kept}", file=sys.stderr)
        raise
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _ready(url: str) -> bool:
    try:
        return requests.get(url + "/v1/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def items_of(document: SearchDocument) -> list[Any]:
    """The product's items as the API would have written them: product, then each variant and its stock.

    The catalog data modules' own item builders (pynamodb items); the shared package's settings are
    read by the import, so in the benchmark's own process call it only after `admin.configure`.
    """
    from storefront.data.inventory import stock_item
    from storefront.data.keys import product_view_index
    from storefront.data.products import _product_item, _variant_item
    from storefront.domain.catalog.entities import Product, Variant

    variants = [
        Variant(f"{document.id}-{number}", dict(variant.options), None, None, 5 if variant.in_stock else 0)
        for number, variant in enumerate(document.variants)
    ]
    product = Product(
        id=document.id,
        name=document.name,
        slug=f"{document.slug}-{document.id.lower()}",
        description=document.description,
        category_id=document.category_id,
        brand=document.brand,
        price=document.price,
        currency=document.currency,
        attributes=dict(document.attributes),
        tags=list(document.tags),
        status="active",
        created_at=document.created_at,
        updated_at=document.updated_at,
        variants=variants,
    )
    items: list[Any] = [_product_item(product)]
    for variant in variants:
        items.append(_variant_item(product.id, variant))
        stock = stock_item(variant.sku, product.id, variant.available, now=document.updated_at)
        stock.GSI1PK, stock.GSI1SK = product_view_index(product.id, "STOCK", variant.sku)
        items.append(stock)
    return items


def load_catalog(catalog: Catalog, documents: Sequence[SearchDocument]) -> float:
    """Writes the categories and products into the running runtime's table (admin.configure first): seconds.

    The way for moto (`--no-java`), whose table lives in the runtime's memory; DynamoDB Local's
    table is written before the runtime starts (`bench/search_visibility_load.py`), much faster.
    """
    from pynamodb.exceptions import PutError

    from storefront.data.categories import _item as category_item
    from storefront.data.table import TableItem

    def write(chunk: Sequence[SearchDocument]) -> None:
        items = [item for document in chunk for item in items_of(document)]
        for attempt in range(LOAD_ATTEMPTS):
            try:
                with TableItem.batch_write() as batch:
                    for item in items:
                        batch.save(item)
                return
            except PutError:  # DynamoDB Local on a busy machine times out now and then; puts repeat safely
                if attempt == LOAD_ATTEMPTS - 1:
                    raise
                time.sleep(1.0 + attempt)

    started = time.perf_counter()
    with TableItem.batch_write() as batch:
        for category in catalog.categories:
            batch.save(category_item(category))
    chunks = [documents[start : start + 500] for start in range(0, len(documents), 500)]
    with ThreadPoolExecutor(WRITE_THREADS) as pool:
        list(pool.map(write, chunks))
    return time.perf_counter() - started


def rebuild(data_dir: Path) -> float:
    """`make search-rebuild` against the runtime: seconds taken."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "devkit.search_rebuild", "--data-dir", str(data_dir)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def _sign_in(url: str) -> dict[str, str]:
    answer = requests.post(
        url + "/v1/auth/login", json={"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _change(url: str, headers: dict[str, str], document: SearchDocument, word: str) -> float:
    """PATCHes the description to contain `word`; the monotonic time of the committed answer."""
    body = {"description": f"{document.description} {word}"}
    answer = requests.patch(f"{url}/v1/products/{document.id}", json=body, headers=headers, timeout=30)
    answer.raise_for_status()
    return time.monotonic()


def _visible(url: str, word: str, count: int = 1) -> float:
    """Polls search until `count` products have `word`: the monotonic time it first did."""
    deadline = time.monotonic() + GIVE_UP_S
    while time.monotonic() < deadline:
        answer = requests.get(f"{url}/v1/products", params={"q": word, "facets": "false"}, timeout=30)
        if answer.status_code == 200 and answer.json()["total"] >= count:
            return time.monotonic()
        time.sleep(POLL_S)
    raise RuntimeError(f"{word!r} not found by search within {GIVE_UP_S} s")


def measure(url: str, documents: Sequence[SearchDocument], changes: int, bursts: int) -> dict[str, Any]:
    headers = _sign_in(url)
    single: list[float] = []
    for number in range(changes):
        word = f"zqsingle{number}x"
        answered = _change(url, headers, documents[number * 7 % len(documents)], word)
        single.append((_visible(url, word) - answered) * 1000)
    burst: list[float] = []
    for number in range(bursts):
        word = f"zqburst{number}x"
        picked = documents[-(number + 1) * 100 :][:100]
        with ThreadPoolExecutor(8) as pool:
            n = len(picked)
            committed = list(pool.map(_change, [url] * n, [headers] * n, picked, [word] * n))
        burst.append((_visible(url, word, len(picked)) - max(committed)) * 1000)
    return {"single_ms": single, "burst_of_100_ms": burst}


def published_objects() -> dict[str, Any]:
    """The deltas and bases in the runtime's bucket (admin.configure first), and the manifest."""
    from storefront import aws
    from storefront.data import search_index
    from storefront.search.manifest import Manifest

    client = aws.client("s3")
    bucket = os.environ["SEARCH_BUCKET"]
    listing = client.list_objects_v2(Bucket=bucket, Prefix=search_index.DELTAS).get("Contents") or []
    found = search_index.read_manifest()
    assert found is not None
    manifest = Manifest.parse(found[1])
    return {
        "delta_bytes": sorted(int(item["Size"]) for item in listing),
        "manifest_bytes": len(found[1]),
        "base_bytes": manifest.base.bytes,
    }


def preload(size: int, data_dir: Path) -> dict[str, Any]:
    """`bench/search_visibility_load.py` in a process of its own: the whole catalog in the table, runtime stopped."""
    command = [sys.executable, "-m", "bench.search_visibility_load", "--size", str(size), "--data-dir", str(data_dir)]
    finished = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def run_visibility(
    catalog: Catalog,
    documents: Sequence[SearchDocument],
    workdir: Path,
    changes: int,
    bursts: int,
    java: bool = True,
    *,
    table_from: Path | None = None,
    base_from_documents: bool = False,
) -> dict[str, Any]:
    loaded: dict[str, Any] = {}
    if table_from is not None:  # a table the loader filled earlier, copied: its load was timed then
        shutil.copytree(table_from, workdir / "data")
        loaded = {**json.loads((table_from / LOAD_RECORD).read_text()), "copied_from": str(table_from)}
    elif java:
        loaded = preload(len(documents), workdir / "data")
        print(f"{len(documents)}: table loaded: {loaded}", file=sys.stderr)
    started = time.perf_counter()
    base_of = len(documents) if base_from_documents else None
    with local_runtime(workdir, java=java, base_of=base_of) as (url, data_dir):
        start_s = time.perf_counter() - started  # with a first search index built from the whole table
        admin.configure(admin.local_environment(data_dir))
        if java:
            load_s = loaded["seconds"]
            how = "DynamoDB Local alone before the runtime started (bench/search_visibility_load.py)"
        else:
            load_s = load_catalog(catalog, documents)
            how = "through the running runtime's table (pynamodb batch writes)"
            print(f"{len(documents)}: table loaded in {load_s:.0f} s", file=sys.stderr)
        rebuild_s: float | None = None
        sweep = "every 30 s, as `make dev`"
        if base_of is not None:
            sweep = "off: its whole-table Scan every 30 s coincided with a lost change"
        if base_from_documents:  # `make search-rebuild` scans the table as the runtime's start would
            base = (
                "built at the runtime's start from the generated documents the table was loaded from "
                "(build_index, published as a rebuild is): the table Scan of the runtime's own build times "
                "out on DynamoDB Local at this size (bench/search_visibility_runtime.py); no search-rebuild"
            )
        else:
            rebuild_s = rebuild(data_dir)
            base = "built by the runtime's start from the table, then `make search-rebuild`"
            print(f"{len(documents)}: rebuilt in {rebuild_s:.0f} s", file=sys.stderr)
        timings = measure(url, documents, changes, bursts)
        objects = published_objects()
    table = "the whole catalog: categories, and each product's product, variant and stock items"
    return {
        "table": table,
        "base": base,
        "ttl_sweep": sweep,
        "load": {"how": how, **loaded},
        "load_seconds": round(load_s, 1),
        "start_seconds": round(start_s, 1),
        "rebuild_seconds": None if rebuild_s is None else round(rebuild_s, 1),
        **timings,
        **objects,
    }


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median": round(statistics.median(ordered)), "p95": round(p95), "max": round(ordered[-1])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="products in the catalog")
    parser.add_argument("--changes", type=int, default=20, help="single-product changes timed")
    parser.add_argument("--bursts", type=int, default=2, help="bursts of 100 changes timed")
    parser.add_argument("--no-java", action="store_true", help="the runtime's DynamoDB on moto, not DynamoDB Local")
    parser.add_argument(
        "--table-from",
        type=Path,
        help="a data directory `bench.search_visibility_load` filled (copied; its timing kept) instead of loading",
    )
    parser.add_argument(
        "--base-from-documents",
        action="store_true",
        help="the first index from the generated documents, not a table Scan (which times out at 100,000)",
    )
    arguments = parser.parse_args()
    catalog = make_catalog()
    documents = with_variants(catalog, make_products(catalog, arguments.size))
    with tempfile.TemporaryDirectory(prefix="search-visibility-") as workdir:
        result = run_visibility(
            catalog,
            documents,
            Path(workdir),
            arguments.changes,
            arguments.bursts,
            java=not arguments.no_java,
            table_from=arguments.table_from,
            base_from_documents=arguments.base_from_documents,
        )
        result["dynamodb"] = "moto" if arguments.no_java else "DynamoDB Local"
    result["single"] = _summary(result["single_ms"])
    result["burst_of_100"] = _summary(result["burst_of_100_ms"])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
