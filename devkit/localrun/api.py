"""The HTTP APIs of the template: routes, authorizers (JWT and Lambda), CORS, and route selection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from devkit.localrun.config import LocalTemplate, TemplateError

IMPLICIT_API = "ServerlessHttpApi"  # SAM's name for the API of HttpApi events without ApiId
MAX_AUTHORIZER_TTL_S = 300  # API Gateway's ceiling for ReauthorizeEvery


@dataclass(frozen=True)
class Authorizer:
    name: str
    function: str  # logical id of the authorizer function
    identity_headers: tuple[str, ...]  # lower-case
    identity_query: tuple[str, ...]
    ttl_s: int
    simple_responses: bool


@dataclass(frozen=True)
class JwtAuthorizer:
    """API Gateway's built-in JWT authorizer: issuer, audiences, and the header holding the token."""

    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_header: str  # lower-case


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age: int | None
    allow_credentials: bool

    def allowed_origin(self, origin: str | None) -> str | None:
        """The Access-Control-Allow-Origin API Gateway answers for this origin, if any."""
        if not origin:
            return None
        if "*" in self.allow_origins:
            return "*"
        return origin if origin.lower() in (allowed.lower() for allowed in self.allow_origins) else None


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or ANY
    path: str  # API Gateway syntax: /v1/items/{item_id}, /{proxy+}
    function: str
    authorizer: str | None  # None: public
    api: str = IMPLICIT_API

    @property
    def public(self) -> bool:
        return self.authorizer is None

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class HttpApi:
    logical_id: str
    routes: tuple[Route, ...]
    authorizers: dict[str, Authorizer | JwtAuthorizer] = field(default_factory=dict)
    cors: Cors | None = None


def _cors(configuration: Any) -> Cors | None:
    if not configuration:
        return None
    if configuration is True:
        configuration = {"AllowOrigins": ["*"], "AllowMethods": ["*"], "AllowHeaders": ["*"]}

    def strings(name: str) -> tuple[str, ...]:
        return tuple(str(item) for item in configuration.get(name) or [])

    max_age = configuration.get("MaxAge")
    return Cors(
        allow_origins=strings("AllowOrigins"),
        allow_methods=tuple(method.upper() for method in strings("AllowMethods")),
        allow_headers=tuple(header.lower() for header in strings("AllowHeaders")),
        expose_headers=tuple(header.lower() for header in strings("ExposeHeaders")),
        max_age=int(max_age) if max_age is not None else None,
        allow_credentials=bool(configuration.get("AllowCredentials", False)),
    )


def _jwt_authorizer(name: str, spec: dict[str, Any]) -> JwtAuthorizer:
    source = str(spec.get("IdentitySource") or "$request.header.Authorization")
    prefix = "$request.header."
    if not source.startswith(prefix):
        raise TemplateError(f"authorizer {name}: only a header identity source is emulated, not {source}")
    configuration = spec["JwtConfiguration"]
    return JwtAuthorizer(
        name=name,
        issuer=str(configuration.get("issuer", "")),
        audience=tuple(str(item) for item in configuration.get("audience") or []),
        identity_header=source[len(prefix) :].lower(),
    )


def _authorizer(name: str, spec: dict[str, Any], template: LocalTemplate) -> Authorizer | JwtAuthorizer:
    if "JwtConfiguration" in spec:
        return _jwt_authorizer(name, template.resolve(spec))
    arn = spec.get("FunctionArn")
    if not (isinstance(arn, dict) and "Fn::GetAtt" in arn):
        raise TemplateError(f"authorizer {name}: only Lambda authorizers of this template (!GetAtt Fn.Arn) run locally")
    target = arn["Fn::GetAtt"]
    function = target.split(".")[0] if isinstance(target, str) else target[0]
    version = str(spec.get("AuthorizerPayloadFormatVersion", "2.0"))
    if version != "2.0":
        raise TemplateError(f"authorizer {name}: payload format {version} is not emulated, only 2.0")
    identity = spec.get("Identity") or {}
    ttl = int(identity.get("ReauthorizeEvery", 0))
    return Authorizer(
        name=name,
        function=function,
        identity_headers=tuple(header.lower() for header in identity.get("Headers") or ["Authorization"]),
        identity_query=tuple(identity.get("QueryStrings") or []),
        ttl_s=max(0, min(ttl, MAX_AUTHORIZER_TTL_S)),
        simple_responses=bool(spec.get("EnableSimpleResponses", False)),
    )


