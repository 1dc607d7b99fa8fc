"""Keeping the published search index true to the table.

Events are change notices, not data (`changes.py`): a batch names the products that
changed, and the writer reads each one's current state from the table (consistently)
and publishes it as a delta: those products' documents, the removed ids and the category
tree (one Query). Order, duplicates and lost intermediate states of events therefore do
not matter; the last read wins. A batch needs no copy of the index: it uploads a delta
of a few KB and a manifest naming it (`manifest.py`); when the deltas outgrow their bound
the writer folds them into a new base (compaction), and a rebuild writes a new base
from a Scan of the table.

One writer at a time: a writer holds the lease (`data/search_lease.py`) while it works,
and publishes the manifest with a conditional PutObject on the ETag it started from, so
a writer that lost its lease in a stall still cannot overwrite a newer index; it starts
over instead.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storefront.data import categories, products, search_index, search_lease
from storefront.data.search_index import StoredObject
from storefront.domain import clock
from storefront.domain.catalog.entities import Product
from storefront.observability import module_logger
from storefront.search import local_copy, packing
from storefront.search.build import BUILD_BATCH, build_index
from storefront.search.changes import Changes
from storefront.search.delta import Delta
from storefront.search.documents import SearchDocument, document_of
from storefront.search.manifest import Manifest
from storefront.search.schema import OutdatedIndex, open_local_copy

LEASE_SECONDS = 300  # longer than a batch or a rebuild takes; renewed before each publish
LEASE_WAIT_SECONDS = 60.0
PUBLISH_ATTEMPTS = 5
READ_THREADS = 8
RETIRE_MARGIN = timedelta(minutes=1)  # a rebuild's sweep spares objects this recent (clock skew, other writers)

_logger = module_logger()


class IndexBusy(Exception):
    """The lease stayed taken, or other writers kept publishing first: retry later."""


@dataclass
class Workspace:
    """The writer's directory and its copy of the published index, for compactions.

    A change batch needs no copy (it writes a delta from the table). A compaction
    brings the copy up to the manifest (downloading only the deltas it lacks while the
    base is the one it holds) and publishes it as the new base. Kept across warm
    invocations, so a warm indexer downloads a base only after someone else's rebuild.
    """

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="search-writer-")))
    manifest: Manifest | None = None  # what `held` is

    @property
    def held(self) -> Path:
        return self.directory / "index.sqlite"

    @property
    def draft(self) -> Path:
        return self.directory / "draft.sqlite"

    def forget(self) -> None:
        self.manifest = None
        self.held.unlink(missing_ok=True)

    def catch_up(self, manifest: Manifest) -> None:
        """Makes the held copy the manifest's index."""
        newer = None
        if self.manifest is not None and self.held.exists():
            newer = manifest.deltas_after(self.manifest)
        if newer is None:
            self.forget()
            local_copy.download(manifest, self.held)
        elif newer:
            with closing(open_local_copy(self.held)) as connection:
                local_copy.apply_deltas(connection, local_copy.fetch_deltas(newer))
        self.manifest = manifest


@dataclass(frozen=True)
class Outcome:
    rebuilt: bool
    indexed: int  # products written (active ones)
    removed: int  # products named for removal (archived, draft, gone)
    etag: str  # the published manifest's
    compacted: bool = False  # the deltas were folded into a new base


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


def _read_delta(changes: Changes) -> Delta:
    """The changed products' current documents (or their removal) and the category tree, read now."""
    documents: list[SearchDocument] = []
    removed: list[str] = []
    for product_id, product in _read_products(changes.product_ids).items():
        document = document_of(product) if product is not None else None
        if document is None:
            removed.append(product_id)
        else:
            documents.append(document)
    return Delta(tuple(documents), tuple(removed), tuple(categories.list_categories(consistent=True)))


def _published() -> tuple[str | None, Manifest | None]:
    """The manifest's ETag (None: nothing published) and the manifest (None: another schema version)."""
    found = search_index.read_manifest()
    if found is None:
        return None, None
    try:
        return found[0], Manifest.parse(found[1])
    except OutdatedIndex:
        return found[0], None


def _publish(holder: str, manifest: Manifest, replaces: str | None, written: StoredObject) -> str:
    """Publishes the manifest, or retires `written` (what it would have added) and raises `IndexChanged`."""
    try:
        if not search_lease.renew(holder, clock.now(), LEASE_SECONDS):
            raise search_index.IndexChanged("the writer lease was lost")
        return search_index.publish_manifest(manifest.to_json(), replaces)
    except search_index.IndexChanged:
        search_index.retire([written.key])
        raise


