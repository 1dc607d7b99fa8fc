"""Health repository: the one read the health check makes."""

from __future__ import annotations

import time

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from storefront.data import keys
from storefront.data.table import TableItem


def table_check() -> tuple[bool, float]:
    """Access pattern HEALTH: GetItem on the fixed probe key. Returns (ok, milliseconds)."""
    started = time.perf_counter()
    pk, sk = keys.health_probe()
    try:
        connection: Connection = TableItem._get_connection().connection
        connection.get_item(TableItem.Meta.table_name, pk, sk)
    except PynamoDBException:
        return False, (time.perf_counter() - started) * 1000
    return True, (time.perf_counter() - started) * 1000
