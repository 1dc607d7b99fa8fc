"""A local file that is the published index: the manifest's base with its deltas applied in order.

Search environments (`replica.py`) and the writer's compaction (`indexing.py`) both keep
one: the base is downloaded when it changes, and otherwise only the deltas published
since are downloaded and applied in place, in one transaction (a search sees the copy
before or after them, never between).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from storefront.data import search_index
from storefront.data.search_index import StoredObject
from storefront.search.delta import Delta, folded
from storefront.search.index import IndexWriter
from storefront.search.manifest import Manifest
from storefront.search.schema import check_schema, open_local_copy

DOWNLOAD_THREADS = 8  # a new environment may fetch up to MAX_DELTAS small objects


def fetch_deltas(parts: Sequence[StoredObject]) -> list[Delta]:
    """The deltas, downloaded in parallel, in the order given."""
    if len(parts) <= 1:
        return [Delta.parse(search_index.download_delta(part.key)) for part in parts]
    with ThreadPoolExecutor(max_workers=DOWNLOAD_THREADS) as pool:
        bodies = list(pool.map(search_index.download_delta, [part.key for part in parts]))
    return [Delta.parse(body) for body in bodies]


def apply_deltas(connection: sqlite3.Connection, deltas: Sequence[Delta]) -> tuple[int, int]:
    """Applies the deltas, folded into one (`delta.folded`), in one transaction: (products indexed, removed).

    On any error nothing is applied: the copy stays as it was.
    """
    if not deltas:
        return 0, 0
    try:
        writer = IndexWriter(connection)
        indexed, removed = folded(deltas).apply(writer)
        writer.commit()
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return indexed, removed


def download(manifest: Manifest, path: Path) -> None:
    """Makes `path` the manifest's index: its base downloaded, its deltas applied.

    Raises `OutdatedIndex` when the base file is of another schema version.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        deltas = pool.submit(fetch_deltas, manifest.deltas)  # fetched and parsed while the base downloads
        search_index.download_base(manifest.base.key, path)
        with closing(open_local_copy(path)) as connection:
            check_schema(connection)
            if manifest.deltas:
                apply_deltas(connection, deltas.result())
