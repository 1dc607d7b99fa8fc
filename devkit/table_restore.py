"""`make admin ARGS="--stack-name S table restore --to …"` and `table copy …`: the table as it was.

The table keeps 35 days of point-in-time recovery (`PointInTimeRecoveryEnabled`). DynamoDB
restores into a new table, never over the live one: `restore` starts that restore (minutes
to hours, by size) and names the new table; once it is ACTIVE, `copy` brings chosen items
back into the live table: every item whose partition key starts with --key-prefix
(`PRODUCT#<id>` for a product and its variants, `USER#<id>` for an account with its
addresses, and `EMAIL#<email>` for its sign-in claim; docs/data-model.md lists every key),
and only where the live table has no such item, unless --replace. Items copied back bypass
the outbox and every counter kept elsewhere (a category's product count, a user's
address count): no event is published for them, so after copying catalog items run
`make search-rebuild STACK=S`. Delete the restored table
when done (`aws dynamodb delete-table`): it is billed like the live one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class RestoreError(Exception):
    """The restore or copy cannot run: the message says why."""


@dataclass(frozen=True)
class Copied:
    copied: int
    kept: int  # the live table already had the item (without --replace)


def restored_name(table: str, moment: datetime) -> str:
    return f"{table}-restored-{moment.astimezone(UTC):%Y%m%d%H%M}"


def restore(dynamodb: Any, table: str, moment: datetime, target: str | None = None) -> dict[str, str]:
    """Starts restoring the table as it was at `moment` into a new table; its name and status."""
    name = target or restored_name(table, moment)
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    recovery = backups.get("PointInTimeRecoveryDescription") or {}
    if recovery.get("PointInTimeRecoveryStatus") != "ENABLED":
        raise RestoreError(f"point-in-time recovery is off for {table}: nothing to restore from")
    earliest = recovery.get("EarliestRestorableDateTime")
    if isinstance(earliest, datetime) and moment < earliest:
        raise RestoreError(f"--to is before the earliest restorable moment, {earliest.isoformat()}")
    answer = dynamodb.restore_table_to_point_in_time(
        SourceTableName=table,
        TargetTableName=name,
        RestoreDateTime=moment,
        BillingModeOverride="PAY_PER_REQUEST",
    )
    return {"table": name, "status": str(answer["TableDescription"].get("TableStatus", "CREATING"))}


def copy(dynamodb: Any, source: str, target: str, key_prefix: str, *, replace: bool = False) -> Copied:
    """Puts the source's items whose PK starts with `key_prefix` into the target table.

    A Scan of the restored table (an operator's tool, never a request). Without `replace`
    each put is conditioned on the item being absent, so nothing newer is overwritten.
    """
    if not key_prefix and not replace:
        raise RestoreError("name the items with --key-prefix (or pass --replace to copy the whole table)")
    scan: dict[str, Any] = {"TableName": source}
    if key_prefix:
        scan |= {
            "FilterExpression": "begins_with(PK, :prefix)",
            "ExpressionAttributeValues": {":prefix": {"S": key_prefix}},
        }
    copied = kept = 0
    for page in dynamodb.get_paginator("scan").paginate(**scan):
        for item in page["Items"]:
            put: dict[str, Any] = {"TableName": target, "Item": item}
            if not replace:
                put["ConditionExpression"] = "attribute_not_exists(PK)"
            try:
                dynamodb.put_item(**put)
            except dynamodb.exceptions.ConditionalCheckFailedException:
                kept += 1
                continue
            copied += 1
    return Copied(copied, kept)
