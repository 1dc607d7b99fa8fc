"""`python -m devkit.localrun` whose first search index is built from the benchmark's generated documents.

At 100,000 products the runtime's own first index (`ensure_search_index`: a full rebuild,
whose `products.scan_products` is a 4-segment parallel Scan of the whole table) does not
finish against DynamoDB Local here: with ≈ 540,000 items (an 812 MB database) a Scan page
takes longer than the table's 5-second read timeout (pynamodb's `read_timeout_seconds`),
and the runtime exits at its start ("Read timed out", then `AttributeError` in pynamodb's
error handling). `make search-rebuild` uses the same Scan.

So for that size the benchmark starts the runtime through this module: everything is
`make dev` except that first index, which is built with the project's own full-build code
(`build_index`) from the same generated documents the table was loaded from, with the
table's category tree, and published the way a rebuild publishes it (the base uploaded,
a manifest without deltas, under the writer lease). The table still holds the whole
catalog; the indexer then reads each changed product by key from it, as always.

`python -m bench.search_visibility_runtime --size N <devkit.localrun arguments>`.
"""

from __future__ import annotations

import runpy
import sys
import tempfile
from pathlib import Path

from devkit.catalog_generator import make_catalog, make_products, with_variants
from devkit.localrun import runtime


def _base_from_documents(size: int) -> None:
    from storefront.data import categories, search_index
    from storefront.search import indexing
    from storefront.search.build import build_index
    from storefront.search.manifest import Manifest

    catalog = make_catalog()
    documents = with_variants(catalog, make_products(catalog, size))
    with indexing.writer_lease(), tempfile.TemporaryDirectory(prefix="visibility-base-") as directory:
        if search_index.read_manifest() is not None:
            return
        path = Path(directory) / "base.sqlite"
        stats = build_index(path, documents, categories.list_categories(consistent=True))
        base = search_index.upload_base(path, stats.count)
        search_index.publish_manifest(Manifest(base).to_json(), None)
    print(f"built the search index from {stats.count} generated documents", file=sys.stderr, flush=True)


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] != "--size":
        raise SystemExit("usage: python -m bench.search_visibility_runtime --size N <devkit.localrun arguments>")
    size = int(sys.argv[2])
    runtime.ensure_search_index = lambda: _base_from_documents(size)
    sys.argv = ["devkit.localrun", *sys.argv[3:]]
    runpy.run_module("devkit.localrun", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
