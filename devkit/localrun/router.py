"""The WSGI router: API Gateway's HTTP API in front of the functions, in one process.

In order, as API Gateway does it: CORS preflight, route selection (404), the authorizer
— the built-in JWT authorizer (RS256 against the issuer's published JWKS; 401
`{"message":"Unauthorized"}` for a missing, malformed, expired or foreign token, the
claims passed as strings in `requestContext.authorizer.jwt.claims`) or a Lambda
authorizer (401 without identity, 403 when denied, answers cached per identity for
ReauthorizeEvery) — the integration, and CORS headers on the way out.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from devkit.localrun.api import Authorizer, Cors, HttpApi, JwtAuthorizer, Route, RouteTable
from devkit.localrun.host import LocalFunction
from devkit.localrun.payloads import (
    MAX_BODY_BYTES,
    GatewayResponse,
    InvalidResult,
    authorizer_event,
    from_lambda_result,
    gateway_error,
    http_event,
)

log = logging.getLogger("localrun")

Clock = Callable[[], float]
_HOP_HEADERS = {"content-length", "transfer-encoding", "connection"}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    context: dict[str, Any]


class AuthorizerCache:
    """Answers per (authorizer, identity), kept for the authorizer's TTL, allow and deny alike."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, tuple[str, ...]], tuple[float, Decision]] = {}

    def get(self, authorizer: str, identity: tuple[str, ...]) -> Decision | None:
        with self._lock:
            found = self._answers.get((authorizer, identity))
            if found is None or found[0] <= self._clock():
                self._answers.pop((authorizer, identity), None)
                return None
            return found[1]

    def put(self, authorizer: str, identity: tuple[str, ...], decision: Decision, ttl_s: int) -> None:
        if ttl_s <= 0:
            return
        with self._lock:
            self._answers[(authorizer, identity)] = (self._clock() + ttl_s, decision)


def _decision(answer: Any, simple: bool) -> Decision:
    if not isinstance(answer, dict):
        raise InvalidResult("the authorizer's answer is not an object")
    context = answer.get("context") or {}
    if simple:
        if not isinstance(answer.get("isAuthorized"), bool):
            raise InvalidResult("a simple authorizer answer needs a boolean isAuthorized")
        return Decision(answer["isAuthorized"], context)
    statements = (answer.get("policyDocument") or {}).get("Statement") or []
    effects = {str(statement.get("Effect", "")).lower() for statement in statements}
    return Decision("allow" in effects and "deny" not in effects, context)


class JwtVerifier:
    """What API Gateway's JWT authorizer does, with the storefront's own verifier and JWKS reader.

    `issuer` replaces the template's (a CloudFront domain that does not exist locally) with
    the local runtime's URL, where the same discovery document and JWKS are published.
    """

    def __init__(self, issuer: str) -> None:
        from storefront.security.jwks import JwksCache

        self.issuer = issuer
        self.jwks = JwksCache()

    def claims(self, authorizer: JwtAuthorizer, token: str) -> dict[str, str]:
        from storefront.security.tokens import verify_access_token

        verified = verify_access_token(token, self.jwks, issuer=self.issuer, audience=list(authorizer.audience))
        return verified.as_gateway_claims() | {"iss": self.issuer, "aud": ",".join(authorizer.audience)}


def _unauthorized(description: str | None = None) -> GatewayResponse:
    answer = gateway_error(401, "Unauthorized")
    if description is not None:
        error = f'Bearer scope="" error="invalid_token" error_description="{description}"'
        answer.headers.append(("www-authenticate", error))
    return answer