def _rebuild(workspace: Workspace, holder: str, replaces: str | None) -> Outcome:
    """A new base from a Scan of the table and a manifest without deltas; every other object retired."""
    started = datetime.now(UTC)
    workspace.draft.unlink(missing_ok=True)
    documents = (document_of(product) for product in products.scan_products())
    stats = build_index(
        workspace.draft,
        (document for document in documents if document is not None),
        categories.list_categories(consistent=True),
    )
    base = search_index.upload_base(workspace.draft, stats.count)
    manifest = Manifest(base)
    etag = _publish(holder, manifest, replaces, base)
    workspace.draft.replace(workspace.held)
    workspace.manifest = manifest
    search_index.retire(search_index.unreferenced(manifest.keys, started - RETIRE_MARGIN))
    return Outcome(True, stats.count, 0, etag)


def _write_delta(changes: Changes, holder: str, replaces: str, manifest: Manifest) -> tuple[Outcome, Manifest]:
    delta = _read_delta(changes)
    stored = search_index.upload_delta(delta.to_json(), len(delta.documents) + len(delta.removed))
    published = manifest.with_delta(stored)
    etag = _publish(holder, published, replaces, stored)
    return Outcome(False, len(delta.documents), len(delta.removed), etag), published


def compact(workspace: Workspace, holder: str, replaces: str, manifest: Manifest) -> str:
    """Folds the manifest's deltas into a new base: the new manifest's ETag.

    An index that only ever took deltas (a new store's first one is empty) deflates its
    texts without dictionaries, about a fifth larger: once it holds a full build's sample,
    its compaction is a rebuild from the table instead, which samples them.
    """
    workspace.catch_up(manifest)
    workspace.draft.unlink(missing_ok=True)
    with closing(sqlite3.connect(workspace.held)) as connection:
        count = int(connection.execute("SELECT count(*) FROM products").fetchone()[0])
        resample = count >= BUILD_BATCH and not packing.load(connection).card
        if not resample:
            # In-place writes leave FTS5 segments to merge and free pages: a base as small as a rebuilt one.
            connection.execute("INSERT INTO products_fts (products_fts) VALUES ('optimize')")
            connection.commit()
            connection.execute("VACUUM INTO ?", (str(workspace.draft),))
    if resample:
        return _rebuild(workspace, holder, replaces).etag
    base = search_index.upload_base(workspace.draft, count)
    compacted = Manifest(base)
    etag = _publish(holder, compacted, replaces, base)
    workspace.draft.replace(workspace.held)
    workspace.manifest = compacted
    search_index.retire(manifest.keys - compacted.keys)
    return etag


def _compact_published(workspace: Workspace, holder: str, outcome: Outcome, manifest: Manifest) -> Outcome:
    """Compacts after the batch's delta is published; a failure leaves it to the next batch."""
    try:
        return replace(outcome, etag=compact(workspace, holder, outcome.etag, manifest), compacted=True)
    except (search_index.IndexChanged, sqlite3.DatabaseError, OutdatedIndex) as error:
        _logger.warning("search index compaction skipped", extra={"reason": str(error)})
        workspace.forget()
        return outcome


def update(changes: Changes, workspace: Workspace, *, wait_seconds: float = LEASE_WAIT_SECONDS) -> Outcome | None:
    """Publishes a batch's changes as a delta (compacting when due); a full rebuild when no index exists.

    None when there was nothing to do (no changes, or an index was asked for and exists).
    Raises `IndexBusy` when the lease or the publish kept failing (the queue then retries).
    """
    if changes.empty:
        return None
    with writer_lease(wait_seconds) as holder:
        for attempt in range(PUBLISH_ATTEMPTS):
            try:
                # The manifest is read before the table: a delta published after this read makes
                # the publish below fail, so no delta of older reads ever lands after a newer one.
                etag, manifest = _published()
                # An index of another schema version is rebuilt, never read or added to.
                if manifest is not None and changes.only_ensure_index:
                    return None
                if manifest is None or etag is None or changes.rebuild:
                    outcome = _rebuild(workspace, holder, etag)
                else:
                    outcome, published = _write_delta(changes, holder, etag, manifest)
                    if published.needs_compaction():
                        outcome = _compact_published(workspace, holder, outcome, published)
            except (search_index.IndexChanged, sqlite3.DatabaseError, OutdatedIndex) as error:
                # Someone published first, or the held copy is unusable: start from the newest.
                _logger.warning("search index write retried", extra={"attempt": attempt, "reason": str(error)})
                workspace.forget()
                time.sleep(random.uniform(0.05, 0.5) * (attempt + 1))  # noqa: S311 - jitter, not crypto
                continue
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
