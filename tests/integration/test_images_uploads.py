"""Product image uploads: registration and presigned POST, then the image function's verdict."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from storefront.data import images as image_repository
from storefront.data.outbox import OutboxItem
from storefront.domain import clock
from storefront.domain.catalog import images
from storefront.domain.catalog.images import MAX_IMAGES, MAX_UPLOAD_BYTES
from tests.aws_fixtures import MOTO
from tests.integration.catalog_calls import CUSTOMER, MANAGER, body_of, call, create_category, create_product
from tests.integration.images_calls import (
    BUCKET,
    call_images,
    create_bucket,
    deliver,
    keys_in_bucket,
    png,
    product_images,
    start_upload,
    upload,
)
from tests.integration.principals import ensure_user, sample_principal
from tests.support import FakeContext, problem, sample_event

pytestmark = pytest.mark.usefixtures("aws")
moto_only = pytest.mark.parametrize("aws", [MOTO], indirect=True)  # S3 work: DynamoDB Local adds nothing


@pytest.fixture
def product() -> dict[str, Any]:
    create_bucket()
    return create_product(create_category("Shoes")["id"], "SHOE-1")


def shown(product_id: str) -> list[dict[str, Any]]:
    return list(body_of(call("GET", f"/v1/products/{product_id}"))["images"])


def image_events() -> list[dict[str, Any]]:
    envelopes = [json.loads(item.envelope) for item in OutboxItem.scan(consistent_read=True)]
    return [e for e in envelopes if e["type"] == "product.updated" and e["data"]["change"].startswith("image_")]


def test_upload_is_a_presigned_post_of_the_exact_type_and_size_when_a_manager_starts_it(
    product: dict[str, Any],
) -> None:
    started = start_upload(product["id"], "image/webp")

    fields = started["upload"]["fields"]
    assert fields["key"] == f"uploads/{product['id']}/{started['image_id']}"
    assert fields["Content-Type"] == "image/webp"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert {"Content-Type": "image/webp"} in policy["conditions"]
    assert ["content-length-range", 1, MAX_UPLOAD_BYTES] in policy["conditions"]
    assert {"bucket": BUCKET} in policy["conditions"]
    expires = time.mktime(time.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert 290 <= expires - time.time() <= 301
    assert started["url"] == f"https://cdn.example.test/images/{product['id']}/{started['image_id']}/1024.webp"
    assert shown(product["id"]) == []  # pending: not on the product yet


@pytest.mark.parametrize("content_type", ["image/gif", "text/plain", "image/svg+xml"])
def test_upload_is_refused_when_the_type_is_not_jpeg_png_or_webp(product: dict[str, Any], content_type: str) -> None:
    body = {"content_type": content_type, "filename": "x", "alt": None}
    response = call_images("POST", f"/v1/products/{product['id']}/images", body=body)
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"][-1] == "content_type"


def test_upload_is_forbidden_when_the_caller_is_a_customer(product: dict[str, Any]) -> None:
    body = {"content_type": "image/png", "filename": "x.png"}
    assert call_images("POST", f"/v1/products/{product['id']}/images", CUSTOMER, body=body)["statusCode"] == 403


def test_upload_is_not_found_when_the_product_is_unknown_or_archived(product: dict[str, Any]) -> None:
    body = {"content_type": "image/png", "filename": "x.png"}
    assert call_images("POST", "/v1/products/NOPE/images", body=body)["statusCode"] == 404
    assert call("DELETE", f"/v1/products/{product['id']}", MANAGER)["statusCode"] == 204
    assert call_images("POST", f"/v1/products/{product['id']}/images", body=body)["statusCode"] == 404


def test_upload_is_a_conflict_when_the_product_has_the_most_images(
    product: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "MAX_IMAGES", 3)  # the same rule as 20, in fewer requests
    for _ in range(3):
        start_upload(product["id"])
    body = {"content_type": "image/png", "filename": "x.png"}
    response = call_images("POST", f"/v1/products/{product['id']}/images", body=body)
    assert response["statusCode"] == 409, response


@moto_only
def test_image_is_shown_with_its_variants_when_the_uploaded_png_is_checked(product: dict[str, Any]) -> None:
    assert MAX_IMAGES == 20
    first, second = start_upload(product["id"], alt="Front"), start_upload(product["id"], alt="Side")

    key = upload(second, png((1600, 900)))
    assert deliver(key) == [{"key": key, "outcome": "ready"}]
    upload(first, png())
    deliver(first["upload"]["fields"]["key"])

    images = shown(product["id"])
    assert [(image["id"], image["alt"], image["position"]) for image in images] == [
        (first["image_id"], "Front", 0),
        (second["image_id"], "Side", 1),
    ]
    assert images[1]["url"] == second["url"]
    pid, sid = product["id"], second["image_id"]
    assert f"images/{pid}/{sid}/320.webp" in keys_in_bucket()
    assert f"images/{pid}/{sid}/1024.webp" in keys_in_bucket()
    assert not [name for name in keys_in_bucket() if name.startswith("uploads/")]
    assert sorted(event["data"]["image_id"] for event in image_events()) == sorted([sid, first["image_id"]])


@moto_only
def test_upload_is_deleted_and_never_shown_when_a_text_file_is_declared_as_png(product: dict[str, Any]) -> None:
    started = start_upload(product["id"])
    key = upload(started, b"<?php echo 'not an image'; ?>\n")

    assert deliver(key) == [{"key": key, "outcome": "failed"}]

    assert keys_in_bucket() == []
    assert shown(product["id"]) == []
    assert image_events() == []
    # Staff see it, failed, and why.
    staff = call("GET", f"/v1/products/{product['id']}", headers={}, principal=MANAGER)
    [failed] = body_of(staff)["images"]
    assert (failed["id"], failed["status"]) == (started["image_id"], "failed")
    assert failed["failure_reason"].startswith("not a JPEG, PNG or WebP image")


@moto_only
def test_upload_is_rejected_when_it_is_over_the_size_limit(product: dict[str, Any]) -> None:
    started = start_upload(product["id"])
    key = upload(started, png() + b"\0" * MAX_UPLOAD_BYTES)

    assert deliver(key) == [{"key": key, "outcome": "failed"}]
    assert keys_in_bucket() == []
    refused = image_repository.get_image(product["id"], started["image_id"])
    assert refused is not None
    size = len(png()) + MAX_UPLOAD_BYTES
    assert refused.failure_reason == f"the file is {size} bytes; it must be 1 to {MAX_UPLOAD_BYTES} bytes"


@moto_only
def test_redelivered_notification_changes_nothing_when_the_image_was_processed(product: dict[str, Any]) -> None:
    started = start_upload(product["id"])
    key = upload(started, png())
    deliver(key)
    before = body_of(call("GET", f"/v1/products/{product['id']}"))

    assert deliver(key) == [{"key": key, "outcome": "skipped"}]

    assert body_of(call("GET", f"/v1/products/{product['id']}")) == before
    assert len(image_events()) == 1


@moto_only
def test_failed_uploads_do_not_count_when_the_limit_is_checked(
    product: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "MAX_IMAGES", 2)
    for _ in range(2):
        started = start_upload(product["id"])
        key = upload(started, b"not an image")
        assert deliver(key) == [{"key": key, "outcome": "failed"}]
    assert start_upload(product["id"])["image_id"]  # 201, not 409: the failed ones were released


def test_uploads_pending_for_an_hour_are_marked_failed_and_stop_counting_when_the_limit_is_checked(
    product: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "MAX_IMAGES", 2)
    abandoned = [start_upload(product["id"]) for _ in range(2)]  # never uploaded
    body = {"content_type": "image/png", "filename": "x.png"}
    assert call_images("POST", f"/v1/products/{product['id']}/images", body=body)["statusCode"] == 409
    later = clock.now() + images.STALE_PENDING_S
    monkeypatch.setattr(clock, "now", lambda: later)

    assert call_images("POST", f"/v1/products/{product['id']}/images", body=body)["statusCode"] == 201
    statuses = {image.id: image.status for image in image_repository.list_images(product["id"])}
    assert [statuses[started["image_id"]] for started in abandoned] == ["failed", "failed"]


@moto_only
def test_notification_is_ignored_when_the_key_is_not_an_upload(product: dict[str, Any]) -> None:
    assert deliver("elsewhere/file.png") == [{"key": "elsewhere/file.png", "outcome": "skipped"}]


def test_sample_upload_request_replays_when_its_product_exists(product: dict[str, Any]) -> None:
    event = sample_event("product_images", "create-image")
    ensure_user(sample_principal("product_images", "create-image"))
    path = f"/v1/products/{product['id']}/images"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["routeKey"] = event["requestContext"]["routeKey"] = f"POST {path}"

    response = product_images.lambda_handler(event, FakeContext())

    assert response["statusCode"] == 201, response
    assert json.loads(response["body"])["upload"]["fields"]["Content-Type"] == "image/png"
