"""Reading template.yaml the way CloudFormation does (with its `!Ref`-style tags)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cfnlint.decode.cfn_yaml import load as load_cfn_yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "template.yaml"


@dataclass(frozen=True)
class HttpRoute:
    function: str  # logical id of the function
    method: str
    path: str  # API Gateway syntax: /v1/products/{product_id}
    public: bool


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.code_uri.name


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    return dict(load_cfn_yaml(str(path)))


def functions(template: dict[str, Any] | None = None, base: Path = ROOT) -> list[FunctionSpec]:
    template = template or load_template()
    specs = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        specs.append(
            FunctionSpec(
                logical_id=logical_id,
                code_uri=(base / properties["CodeUri"]).resolve(),
                handler=properties["Handler"],
                environment=dict((properties.get("Environment") or {}).get("Variables") or {}),
                events=dict(properties.get("Events") or {}),
            )
        )
    return specs


def http_routes(template: dict[str, Any] | None = None, base: Path = ROOT) -> list[HttpRoute]:
    routes = []
    for spec in functions(template, base):
        for event in spec.events.values():
            if event["Type"] != "HttpApi":
                continue
            properties = event["Properties"]
            authorizer = (properties.get("Auth") or {}).get("Authorizer")
            routes.append(
                HttpRoute(
                    function=spec.logical_id,
                    method=properties["Method"].upper(),
                    path=properties["Path"],
                    public=authorizer == "NONE",
                )
            )
    return routes
