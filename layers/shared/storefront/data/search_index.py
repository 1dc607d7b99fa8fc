"""The search index in S3: one SQLite file (gzip-compressed), replaced whole, guarded by its ETag.

Writers publish with a conditional PutObject (`If-Match` the ETag they started from,
`If-None-Match: *` for the first one), so two writers can never overwrite each other's
work: the later one gets `IndexChanged` and starts again from the newer file. Readers
compare the ETag of the object with the one they hold and download only on change.

The object is the file gzipped at level 1: about a third of the size for two seconds of
compression per 250 MB, and it is decompressed while it downloads, so a cold search
environment waits for a third of the bytes.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import zlib
from pathlib import Path

from botocore.exceptions import ClientError

from storefront import aws
from storefront.settings import get_settings

INDEX_KEY = "search/products.sqlite.gz"
REBUILD_REQUEST = "search.rebuild_requested"  # the detail-type the indexer treats as "rebuild"
_CHUNK = 1024 * 1024

GZIP_LEVEL = 1  # the published object's compression (see above)


class IndexChanged(Exception):
    """Another writer published the index since this one read it."""


def current_version() -> tuple[str, int] | None:
    """The ETag and size of the published index (HeadObject), or None when none was published yet."""
    try:
        response = aws.client("s3").head_object(Bucket=get_settings().search_bucket, Key=INDEX_KEY)
    except ClientError as error:
        if aws.is_missing_object(error):
            return None
        raise
    return str(response["ETag"]), int(response.get("ContentLength") or 0)


def current_etag() -> str | None:
    """The ETag of the published index, or None when none was published yet."""
    version = current_version()
    return version[0] if version is not None else None


def download(destination: Path) -> str | None:
    """Writes the published index to `destination` (atomically); its ETag, or None when missing."""
    try:
        response = aws.client("s3").get_object(Bucket=get_settings().search_bucket, Key=INDEX_KEY)
    except ClientError as error:
        if aws.is_missing_object(error):
            return None
        raise
    partial = destination.with_name(destination.name + ".part")
    decompressor = zlib.decompressobj(wbits=31)  # gzip framing
    with partial.open("wb") as file:
        for chunk in response["Body"].iter_chunks(_CHUNK):
            file.write(decompressor.decompress(chunk))
        file.write(decompressor.flush())
    if not decompressor.eof:
        partial.unlink(missing_ok=True)
        raise ValueError("the published search index is truncated")
    os.replace(partial, destination)
    return str(response["ETag"])


def publish(source: Path, replaces: str | None) -> str:
    """Uploads `source` as the index if the published one is still `replaces` (None: no index yet).

    Returns the new ETag; raises `IndexChanged` when another writer got there first.
    """
    condition = {"IfMatch": replaces} if replaces is not None else {"IfNoneMatch": "*"}
    compressed = source.with_name(source.name + ".gz")
    with source.open("rb") as plain, gzip.open(compressed, "wb", compresslevel=GZIP_LEVEL) as packed:
        shutil.copyfileobj(plain, packed, _CHUNK)
    try:
        with compressed.open("rb") as body:
            response = aws.client("s3").put_object(
                Bucket=get_settings().search_bucket,
                Key=INDEX_KEY,
                Body=body,
                ContentType="application/gzip",
                **condition,
            )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404"):
            raise IndexChanged(str(code)) from error
        raise
    finally:
        compressed.unlink(missing_ok=True)
    return str(response["ETag"])


def request_index(reason: str) -> None:
    """Asks the indexer to build an index if none exists: a message on its queue shaped like its events."""
    queue_url = get_settings().search_queue_url
    if not queue_url:
        raise RuntimeError("SEARCH_QUEUE_URL is not set")
    detail = {"reason": reason, "only_if_missing": True}
    body = json.dumps({"detail-type": REBUILD_REQUEST, "source": "storefront.search", "detail": detail})
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)
