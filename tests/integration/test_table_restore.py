"""`make admin ARGS="--stack-name S table restore|copy …"` on moto: the table restored into a new
one, and chosen items put back into the live table without overwriting what is newer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devkit import admin, table_restore

LIVE = "shop-table"
BEFORE_THE_TABLE = datetime(2026, 1, 1, tzinfo=UTC)


def _item(pk: str, sk: str, name: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}, "name": {"S": name}}


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=LIVE,
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.update_continuous_backups(
            TableName=LIVE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        yield client


def test_the_table_is_restored_into_a_new_table_named_for_the_moment(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=LIVE, Item=_item("PRODUCT#p1", "PRODUCT", "Lamp"))
    moment = datetime.now(UTC)
    started = table_restore.restore(dynamodb, LIVE, moment)
    assert started["table"] == f"shop-table-restored-{moment:%Y%m%d%H%M}"
    restored = dynamodb.scan(TableName=started["table"])["Items"]
    assert restored == [_item("PRODUCT#p1", "PRODUCT", "Lamp")]


def test_a_restore_is_refused_without_point_in_time_recovery(dynamodb: Any) -> None:
    dynamodb.update_continuous_backups(
        TableName=LIVE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    with pytest.raises(table_restore.RestoreError, match="point-in-time recovery is off"):
        table_restore.restore(dynamodb, LIVE, datetime.now(UTC))


def test_a_moment_before_the_earliest_restorable_one_is_refused(dynamodb: Any) -> None:
    with pytest.raises(table_restore.RestoreError, match="before the earliest restorable moment"):
        table_restore.restore(dynamodb, LIVE, BEFORE_THE_TABLE)


def test_a_deleted_product_comes_back_and_nothing_newer_is_overwritten(dynamodb: Any) -> None:
    for item in (
        _item("PRODUCT#p1", "PRODUCT", "Lamp"),
        _item("PRODUCT#p1", "PRODUCT#VARIANT#L-1", "Lamp, red"),
        _item("PRODUCT#p2", "PRODUCT", "Chair"),
    ):
        dynamodb.put_item(TableName=LIVE, Item=item)
    restored = table_restore.restore(dynamodb, LIVE, datetime.now(UTC))["table"]
    # After the moment: p1's variant was deleted by mistake, p1 itself renamed, p2 changed.
    dynamodb.delete_item(TableName=LIVE, Key={"PK": {"S": "PRODUCT#p1"}, "SK": {"S": "PRODUCT#VARIANT#L-1"}})
    dynamodb.put_item(TableName=LIVE, Item=_item("PRODUCT#p1", "PRODUCT", "Lamp (new name)"))
    dynamodb.put_item(TableName=LIVE, Item=_item("PRODUCT#p2", "PRODUCT", "Chair (new)"))

    copied = table_restore.copy(dynamodb, restored, LIVE, "PRODUCT#p1")

    assert copied == table_restore.Copied(copied=1, kept=1)
    live = {(item["PK"]["S"], item["SK"]["S"]): item["name"]["S"] for item in dynamodb.scan(TableName=LIVE)["Items"]}
    assert live[("PRODUCT#p1", "PRODUCT#VARIANT#L-1")] == "Lamp, red"
    assert live[("PRODUCT#p1", "PRODUCT")] == "Lamp (new name)", "the newer item stays"
    assert live[("PRODUCT#p2", "PRODUCT")] == "Chair (new)", "outside the prefix"


def test_replace_puts_the_restored_items_over_the_live_ones(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=LIVE, Item=_item("USER#u1", "PROFILE", "Ann"))
    restored = table_restore.restore(dynamodb, LIVE, datetime.now(UTC))["table"]
    dynamodb.put_item(TableName=LIVE, Item=_item("USER#u1", "PROFILE", "Mallory"))

    assert table_restore.copy(dynamodb, restored, LIVE, "USER#u1", replace=True) == table_restore.Copied(1, 0)
    [item] = dynamodb.scan(TableName=LIVE)["Items"]
    assert item["name"] == {"S": "Ann"}


def test_copying_everything_must_be_asked_for_with_replace(dynamodb: Any) -> None:
    with pytest.raises(table_restore.RestoreError, match="--key-prefix"):
        table_restore.copy(dynamodb, "restored", LIVE, "")


@pytest.mark.parametrize("argv", [["table", "restore", "--to", "2026-12-01"], ["dead-letters", "list"]])
def test_the_stack_only_commands_say_so_in_local_mode(argv: list[str]) -> None:
    with pytest.raises(admin.CommandError, match="--stack-name"):
        admin.execute(admin.parser().parse_args(argv))
