"""Typed domain errors: the one error type every layer raises.

Each carries its HTTP status so the edge maps it without a table of its own; domain
code never imports HTTP types, it only picks the kind of failure, and names refused
fields by their path in the input (the edge adds where HTTP carried them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One refused input field, named by its path in the input: `("attributes", "size")`."""

    field: tuple[str | int, ...]
    msg: str
    type: str = "value_error"


# The members of every problem document (RFC 9457 and ours): `extra` may not reuse them.
PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "request_id", "errors"})


class DomainError(Exception):
    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None, **extra: Any) -> None:
        shadowed = PROBLEM_MEMBERS.intersection(extra)
        if shadowed:  # `status=` would silently replace the problem's HTTP status
            raise TypeError(f"extra members {sorted(shadowed)} would replace the problem's own")
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Unauthorized"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(DomainError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class PayloadTooLarge(DomainError):
    status, code, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(DomainError):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"


class Unprocessable(DomainError):
    status, code, title = 422, "validation-failed", "Validation failed"


class RetryLater(DomainError):
    """A failure that passes with time: the edge answers it with `Retry-After: retry_after`."""

    def __init__(self, detail: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class TooManyRequests(RetryLater):
    status, code, title = 429, "too-many-requests", "Too many requests"


class ServiceUnavailable(RetryLater):
    """A dependency is not ready yet (the search index is being built): retry later."""

    status, code, title = 503, "service-unavailable", "Service unavailable"
