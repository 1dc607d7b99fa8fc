"""Where the signing keys live: the private set in Secrets Manager, the public JWKS in S3.

Publishing always comes before the secret changes, so every key the secret can sign
with is already public. Used by the auth function (reads the active key, cached per
container), the key-management function (first keys at stack creation, rotation) and
the operator tools.
"""

from __future__ import annotations

import time

from storefront import aws
from storefront.refreshing import Refreshing
from storefront.security.signing_keys import (
    GATEWAY_JWKS_CACHE_S,
    PUBLISHED_CACHE_CONTROL,
    KeySet,
    published_objects,
)
from storefront.settings import get_settings


def read_key_set(secret_id: str | None = None) -> KeySet:
    secret = aws.client("secretsmanager").get_secret_value(SecretId=secret_id or get_settings().jwt_secret_arn)
    return KeySet.parse(secret["SecretString"])


def publish(key_set: KeySet, *, bucket: str | None = None, issuer: str | None = None) -> None:
    settings = get_settings()
    s3 = aws.client("s3")
    for key, body in published_objects(key_set, issuer or settings.jwt_issuer).items():
        s3.put_object(
            Bucket=bucket or settings.images_bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            CacheControl=PUBLISHED_CACHE_CONTROL,
        )


def _store(key_set: KeySet, secret_id: str | None, bucket: str | None, issuer: str | None) -> KeySet:
    publish(key_set, bucket=bucket, issuer=issuer)
    aws.client("secretsmanager").put_secret_value(
        SecretId=secret_id or get_settings().jwt_secret_arn, SecretString=key_set.dumps()
    )
    return key_set


def ensure_keys(
    now: int | None = None, *, secret_id: str | None = None, bucket: str | None = None, issuer: str | None = None
) -> KeySet:
    """The key set, made on first use (a new stack, a new local store) and published either way."""
    current = read_key_set(secret_id)
    if current.is_initialised:
        publish(current, bucket=bucket, issuer=issuer)  # idempotent: repairs a lost object
        return current
    return _store(current.initialised(int(time.time()) if now is None else now), secret_id, bucket, issuer)


def rotate_keys(
    now: int | None = None,
    *,
    min_next_age_s: int = GATEWAY_JWKS_CACHE_S,
    secret_id: str | None = None,
    bucket: str | None = None,
    issuer: str | None = None,
) -> KeySet:
    current = read_key_set(secret_id)
    rotated = current.rotated(int(time.time()) if now is None else now, min_next_age_s=min_next_age_s)
    return _store(rotated, secret_id, bucket, issuer)


# The active signing key, read once per environment and every few minutes after.
active_key_cache = Refreshing(lambda: read_key_set().active, fresh_for=300.0)
