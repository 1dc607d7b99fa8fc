"""RFC 9457 problem details: the only error body the API sends."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel, Field

PROBLEM_CONTENT_TYPE = "application/problem+json"
# An error is about this request at this moment: no cache (the CDN's included) may keep it.
PROBLEM_CACHE_CONTROL = "no-store"
_TYPE_PREFIX = "urn:storefront:problem:"


class ProblemError(BaseModel):
    loc: list[str | int] = Field(description="Where the error is: ['body', 'email'], ['query', 'limit'], ...")
    msg: str = Field(description="What is wrong, for a person")
    type: str = Field(description="Machine-readable kind of error")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="URI that identifies the kind of problem")
    title: str = Field(description="Short summary of the kind of problem")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What went wrong with this request")
    request_id: str = Field(description="Equals the X-Request-Id response header")
    errors: list[ProblemError] | None = Field(None, description="Field-level errors of a 422 or 400")


def problem_body(
    status: int,
    code: str,
    title: str,
    detail: str,
    request_id: str,
    errors: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"{_TYPE_PREFIX}{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": request_id,
    }
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def problem_response(status: int, code: str, title: str, detail: str, request_id: str, **kwargs: Any) -> Response[str]:
    headers = {"Cache-Control": PROBLEM_CACHE_CONTROL, **(kwargs.pop("headers", None) or {})}
    return Response(
        status_code=status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=json.dumps(problem_body(status, code, title, detail, request_id, **kwargs)),
        headers=headers,
    )


def problem_proxy_result(status: int, code: str, title: str, detail: str, request_id: str) -> dict[str, Any]:
    """A problem as a raw payload-2.0 result, for refusals made before routing."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": PROBLEM_CACHE_CONTROL},
        "body": json.dumps(problem_body(status, code, title, detail, request_id)),
        "isBase64Encoded": False,
    }
