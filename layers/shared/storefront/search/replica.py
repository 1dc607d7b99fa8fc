"""The search function's copy of the published index, kept up to date from the manifest.

On the first search of an execution environment the index (base and deltas) is
downloaded to `/tmp` (the request waits: there is nothing else to answer from). After
that the manifest is checked at most every `check_seconds` (one conditional GetObject,
no body unless it changed). When only deltas were added, they are downloaded (a few KB
each) and applied in place to the held copy in one transaction, under the search
connection's lock: one request at a time per Lambda environment, so nothing waits but
the request that found them (tens of milliseconds for a 100-product batch). When the
base changed (a compaction or a rebuild), a base small enough to fetch in a blink
(`BACKGROUND_ABOVE_BYTES`) is downloaded at once; a larger one by a background thread
while requests keep using the held copy, and swapped in by the first request after it
is ready. The previous file is unlinked at the swap: a query still running on it keeps
its open handle (POSIX semantics), and its connection closes with the last reference.
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from storefront.data import search_index
from storefront.data.search_index import StoredObject
from storefront.observability import module_logger
from storefront.search import local_copy
from storefront.search.manifest import Manifest
from storefront.search.query import SearchIndex
from storefront.search.schema import OutdatedIndex, open_local_copy

BACKGROUND_ABOVE_BYTES = 32 * 1024 * 1024  # compressed; ≈ a third of a second from S3 inside a region

_logger = module_logger()


@dataclass(frozen=True)
class _Loaded:
    index: SearchIndex
    path: Path
    manifest: Manifest  # what the file holds: its base and the deltas applied to it
    etag: str  # the manifest's


class IndexReplica:
    def __init__(
        self,
        check_seconds: float,
        directory: Path | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        background_above_bytes: int = BACKGROUND_ABOVE_BYTES,
    ) -> None:
        self.check_seconds = check_seconds
        self.background_above_bytes = background_above_bytes
        self._directory = directory
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._held: _Loaded | None = None
        self._ready: _Loaded | None = None  # downloaded in the background, not yet swapped in
        self._loading: threading.Thread | None = None
        self._checked_at: float | None = None
        # The last manifest handled (held, or of another schema version): not read again until it changes.
        self._seen_etag: str | None = None
        self._generation = itertools.count(1)

    @property
    def etag(self) -> str | None:
        return self._held.etag if self._held is not None else None

    def current(self) -> SearchIndex | None:
        """The newest index this environment has (checking S3 when due); None when none is published."""
        with self._lock:
            if self._ready is not None:
                self._swap(self._ready)
                self._ready = None
            now = self._monotonic()
            due = self._checked_at is None or now - self._checked_at >= self.check_seconds
            if self._held is None or (due and self._loading is None):
                self._checked_at = now
                try:
                    self._check()
                except (BotoCoreError, ClientError):
                    if self._held is None:
                        raise
                    # S3 hiccup: a slightly stale index beats a failed search.
                    _logger.warning("search index check failed; serving the held version", exc_info=True)
            return self._held.index if self._held is not None else None

    def wait_for_background_load(self, timeout_s: float = 60.0) -> None:
        """Blocks until a background download (if any) ended; for tools and tests."""
        loading = self._loading
        if loading is not None:
            loading.join(timeout_s)

    def close(self) -> None:
        """Closes the held and any downloaded index (a process that stops using search: tools, tests)."""
        self.wait_for_background_load()
        with self._lock:
            for loaded in (self._held, self._ready):
                if loaded is not None:
                    loaded.index.close()
                    loaded.path.unlink(missing_ok=True)
            self._held = self._ready = None

    def _check(self) -> None:
        published = search_index.read_manifest(unless_etag=self._seen_etag)
        if published is None or published[0] == self._seen_etag:
            return
        etag, body = published
        try:
            manifest = Manifest.parse(body)
        except OutdatedIndex:
            self._outdated(etag)
            return
        held = self._held
        newer = manifest.deltas_after(held.manifest) if held is not None else None
        if held is not None and newer is not None:
            try:
                self._catch_up(held, newer, manifest, etag)
                return
            except (sqlite3.Error, ValueError, KeyError, TypeError):  # a delta this copy cannot take
                _logger.exception("search index deltas not applied; downloading the whole index")
        if held is None or manifest.base.bytes <= self.background_above_bytes:
            loaded = self._load(manifest, etag)
            if loaded is not None:
                self._swap(loaded)
            return
        self._loading = threading.Thread(
            target=self._load_in_background, args=(manifest, etag), name="search-index-load", daemon=True
        )
        self._loading.start()

    def _catch_up(self, held: _Loaded, deltas: tuple[StoredObject, ...], manifest: Manifest, etag: str) -> None:
        fetched = local_copy.fetch_deltas(deltas)  # downloaded while searches still run
        with held.index.exclusive() as connection:
            indexed, removed = local_copy.apply_deltas(connection, fetched)
        self._held = replace(held, manifest=manifest, etag=etag)
        self._seen_etag = etag
        _logger.info(
            "search index deltas applied", extra={"deltas": len(deltas), "indexed": indexed, "removed": removed}
        )

    def _outdated(self, etag: str) -> None:
        # Written by older (or newer) code: never read it. The indexer rebuilds an
        # outdated index when asked (`request_index`); meanwhile the held one serves.
        _logger.warning("search index of another schema version ignored", extra={"etag": etag}, exc_info=True)
        self._seen_etag = etag

    def _load_in_background(self, manifest: Manifest, etag: str) -> None:
        try:
            loaded = self._load(manifest, etag)
        except Exception:  # logged; the next check tries again
            _logger.exception("background search index download failed")
            loaded = None
        with self._lock:
            self._ready = loaded
            self._loading = None

    def _load(self, manifest: Manifest, etag: str) -> _Loaded | None:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="search-replica-"))
        path = self._directory / f"index-{next(self._generation)}.sqlite"
        try:
            local_copy.download(manifest, path)
            connection = open_local_copy(path)
            try:
                index = SearchIndex(connection)
            except BaseException:
                connection.close()
                raise
        except OutdatedIndex:
            path.unlink(missing_ok=True)
            self._outdated(etag)
            return None
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        _logger.info("search index loaded", extra={"etag": etag, "bytes": path.stat().st_size})
        return _Loaded(index, path, manifest, etag)

    def _swap(self, loaded: _Loaded) -> None:
        previous = self._held
        self._held = loaded
        self._seen_etag = loaded.etag
        if previous is not None and previous.path != loaded.path:
            previous.path.unlink(missing_ok=True)
