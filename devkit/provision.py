"""Create the template's stateful resources on an emulator (moto or DynamoDB Local).

Properties are read from template.yaml, so the tables the tests and the local runtime
use have exactly the keys, indexes and stream that deploy.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from devkit.template import load_template


def table_definition(logical_id: str = "Table", template: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = (template or load_template())["Resources"][logical_id]["Properties"]
    definition: dict[str, Any] = {
        "AttributeDefinitions": [dict(item) for item in properties["AttributeDefinitions"]],
        "KeySchema": [dict(item) for item in properties["KeySchema"]],
        "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
    }
    indexes = properties.get("GlobalSecondaryIndexes") or []
    if indexes:
        definition["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["IndexName"],
                "KeySchema": [dict(item) for item in index["KeySchema"]],
                "Projection": dict(index["Projection"]),
            }
            for index in indexes
        ]
    stream = properties.get("StreamSpecification")
    if stream:
        definition["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return definition


def ttl_attribute(logical_id: str = "Table", template: dict[str, Any] | None = None) -> str | None:
    properties = (template or load_template())["Resources"][logical_id]["Properties"]
    spec = properties.get("TimeToLiveSpecification") or {}
    return spec.get("AttributeName") if spec.get("Enabled") else None


def create_table(dynamodb: Any, name: str, logical_id: str = "Table", template: dict[str, Any] | None = None) -> None:
    existing = dynamodb.list_tables()["TableNames"]
    definition = table_definition(logical_id, template)
    if name not in existing:
        dynamodb.create_table(TableName=name, **definition)
        dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    else:
        _add_missing_indexes(dynamodb, name, definition)
    attribute = ttl_attribute(logical_id, template)
    described = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if attribute and described.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
        )


def _add_missing_indexes(dynamodb: Any, name: str, definition: dict[str, Any]) -> None:
    """A table kept from an earlier run (`make dev`'s data) gets the indexes added since, as a
    deploy would: one at a time, each built from the items already there."""
    present = {
        index["IndexName"]
        for index in dynamodb.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
    }
    for index in definition.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in present:
            continue
        dynamodb.update_table(
            TableName=name,
            AttributeDefinitions=definition["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        _wait_until_built(dynamodb, name, index["IndexName"])


def _wait_until_built(dynamodb: Any, name: str, index_name: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        indexes = dynamodb.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
        if any(i["IndexName"] == index_name and i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in indexes):
            return
        time.sleep(0.2)
    raise TimeoutError(f"index {index_name} of table {name} was not built within {timeout_s:.0f} s")


def new_cursor_secret(kid: str = "k1") -> str:
    return json.dumps({"active_kid": kid, kid: secrets.token_urlsafe(48)})


def create_secret(secretsmanager: Any, name: str, secret_string: str | None = None) -> str:
    try:
        return str(secretsmanager.describe_secret(SecretId=name)["ARN"])
    except secretsmanager.exceptions.ResourceNotFoundException:
        created = secretsmanager.create_secret(Name=name, SecretString=secret_string or new_cursor_secret())
        return str(created["ARN"])
