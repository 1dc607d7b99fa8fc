"""Rebuild the search index from the table: `make search-rebuild` (local) or `STACK=name`.

A full rebuild scans the table for every product and publishes a new index version,
taking the writer lease like the indexer does (so the two never overwrite each other).
Run it after restoring the table, after a stretch of failed index messages (the search
index dead-letter queue), or whenever search and catalog disagree. The search functions
pick the new version up within seconds; a missing index is also rebuilt on its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from devkit import admin, localstate


def stack_environment(stack_name: str, cloudformation: Any | None = None) -> dict[str, str]:
    """The deployed stack's table, bucket and CDN, from its outputs."""
    environment, outputs = admin.stack_target(stack_name, cloudformation)
    if "SearchIndexBucketName" not in outputs:
        raise admin.TargetError(f"stack {stack_name!r} has no SearchIndexBucketName output: deploy this version first")
    environment["SEARCH_BUCKET"] = outputs["SearchIndexBucketName"]
    if "CdnDomain" in outputs:
        environment["IMAGES_BASE_URL"] = f"https://{outputs['CdnDomain']}"
    return environment


def local_environment(data_dir: Path) -> dict[str, str]:
    environment = admin.local_environment(data_dir)
    bucket = (localstate.read_state(data_dir).get("outputs") or {}).get("SearchIndexBucketName")
    if not bucket:
        raise admin.TargetError("the running local runtime predates search: restart `make dev`")
    return {**environment, "SEARCH_BUCKET": bucket}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devkit.search_rebuild",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    admin.add_target_arguments(parser)
    parser.add_argument("--wait", type=float, default=300.0, help="seconds to wait for the writer lease")
    arguments = parser.parse_args(argv)
    try:
        if arguments.stack_name:
            environment = stack_environment(arguments.stack_name)
        else:
            environment = local_environment(arguments.data_dir.resolve())
    except admin.TargetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    admin.configure({**environment, "POWERTOOLS_LOG_LEVEL": "WARNING"})  # the summary line is the output
    from storefront.search import indexing

    try:
        outcome = indexing.rebuild(wait_seconds=arguments.wait)
    except indexing.IndexBusy as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"search index rebuilt: {outcome.indexed} products, version {outcome.etag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
