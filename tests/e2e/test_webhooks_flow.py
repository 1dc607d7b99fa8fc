"""Partner webhook endpoints over HTTP against the local runtime (moto's KMS, its key kept in the
data directory): an admin registers a loopback endpoint (local mode allows it), sees its secret
once, rotates it, and is refused private and metadata addresses in any spelling."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from tests.e2e.local_api import LocalApi
from tests.e2e.test_catalog_flow import call, created

pytestmark = pytest.mark.e2e


def test_an_admin_registers_an_endpoint_sees_its_secret_once_and_rotates_it(local_api: LocalApi, manager: str) -> None:
    endpoint = created(
        call(local_api, "POST", "/v1/webhooks", manager, {"url": "http://127.0.0.1:9/partner", "events": ["*"]})
    )
    secret = endpoint["secret"]
    Webhook(secret)  # a secret the Standard Webhooks library takes as it is
    path = f"/v1/webhooks/{endpoint['id']}"

    read = call(local_api, "GET", path, manager)
    rotated = call(local_api, "POST", f"{path}/rotate-secret", manager)

    assert read.status_code == 200, read.text
    assert "secret" not in read.json()
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"] != secret
    assert rotated.json()["previous_secret_expires_at"] is not None
    assert call(local_api, "DELETE", path, manager).status_code == 204


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/hooks", "http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/", "http://[::ffff:10.0.0.1]/"]
)
def test_private_and_metadata_addresses_are_refused_even_in_local_mode(
    local_api: LocalApi, manager: str, url: str
) -> None:
    refused = call(local_api, "POST", "/v1/webhooks", manager, {"url": url, "events": ["order.paid"]})

    assert refused.status_code == 422, refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert [error["loc"] for error in refused.json()["errors"]] == [["body", "url"]]
