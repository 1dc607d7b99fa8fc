"""The images bucket: presigned uploads, reading an upload, writing variants, deleting.

Presigned POSTs are signed with SigV4 (`s3v4`): the legacy signature fails on custom
endpoints (the local runtime's S3) and in newer regions.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from storefront import aws

# Variants never change under their key (a new upload is a new image id): cache for a year.
VARIANT_CACHE_CONTROL = "public, max-age=31536000, immutable"


def presigned_post(
    bucket: str, key: str, content_type: str, max_bytes: int, expires_s: int
) -> tuple[str, dict[str, str]]:
    """A browser form upload of exactly `content_type`, 1..`max_bytes` bytes, to `key` only."""
    answer: dict[str, Any] = aws.client("s3", signature_version="s3v4").generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_s,
    )
    return str(answer["url"]), {name: str(value) for name, value in answer["fields"].items()}


def object_size(bucket: str, key: str) -> int | None:
    """The object's size in bytes; None when it does not exist (any more)."""
    try:
        return int(aws.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"])
    except ClientError as error:
        if aws.is_missing_object(error):
            return None
        raise


def read_object(bucket: str, key: str, limit: int) -> bytes | None:
    """At most `limit` + 1 bytes of the object (more than `limit` tells it is too large)."""
    try:
        body = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
    except ClientError as error:
        if aws.is_missing_object(error):
            return None
        raise
    try:
        return bytes(body.read(limit + 1))
    finally:
        body.close()


def put_variant(bucket: str, key: str, data: bytes) -> None:
    aws.client("s3").put_object(
        Bucket=bucket, Key=key, Body=data, ContentType="image/webp", CacheControl=VARIANT_CACHE_CONTROL
    )


def delete_objects(bucket: str, keys: list[str]) -> None:
    """Deletes each key (a missing key is no error: S3's delete is idempotent)."""
    client = aws.client("s3")
    for key in keys:
        client.delete_object(Bucket=bucket, Key=key)
