"""Search index updates: the bytes a change batch moves, and how soon search answers a change.

Two parts: transfers at 10,000 and 100,000 products, visibility at 10,000 by default:

- **transfers** (in process, the local runtime's S3 on 127.0.0.1): the benchmark's catalog
  (devkit/catalog_generator.py) is built into a base and published; then `--batches`
  change batches of 100 products (whole current documents, as the indexer writes them)
  are published as deltas the way the indexer does (upload the delta, publish the
  manifest), compacting when the manifest says so (`indexing.compact`, the indexer's),
  while a search environment's `IndexReplica` catches up after each. Per batch: bytes the
  writer uploads and downloads, bytes a search environment downloads, and the time the
  environment takes to apply the delta; the compactions' bytes and times; the average
  per batch over the run, compactions included. Object sizes are S3's.
- **visibility** (`bench/search_visibility.py`): the local runtime (`make dev`) with the
  whole catalog loaded into its table, a change through the API and the time until a search
  answers it (`--visibility-sizes 10000,100000` adds the larger catalog: ≈ 15 minutes on a
  2-core machine, 12 of them loading the table's 542,295 items; from 50,000 products on,
  `--base-from-documents-at`, the runtime's first index is built from the generated
  documents and its TTL sweeper is off: bench/search_visibility_runtime.py says why).

Either part can be run alone: `--sizes ""` runs no transfers and keeps those of the results
file, `--visibility-sizes ""` keeps its visibility (`parts_generated_at` says when each part
was measured), e.g. `python -m bench.search_updates --sizes "" --visibility-sizes 10000,100000`.

Results: bench/results/search_updates.json and the `search_updates` section of
bench/README.md. `python -m bench.search_updates --sizes 1000 --batches 5
--visibility-sizes 1000 --changes 3 --no-write` for a quick look.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any, Final

from bench.readme import write_section
from bench.search import _machine, percentile
from bench.search_cold import local_s3
from bench.search_first_answer import time_in_new_process
from bench.search_updates_report import section
from devkit.catalog_generator import SEED, make_catalog, make_products, with_variants
from devkit.template import ROOT
from storefront.data import search_index, search_lease
from storefront.search import indexing
from storefront.search.build import build_index
from storefront.search.delta import Delta
from storefront.search.documents import SearchDocument
from storefront.search.manifest import Manifest
from storefront.search.query import SearchQuery
from storefront.search.replica import IndexReplica

RESULTS: Final = ROOT / "bench" / "results" / "search_updates.json"
BATCH: Final = 100  # products per change batch: the most a 5 s window gathers in the estimate
GOAL_BYTES: Final = 2 * 1024 * 1024  # per change batch of ≤ 100 products, uploaded and downloaded


def _changed(rng: Random, documents: list[SearchDocument], count: int, stamp: int) -> list[SearchDocument]:
    """`count` products with a new price, stock and time: what an update leaves in the table."""
    picked = rng.sample(range(len(documents)), count)
    for position in picked:
        old = documents[position]
        documents[position] = replace(
            old, price=max(100, old.price + rng.randint(-500, 500)), in_stock=not old.in_stock, updated_at=stamp
        )
    return sorted((documents[position] for position in picked), key=lambda document: document.id)


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "p95": round(percentile(values, 0.95), 1)}


def run_transfers(size: int, batches: int, directory: Path) -> dict[str, Any]:
    catalog = make_catalog()
    documents = with_variants(catalog, make_products(catalog, size))
    base_path = directory / f"base-{size}.sqlite"
    build_index(base_path, documents, catalog.categories)
    base = search_index.upload_base(base_path, size)
    manifest = Manifest(base)
    found = search_index.read_manifest()
    etag = search_index.publish_manifest(manifest.to_json(), found[0] if found is not None else None)
    (directory / f"replica-{size}").mkdir()
    replica = IndexReplica(check_seconds=0, directory=directory / f"replica-{size}")
    assert replica.current() is not None
    workspace = indexing.Workspace(directory=directory / f"writer-{size}")
    workspace.directory.mkdir()
    rng = Random(SEED + 7)
    deltas: list[dict[str, Any]] = []
    compactions: list[dict[str, Any]] = []
    for number in range(batches):
        changed = _changed(rng, documents, BATCH, 1_800_000_000 + number)
        body = Delta(tuple(changed), (), tuple(catalog.categories)).to_json()
        read_bytes = len(manifest.to_json())  # the writer reads the manifest before the table
        stored = search_index.upload_delta(body, len(changed))
        manifest = manifest.with_delta(stored)
        etag = search_index.publish_manifest(manifest.to_json(), etag)
        manifest_bytes = len(manifest.to_json())
        started = time.perf_counter()
        index = replica.current()
        apply_ms = (time.perf_counter() - started) * 1000
        assert index is not None
        assert index.search(SearchQuery(q=changed[0].name, facets=False)).total >= 1
        deltas.append(
            {
                "delta_bytes": stored.bytes,
                "delta_json_bytes": len(body),
                "writer_up": stored.bytes + manifest_bytes,
                "writer_down": read_bytes,
                "reader_down": stored.bytes + manifest_bytes,
                "reader_apply_ms": round(apply_ms, 1),
            }
        )
        if manifest.needs_compaction():
            deltas_before = len(manifest.deltas)
            first_answer_ms = _first_answer_ms(directory / f"cold-{size}-{number}")
            started = time.perf_counter()
            etag = indexing.compact(workspace, "bench", etag, manifest)
            compact_s = time.perf_counter() - started
            found = search_index.read_manifest()
            assert found is not None
            manifest = Manifest.parse(found[1])
            started = time.perf_counter()
            replica.current()
            replica.wait_for_background_load()
            replica.current()
            switch_s = time.perf_counter() - started
            compactions.append(
                {
                    "after_batch": number + 1,
                    "deltas_folded": deltas_before,
                    "base_bytes": manifest.base.bytes,
                    "writer_seconds": round(compact_s, 1),
                    "reader_switch_seconds": round(switch_s, 1),
                    "new_environment_first_answer_ms_before": round(first_answer_ms),
                }
            )
            print(f"{size}: compaction after batch {number + 1}: {compactions[-1]}", file=sys.stderr)
    replica.close()
    text_edits = _first_answers_after_text_edits(
        rng, documents, catalog, (workspace, manifest, etag), directory / f"text-{size}"
    )
    one = _one_product_delta(catalog, documents)
    moved_writer = sum(item["writer_up"] + item["writer_down"] for item in deltas)
    moved_writer += sum(item["base_bytes"] for item in compactions)  # a warm writer uploads the base only
    moved_reader = sum(item["reader_down"] for item in deltas) + sum(item["base_bytes"] for item in compactions)
    per_batch = {
        key: _summary([float(item[key]) for item in deltas])
        for key in ("delta_bytes", "delta_json_bytes", "writer_up", "writer_down", "reader_down", "reader_apply_ms")
    }
    return {
        "products": size,
        "batch_products": BATCH,
        "batches": batches,
        "base_bytes": base.bytes,
        "per_batch": per_batch,
        "one_product_delta_bytes": one,
        "compactions": compactions,
        "new_environment_first_answer_ms_text_edits": text_edits,
        "average_per_batch_with_compactions": {
            "writer_bytes": round(moved_writer / batches),
            "reader_bytes": round(moved_reader / batches),
        },
        "goal_bytes": GOAL_BYTES,
    }


def _first_answer_ms(directory: Path) -> float:
    """A new search environment's first answer with the most deltas it ever meets: base + all of them."""
    directory.mkdir()
    return time_in_new_process(directory, SearchQuery(q="shirt", facets=False))


