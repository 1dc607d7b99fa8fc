"""The users function's template promises: authenticated routes, least privilege, no Scan."""

from __future__ import annotations

import json
from typing import Any

from devkit.template import ROOT, http_routes, load_template

USERS_ROUTES = {
    ("GET", "/v1/users/me"),
    ("PATCH", "/v1/users/me"),
    ("GET", "/v1/users/me/addresses"),
    ("POST", "/v1/users/me/addresses"),
    ("GET", "/v1/users/me/addresses/{address_id}"),
    ("PATCH", "/v1/users/me/addresses/{address_id}"),
    ("DELETE", "/v1/users/me/addresses/{address_id}"),
    ("GET", "/v1/users"),
    ("PATCH", "/v1/users/{user_id}"),
}


def _statements(function: str) -> list[dict[str, Any]]:
    properties = load_template()["Resources"][function]["Properties"]
    return [statement for policy in properties["Policies"] for statement in policy.get("Statement", [])]


def test_users_routes_are_all_behind_the_authorizer_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "UsersFunction"]
    assert {(route.method, route.path) for route in routes} == USERS_ROUTES
    assert not any(route.public for route in routes)


def test_users_function_may_not_scan_and_queries_only_the_table_and_gsi1_when_deployed() -> None:
    statements = _statements("UsersFunction")
    actions = [statement["Action"] for statement in statements]
    flat = {name for action in actions for name in ([action] if isinstance(action, str) else action)}
    assert "dynamodb:Scan" not in flat
    assert not any(name.endswith("*") for name in flat)
    index_statements = [statement for statement in statements if "Fn::Sub" in statement["Resource"]]
    assert [statement["Action"] for statement in index_statements] == ["dynamodb:Query"]
    assert index_statements[0]["Resource"] == {"Fn::Sub": "${Table.Arn}/index/GSI1"}


def test_only_the_auth_and_key_functions_can_read_the_private_signing_keys_when_deployed() -> None:
    resources = load_template()["Resources"]
    readers = set()
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        text = json.dumps(resource["Properties"].get("Policies", []))
        if "JwtSigningSecret" in text:
            readers.add(logical_id)
    assert readers == {"AuthFunction", "SigningKeysFunction"}
    assert "JWT_SECRET_ARN" not in json.dumps(load_template()["Globals"])


def test_no_scan_is_used_anywhere_but_the_search_index_rebuild() -> None:
    """The one Scan (CATALOG-SCAN, docs/data-model.md) feeds the search index's full rebuild; no request path scans."""
    sources = [*ROOT.glob("functions/*/app.py"), *ROOT.glob("layers/shared/storefront/**/*.py")]
    scanning = {path.relative_to(ROOT).as_posix() for path in sources if ".scan(" in path.read_text()}
    assert scanning == {"layers/shared/storefront/data/products.py"}
    callers = {
        path.relative_to(ROOT).as_posix()
        for path in sources
        if "scan_products(" in path.read_text() and path.name != "products.py"
    }
    assert callers == {"layers/shared/storefront/search/indexing.py"}
    assert not any("Scan(" in path.read_text() for path in sources)
