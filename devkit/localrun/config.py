"""The template as the local runtime sees it: local names for resources, intrinsics resolved.

CloudFormation resolves `!Ref`, `!GetAtt` and `!Sub` at deploy time; locally every
resource gets a stable name derived from the stack name and its logical id, and the
intrinsics resolve to those names, so a function reads the same variables it reads on AWS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from devkit.template import functions as template_functions
from devkit.template import load_template

ACCOUNT_ID: Final = "123456789012"
REGION: Final = "us-east-1"
DEFAULT_STACK_NAME: Final = "storefront"


class TemplateError(Exception):
    """The template uses something the local runtime cannot resolve."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Final = _NoValue()

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_ARN_FORMATS = {
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "AWS::SQS::Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
    "AWS::Events::EventBus": "arn:aws:events:{region}:{account}:event-bus/{name}",
    "AWS::Events::Rule": "arn:aws:events:{region}:{account}:rule/{name}",
    "AWS::Serverless::Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}",
    "AWS::Logs::LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}",
}
# Properties that carry a resource's own name, when the template sets one.
_NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::KMS::Alias": "AliasName",
}


def kebab(logical_id: str) -> str:
    return _CAMEL_BOUNDARY.sub("-", logical_id).lower()


@dataclass(frozen=True)
class FunctionDef:
    logical_id: str
    name: str
    code_uri: Path
    handler: str  # the attribute of app.py that Lambda calls
    environment: dict[str, str]  # the function's own variables; Globals are in LocalTemplate.shared_environment
    memory_mb: int
    timeout_s: int
    events: dict[str, Any]


# Parameters whose template default describes AWS, not this machine: the local API has
# no CDN in front of it (requests come straight to the runtime's router).
LOCAL_DEFAULTS = {"ApiCdn": "off"}


