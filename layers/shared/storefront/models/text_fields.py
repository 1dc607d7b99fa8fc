"""The one way an API model declares a free-text field: `Annotated[StrictStr, Text(...)]`.

Every such field is strict (no coercion), stripped, bounded and checked by one text rule
(by default no control or bidirectional formatting characters); declared by hand twenty
times, the copies drifted (one stripped, its neighbour not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, Field, StringConstraints

from storefront.text import check_name

_NAME_RULE = "no control or bidirectional formatting characters"


@dataclass(frozen=True)
class Text(GroupedMetadata):
    max_length: int
    description: str | None = None
    min_length: int = 1
    strip: bool = True
    rule: Callable[[str], str] = check_name

    def __iter__(self) -> Iterator[Any]:
        yield StringConstraints(
            strip_whitespace=self.strip, min_length=self.min_length or None, max_length=self.max_length
        )
        if self.description is not None:
            # The OpenAPI document says which rule applies, so a client can check before sending.
            suffix = f"; {_NAME_RULE}" if self.rule is check_name else ""
            yield Field(description=self.description + suffix)
        yield AfterValidator(self.rule)
