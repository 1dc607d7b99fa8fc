"""Categories: the tree in one Query, inheritance, unique slugs, safe moves and deletes."""

from __future__ import annotations

import threading

import pytest

from tests.aws_fixtures import serializable_moto_writes
from tests.integration.catalog_calls import CUSTOMER, MANAGER, body_of, call, create_category, create_product
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def test_category_inherits_attributes_through_three_levels_when_read() -> None:
    root = create_category("Clothing", material={"type": "string"})
    middle = create_category("Shoes", root["id"], size={"type": "number", "required": True})
    leaf = create_category("Trail", middle["id"], terrain={"type": "string", "values": ["rock", "mud"]})
    response = call("GET", f"/v1/categories/{leaf['id']}")
    assert response["statusCode"] == 200
    detail = body_of(response)
    assert [ancestor["id"] for ancestor in detail["ancestors"]] == [root["id"], middle["id"]]
    assert set(detail["attributes"]) == {"material", "size", "terrain"}
    assert detail["attributes"]["size"] == {"type": "number", "values": None, "required": True}


def test_tree_nests_children_under_parents_when_listed() -> None:
    root = create_category("Clothing")
    child = create_category("Shoes", root["id"])
    create_category("Hats", root["id"])
    create_category("Books")
    tree = body_of(call("GET", "/v1/categories"))
    assert [node["name"] for node in tree] == ["Books", "Clothing"]
    assert [node["name"] for node in tree[1]["children"]] == ["Hats", "Shoes"]
    assert tree[1]["children"][1] == {
        "id": child["id"],
        "name": "Shoes",
        "slug": "shoes",
        "parent_id": root["id"],
        "children": [],
    }


def test_child_is_refused_when_it_redefines_an_inherited_attribute_type() -> None:
    root = create_category("Clothing", size={"type": "number"})
    body = {"name": "Shoes", "slug": "shoes", "parent_id": root["id"], "attributes": {"size": {"type": "string"}}}
    response = call("POST", "/v1/categories", MANAGER, body=body)
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["body", "attributes", "size"]


def test_slug_is_refused_when_taken() -> None:
    create_category("Shoes")
    response = call("POST", "/v1/categories", MANAGER, body={"name": "Other", "slug": "shoes"})
    assert response["statusCode"] == 409


def test_customer_is_refused_when_creating_a_category() -> None:
    response = call("POST", "/v1/categories", CUSTOMER, body={"name": "Shoes", "slug": "shoes"})
    assert response["statusCode"] == 403


def test_move_is_refused_when_under_its_own_descendant() -> None:
    root = create_category("Clothing")
    child = create_category("Shoes", root["id"])
    grandchild = create_category("Trail", child["id"])
    for target in (grandchild["id"], root["id"]):
        response = call("PATCH", f"/v1/categories/{root['id']}", MANAGER, body={"parent_id": target})
        assert response["statusCode"] == 409, response


def test_move_updates_parents_and_counters_when_allowed() -> None:
    first, second = create_category("Clothing"), create_category("Gear")
    child = create_category("Shoes", first["id"])
    response = call(
        "PATCH", f"/v1/categories/{child['id']}", MANAGER, body={"parent_id": second["id"], "name": "Boots"}
    )
    assert response["statusCode"] == 200, response
    assert body_of(response)["ancestors"][0]["id"] == second["id"]
    assert call("DELETE", f"/v1/categories/{first['id']}", MANAGER)["statusCode"] == 204
    assert call("DELETE", f"/v1/categories/{second['id']}", MANAGER)["statusCode"] == 409
    to_root = call("PATCH", f"/v1/categories/{child['id']}", MANAGER, body={"parent_id": None, "slug": "boots"})
    assert body_of(to_root)["parent_id"] is None
    assert call("DELETE", f"/v1/categories/{second['id']}", MANAGER)["statusCode"] == 204
    assert call("POST", "/v1/categories", MANAGER, body={"name": "Shoes", "slug": "shoes"})["statusCode"] == 201


