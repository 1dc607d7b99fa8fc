"""The committed OpenAPI document is the code's, and documents every route of the template."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from devkit.openapi import OUTPUTS, build_document, render
from devkit.template import http_routes

_GATEWAY_STATUSES = {"401", "403", "413"}


def test_committed_documents_match_the_code_when_regenerated() -> None:
    expected = render(build_document())
    for output in OUTPUTS:
        assert output.read_text() == expected, f"{output} drifted: run `make openapi`"


def test_document_has_exactly_the_templates_routes() -> None:
    document = json.loads(OUTPUTS[0].read_text())
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert documented == {(route.method, route.path) for route in http_routes()}


def test_every_error_response_is_a_problem_and_every_operation_declares_security() -> None:
    document = json.loads(OUTPUTS[0].read_text())
    public = {(route.method, route.path) for route in http_routes() if route.public}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            expected_security: list[dict[str, list[str]]] = (
                [] if (method.upper(), path) in public else [{"bearerAuth": []}]
            )
            assert operation["security"] == expected_security, (method, path)
            for status, response in operation["responses"].items():
                if int(status) >= 400 and int(status) != 503:
                    content = dict(response["content"])
                    if status in _GATEWAY_STATUSES and (expected_security or status == "413"):
                        # API Gateway refuses these itself, with its own body, before any function runs.
                        gateway = content.pop("application/json")
                        assert gateway == {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}, (method, path)
                    assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_protected_operation_documents_the_gateways_own_401_and_403() -> None:
    document = json.loads(OUTPUTS[0].read_text())
    gateway = {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}
    protected = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation["security"]
    ]
    assert protected
    for method, path, operation in protected:
        for status in ("401", "403"):
            assert operation["responses"][status]["content"]["application/json"] == gateway, (method, path, status)
    message = document["components"]["schemas"]["GatewayMessage"]
    assert message["required"] == ["message"]
    assert message["properties"]["message"]["type"] == "string"


def test_every_operation_documents_its_success_with_the_schema_of_what_it_returns() -> None:
    document = json.loads(OUTPUTS[0].read_text())
    undocumented = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            successes = [status for status in operation["responses"] if status.startswith("2")]
            if len(successes) != 1:
                undocumented.append((method.upper(), path, "no single success", successes))
                continue
            status = successes[0]
            content = operation["responses"][status].get("content", {})
            if status == "204":
                ok = content == {}
            elif path == "/v1/docs":
                ok = content == {"text/html": {"schema": {"type": "string"}}}
            elif path == "/v1/docs/{asset}":
                ok = set(content) == {"text/css", "application/javascript"}
            elif path == "/v1/openapi.json":
                ok = content == {"application/json": {"schema": {"type": "object"}}}
            else:
                schema = content.get("application/json", {}).get("schema", {})
                ok = set(content) == {"application/json"} and ("$ref" in schema or "$ref" in schema.get("items", {}))
            if not ok:
                undocumented.append((method.upper(), path, status, content))
    assert undocumented == []


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_component_schema_is_referenced_from_an_operation() -> None:
    document = json.loads(OUTPUTS[0].read_text())
    components = document["components"]["schemas"]
    reached: set[str] = set()
    pending = list(_refs(document["paths"]))
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(_refs(components[name]))
    assert sorted(set(components) - reached) == []


def _numbers(node: Any, components: dict[str, Any], seen: frozenset[str] = frozenset()) -> Iterator[dict[str, Any]]:
    """Every integer or number schema under `node`, following `$ref`s (once each, so cycles end)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            yield from _numbers(components[ref.rsplit("/", 1)[-1]], components, seen | {ref})
        if node.get("type") in ("integer", "number"):
            yield node
        for value in node.values():
            yield from _numbers(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            yield from _numbers(value, components, seen)


def test_every_number_a_client_sends_has_documented_bounds() -> None:
    document = json.loads(OUTPUTS[0].read_text())
    components = document["components"]["schemas"]
    unbounded = [
        (method, path, schema)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for part in (operation.get("parameters", []), operation.get("requestBody", {}))
        for schema in _numbers(part, components)
        if "minimum" not in schema or "maximum" not in schema
    ]
    assert unbounded == []
