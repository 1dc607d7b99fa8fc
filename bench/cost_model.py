"""What AWS bills for the measured usage: the price table, DynamoDB's unit rules, and the sums per 1,000 orders.

Pure functions of the numbers bench/cost.py measures (bench/cost_meter.py counts them), so
the pricing is unit-tested without the runtime (tests/unit/test_cost_model.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GIB = 2**30  # AWS bills "GB" of data as 2^30 bytes
DYNAMODB_WRITE_UNIT_BYTES = 1024
EVENTBRIDGE_CHUNK_BYTES = 64 * 1024  # each 64 KB of an entry is one billed event
FIREHOSE_RECORD_BYTES = 5 * 1024  # Direct PUT bills each record rounded up to 5 KB


@dataclass(frozen=True)
class Price:
    usd: float  # per one unit of the quantity
    list_price: str  # as the pricing page states it
    line: str  # the README's line it is summed into


PRICES_AS_OF = "2025-12 (us-east-1 list prices as last published; not re-checked online from this machine)"
PRICES_SOURCE = (
    "AWS pricing pages: API Gateway, Lambda, DynamoDB (on-demand, after the Nov 2024 cut), EventBridge, "
    "Kinesis Data Firehose, SQS, S3 Standard, CloudFront (North America), AWS WAF, CloudWatch Logs, "
    "Secrets Manager, KMS"
)
# One price per measured quantity; no free tier, no volume discount (first tiers).
PRICES: dict[str, Price] = {
    "api_requests": Price(1.00 / 1e6, "$1.00 per million HTTP API requests", "API Gateway (HTTP API)"),
    "lambda_requests": Price(0.20 / 1e6, "$0.20 per million requests", "Lambda requests"),
    "lambda_gb_seconds": Price(0.0000166667, "$0.0000166667 per GB-second (x86)", "Lambda duration"),
    "dynamodb_read_units": Price(0.125 / 1e6, "$0.125 per million read request units", "DynamoDB reads"),
    "dynamodb_write_units": Price(0.625 / 1e6, "$0.625 per million write request units", "DynamoDB writes (table)"),
    "dynamodb_index_write_units": Price(0.625 / 1e6, "the same, written to GSIs", "DynamoDB writes (indexes)"),
    "eventbridge_events": Price(1.00 / 1e6, "$1.00 per million custom events (64 KB chunks)", "EventBridge"),
    "eventbridge_archive_bytes": Price(0.10 / GIB, "$0.10 per GB of events archived", "EventBridge"),
    "firehose_billed_bytes": Price(0.029 / GIB, "$0.029 per GB, records rounded up to 5 KB", "Firehose (analytics)"),
    "firehose_partitioned_bytes": Price(0.020 / GIB, "$0.020 per GB dynamically partitioned", "Firehose (analytics)"),
    "sqs_requests": Price(0.40 / 1e6, "$0.40 per million requests (standard)", "SQS"),
    "s3_write_requests": Price(0.005 / 1000, "$0.005 per 1,000 PUT, COPY, POST, LIST", "S3 requests"),
    "s3_read_requests": Price(0.0004 / 1000, "$0.0004 per 1,000 GET, HEAD and others", "S3 requests"),
    "secrets_calls": Price(0.05 / 10_000, "$0.05 per 10,000 API calls", "Secrets Manager and KMS"),
    "kms_requests": Price(0.03 / 10_000, "$0.03 per 10,000 requests", "Secrets Manager and KMS"),
    "log_bytes": Price(0.50 / GIB, "$0.50 per GB ingested (standard)", "CloudWatch Logs"),
    "cloudfront_requests": Price(0.0100 / 10_000, "$0.0100 per 10,000 HTTPS requests", "CloudFront requests"),
    "cloudfront_bytes": Price(0.085 / GIB, "$0.085 per GB out (first 10 TB)", "CloudFront transfer out"),
    "cloudfront_function_invocations": Price(0.10 / 1e6, "$0.10 per million invocations", "CloudFront Functions"),
    "waf_requests": Price(0.60 / 1e6, "$0.60 per million requests", "WAF requests"),
}
# Billed whatever the traffic, a month each: stated beside the per-order figures, never inside them.
MONTHLY_USD: dict[str, float] = {
    "WAF web ACL": 5.00,
    "WAF rule": 1.00,
    "Secrets Manager secret": 0.40,
    "KMS customer-managed key": 1.00,
    "CloudWatch custom metric": 0.30,
}
# Paid on a cache hit too; the rest (API Gateway, Lambda, DynamoDB, logs) only on a miss.
EDGE_QUANTITIES = frozenset(
    {"cloudfront_requests", "cloudfront_bytes", "cloudfront_function_invocations", "waf_requests"}
)


def billed_gb_seconds(duration_ms: float, memory_mb: int) -> float:
    """Lambda bills each invocation's duration rounded up to 1 ms, at the configured memory."""
    return math.ceil(duration_ms) / 1000 * memory_mb / 1024


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """An item's size by DynamoDB's rules: each attribute's name plus its value, in bytes."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return _number_size(content)
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(member.encode()) for member in content)
    if kind == "NS":
        return sum(_number_size(member) for member in content)
    if kind == "BS":
        return sum(len(member) for member in content)
    if kind == "L":
        return 3 + sum(1 + _value_size(member) for member in content)
    if kind == "M":
        return 3 + sum(len(key.encode()) + 1 + _value_size(member) for key, member in content.items())
    raise ValueError(f"not a DynamoDB attribute value: {kind}")


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").split("e")[0].split("E")[0].strip("0")
    return math.ceil(len(digits) / 2) + 1


def transaction_write_units(action_sizes: Iterable[int]) -> float:
    """A TransactWriteItems' table units: two per 1 KB of each action's item, rounded up per item.

    DynamoDB Local sums the items' sizes before rounding, which under-counts a transaction
    of many small items (two puts of 100 bytes: 2 units there, 4 on AWS).
    """
    return sum(2.0 * max(1, math.ceil(size / DYNAMODB_WRITE_UNIT_BYTES)) for size in action_sizes)


def transaction_index_units(reported: float) -> float:
    """A TransactWriteItems' index units from what DynamoDB Local reports.

    Only the table's writes are transactional: the indexes are maintained as for any other
    write, at one unit per 1 KB. DynamoDB Local doubles them as it doubles the table's
    (measured here: a 900-byte order's GSI1 entry, 2 units); a capture against DynamoDB
    itself found the 2x factor on the table alone (dynoxide, pull request 188, 2026-08).
    """
    return reported / 2


def eventbridge_entry_events(entry_bytes: int) -> int:
    return max(1, math.ceil(entry_bytes / EVENTBRIDGE_CHUNK_BYTES))


def firehose_billed_bytes(record_bytes: int) -> int:
    return max(1, math.ceil(record_bytes / FIREHOSE_RECORD_BYTES)) * FIREHOSE_RECORD_BYTES


@dataclass(frozen=True)
class Activity:
    """One measured kind of shopper activity: its usage over `runs` runs, how often an order brings it."""

    name: str
    runs: int
    per_order: float
    usage: Mapping[str, float]  # quantity (a key of PRICES) -> amount over all runs
    hit_ratio: float = 0.0  # the CDN's, for cacheable public GETs


def priced(usage: Mapping[str, float], scale: float, misses: float = 1.0) -> dict[str, float]:
    """USD of `usage` × `scale`; only the share `misses` of what is behind the CDN is billed."""
    return {
        quantity: amount * scale * PRICES[quantity].usd * (1.0 if quantity in EDGE_QUANTITIES else misses)
        for quantity, amount in usage.items()
    }


def cost_per_1000_orders(activity: Activity, hit_ratio: float | None = None) -> dict[str, float]:
    """USD per 1,000 orders for each quantity of the activity; a cache hit costs only the edge quantities."""
    hits = activity.hit_ratio if hit_ratio is None else hit_ratio
    return priced(activity.usage, 1000 * activity.per_order / activity.runs, 1.0 - hits)


def by_line(costs: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Per-quantity costs summed into the README's lines, largest first."""
    lines: dict[str, float] = {}
    for cost in costs:
        for quantity, usd in cost.items():
            lines[PRICES[quantity].line] = lines.get(PRICES[quantity].line, 0.0) + usd
    return dict(sorted(lines.items(), key=lambda line: -line[1]))


# What would cut each line (README's "largest line items").
CUTS: dict[str, str] = {
    "Lambda duration": "memory sizes (each function's GB-s below) and the work per request",
    "CloudWatch Logs": "log volume and level: INFO lines per request, Lambda's JSON platform lines, access logs",
    "CloudFront requests": "fewer requests per page (one product request carrying its first reviews)",
    "CloudFront transfer out": "smaller answers (compression at the edge)",
    "WAF requests": "only fewer requests: WAF inspects hits and misses alike",
    "API Gateway (HTTP API)": "the CDN hit ratio: a hit never reaches API Gateway",
    "DynamoDB writes (indexes)": "index projections: an order (packed, ≈ 850 bytes) is copied whole into GSI1"
    " and GSI2 (ALL), and each status change moves it in GSI2 (a delete and a put)",
    "DynamoDB writes (table)": "fewer or smaller items per change: every write in a transaction bills twice, per KB",
    "DynamoDB reads": "the CDN hit ratio for public reads; eventually consistent reads cost half",
    "Firehose (analytics)": "fewer, larger records: each event is billed as at least 5 KB",
}


def report_of(activities: list[Activity], functions: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """The result file's sums: per 1,000 orders, by line, by activity, and Lambda by function."""
    converting = [cost_per_1000_orders(activity) for activity in activities if activity.name == "order"]
    loaded = [cost_per_1000_orders(activity) for activity in activities]
    no_cache = [cost_per_1000_orders(activity, 0.0) for activity in activities]
    no_cdn = [{key: usd for key, usd in cost.items() if key not in EDGE_QUANTITIES} for cost in no_cache]
    return {
        "mix": {
            activity.name: {
                "per_order": activity.per_order,
                "runs": activity.runs,
                "cdn_hit_ratio": activity.hit_ratio,
                "usage_per_run": {key: round(amount / activity.runs, 6) for key, amount in activity.usage.items()},
                "usd_per_1000_orders": round(sum(cost_per_1000_orders(activity).values()), 4),
            }
            for activity in activities
        },
        "per_1000_orders": {
            "converting_path_usd": _total(converting),
            "fully_loaded_usd": _total(loaded),
            "fully_loaded_cdn_no_hits_usd": _total(no_cache),
            "fully_loaded_without_cdn_and_waf_usd": _total(no_cdn),
        },
        "breakdown": {
            "converting_path": {line: round(usd, 4) for line, usd in by_line(converting).items()},
            "fully_loaded": {line: round(usd, 4) for line, usd in by_line(loaded).items()},
        },
        "lambda_by_function_fully_loaded": _by_function(activities, functions),
    }


def _total(costs: list[dict[str, float]]) -> float:
    return round(sum(sum(cost.values()) for cost in costs), 4)


def _by_function(activities: list[Activity], functions: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Each function's duration and log cost per 1,000 orders, fully loaded, largest first."""
    per_function: dict[str, dict[str, float]] = {}
    for activity in activities:
        scale = 1000 * activity.per_order / activity.runs * (1.0 - activity.hit_ratio)
        for key, counts in functions.items():
            bucket, _, function = key.partition(" ")
            if bucket != activity.name:
                continue
            line = per_function.setdefault(function, {"invocations": 0.0, "duration_usd": 0.0, "log_usd": 0.0})
            line["invocations"] += counts.get("invocations", 0) * scale
            line["duration_usd"] += counts.get("gb_seconds", 0) * scale * PRICES["lambda_gb_seconds"].usd
            line["log_usd"] += counts.get("log_bytes", 0) * scale * PRICES["log_bytes"].usd
    ordered = sorted(per_function.items(), key=lambda item: -(item[1]["duration_usd"] + item[1]["log_usd"]))
    return {name: {key: round(value, 4) for key, value in line.items()} for name, line in ordered}


def _usd(value: float) -> str:
    return f"${value:.4f}"


def table(report: Mapping[str, Any]) -> str:
    totals, breakdown, mix = report["per_1000_orders"], report["breakdown"], report["mix"]
    lines = [
        f"Python {report['python']}, {report['machine']}, {report['generated_at']} (`python -m bench.cost`,"
        f" {report['duration_s']} s; `bench/results/cost.json`). Prices: {report['prices']['as_of']}.",
        "",
        "| USD per 1,000 orders | converting path | fully loaded |",
        "|---|---:|---:|",
    ]
    for line, usd in breakdown["fully_loaded"].items():
        lines.append(f"| {line} | {_usd(breakdown['converting_path'].get(line, 0.0))} | {_usd(usd)} |")
    lines.append(f"| **total** | **{_usd(totals['converting_path_usd'])}** | **{_usd(totals['fully_loaded_usd'])}** |")
    lines += [
        "",
        f"Fully loaded with no CDN hits: {_usd(totals['fully_loaded_cdn_no_hits_usd'])}; with no CloudFront"
        f" or WAF in front (API Gateway direct): {_usd(totals['fully_loaded_without_cdn_and_waf_usd'])}."
        f" Targets: converting path ≤ $0.10 ({'met' if totals['converting_path_usd'] <= 0.10 else 'missed'}),"
        f" fully loaded ≤ $0.50 ({'met' if totals['fully_loaded_usd'] <= 0.50 else 'missed'}).",
        "",
        "| activity | per order | measured runs | CDN hit ratio | USD per 1,000 orders |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, activity in mix.items():
        lines.append(
            f"| {name} | {activity['per_order']:g} | {activity['runs']} | {activity['cdn_hit_ratio']:.0%}"
            f" | {_usd(activity['usd_per_1000_orders'])} |"
        )
    lines += ["", "| function (fully loaded) | invocations | duration | own log lines |", "|---|---:|---:|---:|"]
    for name, function in list(report["lambda_by_function_fully_loaded"].items())[:6]:
        duration, logs = _usd(function["duration_usd"]), _usd(function["log_usd"])
        lines.append(f"| {name} | {function['invocations']:,.0f} | {duration} | {logs} |")
    largest = list(breakdown["fully_loaded"])[:3]
    lines += ["", "Largest line items, and what would cut them:"]
    lines += [f"- {line}: {CUTS.get(line, 'fewer requests')}." for line in largest]
    fixed = ", ".join(f"{name} ${usd:,.2f}" for name, usd in report["fixed_monthly_usd"].items())
    lines += ["", f"Not per order, a month: {fixed}."]
    return "\n".join(lines)
