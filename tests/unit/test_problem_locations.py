"""The domain names refused fields; the edge says where the request carried them."""

from __future__ import annotations

from typing import Any

import pytest

from storefront.domain.errors import FieldError
from storefront.http.errors import located_errors


@pytest.mark.parametrize(
    ("body", "query", "location"),
    [
        ({"price": 1, "attributes": {"size": "x"}}, {}, "body"),
        (None, {"attributes": "x"}, "query"),
        ({"attributes": {}}, {"attributes": "x"}, "body"),
        ({"name": "Shoe"}, {}, "body"),
        (None, {}, "query"),
    ],
)
def test_domain_field_is_located_where_the_request_carried_it_when_shaped(
    body: Any, query: dict[str, str], location: str
) -> None:
    errors = [FieldError(("attributes", "size"), "must be a number", "attribute_type")]
    assert located_errors(errors, body, query) == [
        {"loc": [location, "attributes", "size"], "msg": "must be a number", "type": "attribute_type"}
    ]


def test_each_domain_field_is_located_on_its_own_when_several_are_refused() -> None:
    errors = [FieldError(("q",), "needs a letter"), FieldError(("sort",), "needs q")]
    located = located_errors(errors, None, {"q": "**", "sort": "relevance"})
    assert [error["loc"] for error in located] == [["query", "q"], ["query", "sort"]]
    assert all(error["type"] == "value_error" for error in located)
