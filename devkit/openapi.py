"""Build the one OpenAPI 3.1 document of the API from every function's resolver.

`python -m devkit.openapi --write` regenerates docs/openapi.json and the copy the
operations function serves; `--check` fails when either has drifted from the code.
Security and error responses are filled in from template.yaml and the problem model,
so the document says what the gateway and the error mapping really do.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from devkit.functions import load_handler_module
from devkit.template import ROOT, functions, http_routes
from storefront import __version__
from storefront.http.problems import Problem

OUTPUTS = [ROOT / "docs" / "openapi.json", ROOT / "functions" / "operations" / "openapi.json"]
SECURITY_SCHEME = "bearerAuth"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_GATEWAY_MESSAGE_REF = {"$ref": "#/components/schemas/GatewayMessage"}
# API Gateway's own refusals cannot be restyled by an HTTP API: documented as they are,
# application/json beside the function's own problem+json for the same status.
_GATEWAY_MESSAGE = {
    "title": "GatewayMessage",
    "type": "object",
    "description": "A refusal made by API Gateway itself, before any function runs: "
    '`{"message": "Unauthorized"}` (401), `{"message": "Forbidden"}` (403), '
    '`{"message": "Request Entity Too Large"}` (413).',
    "properties": {"message": {"type": "string", "examples": ["Unauthorized", "Forbidden"]}},
    "required": ["message"],
}
_ERROR_TEXT = {
    400: "Malformed JSON, a bad cursor, or a body that is not UTF-8",
    401: "The token's session has ended (account disabled, role or password changed)",
    403: "The caller's role is too low",
    404: "Unknown id, or a resource owned by someone else",
    413: "Body over 256 KiB",
    415: "Body is not application/json",
    422: "Validation failed; `errors` lists each field",
    500: "The server failed",
}
# What API Gateway answers itself for these statuses, application/json, before any function runs.
_GATEWAY_TEXT = {
    401: 'a missing, malformed, expired or foreign token: `{"message": "Unauthorized"}` from the JWT authorizer',
    403: 'a refusal of the gateway itself: `{"message": "Forbidden"}`',
    413: 'a body over the gateway\'s 10 MiB payload limit: `{"message": "Request Entity Too Large"}`',
}
# Powertools' own descriptions of the statuses it adds: replaced, never kept as a route's own.
_GENERATED = {"Validation Error", "Response Validation Error"}
_DESCRIPTION = (
    "The store API. Money is an integer in minor units beside an ISO 4217 currency; "
    "every error is an RFC 9457 problem (application/problem+json) whose `request_id` "
    "equals the `X-Request-Id` response header."
)


def _schemas_of_http_functions() -> list[dict[str, Any]]:
    schemas = []
    for spec in functions():
        if not any(event["Type"] == "HttpApi" for event in spec.events.values()):
            continue
        resolver = load_handler_module(spec.code_uri).app
        schema = resolver.get_openapi_schema(title="Storefront API", version=__version__, openapi_version="3.1.0")
        schemas.append(json.loads(schema.model_dump_json(by_alias=True, exclude_none=True)))
    return schemas


def _check_component_clashes(schemas: list[dict[str, Any]]) -> None:
    # OpenAPIMerge lets a later model silently replace a same-named one: refuse instead.
    seen: dict[str, Any] = {}
    for schema in schemas:
        for name, component in (schema.get("components") or {}).get("schemas", {}).items():
            if name in seen and seen[name] != component:
                raise SystemExit(f"two functions define different models named {name!r}: rename one")
            seen[name] = component


def _problem_components() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return {"Problem": schema, "GatewayMessage": _GATEWAY_MESSAGE, **definitions}


def _add_errors_and_security(document: dict[str, Any]) -> None:
    public = {(route.method, route.path) for route in http_routes() if route.public}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            is_public = (method.upper(), path) in public
            operation["security"] = [] if is_public else [{SECURITY_SCHEME: []}]
            statuses = {500}
            if operation.get("parameters") or "requestBody" in operation:
                statuses.add(422)
            else:
                operation.get("responses", {}).pop("422", None)
            if "{" in path:
                statuses.add(404)
            if "requestBody" in operation:
                statuses |= {400, 413, 415}
            if not is_public:
                statuses |= {401, 403}
            gateway = {413} | (set() if is_public else {401, 403})
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                content: dict[str, Any] = {"application/problem+json": {"schema": _PROBLEM_REF}}
                if status in gateway:
                    content["application/json"] = {"schema": _GATEWAY_MESSAGE_REF}
                # A route's own description of a shared status (its 404, its 403) says more.
                own = responses.get(str(status), {}).get("description")
                description = own if own and own not in _GENERATED else _ERROR_TEXT[status]
                if status in gateway:
                    description = f"{description} (a problem); or, from API Gateway, {_GATEWAY_TEXT[status]}"
                responses[str(status)] = {"description": description, "content": content}


def build_document() -> dict[str, Any]:
    schemas = _schemas_of_http_functions()
    _check_component_clashes(schemas)
    merge = OpenAPIMerge(
        title="Storefront API",
        version=__version__,
        openapi_version="3.1.0",
        description=_DESCRIPTION,
        security_schemes={SECURITY_SCHEME: HTTPBearer(bearerFormat="JWT")},
        security=[{SECURITY_SCHEME: []}],
        on_conflict="error",
    )
    for schema in schemas:
        merge.add_schema(schema)
    document: dict[str, Any] = json.loads(merge.get_openapi_json_schema())
    _add_errors_and_security(document)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        components.pop(unused, None)
    components.update(_problem_components())
    document["components"]["schemas"] = dict(sorted(components.items()))
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="regenerate the committed documents")
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed document drifted")
    arguments = parser.parse_args(argv)
    text = render(build_document())
    if arguments.write:
        for output in OUTPUTS:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text)
        return 0
    if arguments.check:
        stale = [str(output) for output in OUTPUTS if not output.exists() or output.read_text() != text]
        if stale:
            print("OpenAPI drift, run `make openapi`: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
