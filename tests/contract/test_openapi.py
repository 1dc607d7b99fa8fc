"""The committed OpenAPI document is the code's, and documents every route of the template."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from devkit.openapi import OUTPUTS, build_document, render
from devkit.template import http_routes


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
                    if status == "401" and expected_security:
                        # API Gateway's JWT authorizer refuses a bad token itself, with its own body.
                        gateway = content.pop("application/json")
                        assert gateway == {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}
                    assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


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