def _first_answers_after_text_edits(
    rng: Random, documents: list[SearchDocument], catalog: Any, state: tuple[Any, Manifest, str], directory: Path
) -> list[float]:
    """The first answer just before a compaction when every change of the cycle edited a description.

    The run's batches change prices and stock, which keep a product's FTS row; an edited
    text rewrites it, the slowest delta to apply. From a fresh base (the pending deltas
    compacted first), such batches are published until a compaction is due; then three
    new environments each answer once.
    """
    workspace, manifest, etag = state
    if manifest.deltas:
        etag = indexing.compact(workspace, "bench", etag, manifest)
        found = search_index.read_manifest()
        assert found is not None
        manifest = Manifest.parse(found[1])
    number = 0
    while not manifest.needs_compaction():
        changed = _changed(rng, documents, BATCH, 1_900_000_000 + number)
        edited = [replace(item, description=f"{item.description} revised{number}") for item in changed]
        stored = search_index.upload_delta(Delta(tuple(edited), (), tuple(catalog.categories)).to_json(), BATCH)
        manifest = manifest.with_delta(stored)
        etag = search_index.publish_manifest(manifest.to_json(), etag)
        number += 1
    directory.mkdir()
    return [round(_first_answer_ms(directory / str(run))) for run in range(3)]


