"""Cursor pagination: opaque cursors, signed and bound to the caller and the query.

A cursor is base64url(JSON of the last evaluated key) "." a short tag of the caller and
the query's scope "." HMAC-SHA256 over the payload, the caller's id and the scope. A
cursor that was altered fails verification → 400 "invalid"; one replayed by another
caller, on another list or with other filters → 400 saying it belongs to another query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from storefront.domain.errors import BadRequest
from storefront.domain.pages import Slice
from storefront.security.keyring import keyring_cache

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 2048

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1–{MAX_LIMIT} (default {DEFAULT_LIMIT})")]
Cursor = Annotated[
    str | None, Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page, unchanged")
]


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str, caller: str, scope: str) -> str:
    message = "\x1f".join((payload, caller, scope)).encode()
    return _b64encode(hmac.new(b"cursor:" + key, message, hashlib.sha256).digest())


def _query_tag(caller: str, scope: str) -> str:
    """A short, unkeyed digest of who asked and which list: it only tells a cursor of another
    query from a damaged one (the MAC alone decides whether a cursor is trusted)."""
    return _b64encode(hashlib.sha256("\x1f".join((caller, scope)).encode()).digest()[:6])


def encode_cursor(last_key: dict[str, Any] | None, *, caller: str, scope: str) -> str | None:
    if not last_key:
        return None
    payload = _b64encode(json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode())
    signature = _mac(keyring_cache.current().active_key, payload, caller, scope)
    return f"{payload}.{_query_tag(caller, scope)}.{signature}"


def decode_cursor(cursor: str | None, *, caller: str, scope: str) -> dict[str, Any] | None:
    if cursor is None:
        return None
    payload, tag, signature = [*cursor.split("."), "", ""][:3]
    if not signature or cursor.count(".") != 2 or not cursor.isascii():
        # compare_digest raises TypeError on a str with non-ASCII characters; a cursor we
        # issued is base64url and ASCII, so anything else is refused before comparing.
        raise BadRequest("The cursor is invalid for this list.")
    if not hmac.compare_digest(tag.encode("ascii"), _query_tag(caller, scope).encode("ascii")):
        raise BadRequest(
            "The cursor belongs to another query (other filters, sort or list, or another caller): "
            "start again without it."
        )
    keys = keyring_cache.current().keys.values()  # a rotation does not void live cursors
    given = signature.encode("ascii")
    if not any(hmac.compare_digest(given, _mac(key, payload, caller, scope).encode("ascii")) for key in keys):
        raise BadRequest("The cursor is invalid for this list.")
    try:
        last_key = json.loads(_b64decode(payload))
    except (binascii.Error, ValueError) as error:
        raise BadRequest("The cursor is invalid for this list.") from error
    if not isinstance(last_key, dict):
        raise BadRequest("The cursor is invalid for this list.")
    return last_key


def paginate[T](
    fetch: Callable[[int, dict[str, Any] | None], Slice[T]],
    *,
    limit: int,
    cursor: str | None,
    caller: str,
    scope: str,
) -> Page[T]:
    """The one way a list route pages: verify the cursor, fetch a slice, sign the next cursor.

    `scope` names the list and its filters (`"addresses"`, `"users"`), so a cursor of one
    list, or of one filter, is refused on another; `caller` binds it to the principal.
    """
    start = decode_cursor(cursor, caller=caller, scope=scope)
    page = fetch(limit, start)
    return Page(items=page.items, next_cursor=encode_cursor(page.last_key, caller=caller, scope=scope))
