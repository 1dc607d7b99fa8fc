"""The local runtime's read-only image route: published objects only, with their type."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from werkzeug.test import Client

from devkit.localrun.images import LocalImages

BUCKET = "local-images"


@pytest.fixture
def client() -> Iterator[Client]:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="images/p/i/320.webp", Body=b"RIFF-webp", ContentType="image/webp")
        s3.put_object(Bucket=BUCKET, Key="uploads/p/i", Body=b"raw", ContentType="image/png")
        yield Client(LocalImages(s3, BUCKET))


def test_published_object_is_served_with_its_type_when_requested(client: Client) -> None:
    response = client.get("/_local/images/images/p/i/320.webp")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.get_data() == b"RIFF-webp"


@pytest.mark.parametrize("path", ["/_local/images/uploads/p/i", "/_local/images/images/p/none.webp"])
def test_route_answers_404_when_the_object_is_an_upload_or_missing(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_route_refuses_writes_when_any_other_method_is_used(client: Client, method: str) -> None:
    response = client.open("/_local/images/images/p/i/320.webp", method=method)

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


def test_route_handles_only_its_own_prefix_when_asked() -> None:
    assert LocalImages.handles("/_local/images/images/x.webp")
    assert not LocalImages.handles("/v1/products")
