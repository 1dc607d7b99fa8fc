"""One mapping from every failure to problem+json, installed on each resolver."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)

from storefront.domain.errors import DomainError, RetryLater
from storefront.http.problems import problem_response
from storefront.observability import module_logger

_logger = module_logger()


def _public_errors(raw_errors: Any) -> list[dict[str, Any]]:
    # Never echo `input`: it may hold a password or a token.
    return [
        {
            "loc": [str(part) if not isinstance(part, int) else part for part in error.get("loc", ())],
            "msg": str(error.get("msg", "Invalid value")),
            "type": str(error.get("type", "value_error")),
        }
        for error in raw_errors
    ]


def _named_repeats(errors: list[dict[str, Any]], raw_query: str) -> list[dict[str, Any]]:
    """A query parameter sent twice reaches the route joined by a comma ("3,3"): say so."""
    names = [name for name, _ in parse_qsl(raw_query, keep_blank_values=True)]
    repeated = {name for name in names if names.count(name) > 1}
    for error in errors:
        location = error["loc"]
        if len(location) == 2 and location[0] == "query" and location[1] in repeated:
            error["msg"] = f"`{location[1]}` is given more than once; send it once."
            error["type"] = "repeated"
    return errors


def install_problem_handlers(app: APIGatewayHttpResolver) -> None:
    def request_id() -> str:
        return str(app.current_event.request_context.request_id or "unknown")

    @app.not_found
    def unknown_route(_: NotFoundError) -> Response[str]:
        method, path = app.current_event.http_method, app.current_event.path
        return problem_response(404, "not-found", "Not found", f"No route {method} {path}.", request_id())

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[str]:
        errors = _named_repeats(_public_errors(error.errors()), app.current_event.raw_query_string or "")
        if any(item["type"] == "json_invalid" for item in errors):
            return problem_response(400, "malformed-json", "Bad request", "The body is not valid JSON.", request_id())
        return problem_response(
            422,
            "validation-failed",
            "Validation failed",
            "The request has invalid fields.",
            request_id(),
            errors=errors,
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_content(_: RequestUnsupportedContentType) -> Response[str]:
        detail = "Send the body as application/json."
        return problem_response(415, "unsupported-media-type", "Unsupported media type", detail, request_id())

    @app.exception_handler(DomainError)
    def domain_error(error: DomainError) -> Response[str]:
        headers: dict[str, str] = {}
        if isinstance(error, RetryLater):
            headers["Retry-After"] = str(error.retry_after)
        return problem_response(
            error.status,
            error.code,
            error.title,
            error.detail,
            request_id(),
            errors=error.errors,
            extra=error.extra or None,
            headers=headers,
        )

    @app.exception_handler(ResponseValidationError)
    def invalid_response(error: ResponseValidationError) -> Response[str]:
        _logger.error("response failed its own model", extra={"errors": _public_errors(error.errors())})
        return problem_response(500, "internal", "Internal error", "The server failed.", request_id())

    @app.exception_handler(Exception)
    def unexpected(_: Exception) -> Response[str]:
        _logger.exception("unhandled error")
        return problem_response(500, "internal", "Internal error", "The server failed.", request_id())
