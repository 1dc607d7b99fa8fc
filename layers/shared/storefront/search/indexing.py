"""Keeping the published search index true to the table.

Events are change notices, not data: a batch names the products that changed, and the
writer reads each one's current state from the table (consistently) before indexing it.
Order, duplicates and lost intermediate states of events therefore do not matter; the
last read wins. The category tree is re-read on every batch (one Query), so renames and
moves reach the index with the next batch.

One writer at a time: a writer holds the lease (`data/search_lease.py`) while it works,
and publishes with a conditional PutObject on the ETag it started from, so a writer that
lost its lease in a stall still cannot overwrite a newer index; it starts over instead.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storefront.data import categories, products, search_index, search_lease
from storefront.domain import clock
from storefront.domain.catalog.entities import Product
from storefront.observability import module_logger
from storefront.search.documents import document_of
from storefront.search.index import IndexWriter, build_index
from storefront.search.schema import is_current, open_index

LEASE_SECONDS = 300  # longer than a batch or a rebuild takes; renewed before each publish
LEASE_WAIT_SECONDS = 60.0
PUBLISH_ATTEMPTS = 5
READ_THREADS = 8

PRODUCT_EVENTS = ("product.created", "product.updated", "product.deleted")
# Events that name a product by `data.product_id`: its stock or its rating changed.
PRODUCT_ID_EVENTS = (
    "inventory.availability_changed",
    "review.submitted",
    "review.approved",
    "review.rejected",
    "review.deleted",
)
CATEGORY_EVENTS = ("category.created", "category.updated", "category.deleted")

_logger = module_logger()


class IndexBusy(Exception):
    """The lease stayed taken, or other writers kept publishing first: retry later."""


@dataclass(frozen=True)
class Changes:
    product_ids: frozenset[str] = frozenset()
    categories: bool = False
    rebuild: bool = False  # a full rebuild, whatever exists
    # A full rebuild only if no index of this schema version exists (what a search function asks).
    ensure_index: bool = False

    @property
    def empty(self) -> bool:
        return not (self.product_ids or self.categories or self.rebuild or self.ensure_index)

    @property
    def only_ensure_index(self) -> bool:
        return self.ensure_index and not (self.product_ids or self.categories or self.rebuild)


def changes_of(events: Iterable[Mapping[str, Any]]) -> Changes:
    """What a batch of EventBridge events (or rebuild requests) asks of the index.

    Unknown event types are ignored (the rule may route more than the indexer needs);
    a known type whose detail lacks the id it names raises `ValueError` (a broken producer).
    """
    product_ids: set[str] = set()
    touched_categories = rebuild = ensure_index = False
    for event in events:
        kind = event.get("detail-type") or event.get("type")
        data = (event.get("detail") or {}).get("data") or {}
        if kind in PRODUCT_EVENTS:
            product_id = (data.get("product") or {}).get("id")
            if not isinstance(product_id, str):
                raise ValueError(f"{kind} without data.product.id")
            product_ids.add(product_id)
        elif kind in PRODUCT_ID_EVENTS:
            if not isinstance(data.get("product_id"), str):
                raise ValueError(f"{kind} without data.product_id")
            product_ids.add(data["product_id"])
        elif kind in CATEGORY_EVENTS:
            touched_categories = True
        elif kind == search_index.REBUILD_REQUEST:
            if (event.get("detail") or {}).get("only_if_missing") is True:
                ensure_index = True  # many search environments may ask at once: one rebuild serves all
            else:
                rebuild = True
    return Changes(frozenset(product_ids), touched_categories, rebuild, ensure_index)


@dataclass
class Workspace:
    """The writer's directory: its copy of the published index and that copy's ETag.

    Kept across warm invocations, so a writer downloads the index only when someone
    else published since (the rebuild command, another container).
    """

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="search-writer-")))
    etag: str | None = None

    @property
    def held(self) -> Path:
        return self.directory / "index.sqlite"

    @property
    def draft(self) -> Path:
        return self.directory / "draft.sqlite"

    def forget(self) -> None:
        self.etag = None
        self.held.unlink(missing_ok=True)

    def refresh(self) -> str | None:
        """Makes the held copy the published index; its ETag (None: nothing is published)."""
        published = search_index.current_etag()
        if published is None:
            self.forget()
            return None
        if published != self.etag or not self.held.exists():
            self.etag = search_index.download(self.held)
        return self.etag


@dataclass(frozen=True)
class Outcome:
    rebuilt: bool
    indexed: int  # products written (active ones)
    removed: int  # products taken out (archived, draft, gone)
    etag: str


@contextmanager
def writer_lease(wait_seconds: float = LEASE_WAIT_SECONDS) -> Any:
    """Holds the writer lease for the block; `IndexBusy` if it stays taken for `wait_seconds`."""
    holder = uuid.uuid4().hex
    deadline = time.monotonic() + wait_seconds
    while not search_lease.acquire(holder, clock.now(), LEASE_SECONDS):
        if time.monotonic() >= deadline:
            raise IndexBusy("Another writer holds the search index lease.")
        time.sleep(random.uniform(0.2, 1.0))  # noqa: S311 - jitter, not crypto
    try:
        yield holder
    finally:
        search_lease.release(holder)


def _read_products(product_ids: Iterable[str]) -> dict[str, Product | None]:
    ids = sorted(product_ids)
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return dict(zip(ids, pool.map(products.read_product, ids), strict=True))


def _apply(workspace: Workspace, changes: Changes) -> tuple[int, int]:
    """Writes the changes into a draft copy of the held index: (indexed, removed)."""
    shutil.copyfile(workspace.held, workspace.draft)
    indexed = removed = 0
    with closing(open_index(workspace.draft, readonly=False)) as connection:
        writer = IndexWriter(connection)
        writer.set_categories(categories.list_categories(consistent=True))
        for product_id, product in _read_products(changes.product_ids).items():
            document = document_of(product) if product is not None else None
            if document is None:
                removed += writer.delete(product_id)
            else:
                writer.upsert(document)
                indexed += 1
        writer.commit()
    return indexed, removed


def _rebuild(workspace: Workspace) -> int:
    """Builds a draft of the whole index from a Scan of the table: the number of products indexed."""
    workspace.draft.unlink(missing_ok=True)
    documents = (document_of(product) for product in products.scan_products())
    stats = build_index(
        workspace.draft,
        (document for document in documents if document is not None),
        categories.list_categories(consistent=True),
    )
    return int(stats.count)


def _publish(workspace: Workspace, holder: str, replaces: str | None) -> str:
    if not search_lease.renew(holder, clock.now(), LEASE_SECONDS):
        raise search_index.IndexChanged("the writer lease was lost")
    etag = search_index.publish(workspace.draft, replaces)
    workspace.draft.replace(workspace.held)
    workspace.etag = etag
    return etag


def update(changes: Changes, workspace: Workspace, *, wait_seconds: float = LEASE_WAIT_SECONDS) -> Outcome | None:
    """Applies a batch's changes and publishes the new index; a full rebuild when none exists.

    None when there was nothing to do (no changes, or an index was asked for and exists).
    Raises `IndexBusy` when the lease or the publish kept failing (the queue then retries).
    """
    if changes.empty:
        return None
    with writer_lease(wait_seconds) as holder:
        for attempt in range(PUBLISH_ATTEMPTS):
            try:
                published = workspace.refresh()
                # An index of another schema version is rebuilt, never read or patched.
                current = published is not None and is_current(workspace.held)
                if current and changes.only_ensure_index:
                    return None
                if not current or changes.rebuild:
                    indexed, removed, rebuilt = _rebuild(workspace), 0, True
                else:
                    (indexed, removed), rebuilt = _apply(workspace, changes), False
                etag = _publish(workspace, holder, published)
            except (search_index.IndexChanged, sqlite3.DatabaseError) as error:
                # Someone published first, or the held copy is unusable: start from the newest.
                _logger.warning("search index write retried", extra={"attempt": attempt, "reason": str(error)})
                workspace.forget()
                time.sleep(random.uniform(0.05, 0.5) * (attempt + 1))  # noqa: S311 - jitter, not crypto
                continue
            outcome = Outcome(rebuilt, indexed, removed, etag)
            _logger.info("search index published", extra=outcome.__dict__)
            return outcome
    raise IndexBusy("Other writers kept publishing the search index first.")


def ensure_index(workspace: Workspace | None = None, *, wait_seconds: float = LEASE_WAIT_SECONDS) -> Outcome | None:
    """A first index if none is published (a new store's is empty); None when one already is.

    Decided under the writer lease, so concurrent callers (the stack's custom resource, a
    search function's request, the local runtime's start) publish one index between them.
    """
    return update(Changes(ensure_index=True), workspace or Workspace(), wait_seconds=wait_seconds)


def rebuild(workspace: Workspace | None = None, *, wait_seconds: float = LEASE_WAIT_SECONDS) -> Outcome:
    """A full rebuild from the table, published over whatever index exists (the rebuild command)."""
    outcome = update(Changes(rebuild=True), workspace or Workspace(), wait_seconds=wait_seconds)
    if outcome is None:  # never: a rebuild is never an empty change
        raise RuntimeError("the rebuild did nothing")
    return outcome
