"""The search function's copy of the published index, swapped when a newer one appears.

On the first search of an execution environment the index is downloaded to `/tmp`
(the request waits: there is nothing else to answer from). After that its ETag is
checked at most every `check_seconds` (one HeadObject). A changed index small enough to
fetch in a blink (`BACKGROUND_ABOVE_BYTES`) is downloaded at once; a larger one is
downloaded by a background thread while requests keep using the held version, and
swapped in by the first request after it is ready, so no request waits seconds for a
download. The previous file is unlinked at the swap: a query still running on it keeps
its open handle (POSIX semantics), and its connection closes with the last reference.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from storefront.data import search_index
from storefront.observability import module_logger
from storefront.search.query import SearchIndex
from storefront.search.schema import OutdatedIndex, open_index

BACKGROUND_ABOVE_BYTES = 32 * 1024 * 1024  # compressed; ≈ a third of a second from S3 inside a region

_logger = module_logger()


@dataclass(frozen=True)
class _Loaded:
    index: SearchIndex
    path: Path
    etag: str


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
        self._outdated_etag: str | None = None  # a published version of another schema: not downloaded again
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
        version = search_index.current_version()
        if version is None or version[0] in (self.etag, self._outdated_etag):
            return
        if self._held is None or version[1] <= self.background_above_bytes:
            loaded = self._load()
            if loaded is not None:
                self._swap(loaded)
            return
        self._loading = threading.Thread(target=self._load_in_background, name="search-index-load", daemon=True)
        self._loading.start()

    def _load_in_background(self) -> None:
        try:
            loaded = self._load()
        except Exception:  # logged; the next check tries again
            _logger.exception("background search index download failed")
            loaded = None
        with self._lock:
            self._ready = loaded
            self._loading = None

    def _load(self) -> _Loaded | None:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="search-replica-"))
        path = self._directory / f"index-{next(self._generation)}.sqlite"
        etag = search_index.download(path)
        if etag is None:  # deleted between the two requests
            path.unlink(missing_ok=True)
            return None
        connection = open_index(path, readonly=True)
        try:
            index = SearchIndex(connection)
        except OutdatedIndex:
            # Written by older (or newer) code: never read it. The indexer rebuilds an
            # outdated index when asked (`request_index`); meanwhile the held one serves.
            _logger.warning("search index of another schema version ignored", extra={"etag": etag}, exc_info=True)
            connection.close()
            path.unlink(missing_ok=True)
            self._outdated_etag = etag
            return None
        _logger.info("search index loaded", extra={"etag": etag, "bytes": path.stat().st_size})
        return _Loaded(index, path, etag)

    def _swap(self, loaded: _Loaded) -> None:
        previous = self._held
        self._held = loaded
        if previous is not None and previous.path != loaded.path:
            previous.path.unlink(missing_ok=True)
