"""One mapping from every failure to problem+json, installed on each resolver.

A request's field errors are answered together: when the body fails its API model, a
route marked with `checked_with` still runs its domain check over the fields that passed,
so one 422 names every error (not the model's first, and the domain's on the next try).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, get_type_hints
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Depends, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)

from storefront.domain.errors import DomainError, FieldError, RetryLater, Unprocessable
from storefront.http.problems import problem_response
from storefront.observability import module_logger

_logger = module_logger()

RouteFunction = TypeVar("RouteFunction", bound=Callable[..., Any])
# A domain check over some of a body's fields (as sent), with the path's ids as keywords;
# raises Unprocessable naming the fields it refuses.
BodyCheck = Callable[..., None]


def checked_with(check: BodyCheck) -> Callable[[RouteFunction], RouteFunction]:
    """Mark a route whose domain check should also run when its body fails the model."""

    def mark(route_function: RouteFunction) -> RouteFunction:
        route_function.body_check = check  # type: ignore[attr-defined]
        return route_function

    return mark


def located_errors(errors: Sequence[FieldError], body: object, query: Mapping[str, str]) -> list[dict[str, Any]]:
    """The domain's field errors shaped like request validation's: `loc` starts with where
    the field was sent. A field the request does not hold (a required attribute left out)
    is the body's when there is one."""

    def location(name: str | int) -> str:
        if isinstance(body, dict) and name in body:
            return "body"
        if name in query:
            return "query"
        return "body" if body is not None else "query"

    return [{"loc": [location(error.field[0]), *error.field], "msg": error.msg, "type": error.type} for error in errors]


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

    def request_body() -> object:
        if not app.current_event.body:
            return None
        try:
            return app.current_event.json_body
        except ValueError:
            return None

    def shaped(errors: Sequence[FieldError]) -> list[dict[str, Any]]:
        return located_errors(errors, request_body(), app.current_event.query_string_parameters or {})

    def caller_allowed(route_function: Callable[..., Any]) -> bool:
        # The route's own dependencies (who may call it) first: a check that reads the
        # store never runs for a caller the route would refuse.
        for hint in get_type_hints(route_function, include_extras=True).values():
            for metadata in getattr(hint, "__metadata__", ()):
                if isinstance(metadata, Depends):
                    try:
                        metadata.dependency(app.request)
                    except DomainError:
                        return False
        return True

    def domain_errors_beside(model_errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The route's domain check over the body fields its model accepted; [] when there is none."""
        route = app.context.get("_route")
        check: BodyCheck | None = getattr(getattr(route, "func", None), "body_check", None)
        body = request_body()
        if route is None or check is None or not isinstance(body, dict):
            return []
        # Only the body's own fields may be refused: a bad path id or a body that is not
        # an object leaves nothing to check against.
        if any(len(error["loc"]) < 2 or error["loc"][0] != "body" for error in model_errors):
            return []
        refused = {error["loc"][1] for error in model_errors}
        if not caller_allowed(route.func):
            return []
        try:
            check({name: value for name, value in body.items() if name not in refused}, **app.context["_route_args"])
        except Unprocessable as error:
            return shaped(error.errors or [])
        except DomainError:
            return []  # a missing product or a conflict: the model's 422 stands alone
        return []

    @app.not_found
    def unknown_route(_: NotFoundError) -> Response[str]:
        method, path = app.current_event.http_method, app.current_event.path
        return problem_response(404, "not-found", "Not found", f"No route {method} {path}.", request_id())

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[str]:
        errors = _named_repeats(_public_errors(error.errors()), app.current_event.raw_query_string or "")
        if any(item["type"] == "json_invalid" for item in errors):
            return problem_response(400, "malformed-json", "Bad request", "The body is not valid JSON.", request_id())
        errors += domain_errors_beside(errors)
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
            errors=shaped(error.errors) if error.errors else None,
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
