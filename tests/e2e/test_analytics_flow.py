"""The analytics sink against the local runtime: the template's rule sends every domain event to
its delivery stream, whose S3 delivery writes gzipped JSON lines to the local analytics bucket
under events/type=<type>/dt=<day>/, where the Glue table's partitions look for them."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from devkit import localstate
from tests.e2e.local_api import LocalApi
from tests.e2e.orders_support import product

pytestmark = pytest.mark.e2e


def _lines_under(s3: Any, bucket: str, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            found += [(item["Key"], json.loads(line)) for line in gzip.decompress(body).decode().splitlines()]
    return found


def test_a_new_product_lands_in_the_analytics_bucket_partitioned_by_type_and_day(
    local_api: LocalApi, manager: str
) -> None:
    s3 = localstate.local_client("s3", local_api.data_dir)
    [bucket] = [entry["Name"] for entry in s3.list_buckets()["Buckets"] if entry["Name"].endswith("analytics-bucket")]
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    prefix = f"events/type=product.created/dt={today}/"

    sku = product(local_api, manager, 2)

    deadline = time.monotonic() + 60
    mine: list[tuple[str, dict[str, Any]]] = []
    while not mine and time.monotonic() < deadline:
        time.sleep(1)
        mine = [(key, record) for key, record in _lines_under(s3, bucket, prefix) if sku in json.dumps(record)]
    assert mine, f"no product.created record naming {sku} under s3://{bucket}/{prefix} in 60 s"
    [(key, record)] = mine
    assert key.endswith(".gz")
    assert set(record) == {"id", "type", "version", "occurred_at", "data"}
    assert (record["type"], record["version"]) == ("product.created", 1)