def _one_product_delta(catalog: Any, documents: list[SearchDocument]) -> int:
    body = Delta((documents[0],), (), tuple(catalog.categories)).to_json()
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def run_visibility(
    size: int, changes: int, bursts: int, table_from: Path | None = None, base_from_documents: bool = False
) -> dict[str, Any]:
    """`bench/search_visibility.py` in a process of its own: it points the package at the local runtime."""
    command = [sys.executable, "-m", "bench.search_visibility", "--size", str(size)]
    command += ["--changes", str(changes), "--bursts", str(bursts)]
    command += ["--table-from", str(table_from)] if table_from is not None else []
    command += ["--base-from-documents"] if base_from_documents else []
    finished = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def run(
    sizes: list[int],
    batches: int,
    visibility_sizes: list[int],
    changes: int,
    tables: dict[int, Path] | None = None,
    base_from_documents_at: int = 0,
) -> dict[str, Any]:
    began = time.perf_counter()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report: dict[str, Any] = {
        "generated_at": now,
        "machine": _machine(),
        "seed": SEED,
        "transfers": {},
        "visibility": {},
        "parts_generated_at": {"transfers": now, "visibility": now},
    }
    # The compaction renews the writer lease, which lives in the table; this part has S3 only.
    search_lease.renew = lambda holder, now, seconds: True
    with tempfile.TemporaryDirectory(prefix="search-updates-") as temporary, local_s3():
        for size in sorted(sizes):
            started = time.perf_counter()
            report["transfers"][str(size)] = {"measured_at": now, **run_transfers(size, batches, Path(temporary))}
            print(f"{size}: transfers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for size in sorted(visibility_sizes):
        started = time.perf_counter()
        try:
            measured = run_visibility(
                size,
                changes,
                bursts=3,
                table_from=(tables or {}).get(size),
                base_from_documents=0 < base_from_documents_at <= size,
            )
            report["visibility"][str(size)] = {"measured_at": now, **measured}
        except subprocess.CalledProcessError:  # its stderr says why; the transfers still count
            print(f"{size}: the visibility run failed", file=sys.stderr)
            continue
        print(f"{size}: visibility in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    report["runtime_seconds"] = round(time.perf_counter() - began, 1)
    return report


def merged(report: dict[str, Any], earlier: dict[str, Any] | None, ran: dict[str, list[int]]) -> dict[str, Any]:
    """`report` with the sizes of each part it did not run (`ran[part]`: the sizes it did) kept from `earlier`.

    The transfers take ≈ 7 minutes and the visibility at 100,000 ≈ 25: a part, or one size of
    it, can be re-measured alone (`--sizes ""`, `--visibility-sizes 100000`) without losing the
    rest. Each size says when it was measured (`measured_at`; for results from before that,
    the earlier file's time). A size that was run and failed is dropped, never kept stale.
    """
    result = dict(report)
    earlier = earlier or {}
    parts = dict(report["parts_generated_at"])
    for part, sizes in ran.items():
        before = earlier.get("parts_generated_at", {}).get(part) or earlier.get("generated_at")
        kept = {
            size: {"measured_at": before, **entry}
            for size, entry in (earlier.get(part) or {}).items()
            if int(size) not in sizes
        }
        fresh = {size: {"measured_at": parts[part], **entry} for size, entry in report[part].items()}
        result[part] = dict(sorted({**kept, **fresh}.items(), key=lambda pair: int(pair[0])))
        times = sorted({str(entry.get("measured_at") or before) for entry in result[part].values()} - {"None"})
        parts[part] = ", ".join(times) if times else None
    result["parts_generated_at"] = parts
    return result


def _earlier() -> dict[str, Any] | None:
    if not RESULTS.exists():
        return None
    found: dict[str, Any] = json.loads(RESULTS.read_text())
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated catalog sizes (transfers; empty: none, and the results file's transfers are kept)",
    )
    parser.add_argument("--batches", type=int, default=140, help="change batches of 100 products per size")
    parser.add_argument(
        "--visibility-sizes",
        default="10000",
        help="catalog sizes loaded into the local runtime (empty: none, and the results file's visibility "
        "is kept); 10,000 loads in ≈ 1 minute, 100,000 in ≈ 12 on a 2-core machine",
    )
    parser.add_argument("--changes", type=int, default=20, help="single-product changes timed per size")
    parser.add_argument(
        "--base-from-documents-at",
        type=int,
        default=50_000,
        help="visibility sizes from this one on start with a base built from the generated documents, not from a "
        "table Scan, which times out on DynamoDB Local at 100,000 (bench/search_visibility_runtime.py); 0: never",
    )
    parser.add_argument(
        "--table-from",
        action="append",
        default=[],
        metavar="SIZE=DIR",
        help="a data directory `bench.search_visibility_load --size SIZE` filled, copied instead of loading again",
    )
    parser.add_argument("--no-write", action="store_true", help="print only: no results file, no bench/README.md")
    arguments = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in arguments.sizes.split(",") if size]
    visibility = [int(size.replace("_", "")) for size in arguments.visibility_sizes.split(",") if size]
    tables = {int(size): Path(directory) for size, directory in (item.split("=", 1) for item in arguments.table_from)}
    report = run(sizes, arguments.batches, visibility, arguments.changes, tables, arguments.base_from_documents_at)
    report = merged(report, _earlier(), {"transfers": sizes, "visibility": visibility})
    text = section(report)
    if not arguments.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        write_section("search_updates", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
