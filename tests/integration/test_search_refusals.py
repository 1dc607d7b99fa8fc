"""Every refusal of the search route is a problem its OpenAPI model accepts (schemathesis found
422s whose `errors` lacked the `type` the document promises)."""

from __future__ import annotations

import pytest

from storefront.http.problems import Problem
from storefront.search import indexing
from tests.aws_fixtures import MOTO
from tests.integration.search_calls import search

pytestmark = [pytest.mark.usefixtures("search_aws"), pytest.mark.parametrize("aws", [MOTO], indirect=True)]


@pytest.mark.parametrize(
    "pairs",
    [
        {"min_price": "10", "max_price": "5"},
        {"colour": "red"},
        {"attr.": "red"},
        {f"attr.a{number}": "x" for number in range(11)},
        {"q": "**"},
        {"sort": "relevance"},
    ],
)
def test_search_refusal_matches_the_documented_problem_when_the_query_is_unusable(pairs: dict[str, str]) -> None:
    indexing.rebuild()  # an empty index: the refusals do not depend on the catalog
    response = search(pairs)
    assert response["statusCode"] == 422, response
    problem = Problem.model_validate_json(response["body"])
    assert problem.errors
    assert all(error.type for error in problem.errors)
