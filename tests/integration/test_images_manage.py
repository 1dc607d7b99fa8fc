"""Product images after upload: what staff and customers see, alt text and order (position is a sort key), removal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storefront.domain import clock
from storefront.domain.catalog import images
from tests.aws_fixtures import MOTO
from tests.integration.catalog_calls import (
    CUSTOMER,
    MANAGER,
    body_of,
    call,
    create_category,
    create_product,
    manager_token,
)
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


@pytest.fixture
def mixed(gallery: tuple[str, list[str]]) -> tuple[str, list[str], str, str]:
    """The gallery, plus one image still pending and one whose upload was refused."""
    product_id, ready = gallery
    pending = start_upload(product_id)["image_id"]
    refused = start_upload(product_id)
    assert deliver(upload(refused, b"GIF89a not really"))[0]["outcome"] == "failed"
    return product_id, ready, pending, refused["image_id"]


def image_path(product_id: str, image_id: str) -> str:
    return f"/v1/products/{product_id}/images/{image_id}"


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


def test_manager_sees_pending_and_failed_images_with_the_reason_when_the_product_is_read(
    mixed: tuple[str, list[str], str, str],
) -> None:
    product_id, ready, pending, failed = mixed

    response = call("GET", f"/v1/products/{product_id}", headers={"Authorization": f"Bearer {manager_token()}"})

    assert response["statusCode"] == 200
    assert response["headers"]["Cache-Control"] == "private, no-store"  # never the public's cached copy
    seen = {image["id"]: image for image in body_of(response)["images"]}
    assert {image_id: image["status"] for image_id, image in seen.items()} == {
        **dict.fromkeys(ready, "ready"),
        pending: "pending",
        failed: "failed",
    }
    assert seen[failed]["failure_reason"].startswith("not a JPEG, PNG or WebP image")
    assert seen[pending]["failure_reason"] is None
    assert [seen[image_id]["position"] for image_id in [*ready, pending, failed]] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("principal", [None, CUSTOMER], ids=["anonymous", "customer"])
def test_customers_see_only_ready_images_when_others_are_pending_or_failed(
    mixed: tuple[str, list[str], str, str], principal: tuple[str, str] | None
) -> None:
    product_id, ready, _, _ = mixed

    response = call("GET", f"/v1/products/{product_id}", principal)

    assert response["statusCode"] == 200
    assert response["headers"]["Cache-Control"].startswith("public")
    assert [(image["id"], image["status"], image["failure_reason"]) for image in body_of(response)["images"]] == [
        (image_id, "ready", None) for image_id in ready
    ]


def test_one_image_is_answered_with_its_status_when_a_manager_asks(mixed: tuple[str, list[str], str, str]) -> None:
    product_id, (first, *_), pending, failed = mixed

    answers = {image_id: call_images("GET", image_path(product_id, image_id)) for image_id in (first, pending, failed)}

    assert {response["statusCode"] for response in answers.values()} == {200}
    assert {response["headers"]["Cache-Control"] for response in answers.values()} == {"private, no-store"}
    ready, waiting, refused = (json.loads(answers[image_id]["body"]) for image_id in (first, pending, failed))
    assert (ready["id"], ready["status"], ready["failure_reason"]) == (first, "ready", None)
    assert (ready["content_type"], ready["filename"], ready["alt"]) == ("image/png", "front.png", "Front")
    assert ready["created_at"].endswith("Z")
    assert (waiting["status"], waiting["failure_reason"]) == ("pending", None)
    assert (refused["status"], refused["failure_reason"]) == ("failed", "not a JPEG, PNG or WebP image")


def test_a_pending_image_is_failed_as_never_uploaded_when_a_manager_looks_an_hour_later(
    mixed: tuple[str, list[str], str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    product_id, _, pending, _ = mixed
    later = clock.now() + images.STALE_PENDING_S
    monkeypatch.setattr(clock, "now", lambda: later)

    image = json.loads(call_images("GET", image_path(product_id, pending))["body"])

    assert (image["status"], image["failure_reason"]) == ("failed", images.NEVER_CHECKED)
    staff = call("GET", f"/v1/products/{product_id}", headers={"Authorization": f"Bearer {manager_token()}"})
    assert {entry["id"]: entry["status"] for entry in body_of(staff)["images"]}[pending] == "failed"


def test_one_image_is_404_when_the_image_or_the_product_is_unknown(gallery: tuple[str, list[str]]) -> None:
    product_id, (first, second, _) = gallery
    assert call_images("DELETE", image_path(product_id, second))["statusCode"] == 204

    for path in (
        image_path(product_id, "01UNKNOWNIMAGE0000000000000"),
        image_path("01UNKNOWNPRODUCT00000000000", first),
        image_path(product_id, second),  # deleted
    ):
        response = call_images("GET", path)
        assert response["statusCode"] == 404, path
        assert response["headers"]["Content-Type"] == "application/problem+json"


def test_one_image_is_refused_when_the_caller_is_anonymous_or_a_customer(gallery: tuple[str, list[str]]) -> None:
    product_id, (first, *_) = gallery
    path = image_path(product_id, first)

    assert call_images("GET", path, None)["statusCode"] == 401
    assert call_images("GET", path, CUSTOMER)["statusCode"] == 403
    assert call_images("GET", path, MANAGER)["statusCode"] == 200
