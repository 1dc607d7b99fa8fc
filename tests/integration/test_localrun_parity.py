"""The router's route table is the one aws-sam-cli's own template parser finds.

SAM's parser lives in .venv-sam (it pins its own boto3), so it runs in a subprocess.
`ApiProvider(stacks).routes` merges the routes of one function and path into one entry
carrying a single authorizer (and drops whether a route opted out of the default
one), so the script takes the same steps as `ApiProvider.__init__` and reads the routes
after SAM links authorizers to them but before that merge. These are internals of
aws-sam-cli 1.170.0 (requirements-sam.txt pins it).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from devkit.localrun.api import JwtAuthorizer, http_apis
from devkit.localrun.config import LocalTemplate
from devkit.template import ROOT, TEMPLATE_PATH

SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
ANY_METHODS = ("GET", "DELETE", "PUT", "POST", "HEAD", "OPTIONS", "PATCH")  # SAM's expansion of ANY

SAM_ROUTES = """
import json, sys
from samcli.lib.providers.api_collector import ApiCollector
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

stacks, _ = SamLocalStackProvider.get_stacks(sys.argv[1])
collector = ApiCollector()
ApiProvider.find_api_provider(stacks).extract_resources(stacks, collector, cwd=sys.argv[2])
routes = list(collector.routes)
methods = {id(route): list(route.methods) for route in routes}  # get_api() extends them in place
api = collector.get_api()  # links each route to its authorizer
print(json.dumps({
    "cors": api.cors is not None,
    "routes": [
        {"methods": methods[id(route)], "path": route.path, "function": route.function_name,
         "authorizer": route.authorizer_name}
        for route in routes
    ],
}))
"""

Row = tuple[str, str, str, bool]  # method, path, function, public


def sam_route_table(template: Path) -> set[Row]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_ENDPOINT_URL")}
    environment["SAM_CLI_TELEMETRY"] = "0"
    result = subprocess.run(
        [str(SAM_PYTHON), "-c", SAM_ROUTES, str(template.resolve()), str(template.resolve().parent)],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    # With CORS, SAM adds OPTIONS to every route (its stand-in for the gateway's preflight).
    added = {"OPTIONS"} if found["cors"] else set()
    return {
        (method, route["path"], route["function"], route["authorizer"] is None)
        for route in found["routes"]
        for method in set(route["methods"]) - added
    }


def router_route_table(template: Path) -> set[Row]:
    apis = http_apis(LocalTemplate(template))
    cors = any(api.cors for api in apis)
    rows = set()
    for api in apis:
        for route in api.routes:
            methods = ANY_METHODS if route.method == "ANY" else (route.method,)
            rows |= {(method, route.path, route.function, route.public) for method in methods}
    return {row for row in rows if not (cors and row[0] == "OPTIONS")}


@pytest.mark.skipif(
    not SAM_PYTHON.exists() and not os.environ.get("CI"), reason="aws-sam-cli is not installed in .venv-sam"
)
@pytest.mark.parametrize("template", [TEMPLATE_PATH, FIXTURES / "protected-api.yaml"], ids=lambda path: path.name)
def test_router_routes_equal_sam_routes_when_parsing_the_same_template(template: Path) -> None:
    ours, sams = router_route_table(template), sam_route_table(template)

    assert ours, "the template declares no HTTP route"
    if any(
        isinstance(a, JwtAuthorizer) for api in http_apis(LocalTemplate(template)) for a in api.authorizers.values()
    ):
        # SAM's local parser links only Lambda authorizers to routes: with a JWT authorizer every
        # route looks public to it, so only method, path and function compare. Which routes are
        # public is checked against the template itself (tests/contract/test_template.py).
        ours, sams = {row[:3] for row in ours}, {row[:3] for row in sams}  # type: ignore[misc]
    assert ours == sams
