"""The table's TTL, which DynamoDB Local lacks: a sweeper deletes expired items as the TTL service does.

On AWS the TTL service deletes an item some time after its TTL attribute (epoch seconds)
has passed, and the stream's REMOVE record of that deletion carries the service's user
identity. Here a worker sweeps every table whose TimeToLiveSpecification is enabled, every
`interval_s` seconds: each expired item is deleted on the condition that its TTL attribute
still holds the value the sweep read (an item refreshed meanwhile stays, as on AWS). The
sweeper notes each deletion in `TtlDeletions`, which the stream pollers consult to give the
REMOVE record the TTL service's identity; a deletion made by anyone else keeps none.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from devkit.localrun.config import LocalTemplate
from devkit.localrun.pollers import Worker

log = logging.getLogger("localrun")

TTL_IDENTITY: Final = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
DEFAULT_SWEEP_S: Final = 30.0
_KEPT_DELETIONS = 100_000  # far more than a local stream holds unread
_PENDING_WAIT_S = 5.0  # a delete in flight answers in milliseconds

# (table, key attributes, the TTL attribute's old value): None matches a record without an old image.
_DeletionKey = tuple[str, str, str | None]


@dataclass(frozen=True)
class TtlTable:
    name: str
    attribute: str  # the TTL attribute (epoch seconds)


def _canonical(value: Any) -> str:
    """Attribute values as text; binary ones as the stream poller hands them on (base64)."""
    return json.dumps(value, sort_keys=True, default=lambda raw: base64.b64encode(raw).decode())


class TtlDeletions:
    """The deletions the sweeper made, so a stream record of one can be told from an API's.

    A deletion is noted before the DeleteItem is sent (a poller may read its record before
    the call returns) and withdrawn if the condition fails; a poller that meets a deletion
    still in flight waits for the answer. Entries stay after a poller read them: every
    consumer of the stream reads the same record.
    """

    def __init__(self, kept: int = _KEPT_DELETIONS) -> None:
        self._changed = threading.Condition()
        self._deletions: OrderedDict[_DeletionKey, bool] = OrderedDict()  # True: done, False: in flight
        self._attributes: dict[str, str] = {}  # each table's TTL attribute
        self._kept = kept

    @staticmethod
    def _keys(table: str, keys: dict[str, Any], expires: Any) -> list[_DeletionKey]:
        return [(table, _canonical(keys), _canonical(expires)), (table, _canonical(keys), None)]

    def begin(self, table: TtlTable, keys: dict[str, Any], expires: Any) -> None:
        with self._changed:
            self._attributes[table.name] = table.attribute
            for key in self._keys(table.name, keys, expires):
                self._deletions[key] = False
                self._deletions.move_to_end(key)
            while len(self._deletions) > self._kept:
                self._deletions.popitem(last=False)

    def finish(self, table: TtlTable, keys: dict[str, Any], expires: Any, *, deleted: bool) -> None:
        with self._changed:
            for key in self._keys(table.name, keys, expires):
                if deleted:
                    self._deletions[key] = True
                else:
                    self._deletions.pop(key, None)
            self._changed.notify_all()

    def made(self, table: str, record: dict[str, Any]) -> bool:
        """True if `record` (a stream record) tells of a deletion the sweeper made."""
        if record.get("eventName") != "REMOVE":
            return False
        change = record.get("dynamodb") or {}
        old_image = change.get("OldImage")
        keys = _canonical(change.get("Keys") or {})
        with self._changed:
            attribute = self._attributes.get(table)
            if attribute is None:
                return False  # the sweeper never deleted from this table
            # Without an old image (a KEYS_ONLY stream) only the keys can be matched.
            expires = _canonical(old_image.get(attribute)) if old_image else None
            key: _DeletionKey = (table, keys, expires)
            if key not in self._deletions:
                return False
            self._changed.wait_for(lambda: self._deletions.get(key) is not False, _PENDING_WAIT_S)
            return self._deletions.get(key) is True


def ttl_tables(template: LocalTemplate) -> list[TtlTable]:
    """The template's tables with TTL enabled."""
    found = []
    for logical_id in template.resources("AWS::DynamoDB::Table"):
        specification = template.resolve(template.properties(logical_id).get("TimeToLiveSpecification") or {})
        if specification.get("Enabled") in (True, "true", "True") and specification.get("AttributeName"):
            found.append(TtlTable(template.physical_name(logical_id), str(specification["AttributeName"])))
    return found


