"""Operations routes against moto: health reads the table, docs work offline."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from devkit.functions import load_handler_module
from tests.support import FakeContext, http_event, problem, sample_event

operations = load_handler_module("functions/operations")


def call(event: dict[str, Any]) -> dict[str, Any]:
    return dict(operations.lambda_handler(event, FakeContext()))


@pytest.mark.usefixtures("aws")
def test_health_is_ok_when_the_table_answers() -> None:
    response = call(sample_event("operations", "health"))
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["status"] == "ok"
    assert body["checks"]["table"]["status"] == "ok"
    assert body["version"]
    assert response["headers"]["X-Request-Id"] == "JqHvPjM0IAMEVQA="


@pytest.mark.usefixtures("aws")
def test_health_is_503_when_the_table_is_missing() -> None:
    boto3.client("dynamodb").delete_table(TableName="storefront-test")
    response = call(sample_event("operations", "health"))
    assert response["statusCode"] == 503
    assert json.loads(response["body"])["checks"]["table"]["status"] == "failing"


def test_openapi_document_is_served_when_asked() -> None:
    response = call(sample_event("operations", "openapi"))
    assert response["statusCode"] == 200
    document = json.loads(response["body"])
    assert document["openapi"].startswith("3.1")
    assert "/v1/health" in document["paths"]


def test_docs_page_loads_its_assets_from_the_api_itself_when_offline() -> None:
    page = call(http_event("GET", "/v1/docs"))
    assert page["statusCode"] == 200
    assert page["headers"]["Content-Type"].startswith("text/html")
    assert "https://" not in page["body"]
    initializer = call(http_event("GET", "/v1/docs/swagger-initializer.js"))
    assert initializer["headers"]["Content-Type"].startswith("application/javascript")
    assert '"/v1/openapi.json"' in initializer["body"]
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert f"/v1/docs/{asset}" in page["body"]
        response = call(http_event("GET", f"/v1/docs/{asset}"))
        assert response["statusCode"] == 200
        assert len(response["body"]) > 10_000


def test_docs_page_runs_no_inline_script_and_keeps_no_token_when_served() -> None:
    page = call(http_event("GET", "/v1/docs"))
    policy = page["headers"]["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "<script>" not in page["body"]  # every script is a file of its own
    initializer = call(http_event("GET", "/v1/docs/swagger-initializer.js"))["body"]
    assert "persistAuthorization" not in initializer + page["body"]
    assert page["headers"]["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("asset", ["app.py", "..%2F..%2Fapp.py", "index.html", "swagger-initializer.ts"])
def test_docs_asset_is_404_when_not_a_swagger_file(asset: str) -> None:
    response = call(http_event("GET", f"/v1/docs/{asset}"))
    assert response["statusCode"] == 404
    problem(response)
