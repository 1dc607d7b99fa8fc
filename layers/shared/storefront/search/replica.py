"""The search function's copy of the published index, swapped when a newer one appears.

On the first search of an execution environment the index is downloaded to `/tmp`;
after that its ETag is checked at most every `check_seconds` (one HeadObject), and a
changed object is downloaded and swapped in between two requests. The previous file is
unlinked at once: a query still running on it keeps its open handle (POSIX semantics),
and its connection closes when the last reference goes.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from storefront.data import search_index
from storefront.observability import get_logger
from storefront.search.index import open_index
from storefront.search.query import SearchIndex

_logger = get_logger("search")


class IndexReplica:
    def __init__(
        self,
        check_seconds: float,
        directory: Path | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.check_seconds = check_seconds
        self._directory = directory
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._path: Path | None = None
        self._etag: str | None = None
        self._checked_at: float | None = None
        self._generation = itertools.count(1)

    @property
    def etag(self) -> str | None:
        return self._etag

    def current(self) -> SearchIndex | None:
        """The newest index this environment has (checking S3 when due); None when none is published."""
        with self._lock:
            now = self._monotonic()
            if self._checked_at is None or now - self._checked_at >= self.check_seconds or self._index is None:
                self._checked_at = now
                try:
                    self._refresh()
                except (BotoCoreError, ClientError):
                    if self._index is None:
                        raise
                    # S3 hiccup: a slightly stale index beats a failed search.
                    _logger.warning("search index check failed; serving the held version", exc_info=True)
            return self._index

    def _refresh(self) -> None:
        published = search_index.current_etag()
        if published is None or published == self._etag:
            return
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="search-replica-"))
        path = self._directory / f"index-{next(self._generation)}.sqlite"
        etag = search_index.download(path)
        if etag is None:  # deleted between the two requests
            path.unlink(missing_ok=True)
            return
        index = SearchIndex(open_index(path, readonly=True))
        previous = self._path
        self._index, self._path, self._etag = index, path, etag
        if previous is not None:
            previous.unlink(missing_ok=True)
        _logger.info("search index loaded", extra={"etag": etag, "bytes": path.stat().st_size})
