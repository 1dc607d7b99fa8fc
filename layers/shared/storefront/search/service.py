"""Product search as the API offers it: the query engine over this environment's index replica.

When no index was ever published (a new stack, or a table that predates search), the
indexer is asked for a full rebuild (at most once per `REBUILD_REQUEST_INTERVAL_S` per
environment) and the caller gets a 503 with Retry-After rather than an empty, wrong answer.
"""

from __future__ import annotations

import threading
import time

from storefront.data import search_index
from storefront.domain.errors import ServiceUnavailable
from storefront.search.query import SearchQuery, SearchResult
from storefront.search.replica import IndexReplica
from storefront.settings import get_settings

REBUILD_REQUEST_INTERVAL_S = 30.0
RETRY_AFTER_S = 5

_replica: IndexReplica | None = None
_replica_lock = threading.Lock()
_rebuild_requested_at: float | None = None


def replica() -> IndexReplica:
    global _replica
    with _replica_lock:
        if _replica is None:
            _replica = IndexReplica(get_settings().search_index_check_seconds)
        return _replica


def _ask_for_rebuild() -> None:
    global _rebuild_requested_at
    now = time.monotonic()
    if _rebuild_requested_at is None or now - _rebuild_requested_at >= REBUILD_REQUEST_INTERVAL_S:
        _rebuild_requested_at = now
        search_index.request_index("no index is published")


def search(query: SearchQuery) -> SearchResult:
    index = replica().current()
    if index is None:
        _ask_for_rebuild()
        raise ServiceUnavailable(
            "The search index is being built; try again in a few seconds.", retry_after=RETRY_AFTER_S
        )
    return index.search(query)
