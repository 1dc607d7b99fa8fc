"""The one way a route declares its responses for the OpenAPI document.

A route that passes its own `responses=` loses Powertools' default 200, so every route
builds them here: its success status, documented with the schema of the route's return
annotation (the model its response is validated against, so the two cannot differ),
a 304 for cacheable reads, and its own problem statuses. The statuses every route
shares (400, 401, 403, 404, 413, 415, 422, 500) and API Gateway's own refusals are added
to the whole document by `devkit/openapi.py`, from the template.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseContentSchema,
    OpenAPIResponseHeader,
)

from storefront.http.responses import problem_doc

NOT_MODIFIED: OpenAPIResponse = {"description": "Not modified: the If-None-Match ETag is current", "content": {}}
# Every paginated list of a caller answers 400 to a cursor it did not issue (storefront.http.pagination).
BAD_CURSOR = {400: "The cursor was altered, or belongs to another caller or list"}
RETRY_AFTER: OpenAPIResponseHeader = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer"},
}


def retry_later(description: str) -> OpenAPIResponse:
    """A problem answered with `Retry-After` (429, 503)."""
    return {**problem_doc(description), "headers": {"Retry-After": RETRY_AFTER}}


def responses(
    status: int,
    description: str,
    *,
    errors: Mapping[int, str | OpenAPIResponse] | None = None,
    cached: bool = False,
    content: Mapping[str, OpenAPIResponseContentSchema] | None = None,
) -> dict[int, OpenAPIResponse]:
    """The `responses=` of a route.

    `status` is its success: 204 has no body; any other is documented with the route's
    return annotation as application/json, unless `content` names what it really sends
    (HTML, a static file). `cached` adds the 304 of `storefront.http.caching`. `errors`
    are the route's own statuses: a text is a problem with that description.
    """
    success: OpenAPIResponse = {"description": description}
    if status == 204:
        success["content"] = {}
    elif content is not None:
        success["content"] = dict(content)
    # Without "content", Powertools documents the success with the return annotation's schema.
    documented: dict[int, OpenAPIResponse] = {status: success}
    if cached:
        documented[304] = NOT_MODIFIED
    for code, error in (errors or {}).items():
        documented[code] = problem_doc(error) if isinstance(error, str) else error
    return documented
