"""A new search environment's first answer: download, open and query, from S3 on this machine.

The index is published as the indexer publishes a base (gzip, `search_index.upload_base`,
and a manifest naming it with no deltas) to a moto S3 server on 127.0.0.1 (the local
runtime's S3), then a fresh `IndexReplica` in an empty directory, as a new Lambda
environment has, answers one query in a process of its own (`bench/search_first_answer.py`):
the time from asking to the answer is what the first shopper on a cold search function
waits for beyond the cold start itself. A region's S3 is faster per byte than moto's Python
server, so this is an upper bound for the transfer; the decompression and SQLite's open are
the same work as on Lambda.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from bench.search_first_answer import time_in_new_process
from devkit.localrun.emulators import MotoServer
from storefront.data import search_index
from storefront.search.manifest import Manifest
from storefront.search.query import SearchQuery
from storefront.settings import get_settings

RUNS = 5
BUCKET = "bench-search"


@contextmanager
def local_s3() -> Iterator[None]:
    """The local runtime's moto server on 127.0.0.1, which the shared package's S3 client talks to."""
    server = MotoServer()
    # moto takes any credentials; a machine without any must still sign its requests.
    local = {"AWS_ENDPOINT_URL_S3": server.endpoint, "SEARCH_BUCKET": BUCKET}
    local |= {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {name: os.environ.get(name) for name in local}
    os.environ.update(local)
    get_settings.cache_clear()
    try:
        boto3.client("s3", endpoint_url=server.endpoint).create_bucket(Bucket=BUCKET)
        yield
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def first_answer(path: Path, query: SearchQuery) -> dict[str, Any]:
    """Publishes the index file at `path`, then times RUNS fresh environments' first answer (ms).

    Inside `local_s3()`, once for the whole run: the shared package's S3 clients come from a
    botocore session that keeps the endpoint it first read.
    """
    started = time.perf_counter()
    base = search_index.upload_base(path, products=0)  # only compactions read the count
    found = search_index.read_manifest()
    search_index.publish_manifest(Manifest(base).to_json(), found[0] if found is not None else None)
    publish_s = time.perf_counter() - started
    timings = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="search-cold-") as directory:
            timings.append(time_in_new_process(Path(directory), query))
    return {
        "published_bytes": base.bytes,
        "publish_seconds": round(publish_s, 2),
        "first_answer_median_ms": round(statistics.median(timings)),
        "first_answer_max_ms": round(max(timings)),
        "runs": RUNS,
    }
