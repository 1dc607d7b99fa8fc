"""Fields of a PATCH that may be left out but not sent as null: `Annotated[Name | None, NotNull]`.

Null clears a value only where a field may be empty (a phone, a brand). Refused per field,
during validation, so a null is reported with the request's other errors, not after them.
"""

from __future__ import annotations

from pydantic import BeforeValidator


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be null; leave the field out to keep it")
    return value


# The default (None: not sent) is never validated, so only an explicit null is refused.
NotNull = BeforeValidator(_refuse_null)
