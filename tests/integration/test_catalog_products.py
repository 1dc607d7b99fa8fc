"""Products: attribute checks, unique SKUs under races, visibility, variants, one-request reads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest
from botocore.client import BaseClient

from tests.aws_fixtures import serializable_moto_writes
from tests.integration.catalog_calls import (
    CUSTOMER,
    MANAGER,
    body_of,
    call,
    create_category,
    create_product,
    manager_token,
    product_body,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


@contextmanager
def dynamodb_requests() -> Iterator[list[str]]:
    """Names of the DynamoDB operations sent meanwhile, by any client (pynamodb's included)."""
    seen: list[str] = []
    original = BaseClient._make_api_call

    def counted(self: Any, operation_name: str, api_params: Any) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            seen.append(operation_name)
        return original(self, operation_name, api_params)

    with patch.object(BaseClient, "_make_api_call", counted):
        yield seen


def test_product_is_created_with_variants_and_stock_when_valid() -> None:
    category = create_category("Shoes", size={"type": "number", "required": True})
    product = create_product(category["id"], "SHOE-1", "SHOE-2", attributes={"size": 42})
    assert product["slug"] == "trail-shoe"
    assert [variant["available"] for variant in product["variants"]] == [7, 7]
    assert product["variants"][0]["price"] == 8900
    assert product["rating"] == {"average": None, "count": 0}
    again = body_of(call("GET", f"/v1/products/{product['id']}"))
    assert again == product
    second = create_product(category["id"], "SHOE-3", attributes={"size": 40})
    assert second["slug"].startswith("trail-shoe-")


@pytest.mark.parametrize(
    ("attributes", "name"),
    [
        ({"size": 42, "colour": "red"}, "colour"),
        ({"size": "42"}, "size"),
        ({"size": 42, "terrain": "sand"}, "terrain"),
        ({"terrain": "rock"}, "size"),
        ({"size": True}, "size"),
    ],
)
def test_product_is_refused_when_an_attribute_violates_its_definition(attributes: dict[str, Any], name: str) -> None:
    root = create_category("Shoes", size={"type": "number", "required": True})
    leaf = create_category("Trail", root["id"], terrain={"type": "string", "values": ["rock", "mud"]})
    response = call("POST", "/v1/products", MANAGER, body=product_body(leaf["id"], attributes=attributes))
    assert response["statusCode"] == 422, response
    assert ["body", "attributes", name] in [error["loc"] for error in problem(response)["errors"]]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_every_error_is_reported_at_once_when_fields_and_attributes_are_invalid(method: str) -> None:
    category = create_category("Shoes", size={"type": "number", "required": True})
    product = create_product(category["id"], attributes={"size": 42})
    wrong = {"price": 19.99, "currency": "eur", "attributes": {"size": "42", "colour": "red"}}
    if method == "POST":
        response = call("POST", "/v1/products", MANAGER, body=product_body(category["id"], **wrong))
    else:
        response = call("PATCH", f"/v1/products/{product['id']}", MANAGER, body=wrong)
    assert response["statusCode"] == 422, response
    locations = [error["loc"] for error in problem(response)["errors"]]
    assert ["body", "price"] in locations
    assert ["body", "currency"] in locations
    assert ["body", "attributes", "size"] in locations
    assert ["body", "attributes", "colour"] in locations


def test_a_null_is_reported_with_the_other_errors_when_a_patch_clears_a_required_field() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"])
    body = {"name": None, "tags": None, "price": -1}
    response = call("PATCH", f"/v1/products/{product['id']}", MANAGER, body=body)
    assert response["statusCode"] == 422, response
    locations = [error["loc"] for error in problem(response)["errors"]]
    assert sorted(locations) == [["body", "name"], ["body", "price"], ["body", "tags"]]


def test_domain_checks_stay_silent_for_a_customer_when_the_body_is_invalid() -> None:
    category = create_category("Shoes", size={"type": "number", "required": True})
    body = product_body(category["id"], price=19.99, attributes={"colour": "red"})
    response = call("POST", "/v1/products", CUSTOMER, body=body)
    assert response["statusCode"] == 422
    assert [error["loc"] for error in problem(response)["errors"]] == [["body", "price"]]


@pytest.mark.parametrize("price", [19.99, "1999", True])
def test_product_is_refused_when_money_is_not_an_integer(price: Any) -> None:
    category = create_category("Shoes")
    response = call("POST", "/v1/products", MANAGER, body=product_body(category["id"], price=price))
    assert response["statusCode"] == 422


def test_customer_is_refused_when_creating_a_product() -> None:
    category = create_category("Shoes")
    response = call("POST", "/v1/products", CUSTOMER, body=product_body(category["id"]))
    assert response["statusCode"] == 403


def test_duplicate_sku_is_refused_when_already_in_use() -> None:
    category = create_category("Shoes")
    create_product(category["id"], "SHOE-1")
    response = call("POST", "/v1/products", MANAGER, body=product_body(category["id"], "SHOE-2", "SHOE-1"))
    assert response["statusCode"] == 409
    assert problem(response)["skus"] == ["SHOE-1"]


def test_exactly_one_creation_wins_when_two_race_on_one_sku() -> None:
    category = create_category("Shoes")
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def create(index: int) -> None:
        body = product_body(category["id"], f"OWN-{index}", "SHARED", name=f"Shoe {index}")
        barrier.wait()
        statuses.append(call("POST", "/v1/products", MANAGER, body=body)["statusCode"])

    with serializable_moto_writes():
        threads = [threading.Thread(target=create, args=(index,)) for index in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]


def test_draft_is_visible_only_to_managers_when_read() -> None:
    category = create_category("Shoes")
    draft = create_product(category["id"], status="draft")
    path = f"/v1/products/{draft['id']}"
    assert call("GET", path)["statusCode"] == 404
    assert call("GET", path, CUSTOMER)["statusCode"] == 404
    response = call("GET", path, headers={"Authorization": f"Bearer {manager_token()}"})
    assert response["statusCode"] == 200
    assert response["headers"]["Cache-Control"] == "private, no-store"
    assert call("GET", path, headers={"Authorization": "Bearer not-a-token"})["statusCode"] == 401


def test_draft_stays_hidden_when_the_managers_account_was_demoted() -> None:
    category = create_category("Shoes")
    draft = create_product(category["id"], status="draft")
    token = manager_token()
    from tests.integration.users_calls import put_user  # the same account, now a customer

    put_user(MANAGER[0], email="manager000000000000000000001@example.com")
    response = call("GET", f"/v1/products/{draft['id']}", headers={"Authorization": f"Bearer {token}"})
    assert response["statusCode"] == 404


def test_archived_product_is_hidden_from_the_public_when_deleted() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"])
    assert call("DELETE", f"/v1/products/{product['id']}", MANAGER)["statusCode"] == 204
    assert call("GET", f"/v1/products/{product['id']}")["statusCode"] == 404
    staff = call("GET", f"/v1/products/{product['id']}", headers={"Authorization": f"Bearer {manager_token()}"})
    assert body_of(staff)["status"] == "archived"


def test_public_product_read_is_one_dynamodb_request_when_it_has_many_variants() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"], *[f"SKU-{index}" for index in range(12)])
    with dynamodb_requests() as seen:
        response = call("GET", f"/v1/products/{product['id']}")
    assert response["statusCode"] == 200
    assert seen == ["Query"]
    assert [variant["available"] for variant in body_of(response)["variants"]] == [7] * 12


def test_product_answers_304_when_if_none_match_holds_the_etag() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"])
    first = call("GET", f"/v1/products/{product['id']}")
    assert first["headers"]["Cache-Control"] == "public, max-age=60"
    again = call("GET", f"/v1/products/{product['id']}", headers={"If-None-Match": first["headers"]["ETag"]})
    assert again["statusCode"] == 304


def test_patch_changes_fields_and_moves_the_product_between_categories() -> None:
    first, second = create_category("Shoes"), create_category("Boots", colour={"type": "string", "required": True})
    product = create_product(first["id"])
    path = f"/v1/products/{product['id']}"
    refused = call("PATCH", path, MANAGER, body={"category_id": second["id"]})
    assert refused["statusCode"] == 422
    response = call("PATCH", path, MANAGER, body={"category_id": second["id"], "attributes": {"colour": "red"}})
    assert response["statusCode"] == 200, response
    assert body_of(response)["category_id"] == second["id"]
    assert call("DELETE", f"/v1/categories/{first['id']}", MANAGER)["statusCode"] == 204
    assert call("DELETE", f"/v1/categories/{second['id']}", MANAGER)["statusCode"] == 409
    assert call("PATCH", path, MANAGER, body={"price": 100, "name": None})["statusCode"] == 422


def test_variants_are_added_changed_and_removed_but_never_the_last() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"], "SHOE-1")
    base = f"/v1/products/{product['id']}/variants"
    added = call("POST", base, MANAGER, body={"sku": "SHOE-2", "options": {"size": "44"}, "price": 9900})
    assert added["statusCode"] == 201, added
    assert [variant["sku"] for variant in body_of(added)["variants"]] == ["SHOE-1", "SHOE-2"]
    assert call("POST", base, MANAGER, body={"sku": "SHOE-1", "options": {"size": "45"}})["statusCode"] == 409
    other = create_product(category["id"], "OTHER-1", name="Other")
    assert call("POST", base, MANAGER, body={"sku": "OTHER-1", "options": {"size": "46"}})["statusCode"] == 409
    assert body_of(call("GET", f"/v1/products/{other['id']}"))["variants"][0]["sku"] == "OTHER-1"
    changed = call("PATCH", f"{base}/SHOE-2", MANAGER, body={"price": None, "weight_grams": 800})
    assert body_of(changed)["variants"][1] == {
        "sku": "SHOE-2",
        "options": {"size": "44"},
        "price": 8900,
        "available": 0,
        "weight_grams": 800,
    }
    assert call("DELETE", f"{base}/SHOE-2", MANAGER)["statusCode"] == 204
    assert call("DELETE", f"{base}/SHOE-1", MANAGER)["statusCode"] == 409
    assert call("DELETE", f"{base}/NOPE", MANAGER)["statusCode"] == 404


def test_unarchive_is_refused_when_the_category_was_deleted_meanwhile() -> None:
    category = create_category("Shoes")
    product = create_product(category["id"])
    assert call("DELETE", f"/v1/products/{product['id']}", MANAGER)["statusCode"] == 204
    assert call("DELETE", f"/v1/categories/{category['id']}", MANAGER)["statusCode"] == 204
    response = call("PATCH", f"/v1/products/{product['id']}", MANAGER, body={"status": "active"})
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["body", "category_id"]


def test_product_is_refused_when_its_category_does_not_exist() -> None:
    response = call("POST", "/v1/products", MANAGER, body=product_body("NOPE"))
    assert response["statusCode"] == 422
    assert call("GET", "/v1/products/NOPE")["statusCode"] == 404


@pytest.mark.parametrize(
    "variants",
    [
        [{"sku": "A-1", "options": {"size": "1"}}, {"sku": "A-1", "options": {"size": "2"}}],
        [{"sku": "A-1", "options": {"size": "1"}}, {"sku": "A-2", "options": {"size": "1"}}],
        [{"sku": f"A-{index}", "options": {"size": str(index)}} for index in range(31)],
        [],
        [{"sku": "bad sku", "options": {}}],
    ],
)
def test_product_is_refused_when_its_variants_are_invalid(variants: list[dict[str, Any]]) -> None:
    category = create_category("Shoes")
    response = call("POST", "/v1/products", MANAGER, body=product_body(category["id"], variants=variants))
    assert response["statusCode"] == 422
