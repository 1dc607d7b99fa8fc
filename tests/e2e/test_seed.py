"""`make seed` against the session's runtime: the demo catalog through the HTTP API, public
afterwards, images included, and nothing added by a second run."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from devkit import seed
from devkit.localrun.testing import wait_until
from devkit.seed_api import Api
from devkit.seed_catalog import categories_of, demo_products
from tests.e2e.local_api import ADMIN_EMAIL, ADMIN_PASSWORD, LocalApi

pytestmark = pytest.mark.e2e

PRODUCTS = 12


@pytest.fixture
def local_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed signs in as the runtime's local admin, read from the same variables."""
    monkeypatch.setenv("LOCAL_ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("LOCAL_ADMIN_PASSWORD", ADMIN_PASSWORD)


def _slug_paths(nodes: list[dict[str, Any]], above: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    paths = set()
    for node in nodes:
        path = (*above, node["slug"])
        paths |= {path} | _slug_paths(node["children"], path)
    return paths


def test_seed_loads_a_public_catalog_with_images_and_adds_nothing_when_run_again(
    local_api: LocalApi, local_admin: None, capsys: pytest.CaptureFixture[str]
) -> None:
    first = seed.run(seed.local_target(local_api.data_dir), products=PRODUCTS, seed=7, workers=4)

    categories = categories_of(demo_products(PRODUCTS, 7))  # the products' categories and their ancestors
    assert first.categories_created + first.categories_existing == len(categories)
    assert (len(first.products_created), first.products_existing, first.images_skipped) == (PRODUCTS, 0, None)
    assert first.images == PRODUCTS
    paths = _slug_paths(local_api.get("/v1/categories").json())
    assert {
        ("shoes", "shoes-men-s-shoes", "shoes-men-s-shoes-boots", "shoes-men-s-shoes-boots-hiking-boots"),
        ("beauty-health", "beauty-health-skincare", "beauty-health-skincare-serums"),
    } <= paths
    specs = {spec.skus[0]: spec for spec in demo_products(PRODUCTS, 7)}
    shown = [local_api.get(f"/v1/products/{product_id}") for product_id in first.products_created]
    assert {answer.status_code for answer in shown} == {200}
    for answer in shown:
        body = answer.json()
        assert body["status"] == "active"
        skus = [variant["sku"] for variant in body["variants"]]
        assert skus == specs[skus[0]].skus
    assert first.variants == sum(len(spec.skus) for spec in specs.values())

    def with_images() -> bool:
        return all(local_api.get(f"/v1/products/{pid}").json()["images"] for pid in first.products_created)

    wait_until(with_images, timeout_s=30, interval_s=0.3, what="every seeded product shows its image")

    again = ["--data-dir", str(local_api.data_dir), "--products", str(PRODUCTS), "--seed", "7", "--workers", "4"]
    assert seed.main(again) == 0

    out = capsys.readouterr().out
    assert f"categories: 0 created, {len(categories)} already there" in out
    assert f"products:   0 created, {PRODUCTS} already there" in out
    assert "images:     0 uploaded" in out


def test_seed_skips_images_with_a_warning_when_the_images_route_is_missing(
    local_api: LocalApi, local_admin: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_request = Api.request

    def without_images(api: Api, method: str, path: str, body: Any = None, *, auth: bool = True) -> Any:
        if path.endswith("/images"):
            missing = requests.Response()
            missing.status_code = 404
            return missing
        return real_request(api, method, path, body, auth=auth)

    monkeypatch.setattr(Api, "request", without_images)

    summary = seed.run(seed.local_target(local_api.data_dir), products=2, seed=8, workers=2)

    assert (len(summary.products_created), summary.images) == (2, 0)
    assert summary.images_skipped is not None
    assert "404" in summary.images_skipped
    assert "warning: images skipped" in capsys.readouterr().err
