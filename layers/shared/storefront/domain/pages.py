"""One page of a list as a repository returns it, before the edge signs its cursor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Slice[T]:
    """`last_key` is the raw DynamoDB key to resume after; None when nothing follows."""

    items: list[T]
    last_key: dict[str, Any] | None