@dataclass
class LocalTemplate:
    path: Path
    stack_name: str = DEFAULT_STACK_NAME
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    queue_endpoint: str = "http://localhost"  # moto's URL, for the queue URLs `!Ref Queue` answers
    region: str = REGION
    account_id: str = ACCOUNT_ID
    # Attributes only known once the resource exists on an emulator (a table's StreamArn).
    known_attributes: dict[tuple[str, str], str] = field(default_factory=dict)
    # What `Ref` answers for resources whose reference is an id the emulator chose (a KMS key's).
    known_refs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path = self.path.resolve()
        self.document: dict[str, Any] = load_template(self.path)

    @property
    def base(self) -> Path:
        return self.path.parent

    # ------------------------------------------------------------ resources

    def resources(self, resource_type: str | None = None) -> dict[str, dict[str, Any]]:
        """The resources whose Condition holds, optionally of one type."""
        found = {}
        for logical_id, resource in self.document["Resources"].items():
            if resource_type and resource["Type"] != resource_type:
                continue
            if "Condition" in resource and not self.condition(resource["Condition"]):
                continue
            found[logical_id] = resource
        return found

    def properties(self, logical_id: str) -> dict[str, Any]:
        return dict(self.document["Resources"][logical_id].get("Properties") or {})

    def resource_type(self, logical_id: str) -> str:
        resource = self.document["Resources"].get(logical_id)
        if resource is None:
            raise TemplateError(f"no resource {logical_id!r} in {self.path.name}")
        return str(resource["Type"])

    def physical_name(self, logical_id: str) -> str:
        resource_type = self.resource_type(logical_id)
        name_property = _NAME_PROPERTIES.get(resource_type)
        if name_property and name_property in self.properties(logical_id):
            return str(self.resolve(self.properties(logical_id)[name_property]))
        name = f"{self.stack_name}-{kebab(logical_id)}"
        if resource_type == "AWS::SQS::Queue" and self.properties(logical_id).get("FifoQueue"):
            name += ".fifo"
        return name

    def arn(self, logical_id: str) -> str:
        resource_type = self.resource_type(logical_id)
        template = _ARN_FORMATS.get(resource_type, "arn:aws:cloudformation:{region}:{account}:local/{name}")
        return template.format(region=self.region, account=self.account_id, name=self.physical_name(logical_id))

    def local_outputs(self) -> dict[str, str]:
        """The template's Outputs as the local runtime resolves them (names of queues, buckets, ...)."""
        outputs: dict[str, str] = {}
        for name, output in (self.document.get("Outputs") or {}).items():
            if "Condition" in output and not self.condition(output["Condition"]):
                continue
            try:
                outputs[name] = str(self.resolve(output["Value"]))
            except (TemplateError, KeyError):  # an output with no local meaning
                continue
        return outputs

    def queue_url(self, logical_id: str) -> str:
        return f"{self.queue_endpoint}/{self.account_id}/{self.physical_name(logical_id)}"

    # ------------------------------------------------------------ intrinsics

    def parameter(self, name: str) -> Any:
        spec = self.document.get("Parameters", {})[name]
        value = self.parameter_overrides.get(name, LOCAL_DEFAULTS.get(name, spec.get("Default")))
        if value is None:
            raise TemplateError(f"parameter {name} has no default: pass an override")
        if spec.get("Type") == "CommaDelimitedList" or str(spec.get("Type", "")).startswith("List<"):
            return value if isinstance(value, list) else [item.strip() for item in str(value).split(",")]
        return str(value)

    def ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local",
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.document.get("Parameters", {}):
            return self.parameter(name)
        if name in self.known_refs:
            return self.known_refs[name]
        resource_type = self.resource_type(name)
        if resource_type == "AWS::SQS::Queue":
            return self.queue_url(name)
        if resource_type == "AWS::Serverless::LayerVersion":
            return str(self.base / self.properties(name)["ContentUri"])
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        if (logical_id, attribute) in self.known_attributes:
            return self.known_attributes[(logical_id, attribute)]
        name = self.physical_name(logical_id)
        by_attribute = {
            "Arn": lambda: self.arn(logical_id),
            "StreamArn": lambda: f"{self.arn(logical_id)}/stream/local",
            "QueueUrl": lambda: self.queue_url(logical_id),
            "DomainName": lambda: f"{name}.s3.amazonaws.com",
            "RegionalDomainName": lambda: f"{name}.s3.{self.region}.amazonaws.com",
        }
        return by_attribute.get(attribute, lambda: name)()

    def condition(self, name: str) -> bool:
        return bool(self._evaluate(self.document.get("Conditions", {})[name]))

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function replaced by its local result."""
        if isinstance(value, dict):
            if len(value) == 1:
                key = next(iter(value))
                if key == "Ref" or key.startswith("Fn::"):
                    return self._evaluate(value)
            resolved = {key: self.resolve(item) for key, item in value.items()}
            return {key: item for key, item in resolved.items() if item is not NO_VALUE}
        if isinstance(value, list):
            return [item for item in (self.resolve(item) for item in value) if item is not NO_VALUE]
        return value

    def _evaluate(self, node: Any) -> Any:
        if not isinstance(node, dict) or len(node) != 1:
            return self.resolve(node)
        [(key, argument)] = node.items()
        match key:
            case "Ref":
                return self.ref(argument)
            case "Condition":
                return self.condition(argument)
            case "Fn::GetAtt":
                logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
                return self.get_att(logical_id, attribute)
            case "Fn::Sub":
                return self._sub(argument)
            case "Fn::Join":
                delimiter, items = argument
                return str(delimiter).join(str(item) for item in self._as_list(self.resolve(items)))
            case "Fn::Select":
                index, items = self.resolve(argument)
                return self._as_list(items)[int(index)]
            case "Fn::Split":
                delimiter, text = self.resolve(argument)
                return str(text).split(delimiter)
            case "Fn::If":
                name, if_true, if_false = argument
                return self.resolve(if_true if self.condition(name) else if_false)
            case "Fn::Equals":
                left, right = self.resolve(argument)
                return str(left) == str(right)
            case "Fn::Not":
                return not self._evaluate(argument[0])
            case "Fn::And":
                return all(self._evaluate(item) for item in argument)
            case "Fn::Or":
                return any(self._evaluate(item) for item in argument)
            case "Fn::FindInMap":
                mapping, first, second = self.resolve(argument)
                return self.document["Mappings"][mapping][first][second]
            case "Fn::GetAZs":
                return [f"{self.region}{zone}" for zone in "abc"]
            case _:
                raise TemplateError(f"{key} is not supported by the local runtime")

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], self.resolve(argument[1]))

        def replace(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in variables:
                return str(variables[expression])
            if "." in expression and not expression.startswith("AWS::"):
                logical_id, attribute = expression.split(".", 1)
                return self.get_att(logical_id, attribute)
            return str(self.ref(expression))

        return _SUB_VARIABLE.sub(replace, text)

    @staticmethod
    def _as_list(value: Any) -> list[Any]:
        return list(value) if isinstance(value, list) else [value]

    # ------------------------------------------------------------ functions

    def _globals(self) -> dict[str, Any]:
        return dict((self.document.get("Globals") or {}).get("Function") or {})

    def shared_environment(self) -> dict[str, str]:
        """Globals' variables, which every function sees; STAGE is always `local`."""
        variables = (self._globals().get("Environment") or {}).get("Variables") or {}
        environment = self._environment(variables)
        environment["STAGE"] = "local"
        return environment

    def _environment(self, variables: Mapping[str, Any]) -> dict[str, str]:
        environment = {}
        for name, value in self.resolve(dict(variables)).items():
            if isinstance(value, bool):
                value = str(value).lower()
            if isinstance(value, dict | list):
                raise TemplateError(f"environment variable {name} resolves to {value!r}, not a string")
            environment[name] = str(value)
        return environment

    def functions(self) -> list[FunctionDef]:
        defaults = self._globals()
        present = self.resources("AWS::Serverless::Function")
        definitions = []
        for spec in template_functions(self.document, self.base):
            if spec.logical_id not in present:
                continue
            properties = self.properties(spec.logical_id)
            module, _, attribute = spec.handler.rpartition(".")
            if module != "app":
                raise TemplateError(f"{spec.logical_id}: the local runtime loads app.py, not {module}.py")
            definitions.append(
                FunctionDef(
                    logical_id=spec.logical_id,
                    name=self.physical_name(spec.logical_id),
                    code_uri=spec.code_uri,
                    handler=attribute,
                    environment=self._environment(spec.environment),
                    memory_mb=int(self.resolve(properties.get("MemorySize", defaults.get("MemorySize", 128)))),
                    timeout_s=int(self.resolve(properties.get("Timeout", defaults.get("Timeout", 3)))),
                    events=spec.events,
                )
            )
        return definitions

    def layer_paths(self) -> list[Path]:
        """The source folders of the layers the functions use, as Lambda puts them on sys.path."""
        paths: list[Path] = []
        layers = list(self._globals().get("Layers") or [])
        for logical_id in self.resources("AWS::Serverless::Function"):
            layers += self.properties(logical_id).get("Layers") or []
        for layer in layers:
            if not (isinstance(layer, dict) and "Ref" in layer):
                continue
            content = self.base / self.properties(layer["Ref"])["ContentUri"]
            path = content / "python" if (content / "python").is_dir() else content
            if path.resolve() not in paths:
                paths.append(path.resolve())
        return paths
