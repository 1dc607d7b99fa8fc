"""API Gateway HTTP API's payload format 2.0: the events it sends, the results it reads back."""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from werkzeug.wrappers import Request

from devkit.localrun.api import Route
from devkit.localrun.config import ACCOUNT_ID, REGION

API_ID = "local"
STAGE = "$default"
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
# Bodies of these media types reach the function as text; everything else as base64.
_TEXT_MEDIA = re.compile(
    r"^(text/[\w.+-]+|application/([\w.-]+\+)?(json|xml)|application/(javascript|x-www-form-urlencoded|graphql))$"
)


def is_text_media(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";")[0].strip().lower()
    return bool(_TEXT_MEDIA.match(media_type))


@dataclass
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


def gateway_error(status: int, message: str) -> GatewayResponse:
    """A response API Gateway makes itself (no function ran): `{"message": ...}`."""
    body = json.dumps({"message": message}).encode()
    return GatewayResponse(status, [("Content-Type", "application/json")], body)


def _headers(request: Request) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        name = name.lower()
        if name == "cookie":
            continue  # payload 2.0 carries cookies in their own field
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    forwarded = headers.get("x-forwarded-for")
    source_ip = request.remote_addr or "127.0.0.1"
    headers["x-forwarded-for"] = f"{forwarded}, {source_ip}" if forwarded else source_ip
    headers["x-forwarded-proto"] = request.scheme
    headers["x-forwarded-port"] = str(request.environ.get("SERVER_PORT", ""))
    return headers


def _query(raw_query: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        parameters[name] = f"{parameters[name]},{value}" if name in parameters else value
    return parameters


def _raw_path(request: Request) -> str:
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    return str(raw_uri).split("?", 1)[0] if raw_uri else request.path


def _request_context(request: Request, route_key: str, request_id: str, now: float) -> dict[str, Any]:
    host = request.host or "127.0.0.1"
    return {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": host,
        "domainPrefix": host.split(".")[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "sourceIp": request.remote_addr or "127.0.0.1",
            "userAgent": request.headers.get("User-Agent", ""),
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": STAGE,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }


def _common(request: Request, route: Route, path_parameters: dict[str, str], request_id: str) -> dict[str, Any]:
    raw_query = request.query_string.decode("latin-1")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": _raw_path(request),
        "rawQueryString": raw_query,
        "headers": _headers(request),
        "requestContext": _request_context(request, route.key, request_id, time.time()),
    }
    cookie = request.headers.get("Cookie")
    if cookie:
        event["cookies"] = [part.strip() for part in cookie.split(";") if part.strip()]
    if raw_query:
        event["queryStringParameters"] = _query(raw_query)
    if path_parameters:
        event["pathParameters"] = {name: unquote(value) for name, value in path_parameters.items()}
    return event


def http_event(
    request: Request, body: bytes, route: Route, path_parameters: dict[str, str], request_id: str
) -> dict[str, Any]:
    event = _common(request, route, path_parameters, request_id)
    event["isBase64Encoded"] = False
    if body:
        text = None
        if is_text_media(request.headers.get("Content-Type")):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        if text is None:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode("ascii"), True
        else:
            event["body"] = text
    return event


def authorizer_event(
    request: Request, route: Route, path_parameters: dict[str, str], request_id: str, identity: list[str]
) -> dict[str, Any]:
    event = _common(request, route, path_parameters, request_id)
    method, _, path = route.key.partition(" ")
    event["type"] = "REQUEST"
    event["routeArn"] = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{STAGE}/{method}{path}"
    event["identitySource"] = identity
    return event


class InvalidResult(Exception):
    """The function answered something API Gateway cannot turn into a response."""


def from_lambda_result(result: Any) -> GatewayResponse:
    """Payload 2.0 reading of a function's result, as API Gateway does it."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Without statusCode the whole result is the JSON body of a 200.
        body = result if isinstance(result, str) else json.dumps(result)
        return GatewayResponse(200, [("Content-Type", "application/json")], body.encode())
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as error:
        raise InvalidResult(f"statusCode {result['statusCode']!r} is not a number") from error
    headers = [(str(name), str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(str(name), str(value)) for value in values]
    headers += [("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or []]
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise InvalidResult("body is not a string")
    if result.get("isBase64Encoded"):
        try:
            return GatewayResponse(status, headers, base64.b64decode(body, validate=True))
        except (binascii.Error, ValueError) as error:
            raise InvalidResult("isBase64Encoded is set but the body is not base64") from error
    return GatewayResponse(status, headers, body.encode("utf-8"))
