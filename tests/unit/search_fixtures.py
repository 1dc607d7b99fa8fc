"""A writable search index per test, and its writer, for the unit tests of the index and its queries.

A module takes both with `connection, writer = index_fixtures(CATEGORIES)`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from storefront.domain.catalog.entities import Category
from storefront.search.index import IndexWriter
from storefront.search.schema import open_index

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureFunctionDefinition


def index_fixtures(categories: Sequence[Category]) -> tuple[FixtureFunctionDefinition, FixtureFunctionDefinition]:
    """The `connection` fixture (a new index file in the test's directory, closed after it) and the
    `writer` fixture (an IndexWriter on that connection that knows `categories`)."""

    @pytest.fixture
    def connection(tmp_path: Path) -> Iterator[sqlite3.Connection]:
        connection = open_index(tmp_path / "index.sqlite", readonly=False)
        yield connection
        connection.close()

    @pytest.fixture
    def writer(connection: sqlite3.Connection) -> IndexWriter:
        writer = IndexWriter(connection)
        writer.set_categories(categories)
        return writer

    return connection, writer
