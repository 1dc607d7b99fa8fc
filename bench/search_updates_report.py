"""The bench/README.md section of `bench/search_updates.py`: two tables from its report."""

from __future__ import annotations

import statistics
from typing import Any


def _kb(value: float) -> str:
    """Decimal units, as docs/search.md quotes sizes."""
    return f"{value / 1000:,.0f} KB" if value < 1_000_000 else f"{value / 1_000_000:,.1f} MB"


def _transfers(size: str, result: dict[str, Any]) -> str:
    batch = result["per_batch"]
    compactions = result["compactions"]
    compacted = "none"
    if compactions:
        folded = statistics.median(item["deltas_folded"] for item in compactions)
        writer = statistics.median(item["writer_seconds"] for item in compactions)
        switch = statistics.median(item["reader_switch_seconds"] for item in compactions)
        first = statistics.median(item["new_environment_first_answer_ms_before"] for item in compactions)
        compacted = (
            f"{len(compactions)}, after ~{folded:.0f} deltas: writer {writer:.1f} s, search switch {switch:.1f} s; "
            f"a new environment's first answer just before one: {first:,.0f} ms"
        )
        edits = result.get("new_environment_first_answer_ms_text_edits")
        if edits:
            compacted += f" ({statistics.median(edits):,.0f} ms when every change of the cycle edited a text)"
    average = result["average_per_batch_with_compactions"]
    return (
        f"| {int(size):,} | {_kb(result['base_bytes'])} | {_kb(batch['delta_bytes']['median'])} "
        f"({_kb(result['one_product_delta_bytes'])} for 1) | {_kb(batch['writer_up']['p95'])} / "
        f"{_kb(batch['writer_down']['p95'])} | {_kb(batch['reader_down']['p95'])} | "
        f"{batch['reader_apply_ms']['median']:.0f} / {batch['reader_apply_ms']['p95']:.0f} | {compacted} | "
        f"{_kb(average['writer_bytes'])} / {_kb(average['reader_bytes'])} |"
    )


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} s"  # none: the base was built from the generated documents


def _items(result: dict[str, Any]) -> str:
    items = (result.get("load") or {}).get("items")
    return f" ({items:,} items)" if items else ""


def _visibility(size: str, result: dict[str, Any]) -> str:
    single, burst = result["single"], result["burst_of_100"]
    deltas = result["delta_bytes"]
    return (
        f"| {int(size):,} | {result['load_seconds']:.0f} s{_items(result)} | {_seconds(result['rebuild_seconds'])} | "
        f"{single['median']:,} / {single['p95']:,} / {single['max']:,} ({len(result['single_ms'])}) | "
        f"{burst['median']:,} / {burst['max']:,} ({len(result['burst_of_100_ms'])}) | "
        f"{_kb(min(deltas))} – {_kb(max(deltas))} ({len(deltas)}) |"
    )


def section(report: dict[str, Any]) -> str:
    machine = report["machine"]
    parts = report.get("parts_generated_at") or {}
    when = report["generated_at"]
    if parts and len(set(parts.values())) > 1:  # a part (or size) re-measured alone, the rest kept from earlier
        when = ", ".join(f"{part} {at}" for part, at in parts.items() if at)
    lines = [
        f"Python {machine['python']}, SQLite {machine['sqlite']}, {machine['platform']}, {machine['cpu_count']} cores, "
        f"{when} (`python -m bench.search_updates`, {report['runtime_seconds']:.0f} s; "
        "`bench/results/search_updates.json`). Goal: ≤ 2 MB uploaded and downloaded per change batch of "
        "≤ 100 products.",
        "",
        "Change batches of 100 products published as deltas (local S3), p95 per batch unless marked:",
        "",
        "| products | base (gzip) | delta of 100, median | writer up / down | a search environment downloads "
        "| applying it, median / p95 ms | compactions | average per batch with compactions, writer / search |",
        "|---:|---:|---:|---:|---:|---:|---|---:|",
        *(_transfers(size, result) for size, result in report["transfers"].items()),
    ]
    if report.get("visibility"):
        lines += [
            "",
            "From a committed change (the PATCH's answer) to a search that finds it, in the local runtime "
            "(`make dev`: 5 s batching window, searches check the manifest every second), ms:",
            "",
            "| products | table load | rebuild | one product: median / p95 / max (changes) "
            "| 100 at once, after the last: median / max (bursts) | deltas published: smallest – largest (count) |",
            "|---:|---:|---:|---:|---:|---:|",
            *(_visibility(size, result) for size, result in report["visibility"].items()),
        ]
        notes = [
            f"{int(size):,}: base {result['base']}; TTL sweeper {result['ttl_sweep']}."
            for size, result in report["visibility"].items()
            if result.get("rebuild_seconds") is None and result.get("base")
        ]
        lines += ["", *notes] if notes else []
    return "\n".join(lines) + "\n"
