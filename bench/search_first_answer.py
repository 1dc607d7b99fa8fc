"""A new search environment's first answer, timed in a process of its own.

A new environment is a new process. Timed inside a benchmark's process, the answer would
also pay for that process's heap (the 100,000-product catalog it generated): Python's
collector walks it while the index's new rows are allocated, a quarter of a second at
4,000 delta products that no search function pays. The imports are not timed (the cold
start benchmark measures them): the time is from the environment's first look at the
manifest (base downloaded, deltas applied) to its first page.

`bench.search` and `bench.search_updates` call `time_in_new_process` inside `local_s3()`,
whose endpoint and bucket the child process inherits through its environment.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from devkit.template import ROOT
from storefront.search.query import SearchQuery
from storefront.search.replica import IndexReplica


def time_in_new_process(directory: Path, query: SearchQuery) -> float:
    """Milliseconds to a new environment's first answer to `query`, its copy kept in `directory`."""
    command = [sys.executable, "-m", "bench.search_first_answer", str(directory), json.dumps(asdict(query))]
    finished = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return float(finished.stdout.strip().splitlines()[-1])


def _query(fields: dict[str, Any]) -> SearchQuery:
    pairs = {name: tuple(tuple(pair) for pair in fields[name]) for name in ("attributes", "options")}
    return SearchQuery(**{**fields, **pairs})


def main() -> int:
    directory, query = Path(sys.argv[1]), _query(json.loads(sys.argv[2]))
    replica = IndexReplica(check_seconds=60.0, directory=directory)
    started = time.perf_counter()
    index = replica.current()
    assert index is not None, "the published index was not found"
    index.search(query)
    elapsed_ms = (time.perf_counter() - started) * 1000
    replica.close()
    print(f"{elapsed_ms:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
