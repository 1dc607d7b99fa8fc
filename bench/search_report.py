"""The search benchmark's report: its numbers as the table and method text of bench/README.md."""

from __future__ import annotations

from typing import Any, Final

from bench.search_dynamodb import READ_THREADS, SCAN_SEGMENTS
from bench.search_size import line

KIND_LABELS: Final = {
    "text": "text only",
    "text_category_facets": "text + category + facets",
    "filters": "filters only (newest)",
    "price_sort": "category by price",
}


def section(report: dict[str, Any]) -> str:
    """The README section: one row per catalog size and query kind, the targets, the method."""
    machine, size_target = report["machine"], report["targets"]["size"]
    lines = [
        f"Python {machine['python']}, SQLite {machine['sqlite']}, {machine['platform']}, {machine['cpu_count']} cores,"
        f" {report['generated_at']} (`python -m bench.search`, {report['runtime_seconds']:.0f} s;"
        f" `bench/results/search.json`). Milliseconds, median / p95, over {report['queries_per_kind']}"
        " queries per kind against the index and the first *n* (shown) of them DynamoDB-only.",
        "",
        "| products | build | index file | query kind | FTS5 index | matches (median) | DynamoDB-only (n) | × |",
        "|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for size, result in report["sizes"].items():
        dynamodb = result.get("dynamodb", {}).get("kinds", {})
        for position, kind in enumerate(KIND_LABELS):
            numbers = result["kinds"][kind]
            head = "| | |"
            if position == 0:
                head = f"| {int(size):,} | {result['build_seconds']:.1f} s | {result['index_bytes'] / 1e6:.0f} MB"
            other = dynamodb.get(kind)
            compared = "– | –"
            if other:
                compared = (
                    f"{other['median_ms']:,.0f} / {other['p95_ms']:,.0f} ({other['queries']})"
                    f" | {other['ratio_median']:,.0f}×"
                )
            lines.append(
                f"{head} | {KIND_LABELS[kind]} | {numbers['median_ms']:.1f} / {numbers['p95_ms']:.1f}"
                f" | {numbers['median_total']:,.0f} | {compared} |"
            )
    sized = [
        (size, result["bytes_per_product"]) for size, result in report["sizes"].items() if "bytes_per_product" in result
    ]
    if sized:
        lines += ["", "What the index file holds (bytes per product, SQLite's `dbstat`):", ""]
        lines += [line(size, bytes_per_product) for size, bytes_per_product in sized]
    cold = [(size, result["cold_start"]) for size, result in report["sizes"].items() if "cold_start" in result]
    if cold:
        lines += [
            "",
            "A new search environment's first answer (download from the local runtime's S3, open, query):",
            "",
        ]
        lines += [
            f"- {int(size):,} products: {numbers['published_bytes'] / 1e6:.1f} MB published; first answer"
            f" {numbers['first_answer_median_ms']:,} ms median, {numbers['first_answer_max_ms']:,} ms at most"
            f" ({numbers['runs']} environments)."
            for size, numbers in cold
        ]
    target = report["sizes"].get(str(size_target))
    if target is not None:
        facets, met = target["kinds"]["text_category_facets"], report["targets_met"]
        verdict = "all met" if all(met.values()) else "not all met"
        lines += [
            "",
            f"Targets at {size_target:,} products, {verdict}: text + category + facets median"
            f" {facets['median_ms']:.1f} ms (≤ 10: {_yes(met['text_category_facets_median'])}), p95"
            f" {facets['p95_ms']:.1f} ms (≤ 30: {_yes(met['text_category_facets_p95'])}); full build"
            f" {target['build_seconds']:.1f} s (≤ 60: {_yes(met['build'])}).",
        ]
    lines += [
        "",
        "Method: a seeded generator makes the catalog (8 roots, 143 categories up to 4 deep, 300 brands,"
        " names from per-category vocabularies, descriptions of 30–80 Zipf-distributed words with accented"
        " ones, log-normal prices, 10 % out of stock); the 10,000 products are the first tenth of the 100,000"
        " and both sizes run the same queries. Kinds: 1–3 words (the engine reads the last as a prefix); 1–2 words"
        " in a root or second-level category, with facets; a category, a price range, in stock and/or an"
        " attribute, newest first; a category by price. FTS5 is timed in-process around `SearchIndex.search`"
        " on a warm index. DynamoDB-only answers the same queries with a Query per category and descendant on"
        f" a category-id index, or without a category a Scan in {SCAN_SEGMENTS} parallel segments (reads on"
        f" {READ_THREADS} threads), then matches the words (stored folded at write time), filters, sorts and"
        " counts facets in Python. It runs against DynamoDB Local (in memory) over HTTP on this machine: the"
        " HTTP and parsing cost a Lambda pays, no network hop to a region, and DynamoDB Local is not the"
        " service's speed (its Scan slows down with the table more than linearly) — read × as an order of"
        f" magnitude. × compares medians over the same queries; {_agreement(report)}",
    ]
    return "\n".join(lines)


def _agreement(report: dict[str, Any]) -> str:
    compared = [
        numbers
        for result in report["sizes"].values()
        for numbers in result.get("dynamodb", {}).get("kinds", {}).values()
    ]
    if not compared:
        return "this run made no DynamoDB-only comparison."
    same = sum(numbers["same_total_as_index"] for numbers in compared)
    asked = sum(numbers["queries"] for numbers in compared)
    return f"{same} of {asked} DynamoDB-only answers had as many matches as the index's."


def _yes(met: bool) -> str:
    return "met" if met else "**missed**"
