"""The project's API over HTTP, as `make dev` serves it (DynamoDB Local and moto behind it)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from devkit.localrun.api import http_apis
from devkit.localrun.config import LocalTemplate
from devkit.template import ROOT, TEMPLATE_PATH
from tests.e2e.local_api import REQUEST_TIMEOUT_S, LocalApi

pytestmark = pytest.mark.e2e

OPENAPI_FILE = ROOT / "functions" / "operations" / "openapi.json"


def test_health_answers_ok_when_the_table_answers(local_api: LocalApi) -> None:
    response = local_api.get("/v1/health")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["table"]["status"] == "ok"


def test_docs_page_and_its_assets_load_when_requested(local_api: LocalApi) -> None:
    page = local_api.get("/v1/docs")

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assets = re.findall(r'(?:href|src)="(/v1/docs/[^"]+)"', page.text)
    assert {Path(asset).suffix for asset in assets} == {".css", ".js"}
    for asset in assets:
        response = local_api.get(asset)
        assert response.status_code == 200, asset
        kind = "text/css" if asset.endswith(".css") else "application/javascript"
        assert response.headers["Content-Type"].startswith(kind), asset
        assert len(response.content) > (100 if asset.endswith("swagger-initializer.js") else 1000), asset
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_openapi_document_is_served_as_json_when_generated(local_api: LocalApi) -> None:
    response = local_api.get("/v1/openapi.json")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == json.loads(OPENAPI_FILE.read_text())  # exactly the committed document


def test_unknown_route_answers_the_gateway_404_when_nothing_matches(local_api: LocalApi) -> None:
    response = local_api.get("/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_wrong_method_answers_404_when_only_the_path_exists(local_api: LocalApi) -> None:
    response = requests.delete(local_api.url + "/v1/health", timeout=REQUEST_TIMEOUT_S)

    assert response.status_code == 404


def test_function_response_carries_the_request_id_of_its_event_when_served(local_api: LocalApi) -> None:
    first, second = local_api.get("/v1/health"), local_api.get("/v1/health")

    assert first.headers["X-Request-Id"] == first.headers["Apigw-Requestid"]
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_protected_routes_answer_401_when_no_token_is_sent(local_api: LocalApi) -> None:
    protected = [route for api in http_apis(LocalTemplate(TEMPLATE_PATH)) for route in api.routes if not route.public]
    assert protected

    for route in protected:
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        method = "GET" if route.method == "ANY" else route.method
        response = requests.request(method, local_api.url + path, timeout=REQUEST_TIMEOUT_S)
        assert response.status_code == 401, route.key
        assert response.json() == {"message": "Unauthorized"}


def test_cors_preflight_is_answered_by_the_gateway_when_the_origin_is_allowed(local_api: LocalApi) -> None:
    origin = LocalTemplate(TEMPLATE_PATH).shared_environment()["CORS_ALLOWED_ORIGINS"].split(",")[0]
    headers = {"Origin": origin, "Access-Control-Request-Method": "GET"}

    response = requests.options(local_api.url + "/v1/health", headers=headers, timeout=REQUEST_TIMEOUT_S)

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == origin


def test_every_request_succeeds_when_many_arrive_at_once(local_api: LocalApi) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: local_api.get("/v1/health").status_code, range(24)))

    assert statuses == [200] * 24


def _listening(port: int) -> set[str]:
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                addresses.add(address)
    return addresses


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_every_server_listens_on_loopback_only_when_the_runtime_runs(local_api: LocalApi) -> None:
    loopback = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}
    ports = {int(port) for port in re.findall(r"http://127\.0\.0\.1:(\d+)", local_api.stdout)}

    assert len(ports) >= 2, local_api.stdout  # the API and moto (and DynamoDB Local, with Java)
    for port in ports:
        assert _listening(port), port
        assert _listening(port) <= loopback, (port, _listening(port))
