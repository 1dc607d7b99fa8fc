"""Warm authorizer benchmark: time to verify one token once the container is warm.

Times the authorizer's token check (header parsing, signature, claims) in-process on
the Authorization header of a realistic payload-2.0 authorizer event, with the signing
keys already cached (as they are after the first request), and reports the median and
95th percentile per token. Besides this CPU work, each authorization API Gateway does
not serve from its cache makes one consistent GetItem (the user's flags). Results go to
bench/results/authorizer.json and into README.md.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "shared")]
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

from bench.readme import write_section  # noqa: E402
from devkit.functions import load_handler_module  # noqa: E402
from devkit.provision import new_signing_secret  # noqa: E402
from storefront.models.roles import Role  # noqa: E402
from storefront.security.keyring import Keyring, keyring_cache  # noqa: E402
from storefront.security.tokens import issue_access_token, verify_access_token  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "authorizer.json"
CALLS = 5000


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    keyring = Keyring.parse(new_signing_secret())
    keyring_cache.current = lambda: keyring  # type: ignore[method-assign]
    keyring_cache.key_for = lambda kid: keyring.keys.get(kid)  # type: ignore[method-assign]
    authorizer = load_handler_module(ROOT / "functions" / "authorizer")
    event = json.loads((ROOT / "events" / "authorizer" / "bearer-token.json").read_text())
    header = f"Bearer {issue_access_token('01JDBENCHUSER0000000000000', Role.CUSTOMER)}"
    event["headers"]["authorization"], event["identitySource"] = header, [header]
    timings = []
    for _ in range(CALLS):
        started = time.perf_counter()
        token = authorizer.bearer_token(event["headers"].get("authorization"))
        verify_access_token(token)
        timings.append((time.perf_counter() - started) * 1_000_000)
    report = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "calls": CALLS,
        "verify_median_us": round(statistics.median(timings), 1),
        "verify_p95_us": round(_percentile(timings, 0.95), 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    table = (
        f"Warm authorizer, {CALLS} calls in-process, keys cached, Python {report['python']},"
        f" {report['machine']}, {report['generated_at']} (`bench/results/authorizer.json`):"
        f" median **{report['verify_median_us']} µs**, p95 {report['verify_p95_us']} µs per token, plus one"
        " consistent GetItem of the user's flags per authorization API Gateway has not cached."
    )
    write_section("authorizer", table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
