"""The router speaks API Gateway's HTTP API: authorizer, payload 2.0, results, CORS, 404s.

The runtime runs in-process, over HTTP on a free port, on a fixture template
(tests/fixtures/templates/protected-api.yaml): the app's own authorizer function in front
of a fixture function that answers with the event it received.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from devkit.localrun.api import Route, RouteTable
from devkit.localrun.resources import SecretStore
from devkit.localrun.router import AuthorizerCache, Decision
from devkit.localrun.runtime import Options, Runtime
from devkit.localrun.testing import running
from storefront import aws
from storefront.data import keys
from storefront.security.keyring import Keyring, keyring_cache
from storefront.settings import get_settings
from tests.signing import forge_token as _forge_token

TEMPLATE = Path(__file__).resolve().parents[1] / "fixtures" / "templates" / "protected-api.yaml"
ORIGIN = "http://localhost:5173"
USERS = {"user-1": "customer", "user-7": "customer", "user-8": "customer", "user-42": "manager"}


def forge_token(key: bytes, **overrides: Any) -> str:
    """An HS256 token of the fixture's Lambda authorizer (tests/fixtures/functions/token_authorizer)."""
    return _forge_token(key, algorithm="HS256", kid=overrides.pop("kid", "k1"), **overrides)


def _forget_storefront_caches() -> None:
    # The shared package caches settings, clients and keys per process, as in Lambda;
    # this module's runtime brings its own environment, the next module its own again.
    get_settings.cache_clear()
    aws.client.cache_clear()
    keyring_cache.clear()


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    options = Options(
        port=0,
        data_dir=tmp_path_factory.mktemp("localrun-router"),
        template=TEMPLATE,
        stack_name="fixture",
        use_java=False,  # the table on moto: starts in a blink
    )
    with running(options) as started:
        _forget_storefront_caches()
        dynamodb = started.aws_client("dynamodb")
        for user_id, role in USERS.items():  # the authorizer reads the user's current role
            pk, sk = keys.user(user_id)
            dynamodb.put_item(TableName="fixture-table", Item={"PK": {"S": pk}, "SK": {"S": sk}, "role": {"S": role}})
        yield started
    _forget_storefront_caches()


@pytest.fixture(scope="module")
def signing_key(runtime: Runtime) -> bytes:
    secret = SecretStore(runtime.options.data_dir).read()["fixture-signing-secret"]
    return Keyring.parse(secret).active_key