class Gateway:
    """The WSGI application serving every HTTP API route of the template."""

    def __init__(
        self,
        apis: list[HttpApi],
        functions: Mapping[str, LocalFunction],
        clock: Clock = time.monotonic,
        jwt_verifier: JwtVerifier | None = None,
    ) -> None:
        self.jwt_verifier = jwt_verifier
        self.apis = {api.logical_id: api for api in apis}
        self.table = RouteTable([route for api in apis for route in api.routes])
        self.functions = functions
        self.cache = AuthorizerCache(clock)
        for route in self.table.routes:
            if route.function not in functions:
                raise KeyError(f"route {route.key}: function {route.function} is not loaded")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        answer = self.handle(request)
        response = Response(answer.body, status=answer.status)
        response.headers.clear()
        for name, value in answer.headers:
            if name.lower() not in _HOP_HEADERS:  # the server frames the body itself
                response.headers.add(name, value)
        return response(environ, start_response)

    def handle(self, request: Request) -> GatewayResponse:
        request_id = str(uuid.uuid4())
        cors = self._cors_for(request.path)
        origin = request.headers.get("Origin")
        if cors and request.method == "OPTIONS" and origin and request.headers.get("Access-Control-Request-Method"):
            answer = self._preflight(cors, origin)
        else:
            answer = self._route(request, request_id)
            if cors:
                self._cors_headers(answer, cors, origin)
        answer.headers.append(("Apigw-Requestid", request_id))
        return answer

    def _route(self, request: Request, request_id: str) -> GatewayResponse:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return gateway_error(413, "Request Entity Too Large")
        found = self.table.match(request.method, request.path)
        if found is None:
            return gateway_error(404, "Not Found")
        route, path_parameters = found
        authorizer_context: dict[str, Any] | None = None
        if route.authorizer is not None:
            authorizer = self.apis[route.api].authorizers[route.authorizer]
            if isinstance(authorizer, JwtAuthorizer):
                claims = self._verify_jwt(authorizer, request)
                if isinstance(claims, GatewayResponse):
                    return claims
                authorizer_context = {"jwt": {"claims": claims, "scopes": None}}
            else:
                decision = self._authorize(authorizer, request, route, path_parameters, request_id)
                if isinstance(decision, GatewayResponse):
                    return decision
                authorizer_context = {"lambda": decision.context}
        body = request.get_data(cache=False)
        if len(body) > MAX_BODY_BYTES:
            return gateway_error(413, "Request Entity Too Large")
        event = http_event(request, body, route, path_parameters, request_id)
        if authorizer_context is not None:
            event["requestContext"]["authorizer"] = authorizer_context
        return self._integrate(route, event)

    def _verify_jwt(self, authorizer: JwtAuthorizer, request: Request) -> dict[str, str] | GatewayResponse:
        from storefront.security.tokens import InvalidToken

        value = (request.headers.get(authorizer.identity_header) or "").strip()
        if not value:
            return _unauthorized()
        # API Gateway takes the token alone or prefixed with "Bearer ".
        scheme, _, rest = value.partition(" ")
        token = rest.strip() if scheme.lower() == "bearer" else value
        if self.jwt_verifier is None:
            raise RuntimeError("a JWT authorizer needs the gateway's jwt_verifier")
        try:
            return self.jwt_verifier.claims(authorizer, token)
        except InvalidToken:
            return _unauthorized("the token is invalid, expired or not for this API")

    def _identity(self, authorizer: Authorizer, request: Request) -> list[str] | None:
        values = [request.headers.get(header) for header in authorizer.identity_headers]
        values += [request.args.get(name) for name in authorizer.identity_query]
        if any(not value for value in values):
            return None
        return [str(value) for value in values]

    def _authorize(
        self, authorizer: Authorizer, request: Request, route: Route, path_parameters: dict[str, str], request_id: str
    ) -> Decision | GatewayResponse:
        identity = self._identity(authorizer, request)
        if identity is None:
            return gateway_error(401, "Unauthorized")  # API Gateway does not call the authorizer
        key = (route.api, authorizer.name)
        decision = self.cache.get("/".join(key), tuple(identity))
        if decision is None:
            event = authorizer_event(request, route, path_parameters, request_id, identity)
            try:
                decision = _decision(self.functions[authorizer.function].invoke(event), authorizer.simple_responses)
            except Exception:
                log.exception("authorizer %s failed", authorizer.function)
                return gateway_error(500, "Internal Server Error")
            self.cache.put("/".join(key), tuple(identity), decision, authorizer.ttl_s)
        return decision if decision.allowed else gateway_error(403, "Forbidden")

    def _integrate(self, route: Route, event: dict[str, Any]) -> GatewayResponse:
        try:
            return from_lambda_result(self.functions[route.function].invoke(event))
        except Exception:
            log.exception("%s failed on %s", route.function, route.key)
            return gateway_error(500, "Internal Server Error")

    # ------------------------------------------------------------ CORS

    def _cors_for(self, path: str) -> Cors | None:
        """The CORS configuration of the API that owns this path (any method)."""
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            found = self.table.match(method, path)
            if found:
                return self.apis[found[0].api].cors
        return next((api.cors for api in self.apis.values() if api.cors), None)

    @staticmethod
    def _preflight(cors: Cors, origin: str) -> GatewayResponse:
        answer = GatewayResponse(204)
        allowed = cors.allowed_origin(origin)
        if allowed is None:
            return answer  # no CORS headers: the browser refuses the call
        answer.headers.append(("Access-Control-Allow-Origin", allowed))
        if cors.allow_methods:
            answer.headers.append(("Access-Control-Allow-Methods", ",".join(cors.allow_methods)))
        if cors.allow_headers:
            answer.headers.append(("Access-Control-Allow-Headers", ",".join(cors.allow_headers)))
        if cors.max_age is not None:
            answer.headers.append(("Access-Control-Max-Age", str(cors.max_age)))
        if cors.allow_credentials:
            answer.headers.append(("Access-Control-Allow-Credentials", "true"))
        return answer

    @staticmethod
    def _cors_headers(answer: GatewayResponse, cors: Cors, origin: str | None) -> None:
        # With a CorsConfiguration, API Gateway replaces whatever CORS headers the function sent.
        answer.headers = [
            (name, value) for name, value in answer.headers if not name.lower().startswith("access-control-")
        ]
        allowed = cors.allowed_origin(origin)
        if allowed is None:
            return
        answer.headers.append(("Access-Control-Allow-Origin", allowed))
        if cors.expose_headers:
            answer.headers.append(("Access-Control-Expose-Headers", ",".join(cors.expose_headers)))
        if cors.allow_credentials:
            answer.headers.append(("Access-Control-Allow-Credentials", "true"))
