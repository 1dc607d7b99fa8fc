"""Product images after upload: alt text and order (position is a sort key), removal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws_fixtures import MOTO
from tests.integration.catalog_calls import CUSTOMER, body_of, call, create_category, create_product
from tests.integration.images_calls import (
    call_images,
    create_bucket,
    deliver,
    keys_in_bucket,
    png,
    start_upload,
    upload,
)

pytestmark = [pytest.mark.usefixtures("aws"), pytest.mark.parametrize("aws", [MOTO], indirect=True)]


@pytest.fixture
def gallery() -> tuple[str, list[str]]:
    """A product with three ready images, at positions 0, 1, 2."""
    create_bucket()
    product_id = create_product(create_category("Shoes")["id"], "SHOE-1")["id"]
    ids = []
    for _ in range(3):
        started = start_upload(product_id)
        deliver(upload(started, png()))
        ids.append(started["image_id"])
    return product_id, ids


def shown(product_id: str) -> list[dict[str, Any]]:
    return list(body_of(call("GET", f"/v1/products/{product_id}"))["images"])


def patch(product_id: str, image_id: str, body: dict[str, Any], principal: Any = None) -> dict[str, Any]:
    path = f"/v1/products/{product_id}/images/{image_id}"
    return (
        call_images("PATCH", path, body=body) if principal is None else call_images("PATCH", path, principal, body=body)
    )


def test_images_are_ordered_by_position_then_id_when_reordered(gallery: tuple[str, list[str]]) -> None:
    product_id, (first, second, third) = gallery

    moved = patch(product_id, third, {"position": 0, "alt": "Top view"})

    assert moved["statusCode"] == 200, moved
    assert json.loads(moved["body"])["status"] == "ready"
    # Positions are sort keys: the others keep theirs; a tie is ordered by id.
    assert [(image["id"], image["position"]) for image in shown(product_id)] == [(first, 0), (third, 0), (second, 1)]
    assert shown(product_id)[1]["alt"] == "Top view"


def test_alt_is_cleared_when_patched_with_null(gallery: tuple[str, list[str]]) -> None:
    product_id, (first, *_) = gallery
    assert patch(product_id, first, {"alt": None})["statusCode"] == 200
    assert shown(product_id)[0]["alt"] is None


@pytest.mark.parametrize("body", [{"position": None}, {"position": "1"}, {"position": -1}, {"url": "x"}])
def test_patch_is_refused_when_the_body_is_invalid(gallery: tuple[str, list[str]], body: dict[str, Any]) -> None:
    product_id, (first, *_) = gallery
    assert patch(product_id, first, body)["statusCode"] == 422


def test_image_is_removed_with_its_files_when_deleted(gallery: tuple[str, list[str]]) -> None:
    product_id, (first, second, third) = gallery

    response = call_images("DELETE", f"/v1/products/{product_id}/images/{second}")

    assert response["statusCode"] == 204
    assert [image["id"] for image in shown(product_id)] == [first, third]
    assert not [key for key in keys_in_bucket() if f"/{second}/" in key]
    assert call_images("DELETE", f"/v1/products/{product_id}/images/{second}")["statusCode"] == 404
    assert patch(product_id, second, {"alt": "gone"})["statusCode"] == 404


def test_image_changes_are_forbidden_when_the_caller_is_a_customer(gallery: tuple[str, list[str]]) -> None:
    product_id, (first, *_) = gallery
    assert patch(product_id, first, {"position": 3}, CUSTOMER)["statusCode"] == 403
    path = f"/v1/products/{product_id}/images/{first}"
    assert call_images("DELETE", path, CUSTOMER)["statusCode"] == 403


def test_upload_for_a_deleted_image_is_discarded_when_it_arrives_late(gallery: tuple[str, list[str]]) -> None:
    product_id, _ = gallery
    started = start_upload(product_id)
    assert call_images("DELETE", f"/v1/products/{product_id}/images/{started['image_id']}")["statusCode"] == 204
    key = upload(started, png())

    assert deliver(key) == [{"key": key, "outcome": "skipped"}]
    assert key not in keys_in_bucket()
