"""The search index in S3: a manifest naming a base file and the deltas on top of it.

- `search/manifest.json` is the only object ever overwritten. Writers publish it with a
  conditional PutObject (`If-Match` the ETag they started from, `If-None-Match: *` for
  the first one), so two writers can never overwrite each other's work: the later one
  gets `IndexChanged` and starts again from the newer manifest.
- Bases (`search/bases/`, the SQLite file gzipped at level 1) and deltas
  (`search/deltas/`, gzipped JSON) are written once under new keys and never changed,
  so a published manifest never names something that changed under it.
- Objects no manifest names any more are tagged `superseded` (`retire`): those a
  compaction replaced, one a failed publish left behind, and on a rebuild every object
  the new manifest does not name (`unreferenced`). The bucket's lifecycle rule expires
  them a day later, long after any reader holding an older manifest finished with them.

This module moves bytes; what a manifest and a delta hold is `storefront.search.manifest`
and `storefront.search.delta`.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from botocore.exceptions import ClientError

from storefront import aws
from storefront.settings import get_settings

MANIFEST_KEY = "search/manifest.json"
PREFIX = "search/"
BASES = "search/bases/"
DELTAS = "search/deltas/"
SUPERSEDED = {"Key": "search-index", "Value": "superseded"}  # the lifecycle rule's tag (template.yaml)
REBUILD_REQUEST = "search.rebuild_requested"  # the detail-type the indexer treats as "rebuild"
GZIP_LEVEL = 1  # about a third of the file's size for two seconds of compression per 250 MB
_CHUNK = 1024 * 1024
_CONFLICTS = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404")


class IndexChanged(Exception):
    """Another writer published the manifest since this one read it."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    bytes: int  # as stored (compressed)
    products: int = 0  # a base's indexed products; a delta's upserts and removals


def _bucket() -> str:
    return get_settings().search_bucket


def read_manifest(unless_etag: str | None = None) -> tuple[str, bytes] | None:
    """The published manifest's ETag and body; None when none was published yet.

    With `unless_etag`, a manifest still at that ETag comes back as `(unless_etag, b"")`
    without its body (a conditional GET: one request whether or not it changed).
    """
    condition = {"IfNoneMatch": unless_etag} if unless_etag is not None else {}
    try:
        response = aws.client("s3").get_object(Bucket=_bucket(), Key=MANIFEST_KEY, **condition)
    except ClientError as error:
        if aws.is_missing_object(error):
            return None
        if unless_etag is not None and error.response.get("Error", {}).get("Code") in ("304", "NotModified"):
            return unless_etag, b""
        raise
    return str(response["ETag"]), response["Body"].read()


def publish_manifest(body: bytes, replaces: str | None) -> str:
    """Writes the manifest if the published one is still `replaces` (None: none yet); its new ETag.

    Raises `IndexChanged` when another writer got there first.
    """
    condition = {"IfMatch": replaces} if replaces is not None else {"IfNoneMatch": "*"}
    try:
        response = aws.client("s3").put_object(
            Bucket=_bucket(), Key=MANIFEST_KEY, Body=body, ContentType="application/json", **condition
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in _CONFLICTS:
            raise IndexChanged(str(code)) from error
        raise
    return str(response["ETag"])


def _new_key(prefix: str, suffix: str) -> str:
    # Time first, so a listing reads oldest first; the uuid makes two writers' keys differ.
    return f"{prefix}{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex}{suffix}"


def _put_new(key: str, body: object, content_type: str) -> None:
    aws.client("s3").put_object(Bucket=_bucket(), Key=key, Body=body, ContentType=content_type, IfNoneMatch="*")


def upload_base(source: Path, products: int) -> StoredObject:
    """Stores the index file at `source` (of `products` products) gzipped under a new key."""
    key = _new_key(BASES, ".sqlite.gz")
    compressed = source.with_name(source.name + ".gz")
    with source.open("rb") as plain, gzip.open(compressed, "wb", compresslevel=GZIP_LEVEL) as packed:
        shutil.copyfileobj(plain, packed, _CHUNK)
    try:
        with compressed.open("rb") as body:
            _put_new(key, body, "application/gzip")
        return StoredObject(key, compressed.stat().st_size, products)
    finally:
        compressed.unlink(missing_ok=True)


def download_base(key: str, destination: Path) -> None:
    """Writes the base file at `key` to `destination` (atomically), decompressing while it downloads."""
    response = aws.client("s3").get_object(Bucket=_bucket(), Key=key)
    partial = destination.with_name(destination.name + ".part")
    decompressor = zlib.decompressobj(wbits=31)  # gzip framing
    with partial.open("wb") as file:
        for chunk in response["Body"].iter_chunks(_CHUNK):
            file.write(decompressor.decompress(chunk))
        file.write(decompressor.flush())
    if not decompressor.eof:
        partial.unlink(missing_ok=True)
        raise ValueError(f"the search index base {key} is truncated")
    os.replace(partial, destination)


def upload_delta(payload: bytes, products: int) -> StoredObject:
    """Stores a delta (JSON, naming `products` products) gzipped under a new key."""
    key = _new_key(DELTAS, ".json.gz")
    body = gzip.compress(payload, compresslevel=6, mtime=0)  # small: the better ratio costs nothing
    _put_new(key, body, "application/gzip")
    return StoredObject(key, len(body), products)


def download_delta(key: str) -> bytes:
    response = aws.client("s3").get_object(Bucket=_bucket(), Key=key)
    return gzip.decompress(response["Body"].read())


def retire(keys: Iterable[str]) -> None:
    """Tags the objects at `keys` superseded: the lifecycle rule expires them a day later."""
    client = aws.client("s3")
    for key in keys:
        try:
            client.put_object_tagging(Bucket=_bucket(), Key=key, Tagging={"TagSet": [SUPERSEDED]})
        except ClientError as error:
            if not aws.is_missing_object(error):
                raise


def unreferenced(keep: set[str], written_before: datetime) -> list[str]:
    """Every index object but the manifest and `keep` written before `written_before` (a full sweep).

    Objects written later may belong to a writer still at work (one that lost its lease):
    they are left for the next sweep.
    """
    found: list[str] = []
    for page in aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=_bucket(), Prefix=PREFIX):
        for item in page.get("Contents") or []:
            key = item["Key"]
            if key != MANIFEST_KEY and key not in keep and item["LastModified"] < written_before:
                found.append(key)
    return found


def request_index(reason: str) -> None:
    """Asks the indexer to build an index if none exists: a message on its queue shaped like its events."""
    queue_url = get_settings().search_queue_url
    if not queue_url:
        raise RuntimeError("SEARCH_QUEUE_URL is not set")
    detail = {"reason": reason, "only_if_missing": True}
    body = json.dumps({"detail-type": REBUILD_REQUEST, "source": "storefront.search", "detail": detail})
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)
