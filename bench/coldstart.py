"""Cold-start benchmark: each function's handler import as Lambda pays it.

Lambda loads the `sam build` output from read-only directories: Python cannot cache
bytecode there, so a module is compiled from source unless its .pyc was shipped
(build/Makefile ships them). This benchmark loads the build the same way: for every function
of template.yaml, fresh interpreters (`-I -S -B`: no site-packages, no environment, no
bytecode written) import the handler module, which constructs its resolver, with only
the function's artifact directory and the layer's python/ directory on sys.path.

The baseline is an interpreter with only boto3 on its path, installed into a temporary
directory and compiled the same way (the runtime provides boto3 precompiled), timing
`import boto3; boto3.client("dynamodb")`. The runs of all functions and the baseline are
interleaved, so a busy moment of the machine does not fall on one function only.

Both the wall time and the interpreter's CPU time are recorded; ratios and the budget use
the CPU time. An import is CPU-bound, so on Lambda's own vCPU the two agree; on a shared
machine the wall time also counts waiting for a core, which swung the ratios by ±0.4
between runs here.

Budget: every function ≤ 1.5× the baseline; over-budget functions are reported, not failed.
Results go to bench/results/coldstart.json and, as a table, into bench/README.md.
Run with `make bench` (which runs `sam build` first), or `python -m bench.coldstart` after one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.readme import write_section
from devkit.template import ROOT, functions

BUILD = ROOT / ".aws-sam" / "build"
LAYER_REQUIREMENTS = ROOT / "layers" / "shared" / "requirements.txt"
RESULTS = ROOT / "bench" / "results" / "coldstart.json"
BUDGET = 1.5
BASELINE_STATEMENT = 'import boto3; boto3.client("dynamodb", region_name="us-east-1")'

# Times the statement, then lists the modules it loaded from the given paths with no .pyc
# beside them: each of those was compiled from source during the measurement.
_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
started, started_cpu = time.perf_counter(), time.process_time()
{statement}
cpu = (time.process_time() - started_cpu) * 1000
elapsed = (time.perf_counter() - started) * 1000
import os
roots = tuple(os.path.join(path, "") for path in {paths!r})
sourced = sorted(
    name for name, module in list(sys.modules.items())
    if (spec := getattr(module, "__spec__", None)) is not None and spec.origin
    and spec.origin.startswith(roots) and spec.origin.endswith(".py")
    and not (spec.cached and os.path.exists(spec.cached))
)
print(elapsed, cpu, len(sourced))
"""


@dataclass(frozen=True)
class Target:
    name: str
    paths: list[str]
    statement: str
    environment: dict[str, str]


def _environment(service: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "storefront-bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": service,
        # `-I` ignores PYTHON* variables, so `-B` is what keeps bytecode unwritten; this says so too.
        "PYTHONDONTWRITEBYTECODE": "1",
    }


@dataclass(frozen=True)
class Sample:
    wall_ms: float
    cpu_ms: float
    compiled_from_source: int


def _measure_once(target: Target) -> Sample:
    completed = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", _PROBE.format(paths=target.paths, statement=target.statement)],
        capture_output=True,
        text=True,
        check=False,
        env=target.environment,
        cwd=target.paths[0],
    )
    if completed.returncode != 0:
        raise SystemExit(f"{target.name} failed to import:\n{completed.stderr}")
    elapsed, cpu, sourced = completed.stdout.split()[-3:]
    return Sample(float(elapsed), float(cpu), int(sourced))


def _pinned(package: str) -> str:
    match = re.search(rf"^{package}==(\S+)", LAYER_REQUIREMENTS.read_text(), re.MULTILINE)
    return f"{package}=={match.group(1)}" if match else package


def _install_baseline(directory: Path) -> None:
    # The layer's boto3 and botocore pins: the baseline and the functions load the same release.
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    subprocess.run([*pip, "--target", str(directory), _pinned("boto3"), _pinned("botocore")], check=True)
    compileall = [sys.executable, "-m", "compileall", "-q", "-f", "--invalidation-mode", "unchecked-hash", "-j", "0"]
    subprocess.run([*compileall, "-s", str(directory), "-p", "/var/runtime", str(directory)], check=True)


