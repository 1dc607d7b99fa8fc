"""A product image through the local runtime: presigned POST to the local S3, the bucket's
notification, the image function, the product, and the image served by the runtime."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from PIL import Image

from devkit.localrun.testing import wait_until
from tests.e2e.local_api import ADMIN_EMAIL, ADMIN_PASSWORD, REQUEST_TIMEOUT_S, LocalApi

pytestmark = pytest.mark.e2e


def call(api: LocalApi, method: str, path: str, token: str | None = None, body: Any = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.request(method, api.url + path, headers=headers, json=body, timeout=REQUEST_TIMEOUT_S)


def created(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_uploaded_png_is_shown_and_served_as_webp_when_posted_to_the_presigned_url(local_api: LocalApi) -> None:
    login = call(local_api, "POST", "/v1/auth/login", body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    token = str(login.json()["access_token"])
    category = created(call(local_api, "POST", "/v1/categories", token, {"name": "Lamps", "slug": "lamps-e2e"}))
    variant = {"sku": "LAMP-E2E-1", "options": {"colour": "red"}, "initial_stock": 1}
    product_body = {
        **{"name": "Desk Lamp", "description": "Bright.", "category_id": category["id"], "brand": "Acme"},
        **{"price": 2500, "currency": "EUR", "attributes": {}, "tags": [], "status": "active", "variants": [variant]},
    }
    product = created(call(local_api, "POST", "/v1/products", token, product_body))
    path = f"/v1/products/{product['id']}/images"
    started = created(call(local_api, "POST", path, token, {"content_type": "image/png", "filename": "lamp.png"}))
    picture = io.BytesIO()
    Image.new("RGB", (1200, 800), (250, 200, 0)).save(picture, "PNG")

    form = started["upload"]
    answer = requests.post(
        form["url"], data=form["fields"], files={"file": picture.getvalue()}, timeout=REQUEST_TIMEOUT_S
    )
    assert answer.status_code in (200, 201, 204), answer.text

    def shown() -> list[dict[str, Any]]:
        return list(call(local_api, "GET", f"/v1/products/{product['id']}").json()["images"])

    [image] = wait_until(shown, timeout_s=20, interval_s=0.2, what="the image on the product")
    assert image["id"] == started["image_id"]
    assert image["url"] == started["url"]
    assert image["url"].startswith(f"{local_api.url}/_local/images/images/")
    served = requests.get(image["url"], timeout=REQUEST_TIMEOUT_S)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(served.content)).size == (1024, 683)
    assert requests.post(image["url"], timeout=REQUEST_TIMEOUT_S).status_code == 405
    upload_url = f"{local_api.url}/_local/images/{form['fields']['key']}"
    assert requests.get(upload_url, timeout=REQUEST_TIMEOUT_S).status_code == 404