def get(runtime: Runtime, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(kwargs.pop("method", "GET"), runtime.url + path, headers=headers, timeout=10, **kwargs)


def event_of(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json()["event"])


def authorizer_calls(runtime: Runtime) -> int:
    return runtime.functions["AuthorizerFunction"].invocations


# ---------------------------------------------------------------- authorizer


def test_protected_route_answers_401_without_calling_the_authorizer_when_no_token_is_sent(runtime: Runtime) -> None:
    calls = authorizer_calls(runtime)

    response = get(runtime, "/v1/me")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert authorizer_calls(runtime) == calls


def test_protected_route_answers_403_when_the_token_is_not_a_jwt(runtime: Runtime) -> None:
    response = get(runtime, "/v1/me", token="not-a-jwt")

    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


def test_protected_route_sees_the_principal_when_the_token_is_valid(runtime: Runtime, signing_key: bytes) -> None:
    token = forge_token(signing_key, sub="user-42", role="manager")

    event = event_of(get(runtime, "/v1/me", token=token))

    principal = event["requestContext"]["authorizer"]["lambda"]
    assert principal["user_id"] == "user-42"
    assert principal["role"] == "manager"


def _unsigned(claims: dict[str, Any]) -> str:
    def part(document: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': 'k1'})}.{part(claims)}."


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize("case", ["expired", "tampered", "alg-none", "wrong-audience", "other-key"])
def test_protected_route_answers_403_when_the_token_cannot_be_trusted(
    runtime: Runtime, signing_key: bytes, case: str
) -> None:
    now = int(time.time())
    claims = {"sub": "user-1", "role": "customer", "typ": "access", "iss": "storefront", "aud": "storefront-api"}
    token = {
        "expired": lambda: forge_token(signing_key, iat=now - 900, exp=now - 1),
        "tampered": lambda: _tampered(forge_token(signing_key)),
        "alg-none": lambda: _unsigned({**claims, "iat": now, "exp": now + 600, "jti": "j-1"}),
        "wrong-audience": lambda: forge_token(signing_key, aud="someone-else"),
        "other-key": lambda: forge_token(b"another-key-of-the-right-length-0123456789abcdef"),
    }[case]()

    response = get(runtime, "/v1/me", token=token)

    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


def test_authorizer_answer_is_reused_when_the_same_token_comes_back(runtime: Runtime, signing_key: bytes) -> None:
    token, other = forge_token(signing_key, sub="user-7"), forge_token(signing_key, sub="user-8")
    calls = authorizer_calls(runtime)

    assert get(runtime, "/v1/me", token=token).status_code == 200
    assert get(runtime, "/v1/items/3", token=token, method="DELETE").status_code == 200
    assert authorizer_calls(runtime) == calls + 1
    assert get(runtime, "/v1/me", token=other).status_code == 200
    assert authorizer_calls(runtime) == calls + 2


def test_public_and_protected_methods_share_a_path_when_the_template_says_so(runtime: Runtime) -> None:
    public = get(runtime, "/v1/items/7")
    protected = get(runtime, "/v1/items/7", method="DELETE")

    assert event_of(public)["pathParameters"] == {"item_id": "7"}
    assert "authorizer" not in event_of(public)["requestContext"]
    assert protected.status_code == 401


# ---------------------------------------------------------------- events and results


def test_event_has_the_payload_2_0_shape_when_a_request_reaches_a_function(runtime: Runtime) -> None:
    response = get(
        runtime,
        "/v1/echo/a/b%20c?x=1&x=2&y=%20z",
        headers={"X-Custom": "yes", "Cookie": "a=1; b=2", "User-Agent": "tests/1.0"},
    )

    event = event_of(response)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /v1/echo/{proxy+}"
    assert event["rawPath"] == "/v1/echo/a/b%20c"
    assert event["rawQueryString"] == "x=1&x=2&y=%20z"
    assert event["queryStringParameters"] == {"x": "1,2", "y": " z"}
    assert event["pathParameters"] == {"proxy": "a/b c"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-custom"] == "yes"
    assert all(name == name.lower() for name in event["headers"])
    assert "cookie" not in event["headers"]
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    http = event["requestContext"]["http"]
    assert http == {
        "method": "GET",
        "path": "/v1/echo/a/b c",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "tests/1.0",
    }
    assert event["requestContext"]["routeKey"] == event["routeKey"]
    assert event["requestContext"]["requestId"] == response.headers["Apigw-Requestid"]


def test_request_ids_differ_when_requests_repeat(runtime: Runtime) -> None:
    first, second = (event_of(get(runtime, "/v1/items/1"))["requestContext"]["requestId"] for _ in range(2))

    assert first != second


def test_body_reaches_the_function_as_text_or_base64_when_sent(runtime: Runtime) -> None:
    binary = bytes(range(256))
    as_json = event_of(get(runtime, "/v1/echo/json", method="POST", json={"a": 1}))
    as_bytes = event_of(
        get(runtime, "/v1/echo/raw", method="PUT", data=binary, headers={"Content-Type": "application/octet-stream"})
    )

    assert (as_json["body"], as_json["isBase64Encoded"]) == ('{"a": 1}', False)
    assert as_bytes["isBase64Encoded"] is True
    assert base64.b64decode(as_bytes["body"]) == binary


def test_exact_route_wins_over_a_greedy_one_when_both_match(runtime: Runtime) -> None:
    assert event_of(get(runtime, "/v1/echo/exact", method="POST"))["routeKey"] == "POST /v1/echo/exact"
    assert event_of(get(runtime, "/v1/echo/exact"))["routeKey"] == "ANY /v1/echo/{proxy+}"


def test_function_context_carries_the_template_settings_when_invoked(runtime: Runtime) -> None:
    body = get(runtime, "/v1/items/1").json()

    assert body["function_name"] == "fixture-whoami-function"
    assert body["memory_limit_in_mb"] == 256
    assert 0 < body["remaining_ms"] <= 5000


def test_binary_result_is_decoded_when_the_function_base64_encodes_it(runtime: Runtime) -> None:
    response = get(runtime, "/v1/items/1?respond=binary")

    assert response.headers["Content-Type"] == "image/png"
    assert response.content == runtime.functions["WhoamiFunction"].module.PNG


def test_cookies_and_repeated_headers_are_sent_when_the_function_returns_them(runtime: Runtime) -> None:
    response = get(runtime, "/v1/items/1?respond=cookies")

    assert response.status_code == 201
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2"]
    assert response.raw.headers.getlist("X-Many") == ["1", "2"]


def test_result_without_status_code_becomes_a_json_200_when_returned(runtime: Runtime) -> None:
    response = get(runtime, "/v1/items/1?respond=plain")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"hello": "world"}


def test_gateway_answers_500_when_the_function_raises(runtime: Runtime) -> None:
    response = get(runtime, "/v1/items/1?respond=crash")

    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/nowhere"), ("PUT", "/v1/items/1"), ("GET", "/v1/items")])
def test_gateway_answers_404_when_no_route_matches(runtime: Runtime, method: str, path: str) -> None:
    response = get(runtime, path, method=method)

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_requests_to_one_function_never_overlap_when_sent_concurrently(runtime: Runtime) -> None:
    module = runtime.functions["WhoamiFunction"].module
    module.most_active = 0  # type: ignore[attr-defined]  # the fixture function's counter

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: get(runtime, "/v1/items/1?respond=slow").status_code, range(4)))

    assert statuses == [200] * 4
    assert module.most_active == 1