def http_apis(template: LocalTemplate) -> list[HttpApi]:
    """Every HTTP API with its routes, in the order the functions declare them."""
    globals_api = dict((template.document.get("Globals") or {}).get("HttpApi") or {})
    api_properties = {IMPLICIT_API: globals_api}
    for logical_id in template.resources("AWS::Serverless::HttpApi"):
        api_properties[logical_id] = {**globals_api, **template.properties(logical_id)}
    routes: dict[str, list[Route]] = {logical_id: [] for logical_id in api_properties}
    authorizers: dict[str, dict[str, Authorizer | JwtAuthorizer]] = {}
    defaults: dict[str, str | None] = {}
    for logical_id, properties in api_properties.items():
        auth = properties.get("Auth") or {}
        specs = auth.get("Authorizers") or {}
        authorizers[logical_id] = {name: _authorizer(name, spec, template) for name, spec in specs.items()}
        defaults[logical_id] = auth.get("DefaultAuthorizer")
    for function in template.functions():
        for event in function.events.values():
            if event.get("Type") != "HttpApi":
                continue
            properties = event.get("Properties") or {}
            api = properties.get("ApiId", {"Ref": IMPLICIT_API})
            api_id = api["Ref"] if isinstance(api, dict) else str(api)
            if api_id not in api_properties:
                raise TemplateError(f"{function.logical_id}: ApiId {api_id} is not an HttpApi of the template")
            authorizer = (properties.get("Auth") or {}).get("Authorizer", defaults[api_id])
            if authorizer == "NONE":
                authorizer = None
            if authorizer is not None and authorizer not in authorizers[api_id]:
                raise TemplateError(f"{function.logical_id}: authorizer {authorizer} is not an authorizer of its API")
            routes[api_id].append(
                Route(
                    method=str(properties.get("Method", "ANY")).upper(),
                    path=str(properties.get("Path", "/{proxy+}")),
                    function=function.logical_id,
                    authorizer=authorizer,
                    api=api_id,
                )
            )
    return [
        HttpApi(
            logical_id=logical_id,
            routes=tuple(routes[logical_id]),
            authorizers=authorizers[logical_id],
            cors=_cors(template.resolve(properties.get("CorsConfiguration"))),
        )
        for logical_id, properties in api_properties.items()
        if routes[logical_id]
    ]


# ---------------------------------------------------------------- route selection

_VARIABLE = re.compile(r"\{([^}/]+?)(\+?)\}")


@dataclass(frozen=True)
class _Compiled:
    route: Route
    pattern: re.Pattern[str]
    rank: tuple[int, int, int]  # greedy variables, variables, -literal characters: lower is more specific


def _compile(route: Route) -> _Compiled:
    regex, position, greedy, variables = "", 0, 0, 0
    for match in _VARIABLE.finditer(route.path):
        regex += re.escape(route.path[position : match.start()])
        name, plus = match.groups()
        regex += f"(?P<{_group(name)}>.+)" if plus else f"(?P<{_group(name)}>[^/]+)"
        greedy, variables = greedy + bool(plus), variables + 1
        position = match.end()
    regex += re.escape(route.path[position:])
    literal = len(_VARIABLE.sub("", route.path))
    return _Compiled(route, re.compile(f"^{regex}$"), (greedy, variables, -literal))


def _group(name: str) -> str:
    return "v_" + "".join(character if character.isalnum() else f"_{ord(character):x}_" for character in name)


class RouteTable:
    """API Gateway's choice: the most specific path first, an exact method before ANY."""

    def __init__(self, routes: list[Route]) -> None:
        seen: set[str] = set()
        for route in routes:
            if route.key in seen:
                raise TemplateError(f"route {route.key} is declared twice")
            seen.add(route.key)
        self.routes = routes
        self._compiled = sorted((_compile(route) for route in routes), key=lambda compiled: compiled.rank)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for compiled in self._compiled:
            found = compiled.pattern.match(path)
            if not found or compiled.route.method not in (method, "ANY"):
                continue
            if compiled.route.method == "ANY" and self._exact_sibling(compiled, method, path):
                continue
            names = _VARIABLE.findall(compiled.route.path)
            return compiled.route, {name: found.group(_group(name)) for name, _ in names}
        return None

    def _exact_sibling(self, compiled: _Compiled, method: str, path: str) -> bool:
        return any(
            other.route.method == method and other.rank == compiled.rank and other.pattern.match(path)
            for other in self._compiled
        )
