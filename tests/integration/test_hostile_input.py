"""No client input is a 500: hostile cursors, numbers, JSON and names are 400 or 422 problems."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest

from devkit.functions import load_handler_module
from devkit.template import ROOT
from storefront.domain.identity.roles import Role
from storefront.search import indexing
from tests.aws_fixtures import MOTO
from tests.integration import auth_calls, catalog_calls
from tests.integration.principals import ensure_user
from tests.integration.search_calls import search
from tests.integration.users_calls import ADDRESS, add_address, customer, put_user, users_call
from tests.support import FakeContext, http_event, problem

# Refusals at the edge do not depend on the table's engine.
pytestmark = pytest.mark.parametrize("aws", [MOTO], indirect=True)

FUNCTIONS = ROOT / "functions"
_CURSOR = re.compile(r"\bcursor: Cursor\b")
REGISTER = '{"email": "ann@example.com", "password": "correct horse battery", "name": %s}'


def _register_raw(body: str) -> dict[str, Any]:
    event = http_event("POST", "/v1/auth/register", raw_body=body, headers={"content-type": "application/json"})
    return auth_calls.call(event)


def _assert_problem(response: dict[str, Any], status: int) -> dict[str, Any]:
    assert response["statusCode"] == status, response
    return problem(response)


@pytest.mark.usefixtures("aws")
def test_register_is_400_when_the_body_is_nested_50000_levels_deep() -> None:
    details = _assert_problem(_register_raw("[" * 50_000 + "]" * 50_000), 400)
    assert details["type"] == "urn:storefront:problem:malformed-json"


@pytest.mark.usefixtures("aws")
def test_register_is_400_when_a_name_nests_50000_objects_deep() -> None:
    nested = '{"a": ' * 20_000 + "1" + "}" * 20_000  # under the body size limit
    _assert_problem(_register_raw(REGISTER % nested), 400)


@pytest.mark.usefixtures("aws")
def test_register_is_400_when_the_body_holds_an_integer_of_5000_digits() -> None:
    details = _assert_problem(_register_raw(REGISTER % ("9" * 5000)), 400)
    assert details["type"] == "urn:storefront:problem:malformed-json"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.usefixtures("aws")
def test_register_is_400_when_the_body_holds_a_non_finite_constant(constant: str) -> None:
    details = _assert_problem(_register_raw(REGISTER % constant), 400)
    assert details["type"] == "urn:storefront:problem:malformed-json"


@pytest.mark.parametrize("name", ["Ann\u202eevil", "\u2066Ann\u2069", "Ann\u200f", "Ann\x1b[2J", "A\nnn"])
@pytest.mark.usefixtures("aws")
def test_register_is_422_when_the_name_holds_a_bidi_override_or_control_character(name: str) -> None:
    details = _assert_problem(_register_raw(REGISTER % json.dumps(name)), 422)
    assert ["body", "name"] in [error["loc"] for error in details["errors"]]


@pytest.mark.usefixtures("aws")
def test_register_still_answers_201_when_the_json_is_valid() -> None:
    assert _register_raw(REGISTER % json.dumps("Zoë 山田"))["statusCode"] == 201


def _category() -> dict[str, Any]:
    put_user(catalog_calls.MANAGER[0], Role.MANAGER)
    return catalog_calls.create_category("Shoes")


@pytest.mark.usefixtures("aws")
def test_product_is_422_when_its_name_holds_a_bidi_override() -> None:
    category = _category()
    body = catalog_calls.product_body(category["id"], "SHOE-1", name="Shoe\u202egpj.exe")
    details = _assert_problem(catalog_calls.call("POST", "/v1/products", catalog_calls.MANAGER, body=body), 422)
    assert ["body", "name"] in [error["loc"] for error in details["errors"]]


@pytest.mark.usefixtures("aws")
def test_product_is_400_when_an_attribute_is_nan() -> None:
    category = _category()
    text = json.dumps(catalog_calls.product_body(category["id"], "SHOE-1")).replace(
        '"attributes": {}', '"attributes": {"size": NaN}'
    )
    event = http_event(
        "POST",
        "/v1/products",
        raw_body=text,
        headers={"content-type": "application/json"},
        principal=catalog_calls.MANAGER,
    )
    _assert_problem(catalog_calls.catalog.lambda_handler(event, FakeContext()), 400)


@pytest.mark.usefixtures("aws")
def test_address_is_422_when_its_label_holds_a_bidi_override() -> None:
    body = {**ADDRESS, "label": "Home\u202e"}
    response = users_call("POST", "/v1/users/me/addresses", customer(), body=body)
    details = _assert_problem(response, 422)
    assert ["body", "label"] in [error["loc"] for error in details["errors"]]


@pytest.mark.usefixtures("aws")
def test_address_list_is_400_when_the_cursor_holds_non_ascii_characters() -> None:
    me = customer()
    for _ in range(2):
        add_address(me)
    for cursor in ("abc.é", "é", "😀.😀"):  # `?cursor=abc.%C3%A9` as API Gateway decodes it
        response = users_call("GET", "/v1/users/me/addresses", me, query={"limit": "1", "cursor": cursor})
        _assert_problem(response, 400)


@pytest.mark.usefixtures("search_aws")
def test_search_is_400_when_the_cursor_holds_non_ascii_characters() -> None:
    for cursor in ("abc.é", "é.é", "😀"):  # `?cursor=abc.%C3%A9` as API Gateway decodes it
        _assert_problem(search({"cursor": cursor}), 400)


# Every route that takes a `cursor`: (function, path, caller's role or None for public, other query).
PAGINATED = [
    ("users", "/v1/users", "admin", {}),
    ("users", "/v1/users/me/addresses", "customer", {}),
    ("orders", "/v1/orders", "customer", {}),
    ("reviews", "/v1/products/01JDQ7Z8X9K2M3N4P5Q6PRODUCT/reviews", None, {}),
    ("reviews", "/v1/reviews", "manager", {"status": "pending"}),
    ("inventory", "/v1/inventory", "manager", {"low_stock": "true"}),
    ("webhooks", "/v1/webhooks/01JDQ7Z8X9K2M3N4P5Q6WEBHOOK/deliveries", "admin", {}),
    ("search", "/v1/products", None, {}),
]


@pytest.mark.usefixtures("aws")  # the module's parametrization asks for it; the test reads only files
def test_every_route_that_takes_a_cursor_is_in_the_non_ascii_cursor_test() -> None:
    taking = Counter(path.parent.name for path in FUNCTIONS.glob("*/app.py") for _ in _CURSOR.findall(path.read_text()))
    assert taking == Counter(function for function, *_ in PAGINATED)


@pytest.mark.parametrize(("function", "path", "role", "query"), PAGINATED, ids=[route[1] for route in PAGINATED])
@pytest.mark.usefixtures("search_aws")
def test_every_paginated_route_is_400_and_logs_no_error_when_the_cursor_holds_non_ascii_characters(
    function: str, path: str, role: str | None, query: dict[str, str], log_lines: list[str]
) -> None:
    principal = ("01JDQ7Z8X9K2M3N4P5Q6CALLER0", role) if role is not None else None
    ensure_user(principal)
    handler = load_handler_module(f"functions/{function}").lambda_handler
    for cursor in ("abc.é", "abc.é.é", "é.abc.abc", "😀.😀.😀"):
        pairs = {**query, "limit": "1", "cursor": cursor}
        event = http_event("GET", path, query=pairs, principal=principal)
        event["rawQueryString"] = urlencode(pairs)  # `cursor=abc.%C3%A9`, as API Gateway passes it
        response = handler(event, FakeContext())
        assert _assert_problem(response, 400)["type"] == "urn:storefront:problem:bad-request", cursor

    levels = [json.loads(line)["level"] for line in log_lines]
    assert not {"ERROR", "CRITICAL"} & set(levels), log_lines


@pytest.mark.usefixtures("search_aws")
def test_search_is_422_when_a_price_filter_is_over_its_documented_bound() -> None:
    indexing.rebuild()  # an empty index: without one the search would be a 503
    for pairs in (
        {"min_price": str(2**63)},
        {"max_price": str(2**64)},
        {"min_price": "9" * 5000},
        {"min_price": "1", "max_price": str(10**12 + 1)},
    ):
        details = _assert_problem(search(pairs), 422)
        assert {error["loc"][1] for error in details["errors"]} <= {"min_price", "max_price"}
    assert search({"min_price": "0", "max_price": str(10**12)})["statusCode"] == 200