def _summary(samples: list[Sample]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(sample.wall_ms for sample in samples), 1),
        "min_ms": round(min(sample.wall_ms for sample in samples), 1),
        "median_cpu_ms": round(statistics.median(sample.cpu_ms for sample in samples), 1),
        "modules_compiled_from_source": max(sample.compiled_from_source for sample in samples),
    }


def _size_mb(directory: Path) -> float:
    return round(sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) / 1e6, 2)


def _check_build(layer: Path) -> None:
    if not layer.is_dir():
        raise SystemExit("no sam build output: run `make bench` (it runs `sam build` first)")
    if next(layer.rglob("*.cpython-313.pyc"), None) is None:
        print("warning: the layer holds no bytecode (is build/Makefile its BuildMethod?)", file=sys.stderr)


def run(runs: int) -> dict[str, object]:
    layer = BUILD / "SharedLayer" / "python"
    _check_build(layer)
    specs = functions()
    with tempfile.TemporaryDirectory(prefix="coldstart-boto3-") as baseline_dir:
        _install_baseline(Path(baseline_dir))
        targets = [Target("baseline", [baseline_dir], BASELINE_STATEMENT, _environment("baseline"))]
        for spec in specs:
            module = spec.handler.rsplit(".", 1)[0]
            service = spec.environment.get("POWERTOOLS_SERVICE_NAME")
            targets.append(
                Target(
                    spec.logical_id,
                    [str(BUILD / spec.logical_id), str(layer)],
                    f"import {module}",
                    _environment(service if isinstance(service, str) else spec.name),
                )
            )
        samples: dict[str, list[Sample]] = {target.name: [] for target in targets}
        for _ in range(runs):
            for target in targets:
                samples[target.name].append(_measure_once(target))
    baseline = _summary(samples["baseline"])
    results: dict[str, object] = {}
    for spec in specs:
        summary = _summary(samples[spec.logical_id])
        ratio = summary["median_cpu_ms"] / baseline["median_cpu_ms"]
        results[spec.logical_id] = {
            **summary,
            "ratio": round(ratio, 2),
            "wall_ratio": round(summary["median_ms"] / baseline["median_ms"], 2),
            "budget_ratio": BUDGET,
            "within_budget": ratio <= BUDGET,
            "artifact_mb": _size_mb(BUILD / spec.logical_id),
        }
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "runs": runs,
        "method": "sam build output, python -I -S -B (PYTHONDONTWRITEBYTECODE), artifact + layer python/ only",
        "layer_mb": _size_mb(layer.parent),
        "baseline": {
            "statement": 'import boto3; boto3.client("dynamodb")',
            "packages": [_pinned("boto3"), _pinned("botocore")],
            **baseline,
        },
        "functions": results,
        "over_budget": [name for name, result in results.items() if not result["within_budget"]],  # type: ignore[index]
    }


def _table(report: dict[str, object]) -> str:
    baseline = report["baseline"]
    over = report["over_budget"]
    lines = [
        f"Median of {report['runs']} fresh interpreters per function, Python {report['python']},"
        f" {report['machine']}, {report['generated_at']} (`make bench`; numbers in"
        f" `bench/results/coldstart.json`). Ratios use CPU time. Layer: {report['layer_mb']} MB unzipped.",
        "",
        "| function | CPU (ms) | wall (ms) | × baseline | budget | artifact (MB) |",
        "|---|---:|---:|---:|---:|---:|",
        f'| baseline: `import boto3; boto3.client("dynamodb")` | {baseline["median_cpu_ms"]}'  # type: ignore[index]
        f" | {baseline['median_ms']} | 1.00 | | |",  # type: ignore[index]
    ]
    for name, result in report["functions"].items():  # type: ignore[attr-defined]
        mark = "" if result["within_budget"] else " (over)"
        lines.append(
            f"| {name} | {result['median_cpu_ms']} | {result['median_ms']} | {result['ratio']:.2f}{mark}"
            f" | ≤ {result['budget_ratio']} | {result['artifact_mb']} |"
        )
    lines += ["", f"Over budget: {', '.join(over) if over else 'none'}."]  # type: ignore[arg-type]
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
