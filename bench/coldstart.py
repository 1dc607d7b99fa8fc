"""Cold-start benchmark: import cost of each function's handler, as Lambda pays it.

For every function of template.yaml, N fresh interpreters (`-S -E -s`: no site-packages
of this machine) import the handler module — which constructs its resolver — with only
the `sam build` output on the path: the function's own directory and the shared layer.
The same run measures the baseline `import boto3; boto3.client("dynamodb")` the same way.
Results go to bench/results/coldstart.json and, as a table, into README.md.

Budgets (ratios to the baseline, reported, never asserted): authorizer ≤ 1.2×, others ≤ 2.0×.
Run with `make bench` (which runs `sam build` first).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.readme import write_section  # noqa: E402
from devkit.template import functions  # noqa: E402

BUILD = ROOT / ".aws-sam" / "build"
RESULTS = ROOT / "bench" / "results" / "coldstart.json"
BUDGETS = {"AuthorizerFunction": 1.2}
DEFAULT_BUDGET = 2.0

_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
started = time.perf_counter()
{statement}
print((time.perf_counter() - started) * 1000)
"""


def _environment() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "storefront-bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "bench",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _measure(paths: list[str], statement: str, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        completed = subprocess.run(
            [sys.executable, "-S", "-E", "-s", "-c", _PROBE.format(paths=paths, statement=statement)],
            capture_output=True,
            text=True,
            check=True,
            env=_environment(),
            cwd=paths[0],
        )
        timings.append(float(completed.stdout.strip().splitlines()[-1]))
    return timings


def _warm_bytecode(paths: list[str]) -> None:
    # Lambda ships .pyc files compiled at build time; compile once so runs measure imports.
    for path in paths:
        subprocess.run([sys.executable, "-m", "compileall", "-q", path], check=False, capture_output=True)


def run(runs: int) -> dict[str, object]:
    layer = str(BUILD / "SharedLayer" / "python")
    if not Path(layer).is_dir():
        raise SystemExit("no sam build output: run `make bench` (it runs `sam build` first)")
    _warm_bytecode([layer] + [str(BUILD / spec.logical_id) for spec in functions()])
    baseline = statistics.median(
        _measure([layer], 'import boto3; boto3.client("dynamodb", region_name="us-east-1")', runs)
    )
    results: dict[str, object] = {}
    for spec in functions():
        module = spec.handler.rsplit(".", 1)[0]
        timings = _measure([str(BUILD / spec.logical_id), layer], f"import {module}", runs)
        median = statistics.median(timings)
        budget = BUDGETS.get(spec.logical_id, DEFAULT_BUDGET)
        results[spec.logical_id] = {
            "median_ms": round(median, 1),
            "min_ms": round(min(timings), 1),
            "ratio": round(median / baseline, 2),
            "budget_ratio": budget,
            "within_budget": median / baseline <= budget,
        }
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "runs": runs,
        "baseline": {"statement": 'import boto3; boto3.client("dynamodb")', "median_ms": round(baseline, 1)},
        "functions": results,
    }


def _table(report: dict[str, object]) -> str:
    baseline = report["baseline"]["median_ms"]  # type: ignore[index]
    lines = [
        f"Median of {report['runs']} fresh interpreters, Python {report['python']}, {report['machine']},"
        f" {report['generated_at']} (`make bench`; numbers in `bench/results/coldstart.json`).",
        "",
        "| function | import + resolver (ms) | × baseline | budget |",
        "|---|---:|---:|---:|",
        f'| baseline: `import boto3; boto3.client("dynamodb")` | {baseline} | 1.00 | |',
    ]
    for name, result in report["functions"].items():  # type: ignore[attr-defined]
        mark = "" if result["within_budget"] else " (over)"
        lines.append(f"| {name} | {result['median_ms']} | {result['ratio']:.2f}{mark} | ≤ {result['budget_ratio']} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per function (≥ 5)")
    arguments = parser.parse_args()
    report = run(max(arguments.runs, 5))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    table = _table(report)
    write_section("coldstart", table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
