"""Search benchmark: the SQLite FTS5 index against a DynamoDB-only search, on synthetic catalogs.

For each catalog size (10,000 and 100,000 products by default) a deterministic generator
(seeded `random.Random`) makes a realistic catalog: a category tree of 143 categories
under 8 roots, 300 brands, names built from per-category vocabularies, descriptions whose
words follow a Zipf-like frequency (so common words match many products), tags,
attributes, log-normal prices, ratings and two years of creation dates, and the variants
(options and stock) `make seed` gives the same products. The index is
built with `build_index` (timed, file size noted), then four kinds of queries run
in-process, each timed around `SearchIndex.search`:

- text: 1–3 words (the engine takes the last one as a prefix; some are cut short), no facets;
- text_category_facets: 1–2 words within a root or mid-level category, with facets;
- filters: a category, a price range, in stock and/or an attribute, newest first;
- price_sort: a category, cheapest or dearest first.

The same queries are then answered the DynamoDB-only way against DynamoDB Local (AWS's
engine, over HTTP on this machine): a Query per category and descendant on a
category-id index (a Scan where there is no category), then text matching, filters,
sorting and facets in memory. Results go to bench/results/search.json and bench/README.md.

The catalog comes from devkit/catalog_generator.py (shared with `make seed`), the
DynamoDB-only baseline from bench/search_dynamodb.py, the README table from
bench/search_report.py.

Targets (issue): text + category + facets at 100,000 products: median ≤ 10 ms and
p95 ≤ 30 ms; a full build of 100,000 products ≤ 60 s. Reported, never asserted.
Not part of `make test`: run it with `make bench` or `python -m bench.search` (`--sizes
1000 --skip-dynamodb --no-write` for a quick look).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any, Final

from bench.readme import write_section
from bench.search_cold import first_answer, local_s3
from bench.search_dynamodb import READ_THREADS, DynamoDBSearch, dynamodb_client, load_table, start_dynamodb
from bench.search_report import section
from bench.search_size import composition
from devkit.catalog_generator import (
    COLOURS,
    DESCRIPTION_WORDS,
    ROOTS,
    SEED,
    Catalog,
    Leaf,
    descendants,
    fold,
    make_catalog,
    make_products,
    with_variants,
    zipf_cumulative,
)
from devkit.template import ROOT
from storefront.domain.catalog.entities import AttributeValue
from storefront.search.build import build_index
from storefront.search.documents import SearchDocument, attribute_text
from storefront.search.query import SearchIndex, SearchQuery, Sort
from storefront.search.schema import open_index

RESULTS: Final = ROOT / "bench" / "results" / "search.json"
KINDS: Final = ("text", "text_category_facets", "filters", "price_sort")
TARGET_SIZE: Final = 100_000
TARGETS: Final = {"text_category_facets_median_ms": 10.0, "text_category_facets_p95_ms": 30.0, "build_seconds": 60.0}

# ---------------------------------------------------------------------------------------
# The query mix: the same queries for every catalog size
# ---------------------------------------------------------------------------------------

_SEARCHED_WORDS: Final = DESCRIPTION_WORDS[20:]  # shoppers do not type "the" or "with"
_SEARCHED_CUMULATIVE: Final = zipf_cumulative(len(_SEARCHED_WORDS))


def _text_words(rng: Random, leaf: Leaf, count: int) -> list[str]:
    """Words a shopper looking for something in `leaf` types: modifiers first, mostly a noun last."""
    spec = ROOTS[leaf.root]
    modifiers: list[Callable[[], str]] = [
        lambda: rng.choice(spec.materials).split()[0],
        lambda: rng.choice(spec.adjectives),
        lambda: rng.choice(COLOURS) if spec.coloured else rng.choice(spec.tags),
        lambda: rng.choices(_SEARCHED_WORDS, cum_weights=_SEARCHED_CUMULATIVE)[0],
    ]
    words: list[str] = []
    while len(words) < count:
        last = len(words) == count - 1
        if last and rng.random() < 0.7:
            word = rng.choice(leaf.nouns).split()[-1]
        else:
            word = rng.choices(modifiers, weights=(2, 1, 1, 2))[0]()
        if fold(word) not in {fold(existing) for existing in words}:
            words.append(word)
    return words


def _query_text(rng: Random, words: list[str]) -> str:
    last = words[-1]
    if len(last) >= 5 and rng.random() < 0.3:  # still typing: the last word is a prefix
        words = [*words[:-1], last[: rng.randint(3, len(last) - 1)]]
    return " ".join(words)


def make_queries(catalog: Catalog, per_kind: int, seed: int = SEED) -> dict[str, list[SearchQuery]]:
    rng = Random(seed + 2)
    roots = [category for category in catalog.categories if category.parent_id is None]
    mids = [category for category in catalog.categories if catalog.depth[category.id] == 2]
    broad = roots + mids
    queries: dict[str, list[SearchQuery]] = {kind: [] for kind in KINDS}
    weights = catalog.leaf_weights
    for _ in range(per_kind):
        leaf = rng.choices(catalog.leaves, weights=weights)[0]
        words = _text_words(rng, leaf, rng.choices((1, 2, 3), weights=(4, 4, 2))[0])
        queries["text"].append(SearchQuery(q=_query_text(rng, words), facets=False))

        category = rng.choice(broad)
        inside = [
            candidate for candidate in catalog.leaves if candidate.category.id in descendants(catalog, category.id)
        ]
        leaf = rng.choice(inside)
        words = _text_words(rng, leaf, rng.choice((1, 2)))
        queries["text_category_facets"].append(
            SearchQuery(q=_query_text(rng, words), category_id=category.id, facets=True)
        )

        category = rng.choice(catalog.categories)
        spec = ROOTS[catalog.root_of[category.id]]
        low = round(spec.median_price * rng.uniform(0.3, 1.0)) * 100
        high = round(low * rng.uniform(1.5, 4.0) / 100) * 100
        attributes: tuple[tuple[str, str], ...] = ()
        in_stock = rng.random() < 0.7
        if not in_stock or rng.random() < 0.5:
            name = rng.choice(sorted(spec.attributes))
            definition = spec.attributes[name]
            value: AttributeValue = True if definition.type == "boolean" else rng.choice(definition.values or ("",))
            attributes = ((name, attribute_text(value)),)
        queries["filters"].append(
            SearchQuery(
                category_id=category.id,
                min_price=low,
                max_price=high,
                in_stock=True if in_stock else None,
                attributes=attributes,
                sort="newest",
                facets=False,
            )
        )

        category = rng.choice(catalog.categories)
        sort: Sort = rng.choice(("price_asc", "price_desc"))
        queries["price_sort"].append(SearchQuery(category_id=category.id, sort=sort, facets=False))
    return queries


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def summarize(timings: list[float], totals: list[int]) -> dict[str, Any]:
    return {
        "queries": len(timings),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
        "median_total": statistics.median(totals),
        "empty": sum(1 for total in totals if total == 0),
    }


def run_index(
    catalog: Catalog, documents: list[SearchDocument], queries: dict[str, list[SearchQuery]], directory: Path
) -> tuple[dict[str, Any], dict[str, list[tuple[float, int]]]]:
    """The index's numbers, and each query's time and total (for the DynamoDB-only run to compare with)."""
    path = directory / f"search-{len(documents)}.sqlite"
    started = time.perf_counter()
    stats = build_index(path, documents, catalog.categories)
    build_seconds = time.perf_counter() - started
    connection = open_index(path, readonly=True)
    index = SearchIndex(connection)
    for kind in KINDS:  # warm: pages in the OS cache, statements prepared
        for query in queries[kind][:20]:
            index.search(query)
    kinds: dict[str, Any] = {}
    slowest: dict[str, list[tuple[float, str]]] = {}
    measured: dict[str, list[tuple[float, int]]] = {}
    for kind in KINDS:
        timings: list[float] = []
        totals: list[int] = []
        for query in queries[kind]:
            started = time.perf_counter()
            answer = index.search(query)
            timings.append((time.perf_counter() - started) * 1000)
            totals.append(answer.total)
        kinds[kind] = summarize(timings, totals)
        measured[kind] = list(zip(timings, totals, strict=True))
        # The shapes of the slowest queries, for whoever tunes the engine (a query drawn twice, once).
        slowest[kind] = []
        for ms, query in sorted(zip(timings, queries[kind], strict=True), key=lambda pair: -pair[0]):
            shape = describe(catalog, query)
            if len(slowest[kind]) < 5 and shape not in (seen for _, seen in slowest[kind]):
                slowest[kind].append((round(ms, 1), shape))
    connection.close()
    cold = first_answer(path, queries["text_category_facets"][0])
    result = {
        "build_seconds": round(build_seconds, 2),
        "cold_start": cold,
        "index_bytes": path.stat().st_size,
        "bytes_per_product": composition(path, stats.count),
        "documents": stats.count,
        "kinds": kinds,
        "slowest": slowest,
    }
    return result, measured


def describe(catalog: Catalog, query: SearchQuery) -> str:
    names = {category.id: category.name for category in catalog.categories}
    parts = []
    if query.q:
        parts.append(f"q={query.q!r}")
    if query.category_id:
        parts.append(f"category={names[query.category_id]!r} (depth {catalog.depth[query.category_id]})")
    if query.min_price is not None or query.max_price is not None:
        parts.append(f"price={query.min_price}..{query.max_price}")
    if query.in_stock:
        parts.append("in_stock")
    parts.extend(f"{name}={value!r}" for name, value in query.attributes)
    if query.sort:
        parts.append(f"sort={query.sort}")
    if query.facets:
        parts.append("facets")
    return " ".join(parts)


def run_dynamodb(
    search: DynamoDBSearch,
    queries: dict[str, list[SearchQuery]],
    index: dict[str, list[tuple[float, int]]],
    limit: int,
    budget_s: float,
) -> dict[str, Any]:
    for query in (queries[kind][0] for kind in KINDS):  # warm: connections, JIT of the server
        search.search(query)
    kinds: dict[str, Any] = {}
    for kind in KINDS:
        timings, totals = [], []
        deadline = time.monotonic() + budget_s
        for query in queries[kind][:limit]:
            started = time.perf_counter()
            _, total, _ = search.search(query)
            timings.append((time.perf_counter() - started) * 1000)
            totals.append(total)
            if time.monotonic() > deadline and len(timings) >= 5:
                break
        kinds[kind] = summarize(timings, totals)
        # The index on exactly these queries, for the ratio; and the same answers: equal totals.
        index_median = statistics.median(ms for ms, _ in index[kind][: len(timings)])
        kinds[kind]["index_median_ms_same_queries"] = round(index_median, 2)
        kinds[kind]["ratio_median"] = round(kinds[kind]["median_ms"] / index_median, 1)
        kinds[kind]["same_total_as_index"] = sum(
            total == index_total for total, (_, index_total) in zip(totals, index[kind], strict=False)
        )
    return kinds


def _machine() -> dict[str, Any]:
    return {
        "platform": f"{platform.system()} {platform.machine()}",
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def run(sizes: list[int], per_kind: int, dynamodb: bool, ddb_queries: int, ddb_budget_s: float) -> dict[str, Any]:
    began = time.perf_counter()
    catalog = make_catalog()
    queries = make_queries(catalog, per_kind)
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": _machine(),
        "seed": SEED,
        "catalog": {"categories": len(catalog.categories), "leaves": len(catalog.leaves), "brands": 300},
        "queries_per_kind": per_kind,
        "targets": {"size": TARGET_SIZE, **TARGETS},
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="search-bench-") as temporary, local_s3():
        directory = Path(temporary)
        ddb = start_dynamodb(directory) if dynamodb else None
        try:
            for size in sorted(sizes):
                started = time.perf_counter()
                documents = with_variants(catalog, make_products(catalog, size))
                print(f"{size}: generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
                result, measured = run_index(catalog, documents, queries, directory)
                print(f"{size}: index built in {result['build_seconds']} s; {result['kinds']}", file=sys.stderr)
                if ddb is not None:
                    ddb.load_seconds += load_table(
                        lambda: dynamodb_client(ddb.server.endpoint), catalog, documents[ddb.loaded :]
                    )
                    ddb.loaded = size
                    print(f"{size}: DynamoDB Local loaded, {ddb.load_seconds:.0f} s in all", file=sys.stderr)
                    with ThreadPoolExecutor(READ_THREADS) as pool:
                        search = DynamoDBSearch(ddb.client, catalog, pool)
                        kinds = run_dynamodb(search, queries, measured, ddb_queries, ddb_budget_s)
                    result["dynamodb"] = {"load_seconds_cumulative": round(ddb.load_seconds, 1), "kinds": kinds}
                    print(f"{size}: DynamoDB-only {kinds}", file=sys.stderr)
                report["sizes"][str(size)] = result
        finally:
            if ddb is not None:
                ddb.server.stop()
    target = report["sizes"].get(str(TARGET_SIZE))
    if target is not None:
        facets = target["kinds"]["text_category_facets"]
        report["targets_met"] = {
            "text_category_facets_median": facets["median_ms"] <= TARGETS["text_category_facets_median_ms"],
            "text_category_facets_p95": facets["p95_ms"] <= TARGETS["text_category_facets_p95_ms"],
            "build": target["build_seconds"] <= TARGETS["build_seconds"],
        }
    report["runtime_seconds"] = round(time.perf_counter() - began, 1)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated catalog sizes")
    parser.add_argument("--queries", type=int, default=250, help="queries per kind against the index (≥ 200)")
    parser.add_argument("--skip-dynamodb", action="store_true", help="no DynamoDB-only comparison")
    parser.add_argument("--dynamodb-queries", type=int, default=30, help="at most this many DynamoDB queries per kind")
    parser.add_argument("--dynamodb-budget", type=float, default=90.0, help="seconds per kind (at least 5 queries)")
    parser.add_argument("--no-write", action="store_true", help="print only: no results file, no bench/README.md")
    arguments = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in arguments.sizes.split(",")]
    report = run(
        sizes, arguments.queries, not arguments.skip_dynamodb, arguments.dynamodb_queries, arguments.dynamodb_budget
    )
    text = section(report)
    if not arguments.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        write_section("search", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
