"""HTTP caching of public reads: a strong ETag, Cache-Control, and 304 on If-None-Match.

`cacheable(app, body)` answers a GET: the ETag is a hash of the body's JSON, so equal
bodies share it whoever computed them; a matching `If-None-Match` raises NotModified,
which the handler installed by `install_caching(app)` turns into an empty 304 (raised,
not returned, so the route's response model is never asked to validate an empty body).
A body that depends on who asks must go out with `personal=True`: `private, no-store`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from pydantic import BaseModel, RootModel

PUBLIC_MAX_AGE_S = 60
PERSONAL = "private, no-store"


class NotModified(Exception):
    def __init__(self, etag: str, cache_control: str) -> None:
        super().__init__(etag)
        self.etag, self.cache_control = etag, cache_control


def etag_of(body: BaseModel | list[Any]) -> str:
    model: BaseModel = body if isinstance(body, BaseModel) else RootModel[list[Any]](body)
    return '"' + hashlib.sha256(model.model_dump_json().encode()).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match uses: `W/` prefixes are ignored, `*` matches."""
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return any(candidate == "*" or candidate.removeprefix("W/") == etag for candidate in candidates)


def cacheable[T: BaseModel | list[Any]](
    app: APIGatewayHttpResolver, body: T, *, personal: bool = False, max_age: int = PUBLIC_MAX_AGE_S
) -> Response[T]:
    """The 200 of a cacheable GET, or NotModified when the client's copy is current."""
    etag = etag_of(body)
    cache_control = PERSONAL if personal else f"public, max-age={max_age}"
    if not personal and matches(app.current_event.headers.get("if-none-match"), etag):
        raise NotModified(etag, cache_control)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


def install_caching(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(NotModified)
    def not_modified(error: NotModified) -> Response[str]:
        return Response(status_code=304, body="", headers={"ETag": error.etag, "Cache-Control": error.cache_control})
