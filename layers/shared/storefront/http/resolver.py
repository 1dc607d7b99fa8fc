"""The resolver factory and the Lambda entry point every HTTP function uses.

Refusals that must happen before routing (size, encoding, media type) are made here,
on the raw payload-2.0 event; everything else is mapped to problem+json by the
exception handlers in `errors.py`. Every response leaves with `X-Request-Id`.

A JSON body is parsed once, by the resolver, with `parse_json_body`: what Python's
parser accepts but no client should send (NaN, Infinity, nesting deep enough to
exhaust the stack, integers of thousands of digits) is malformed JSON, a 400.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from storefront.http.errors import install_problem_handlers
from storefront.http.origin import came_through_cdn
from storefront.http.problems import problem_proxy_result
from storefront.observability import flushing, function_logger
from storefront.settings import get_settings

MAX_BODY_BYTES = 256 * 1024
REQUEST_ID_HEADER = "X-Request-Id"

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# One decoder for every body: `json.loads(text, parse_constant=...)` would build a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def parse_json_body(text: str) -> Any:
    """`json.loads` for request bodies: every refusal is a `JSONDecodeError`.

    The resolver turns a `JSONDecodeError` into a `json_invalid` validation error, which
    `errors.py` answers with 400 malformed-json; `RecursionError` (about 10,000 nested
    `[`) and `ValueError` (`NaN`, `Infinity`, integers over 4,300 digits) would be 500s.
    Valid JSON parses exactly as `json.loads` parses it.
    """
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError:
        raise
    except RecursionError as error:
        raise json.JSONDecodeError("nested too deeply", text, 0) from error
    except ValueError as error:
        raise json.JSONDecodeError(str(error), text, 0) from error


class _Resolver(APIGatewayHttpResolver):
    """Keeps the current request on the resolver itself, not only on Powertools' shared class.

    Powertools stores the request on the `BaseRouter` *class* (`BaseRouter.current_event`),
    shared by every resolver in the process. A Lambda process serves one request at a time,
    but the local runtime hosts every function in one process, each serving its own
    requests in threads: one function would read another's request (another user's id)
    mid-route. An instance attribute wins over the class attribute for `app.current_event`.
    """

    def _to_proxy_event(self, event: dict[str, Any]) -> Any:
        proxy = super()._to_proxy_event(event)
        self.__dict__["current_event"] = proxy
        return proxy

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        self.__dict__["lambda_context"] = context
        return super().resolve(event, context)


def make_resolver() -> APIGatewayHttpResolver:
    origins = get_settings().cors_origins
    cors = (
        CORSConfig(
            allow_origin=origins[0],
            extra_origins=list(origins[1:]),
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match", "Cart-Token"],
            expose_headers=["ETag", REQUEST_ID_HEADER, "Retry-After"],
            max_age=600,
        )
        if origins
        else None
    )
    app = _Resolver(
        cors=cors,
        enable_validation=True,
        response_validation_error_http_code=500,
        json_body_deserializer=parse_json_body,
    )
    install_problem_handlers(app)
    return app


def request_id_of(event: dict[str, Any]) -> str:
    return str((event.get("requestContext") or {}).get("requestId") or "unknown")


def _refusal(event: dict[str, Any], request_id: str) -> dict[str, Any] | None:
    """Refuse a request that went around the CDN, or a body that no route could accept;
    normalise a base64 body to text."""
    if not came_through_cdn(event):
        detail = "Call the API at its public address; its origin does not answer directly."
        return problem_proxy_result(403, "not-through-cdn", "Forbidden", detail, request_id)
    body = event.get("body")
    if not body:
        return None
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return problem_proxy_result(400, "bad-encoding", "Bad request", "The body is not valid base64.", request_id)
    else:
        raw = body.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_BODY_BYTES:
        detail = f"The body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}."
        return problem_proxy_result(413, "payload-too-large", "Payload too large", detail, request_id)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return problem_proxy_result(400, "bad-encoding", "Bad request", "The body is not UTF-8 text.", request_id)
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        detail = "Send the body as application/json."
        return problem_proxy_result(415, "unsupported-media-type", "Unsupported media type", detail, request_id)
    event["body"], event["isBase64Encoded"] = text, False
    return None


def serve(app: APIGatewayHttpResolver, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request_id = request_id_of(event)
    response = _refusal(event, request_id) or app.resolve(event, context)
    headers = response.setdefault("headers", {}) or {}
    headers[REQUEST_ID_HEADER] = request_id
    # No browser may guess a type other than the one declared (a JSON body sniffed as HTML).
    headers["X-Content-Type-Options"] = "nosniff"
    response["headers"] = headers
    return response


def http_handler(app: APIGatewayHttpResolver) -> LambdaHandler:
    """The `lambda_handler` of an HTTP function: every line it logs carries the request id."""
    logger = function_logger()

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @flushing
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return serve(app, event, context)

    return lambda_handler
