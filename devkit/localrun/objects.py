"""Local S3 objects that outlive the runtime: moto's buckets, written through to SQLite.

moto keeps S3 in memory. The buckets the runtime keeps (`keep`) are restored from
`<data_dir>/s3.sqlite3` when they are created, and every request that writes or deletes
one of their objects is written to that file before moto's answer leaves: an upload the
client saw succeed is on disk, whatever way the runtime stops afterwards, Ctrl-C or kill.

How: moto's server runs in this process. A class-level wrapper of the S3 backend's
`put_object` and `delete_object` (every PUT, presigned POST, copy, multipart completion
and delete goes through one of the two) notes each key a request touches, on that
request's thread; the WSGI wrapper around moto's application then writes those keys as
moto holds them once the request is done (so the metadata set after `put_object`, the
Content-Type among it, is kept too). Outside that wrapper (tests using `mock_aws`) the
note is a no-op. The wrapper depends on moto's internals: moto is pinned exactly.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from moto.s3.models import S3Backend, s3_backends

FILE_NAME: Final = "s3.sqlite3"
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    body BLOB NOT NULL,
    metadata TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
)
"""

_requests = threading.local()  # the keys one request touched: {(backend, bucket, key)}
_install_lock = threading.Lock()


def _note(backend: S3Backend, bucket: str, key: str) -> None:
    touched: set[tuple[S3Backend, str, str]] | None = getattr(_requests, "touched", None)
    if touched is not None:
        touched.add((backend, bucket, key))


def _install_backend_hook() -> None:
    with _install_lock:
        if getattr(S3Backend, "_localrun_noted", False):
            return
        put_object, delete_object = S3Backend.put_object, S3Backend.delete_object

        def noted_put(self: S3Backend, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
            key = put_object(self, bucket_name, key_name, *args, **kwargs)
            _note(self, bucket_name, key_name)
            return key

        def noted_delete(self: S3Backend, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
            result = delete_object(self, bucket_name, key_name, *args, **kwargs)
            _note(self, bucket_name, key_name)
            return result

        S3Backend.put_object = noted_put  # type: ignore[method-assign]
        S3Backend.delete_object = noted_delete  # type: ignore[method-assign]
        S3Backend._localrun_noted = True  # type: ignore[attr-defined]


class ObjectStore:
    """The kept objects, one row each, in one SQLite file (WAL: a commit survives a crash)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute(_SCHEMA)

    def put(self, bucket: str, key: str, body: bytes, metadata: dict[str, str], last_modified: datetime) -> None:
        with self._lock:
            self._connection.execute(
                "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?)",
                (bucket, key, body, json.dumps(metadata), last_modified.isoformat()),
            )

    def delete(self, bucket: str, key: str) -> None:
        with self._lock:
            self._connection.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))

    def objects(self, bucket: str) -> list[tuple[str, bytes, dict[str, str], datetime]]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT key, body, metadata, last_modified FROM objects WHERE bucket = ? ORDER BY key", (bucket,)
            ).fetchall()
        return [
            (key, body, json.loads(metadata), datetime.fromisoformat(modified))
            for key, body, metadata, modified in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._connection.close()


class KeptObjects:
    """The WSGI wrapper of moto's application that writes the kept buckets' changes through."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.store: ObjectStore | None = None
        self.buckets: set[str] = set()
        self._write_lock = threading.Lock()  # one writer at a time reads moto's latest state

    def open(self, data_dir: Path) -> None:
        """Keep objects under `data_dir` from now on (buckets are named by `keep`)."""
        _install_backend_hook()
        self.store = ObjectStore(data_dir / FILE_NAME)

    def keep(self, bucket: str) -> int:
        """Restore the bucket's kept objects into moto (it must exist) and keep its changes; how many."""
        if self.store is None:
            return 0
        backend = _backend(bucket)
        restored = self.store.objects(bucket)
        for key_name, body, metadata, last_modified in restored:
            key = backend.put_object(bucket, key_name, body, disable_notification=True)
            key.set_metadata(metadata)
            key.last_modified = last_modified
        self.buckets.add(bucket)
        return len(restored)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        _requests.touched = set()
        try:
            # moto answers from a list it has built: the request's writes are done on return,
            # and nothing reaches the client before the answer is handed back.
            answer = self.app(environ, start_response)
            self._write_through(_requests.touched)
            return answer
        finally:
            _requests.touched = None

    def _write_through(self, touched: set[tuple[S3Backend, str, str]]) -> None:
        store = self.store
        if store is None:
            return
        with self._write_lock:
            for backend, bucket, key_name in touched:
                if bucket not in self.buckets:
                    continue
                key = backend.get_object(bucket, key_name)
                if key is None:
                    store.delete(bucket, key_name)
                else:
                    store.put(bucket, key_name, key.value, dict(key.metadata), key.last_modified)


def _backend(bucket: str) -> S3Backend:
    partition, account = s3_backends.bucket_accounts[bucket]  # where moto created it
    backend: S3Backend = s3_backends[account][partition]
    return backend
