"""Product images in tests: the routes, a simulated browser upload, and S3's notification."""

from __future__ import annotations

import io
import json
import os
from typing import Any

import boto3
from PIL import Image

from devkit.functions import load_handler_module
from tests.integration.catalog_calls import MANAGER
from tests.integration.principals import ensure_user
from tests.support import FakeContext, http_event, sample_event

product_images = load_handler_module("functions/product_images")
image_function = load_handler_module("functions/images")
BUCKET = os.environ["IMAGES_BUCKET"]


def call_images(
    method: str, path: str, principal: tuple[str, str] | None = MANAGER, *, body: Any = None
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, body=body, principal=principal)
    return dict(product_images.lambda_handler(event, FakeContext()))


def png(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def create_bucket() -> None:
    boto3.client("s3").create_bucket(Bucket=BUCKET)


def start_upload(product_id: str, content_type: str = "image/png", alt: str | None = "Front") -> dict[str, Any]:
    body = {"content_type": content_type, "filename": "front.png", "alt": alt}
    response = call_images("POST", f"/v1/products/{product_id}/images", body=body)
    assert response["statusCode"] == 201, response
    return dict(json.loads(response["body"]))


def upload(started: dict[str, Any], data: bytes) -> str:
    """What the browser's form POST leaves in the bucket (moto checks no presign condition)."""
    fields = started["upload"]["fields"]
    boto3.client("s3").put_object(Bucket=BUCKET, Key=fields["key"], Body=data, ContentType=fields["Content-Type"])
    return str(fields["key"])


def s3_notification(key: str, size: int = 1024) -> dict[str, Any]:
    """events/images/upload-png.json for this key, encoded as S3 encodes keys."""
    event = sample_event("images", "upload-png")
    record = event["Records"][0]["s3"]
    record["bucket"]["name"], record["bucket"]["arn"] = BUCKET, f"arn:aws:s3:::{BUCKET}"
    record["object"]["key"], record["object"]["size"] = key.replace(" ", "+"), size
    return event


def deliver(key: str) -> list[dict[str, Any]]:
    """The image function's outcomes for one notification of `key`."""
    return list(image_function.lambda_handler(s3_notification(key), FakeContext())["processed"])


def keys_in_bucket() -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))