# ---------------------------------------------------------------- CORS


def test_preflight_is_answered_by_the_gateway_when_the_origin_is_allowed(runtime: Runtime) -> None:
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"}

    response = get(runtime, "/v1/items/1", method="OPTIONS", headers=headers)

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,DELETE"
    assert response.headers["Access-Control-Allow-Headers"] == "authorization,content-type"
    assert response.headers["Access-Control-Max-Age"] == "60"


def test_preflight_carries_no_cors_headers_when_the_origin_is_not_allowed(runtime: Runtime) -> None:
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}

    response = get(runtime, "/v1/me", method="OPTIONS", headers=headers)

    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response.headers


def test_gateway_cors_headers_replace_the_function_ones_when_cors_is_configured(runtime: Runtime) -> None:
    response = get(runtime, "/v1/items/1?respond=cors", headers={"Origin": ORIGIN})

    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Expose-Headers"] == "x-request-id"


# ---------------------------------------------------------------- pieces, without a server


def test_authorizer_cache_forgets_an_answer_when_its_ttl_has_passed() -> None:
    now = [1000.0]
    cache = AuthorizerCache(clock=lambda: now[0])
    allowed = Decision(allowed=True, context={"user_id": "u-1"})
    cache.put("Api/TokenAuthorizer", ("Bearer a",), allowed, ttl_s=60)
    cache.put("Api/TokenAuthorizer", ("Bearer b",), allowed, ttl_s=0)

    now[0] += 59.9
    assert cache.get("Api/TokenAuthorizer", ("Bearer a",)) == allowed
    assert cache.get("Api/TokenAuthorizer", ("Bearer b",)) is None
    now[0] += 0.1
    assert cache.get("Api/TokenAuthorizer", ("Bearer a",)) is None


def test_route_table_prefers_literal_then_variable_then_greedy_when_several_paths_match() -> None:
    routes = [
        Route("ANY", "/{proxy+}", "Fallback", None),
        Route("GET", "/v1/items/{item_id}", "Items", None),
        Route("GET", "/v1/items/new", "NewItem", None),
        Route("ANY", "/v1/items/{item_id}", "AnyItem", None),
    ]
    table = RouteTable(routes)

    def function(method: str, path: str) -> str | None:
        found = table.match(method, path)
        return found[0].function if found else None

    assert function("GET", "/v1/items/new") == "NewItem"
    assert function("GET", "/v1/items/7") == "Items"
    assert function("POST", "/v1/items/7") == "AnyItem"
    assert function("GET", "/v1/items/7/reviews") == "Fallback"
    assert table.match("GET", "/v1/items/7") == (routes[1], {"item_id": "7"})
