"""The small response helpers every HTTP function shares."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from storefront.http.problems import Problem

NO_STORE = "no-store"
PRIVATE_NO_STORE = "private, no-store"  # personal or fast-changing data: never in a shared cache


def problem_doc(description: str) -> OpenAPIResponse:
    """An error response for the OpenAPI document, with the problem model."""
    return {"description": description, "content": {"application/problem+json": {"model": Problem}}}


def json_response[T](body: T, status: int = 200, *, private: bool = False) -> Response[T]:
    """A JSON response that no cache keeps (`private` also tells browsers it is personal)."""
    cache_control = PRIVATE_NO_STORE if private else NO_STORE
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Cache-Control": cache_control},
    )


def no_content(*, private: bool = False) -> Response[None]:
    """A 204 that no cache keeps."""
    return Response(status_code=204, body=None, headers={"Cache-Control": PRIVATE_NO_STORE if private else NO_STORE})
