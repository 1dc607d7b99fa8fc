"""The local runtime expires items like the table's TTL: deleted once expired, told apart on the stream.

The runtime runs in-process on a fixture template (tests/fixtures/templates/ttl.yaml), its
table on DynamoDB Local and on moto: a table with TTL on `expires_at`, one recording
consumer of every REMOVE and one filtered on the TTL service's user identity; its sweeper
runs every 0.2 s.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devkit.localrun.runtime import Options, Runtime
from devkit.localrun.testing import running, wait_until
from devkit.localrun.ttl import TtlDeletions, TtlSweeper, TtlTable, ttl_tables

TEMPLATE = Path(__file__).resolve().parents[1] / "fixtures" / "templates" / "ttl.yaml"
TABLE = "ttl-table"
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
A_YEAR_S = 365 * 86400


@pytest.fixture(scope="module", params=["dynamodb-local", "moto"])
def runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    options = Options(
        port=0,
        data_dir=tmp_path_factory.mktemp("localrun-ttl"),
        use_java=request.param == "dynamodb-local",
        template=TEMPLATE,
        stack_name="ttl",
        serve_http=False,
        ttl_sweep_s=0.2,
    )
    with running(options) as started:
        assert started.wait_sources_ready(), "a source never started watching"
        yield started


def key(pk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": "A"}}


def put(runtime: Runtime, pk: str, expires_at: dict[str, str] | None) -> None:
    item = key(pk) | ({"expires_at": expires_at} if expires_at is not None else {})
    runtime.aws_client("dynamodb").put_item(TableName=TABLE, Item=item)


def stored(runtime: Runtime, pk: str) -> dict[str, Any] | None:
    answer = runtime.aws_client("dynamodb").get_item(TableName=TABLE, Key=key(pk), ConsistentRead=True)
    item: dict[str, Any] | None = answer.get("Item")
    return item


def removals(runtime: Runtime, function: str, pk: str) -> list[dict[str, Any]]:
    batches = list(runtime.functions[function].module.RECEIVED)
    records = [record for batch in batches for record in batch["Records"]]
    return [record for record in records if record["dynamodb"]["Keys"]["PK"]["S"] == pk]


def arrived(runtime: Runtime, function: str, pk: str) -> list[dict[str, Any]]:
    """The records of `pk` that `function` received, once there is one (the first read of a new
    stream may wait for the poller's shard refresh)."""
    return wait_until(lambda: removals(runtime, function, pk), timeout_s=30, what=f"{function} receiving {pk}")


def test_the_runtime_sweeps_the_templates_ttl_attribute(runtime: Runtime) -> None:
    assert runtime.template is not None
    assert ttl_tables(runtime.template) == [TtlTable(TABLE, "expires_at")]
    assert "TTL: items past their expires_at of ttl-table deleted every 0.2 s" in runtime.describe()


def test_an_expired_item_is_deleted_and_its_remove_record_carries_the_ttl_identity(runtime: Runtime) -> None:
    now = int(time.time())
    put(runtime, "LATER", {"N": str(now + A_YEAR_S)})
    put(runtime, "TEXT", {"S": str(now - 60)})  # not a number: the TTL ignores it
    put(runtime, "FOREVER", None)
    put(runtime, "EXPIRED", {"N": str(now - 60)})

    [record] = arrived(runtime, "RemovalRecorder", "EXPIRED")

    assert record["eventName"] == "REMOVE"
    assert record["userIdentity"] == TTL_IDENTITY
    assert record["dynamodb"]["OldImage"]["expires_at"] == {"N": str(now - 60)}
    assert stored(runtime, "EXPIRED") is None
    [filtered] = arrived(runtime, "ExpiryRecorder", "EXPIRED")
    assert filtered["dynamodb"]["SequenceNumber"] == record["dynamodb"]["SequenceNumber"]
    # The sweep that deleted EXPIRED read the items written before it, and kept them.
    assert all(stored(runtime, pk) is not None for pk in ("LATER", "TEXT", "FOREVER"))


def test_a_deletion_through_the_api_carries_no_identity(runtime: Runtime) -> None:
    now = int(time.time())
    put(runtime, "DELETED", {"N": str(now + A_YEAR_S)})
    runtime.aws_client("dynamodb").delete_item(TableName=TABLE, Key=key("DELETED"))
    put(runtime, "AFTER-DELETED", {"N": str(now - 60)})  # the sweeper's deletion comes later on the stream

    [record] = arrived(runtime, "RemovalRecorder", "DELETED")
    arrived(runtime, "ExpiryRecorder", "AFTER-DELETED")

    assert "userIdentity" not in record
    assert removals(runtime, "ExpiryRecorder", "DELETED") == []


class _RefreshedAfterScan:
    """The runtime's table client, with a writer moving `pk`'s expiry forward between the scan and the delete."""

    def __init__(self, client: Any, pk: str, expires_at: int) -> None:
        self.client, self.pk, self.expires_at = client, pk, expires_at

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def scan(self, **request: Any) -> dict[str, Any]:
        page: dict[str, Any] = self.client.scan(**request)
        if any(item["PK"]["S"] == self.pk for item in page.get("Items", [])):
            self.client.update_item(
                TableName=TABLE,
                Key=key(self.pk),
                UpdateExpression="SET expires_at = :later",
                ExpressionAttributeValues={":later": {"N": str(self.expires_at)}},
            )
        return page


def test_an_item_refreshed_between_the_scan_and_the_delete_is_kept(runtime: Runtime) -> None:
    # Expired only for this sweeper's clock (half a year on), so the runtime's own sweeper leaves it alone.
    now = int(time.time())
    seen_at, refreshed_to = now + A_YEAR_S // 2, now + 2 * A_YEAR_S
    put(runtime, "REFRESHED", {"N": str(seen_at)})
    client = _RefreshedAfterScan(runtime.aws_client("dynamodb"), "REFRESHED", refreshed_to)
    deletions = TtlDeletions()
    sweeper = TtlSweeper(client, [TtlTable(TABLE, "expires_at")], deletions, runtime.stop_event, clock=lambda: seen_at)

    sweeper.sweep()

    item = stored(runtime, "REFRESHED")
    assert item is not None
    assert item["expires_at"] == {"N": str(refreshed_to)}
    # Had a REMOVE of it come, it would not pass for the TTL's.
    remove = {"eventName": "REMOVE", "dynamodb": {"Keys": key("REFRESHED"), "OldImage": item}}
    assert not deletions.made(TABLE, remove)