class TtlSweeper(Worker):
    """Every `interval_s`, deletes the items whose TTL attribute has passed, as the TTL service would."""

    def __init__(
        self,
        client: Any,
        tables: list[TtlTable],
        deletions: TtlDeletions,
        stop: threading.Event,
        *,
        interval_s: float = DEFAULT_SWEEP_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__("ttl-sweeper", stop)
        self.client, self.tables, self.deletions = client, tables, deletions
        self.interval_s, self.clock = interval_s, clock
        self.key_names: dict[str, list[str]] = {}
        names = ", ".join(f"{table.attribute} of {table.name}" for table in tables)
        self.description = f"TTL: items past their {names} deleted every {interval_s:g} s"

    def prepare(self) -> None:
        for table in self.tables:
            schema = self.client.describe_table(TableName=table.name)["Table"]["KeySchema"]
            self.key_names[table.name] = [str(element["AttributeName"]) for element in schema]

    def poll(self) -> None:
        # Like a schedule, the first sweep comes one interval after the start.
        if self.stop_event.wait(self.interval_s):
            return
        self.sweep()

    def sweep(self) -> int:
        """One pass over every table; the number of items deleted."""
        if not self.key_names:
            self.prepare()
        now = int(self.clock())
        deleted = 0
        for table in self.tables:
            for item in self._expired(table, now):
                deleted += self._expire(table, item)
        if deleted:
            log.info("TTL: deleted %d expired items", deleted)
        return deleted

    def _expired(self, table: TtlTable, now: int) -> Iterator[dict[str, Any]]:
        """The items whose TTL attribute is a number <= now, page by page.

        A Scan with a filter reads the whole table: acceptable for a local table only
        (AWS's TTL service needs none, and no deployed code may scan).
        """
        key_names = self.key_names[table.name]
        names = {f"#k{index}": name for index, name in enumerate(key_names)} | {"#ttl": table.attribute}
        request: dict[str, Any] = {
            "TableName": table.name,
            "ProjectionExpression": ", ".join(names),
            # Numbers only: a string or a missing attribute never expires, as on AWS (the type
            # test first: moto, unlike DynamoDB, fails to compare a string with a number).
            "FilterExpression": "attribute_type(#ttl, :number) AND #ttl <= :now",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":number": {"S": "N"}, ":now": {"N": str(now)}},
        }
        while not self.stop_event.is_set():
            page = self.client.scan(**request)
            yield from page.get("Items", [])
            if not page.get("LastEvaluatedKey"):
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _expire(self, table: TtlTable, item: dict[str, Any]) -> int:
        keys = {name: item[name] for name in self.key_names[table.name]}
        seen = item[table.attribute]
        self.deletions.begin(table, keys, seen)
        deleted = False
        try:
            self.client.delete_item(
                TableName=table.name,
                Key=keys,
                ConditionExpression="#ttl = :seen",  # refreshed or deleted since the scan: left alone
                ExpressionAttributeNames={"#ttl": table.attribute},
                ExpressionAttributeValues={":seen": seen},
            )
            deleted = True
        except self.client.exceptions.ConditionalCheckFailedException:
            log.debug("TTL: %s changed since the sweep read it: kept", keys)
        finally:
            self.deletions.finish(table, keys, seen, deleted=deleted)
        return int(deleted)
