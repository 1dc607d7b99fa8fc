"""The product texts an index stores deflated, each kind with a dictionary of its own.

A product's card texts (slug, name, tags, typed attributes, image, brand as written) are
read for a page's rows only, and its description only by the writer (to delete its old
FTS row), so both are stored deflated with a preset dictionary: a sample of the same
texts of the catalog, taken by a full build from its first batch and kept in `meta` for
the file's life (an index that was never built, only written to, has empty ones and
deflates without). Measured on the benchmark's catalog: card texts 274 → 86 bytes with
8 KB (194 without), descriptions 346 → 125 with 16 KB (219 without, 120 with 31 KB);
a card's inflate takes 2 µs, a description's deflate 33 µs (at build).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable
from typing import NamedTuple

CARD_DICTIONARY_BYTES = 8 * 1024
DESCRIPTION_DICTIONARY_BYTES = 16 * 1024


class Dictionaries(NamedTuple):
    card: bytes
    description: bytes


NONE = Dictionaries(b"", b"")


def sample(texts: Iterable[str], size: int) -> bytes:
    return "\n".join(texts).encode()[:size]


def save(connection: sqlite3.Connection, dictionaries: Dictionaries) -> None:
    connection.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("card_dictionary", dictionaries.card), ("description_dictionary", dictionaries.description)],
    )


def load(connection: sqlite3.Connection) -> Dictionaries:
    found = dict(
        connection.execute("SELECT key, value FROM meta WHERE key IN ('card_dictionary', 'description_dictionary')")
    )
    return Dictionaries(found.get("card_dictionary", b""), found.get("description_dictionary", b""))


def pack(text: str, dictionary: bytes) -> bytes:
    """Raw deflate (no header or checksum: 6 bytes a row less than zlib's format)."""
    compressor = (
        zlib.compressobj(6, zlib.DEFLATED, -15, zdict=dictionary)
        if dictionary
        else zlib.compressobj(6, zlib.DEFLATED, -15)
    )
    return compressor.compress(text.encode()) + compressor.flush()


def unpack(packed: bytes, dictionary: bytes) -> str:
    decompressor = zlib.decompressobj(-15, zdict=dictionary) if dictionary else zlib.decompressobj(-15)
    return (decompressor.decompress(packed) + decompressor.flush()).decode()
