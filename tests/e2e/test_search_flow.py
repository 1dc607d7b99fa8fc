"""Search over HTTP against `make dev` with a seeded catalog: relevance, facets, filters, sorts,
paging, and freshness — a change reaches search through the relay, the bus, the indexer's
queue and a new index version, without a restart. Waits are bounded polls, never sleeps.

Other tests share the session's table, so assertions check what each result must satisfy
rather than exact lists, except for products this module creates with unique names.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from devkit import seed
from devkit.localrun.testing import wait_until
from devkit.template import ROOT
from tests.e2e.local_api import ADMIN_EMAIL, ADMIN_PASSWORD, REQUEST_TIMEOUT_S, LocalApi

pytestmark = pytest.mark.e2e

SEEDED = 28
SEED = 11
# Seed 11's first 28 products (devkit/catalog_generator.py) hold 9 in Home & Kitchen, two
# Chelsea boots, two cleansers ("Crème cleanser", "Rose cleanser") and suede shoes.
FRESHNESS_S = 30.0  # relay (stream) → bus → queue (batching window) → indexer → S3 → search's ETag check


def get(api: LocalApi, path: str, params: Any = None, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(api.url + path, params=params, headers=headers, timeout=REQUEST_TIMEOUT_S)


def send(api: LocalApi, method: str, path: str, token: str, body: Any) -> requests.Response:
    return requests.request(
        method, api.url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=REQUEST_TIMEOUT_S
    )


def page(api: LocalApi, params: Any) -> dict[str, Any]:
    response = get(api, "/v1/products", params)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture(scope="module")
def manager(local_api: LocalApi) -> str:
    signed_in = requests.post(
        local_api.url + "/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=REQUEST_TIMEOUT_S,
    )
    assert signed_in.status_code == 200, signed_in.text
    return str(signed_in.json()["access_token"])


@pytest.fixture(scope="module")
def seeded(local_api: LocalApi, manager: str) -> dict[str, Any]:
    """The demo catalog (no images), and the search index once it holds every seeded product."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_ADMIN_EMAIL", ADMIN_EMAIL)
        patch.setenv("LOCAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        summary = seed.run(seed.local_target(local_api.data_dir), products=SEEDED, seed=SEED, images=False, workers=4)
    categories = {node["slug"]: node for node in flatten(get(local_api, "/v1/categories").json())}
    waiting = set(summary.products_created)
    assert len(waiting) == SEEDED  # a fresh store: each seeded product is new

    def indexed() -> bool:  # each seeded product is found by its name (other tests add products too)
        for product_id in sorted(waiting):
            shown = get(local_api, f"/v1/products/{product_id}").json()
            found = page(local_api, {"q": shown["name"], "limit": 100, "facets": "false"})["items"]
            if product_id not in {item["id"] for item in found}:
                return False
            waiting.discard(product_id)
        return True

    wait_until(indexed, timeout_s=FRESHNESS_S, interval_s=0.5, what="the seeded catalog in search")
    return categories


def flatten(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [found for node in nodes for found in (node, *flatten(node["children"]))]


def subtree(categories: dict[str, Any], slug: str) -> set[str]:
    return {node["id"] for node in flatten([categories[slug]])}


def test_a_text_query_returns_relevant_products_first_with_facets(local_api: LocalApi, seeded: dict[str, Any]) -> None:
    result = page(local_api, {"q": "chelsea boot"})  # seed 11 has two Chelsea boots
    assert len(result["items"]) >= 2
    assert all("Chelsea boot" in item["name"] for item in result["items"][:2])
    assert result["facets"]["brand"]
    assert result["facets"]["price"]["min"] <= result["facets"]["price"]["max"]
    assert sum(result["facets"]["category"].values()) == result["total"]
    names = [item["name"] for item in page(local_api, {"q": "rose clea"})["items"]]  # the last word is a prefix
    assert "Rose cleanser" in names
    cremes = [item["name"] for item in page(local_api, {"q": "CREME cleanser"})["items"]]  # accents and case folded
    assert "Crème cleanser" in cremes


def test_each_filter_narrows_and_each_sort_orders(local_api: LocalApi, seeded: dict[str, Any]) -> None:
    shoes = subtree(seeded, "shoes")
    in_shoes = page(local_api, {"category_id": seeded["shoes"]["id"], "limit": 100})
    assert in_shoes["items"]
    assert all(item["category_id"] in shoes for item in in_shoes["items"])
    priced = page(local_api, {"min_price": 10000, "max_price": 20000, "limit": 100})
    assert all(10000 <= item["price"] <= 20000 for item in priced["items"])
    brand = next(iter(in_shoes["facets"]["brand"]))
    branded = page(local_api, {"brand": brand.upper(), "limit": 100})
    assert branded["items"]
    assert all(item["brand"].casefold() == brand.casefold() for item in branded["items"])
    stocked = page(local_api, {"in_stock": "true", "limit": 100})
    assert all(item["in_stock"] for item in stocked["items"])
    suede = page(local_api, [("attr.material", "suede"), ("limit", "100")])
    assert suede["items"]
    assert all(item["attributes"]["material"] == "suede" for item in suede["items"])
    ascending = [item["price"] for item in page(local_api, {"sort": "price_asc", "limit": 50})["items"]]
    assert ascending == sorted(ascending)
    descending = [item["price"] for item in page(local_api, {"sort": "price_desc", "limit": 50})["items"]]
    assert descending == sorted(descending, reverse=True)
    newest = [item["created_at"] for item in page(local_api, {"limit": 50})["items"]]
    assert newest == sorted(newest, reverse=True)


def test_an_option_filter_finds_products_with_a_variant_of_that_option(
    local_api: LocalApi, seeded: dict[str, Any]
) -> None:
    sizes = page(local_api, {"limit": 1})["facets"]["option.size"]  # seed 11 has clothing and shoes in sizes
    size, count = next(iter(sizes.items()))
    sized = page(local_api, [("option.size", size), ("limit", "100"), ("facets", "false")])
    assert sized["total"] == count
    for item in sized["items"][:5]:
        variants = get(local_api, f"/v1/products/{item['id']}").json()["variants"]
        assert size in {variant["options"].get("size") for variant in variants}
    refused = get(local_api, "/v1/products", {"option.shoe_width": "wide"})
    assert refused.status_code == 422, refused.text


def test_paging_returns_every_match_exactly_once(local_api: LocalApi, seeded: dict[str, Any]) -> None:
    params: dict[str, Any] = {"category_id": seeded["home-kitchen"]["id"], "sort": "price_asc", "limit": 3}
    first = page(local_api, params)
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        following = page(local_api, {**params, "cursor": cursor, "facets": "false"})
        seen += [item["id"] for item in following["items"]]
        cursor = following["next_cursor"]
    assert len(seen) == len(set(seen)) == first["total"]


def test_bad_input_is_refused_with_a_problem(local_api: LocalApi, seeded: dict[str, Any]) -> None:
    for params, status in (
        ({"q": '"*"'}, 422),
        ({"sort": "cheapest"}, 422),
        ({"limit": 101}, 422),
        ({"cursor": "forged"}, 400),
    ):
        response = get(local_api, "/v1/products", params)
        assert response.status_code == status, (params, response.text)
        assert response.headers["Content-Type"] == "application/problem+json"
    assert get(local_api, "/v1/products", {"q": 'NEAR("trail" -runner*'}).status_code == 200


def test_a_product_change_appears_in_search_without_a_restart(
    local_api: LocalApi, seeded: dict[str, Any], manager: str
) -> None:
    word = f"zq{uuid.uuid4().hex[:10]}"  # a word no other product has
    sku = f"FRESH-{word}"
    body = {
        "name": f"Fresh {word} Lamp",
        "description": "Made for the freshness test.",
        "category_id": seeded["home-kitchen-decor-lamps-table-lamps"]["id"],
        "brand": "Halden",
        "price": 4999,
        "currency": "USD",
        "attributes": {"material": "oak"},
        "tags": ["lamp"],
        "status": "active",
        "variants": [{"sku": sku, "options": {"colour": "red"}, "initial_stock": 2}],
    }
    created = send(local_api, "POST", "/v1/products", manager, body)
    assert created.status_code == 201, created.text
    product_id = created.json()["id"]

    def hits(**params: Any) -> list[dict[str, Any]]:
        return list(page(local_api, {"q": word, **params})["items"])

    wait_until(lambda: hits(), timeout_s=FRESHNESS_S, interval_s=0.25, what="a new product in search")
    renamed = send(local_api, "PATCH", f"/v1/products/{product_id}", manager, {"name": f"Renamed {word} Light"})
    assert renamed.status_code == 200, renamed.text
    wait_until(
        lambda: [item for item in hits() if item["name"].startswith("Renamed")],
        timeout_s=FRESHNESS_S,
        interval_s=0.25,
        what="a renamed product in search",
    )
    sold_out = send(local_api, "POST", f"/v1/inventory/{sku}/adjustments", manager, {"delta": -2, "reason": "sold"})
    assert sold_out.status_code == 200, sold_out.text
    wait_until(lambda: not hits(in_stock="true"), timeout_s=FRESHNESS_S, interval_s=0.25, what="sold out in search")
    assert hits()[0]["in_stock"] is False
    archived = requests.delete(
        f"{local_api.url}/v1/products/{product_id}",
        headers={"Authorization": f"Bearer {manager}"},
        timeout=REQUEST_TIMEOUT_S,
    )
    assert archived.status_code == 204, archived.text
    wait_until(lambda: not hits(), timeout_s=FRESHNESS_S, interval_s=0.25, what="an archived product out of search")


def test_the_rebuild_command_republishes_the_index_from_the_table(local_api: LocalApi, seeded: dict[str, Any]) -> None:
    before = page(local_api, {"category_id": seeded["home-kitchen"]["id"], "limit": 100})
    command = [sys.executable, "-m", "devkit.search_rebuild", "--data-dir", str(local_api.data_dir), "--wait", "60"]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.startswith("search index rebuilt: ")
    after = page(local_api, {"category_id": seeded["home-kitchen"]["id"], "limit": 100})
    assert after["total"] == before["total"]
    assert {item["id"] for item in after["items"]} == {item["id"] for item in before["items"]}


def test_a_new_stores_first_search_answers_200_when_the_runtime_says_ready(
    launch: Callable[[dict[str, str]], LocalApi],
) -> None:
    fresh = launch({})  # an empty data directory: no table items, no index yet

    response = fresh.get("/v1/products")

    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