def test_delete_is_refused_when_the_category_has_children_or_products() -> None:
    root = create_category("Clothing")
    child = create_category("Shoes", root["id"])
    assert call("DELETE", f"/v1/categories/{root['id']}", MANAGER)["statusCode"] == 409
    product = create_product(child["id"])
    response = call("DELETE", f"/v1/categories/{child['id']}", MANAGER)
    assert response["statusCode"] == 409
    assert problem(response)["product_count"] == 1
    assert call("DELETE", f"/v1/products/{product['id']}", MANAGER)["statusCode"] == 204
    assert call("DELETE", f"/v1/categories/{child['id']}", MANAGER)["statusCode"] == 204
    assert call("DELETE", f"/v1/categories/{root['id']}", MANAGER)["statusCode"] == 204
    assert call("GET", f"/v1/categories/{root['id']}")["statusCode"] == 404


def test_get_answers_304_when_if_none_match_holds_the_etag() -> None:
    create_category("Clothing")
    first = call("GET", "/v1/categories")
    etag = first["headers"]["ETag"]
    assert first["headers"]["Cache-Control"].startswith("public, max-age=")
    again = call("GET", "/v1/categories", headers={"If-None-Match": etag})
    assert again["statusCode"] == 304
    assert not again.get("body")
    assert again["headers"]["ETag"] == etag
    create_category("Books")
    assert call("GET", "/v1/categories", headers={"If-None-Match": etag})["statusCode"] == 200


def test_only_one_of_two_crossing_moves_wins_when_they_race() -> None:
    first, second = create_category("Clothing"), create_category("Gear")
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def move(category: dict[str, str], parent: dict[str, str]) -> None:
        barrier.wait()
        path = f"/v1/categories/{category['id']}"
        statuses.append(call("PATCH", path, MANAGER, body={"parent_id": parent["id"]})["statusCode"])

    with serializable_moto_writes():
        threads = [threading.Thread(target=move, args=pair) for pair in ((first, second), (second, first))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [200, 409]
    tree = body_of(call("GET", "/v1/categories"))
    assert len(tree) == 1
    assert len(tree[0]["children"]) == 1


def test_category_is_refused_when_it_would_nest_deeper_than_the_limit() -> None:
    parent = None
    for level in range(8):
        parent = create_category(f"Level {level}", parent["id"] if parent else None)
    assert parent is not None
    deeper = call("POST", "/v1/categories", MANAGER, body={"name": "Nine", "slug": "nine", "parent_id": parent["id"]})
    assert deeper.get("statusCode") == 422
    other = create_category("Other")
    create_category("Other child", other["id"])
    moved = call("PATCH", f"/v1/categories/{other['id']}", MANAGER, body={"parent_id": parent["id"]})
    assert moved["statusCode"] == 422


def test_write_is_refused_when_the_parent_or_slug_is_wrong() -> None:
    unknown = call("POST", "/v1/categories", MANAGER, body={"name": "A", "slug": "a", "parent_id": "NOPE"})
    assert problem(unknown)["errors"][0]["loc"] == ["body", "parent_id"]
    first, second = create_category("Shoes"), create_category("Boots")
    taken = call("PATCH", f"/v1/categories/{second['id']}", MANAGER, body={"slug": first["slug"]})
    assert taken["statusCode"] == 409
    renamed = call("PATCH", f"/v1/categories/{second['id']}", MANAGER, body={"slug": "wellies", "name": None})
    assert renamed["statusCode"] == 422
    assert call("PATCH", "/v1/categories/NOPE", MANAGER, body={"name": "x"})["statusCode"] == 404
    assert call("DELETE", "/v1/categories/NOPE", MANAGER)["statusCode"] == 404
    invalid = {"name": "A", "slug": "a", "attributes": {"size": {"type": "number", "values": ["40"]}}}
    assert call("POST", "/v1/categories", MANAGER, body=invalid)["statusCode"] == 422


def test_an_unknown_parent_is_reported_with_the_other_errors_when_the_body_is_invalid() -> None:
    body = {"name": "A", "slug": "Not A Slug", "parent_id": "NOPE"}
    created = call("POST", "/v1/categories", MANAGER, body=body)
    assert created["statusCode"] == 422
    assert sorted(error["loc"] for error in problem(created)["errors"]) == [["body", "parent_id"], ["body", "slug"]]
    category = create_category("Shoes")
    moved = call("PATCH", f"/v1/categories/{category['id']}", MANAGER, body={"name": None, "parent_id": "NOPE"})
    assert moved["statusCode"] == 422
    assert sorted(error["loc"] for error in problem(moved)["errors"]) == [["body", "name"], ["body", "parent_id"]]
