"""The single table: one pynamodb base model that every entity item subclasses.

Entities are told apart by the `entity` discriminator, so a read never returns an item
as the wrong class. Keys come from `keys.py`; handlers never see these classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from storefront.domain.pages import Slice
from storefront.settings import get_settings

_settings = get_settings()


class _TableMeta:
    table_name = _settings.table_name
    region = _settings.aws_region
    connect_timeout_seconds = 2
    read_timeout_seconds = 5
    max_retry_attempts = 3


class GSI1(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class GSI2(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class GSI3(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    """Keys only: a query answers the items' keys, which are then read (BatchGetItem)."""

    class Meta:
        index_name = "GSI3"
        projection = KeysOnlyProjection()

    GSI3PK = UnicodeAttribute(hash_key=True)
    GSI3SK = UnicodeAttribute(range_key=True)


class TableItem(Model):
    Meta: Any = _TableMeta

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    entity = DiscriminatorAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    # TTL attribute of the table (epoch seconds); items without it never expire.
    expires_at = NumberAttribute(null=True)

    gsi1 = GSI1()
    gsi2 = GSI2()
    gsi3 = GSI3()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """One connection for every entity and transaction, not one per class (pynamodb's way).

        A connection holds a botocore session and client per thread; each new one loads
        DynamoDB's service model again (tens of ms), on a request's path.
        """
        connection: TableConnection = Model._get_connection.__func__(TableItem)  # type: ignore[attr-defined]
        return connection


def query_slice[I, T](results: Iterable[I], limit: int, convert: Callable[[I], T]) -> Slice[T]:
    """Reads at most `limit` items of a query made with `limit=limit + 1`.

    The extra item only tells whether more follow, so the last page never carries a
    cursor to an empty page. The key to resume after is the last *kept* item's, which
    pynamodb's iterator rebuilds (mid-page) or takes from DynamoDB (at a page's end).
    """
    items: list[T] = []
    last_key: dict[str, Any] | None = None
    for item in results:
        if len(items) == limit:
            return Slice(items, last_key)
        items.append(convert(item))
        last_key = getattr(results, "last_evaluated_key", None)
    return Slice(items, None)


def saved_if(item: TableItem, condition: Condition) -> bool:
    """PutItem of `item` if `condition` holds; False when it does not (another writer came first)."""
    try:
        item.save(condition=condition)
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def deleted_if(item: TableItem, condition: Condition) -> bool:
    """DeleteItem of `item` if `condition` holds; False when it does not (another writer came first)."""
    try:
        item.delete(condition=condition)
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def transaction() -> TransactWrite:
    """A TransactWriteItems on the table: every write that must agree goes through one."""
    return TransactWrite(connection=TableItem._get_connection().connection)


def committed(write_all: Callable[[TransactWrite], None]) -> bool:
    """Runs one transaction; False when a condition (or a concurrent transaction) cancelled it."""
    try:
        with transaction() as write:
            write_all(write)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True
