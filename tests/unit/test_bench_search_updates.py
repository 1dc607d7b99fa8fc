"""The search updates benchmark's results file (bench/search_updates.py): a part not run is kept from the last one."""

from __future__ import annotations

from typing import Any

from bench.search_updates import merged
from bench.search_updates_report import section

MACHINE = {"python": "3.13.0", "sqlite": "3.40.1", "platform": "Linux x86_64", "cpu_count": 2}
TRANSFERS = {
    "10000": {
        "base_bytes": 5_000_000,
        "per_batch": {
            key: {"median": 1000.0, "p95": 2000.0}
            for key in ("delta_bytes", "delta_json_bytes", "writer_up", "writer_down", "reader_down", "reader_apply_ms")
        },
        "one_product_delta_bytes": 6000,
        "compactions": [],
        "average_per_batch_with_compactions": {"writer_bytes": 1000, "reader_bytes": 1000},
    }
}
VISIBILITY = {
    "10000": {
        "load": {"items": 54_000},
        "load_seconds": 80.0,
        "rebuild_seconds": 8.0,
        "single_ms": [5000.0, 6000.0],
        "burst_of_100_ms": [1200.0],
        "delta_bytes": [5800, 30000],
        "single": {"median": 5500, "p95": 6000, "max": 6000},
        "burst_of_100": {"median": 1200, "p95": 1200, "max": 1200},
    }
}


def _report(transfers: dict[str, Any], visibility: dict[str, Any], at: str) -> dict[str, Any]:
    return {
        "generated_at": at,
        "machine": MACHINE,
        "seed": 1,
        "transfers": transfers,
        "visibility": visibility,
        "parts_generated_at": {"transfers": at, "visibility": at},
        "runtime_seconds": 10.0,
    }


def test_transfers_are_kept_from_the_results_file_when_only_visibility_ran() -> None:
    earlier = {**_report(TRANSFERS, {}, "2026-01-01T00:00:00Z")}
    del earlier["parts_generated_at"]  # a results file from before the parts had their own times
    report = _report({}, VISIBILITY, "2026-02-02T00:00:00Z")

    result = merged(report, earlier, {"transfers": [], "visibility": [10000]})

    assert result["transfers"] == {"10000": {"measured_at": "2026-01-01T00:00:00Z", **TRANSFERS["10000"]}}
    assert result["visibility"] == {"10000": {"measured_at": "2026-02-02T00:00:00Z", **VISIBILITY["10000"]}}
    assert result["parts_generated_at"] == {"transfers": "2026-01-01T00:00:00Z", "visibility": "2026-02-02T00:00:00Z"}
    text = section(result)
    assert "transfers 2026-01-01T00:00:00Z, visibility 2026-02-02T00:00:00Z" in text
    assert "| 10,000 | 80 s (54,000 items) | 8 s | 5,500 / 6,000 / 6,000 (2) |" in text


def test_a_size_that_ran_replaces_the_earlier_one_and_the_other_sizes_are_kept() -> None:
    larger = {"100000": {"measured_at": "2026-02-02T00:00:00Z", **VISIBILITY["10000"], "rebuild_seconds": None}}
    report = _report({}, larger, "2026-02-02T00:00:00Z")
    earlier = _report(TRANSFERS, VISIBILITY, "2026-01-01T00:00:00Z")

    result = merged(report, earlier, {"transfers": [], "visibility": [100000]})

    assert list(result["visibility"]) == ["10000", "100000"]
    assert result["visibility"]["10000"]["measured_at"] == "2026-01-01T00:00:00Z"
    assert result["parts_generated_at"]["visibility"] == "2026-01-01T00:00:00Z, 2026-02-02T00:00:00Z"
    assert "| 100,000 | 80 s (54,000 items) | — |" in section(result)


def test_a_size_that_ran_and_failed_is_dropped_and_a_part_never_measured_stays_empty() -> None:
    report = _report(TRANSFERS, {}, "2026-02-02T00:00:00Z")

    result = merged(
        report, _report({}, VISIBILITY, "2026-01-01T00:00:00Z"), {"transfers": [10000], "visibility": [10000]}
    )
    assert result["visibility"] == {}
    alone = merged(report, None, {"transfers": [10000], "visibility": []})
    assert alone["visibility"] == {}
    assert alone["parts_generated_at"] == {"transfers": "2026-02-02T00:00:00Z", "visibility": None}
    assert "From a committed change" not in section(alone)
