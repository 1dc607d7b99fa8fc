"""The runtime reads the template as CloudFormation would, with local names for resources."""

from __future__ import annotations

import pytest

from devkit.localrun.api import JwtAuthorizer, http_apis
from devkit.localrun.config import LocalTemplate, TemplateError
from devkit.template import ROOT, TEMPLATE_PATH


@pytest.fixture(scope="module")
def template() -> LocalTemplate:
    return LocalTemplate(TEMPLATE_PATH)


def test_globals_resolve_to_local_names_when_they_ref_resources(template: LocalTemplate) -> None:
    environment = template.shared_environment()

    assert environment["STAGE"] == "local"
    assert environment["TABLE_NAME"] == "storefront-table"
    assert len(environment["TABLE_NAME"]) >= 3  # DynamoDB Local refuses shorter names
    assert environment["EVENT_BUS_NAME"] == "storefront-events"
    assert environment["IMAGES_BUCKET"] == "storefront-images-bucket"
    assert environment["CURSOR_SECRET_ARN"] == "storefront-cursor-signing-secret"
    assert environment["JWT_ISSUER"].startswith("https://")  # the CDN, where the JWKS is published
    assert environment["JWT_AUDIENCE"] == "storefront-api"
    assert environment["CORS_ALLOWED_ORIGINS"] == "http://localhost:5173,http://localhost:3000"
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"


def test_function_settings_come_from_the_function_or_globals_when_read(template: LocalTemplate) -> None:
    functions = {function.logical_id: function for function in template.functions()}

    keys, operations = functions["SigningKeysFunction"], functions["OperationsFunction"]
    assert keys.environment == {
        "POWERTOOLS_SERVICE_NAME": "signing-keys",
        "JWT_SECRET_ARN": "storefront-jwt-signing-secret",
    }
    assert (keys.memory_mb, keys.timeout_s) == (512, 60)
    assert (operations.memory_mb, operations.timeout_s) == (512, 10)
    assert operations.code_uri == ROOT / "functions" / "operations"
    assert operations.handler == "lambda_handler"


def test_parameter_override_replaces_the_default_when_given() -> None:
    overridden = LocalTemplate(TEMPLATE_PATH, parameter_overrides={"CorsAllowedOrigins": "http://a.test,http://b.test"})

    assert overridden.shared_environment()["CORS_ALLOWED_ORIGINS"] == "http://a.test,http://b.test"


def test_intrinsics_resolve_locally_when_nested(template: LocalTemplate) -> None:
    value = {
        "Name": {"Fn::Sub": "${AWS::StackName}-${AWS::Region}-${!Literal}"},
        "Arn": {"Fn::Sub": "${ImagesBucket.Arn}/*"},
        "Protected": {"Fn::If": ["IsProd", True, False]},
        "Second": {"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]},
        "Joined": {"Fn::Join": ["|", [{"Ref": "Stage"}, {"Fn::GetAtt": ["Table", "Arn"]}]]},
        "Dropped": {"Ref": "AWS::NoValue"},
    }

    assert template.resolve(value) == {
        "Name": "storefront-us-east-1-${Literal}",
        "Arn": "arn:aws:s3:::storefront-images-bucket/*",
        "Protected": False,
        "Second": "b",
        "Joined": "dev|arn:aws:dynamodb:us-east-1:123456789012:table/storefront-table",
    }


def test_unsupported_intrinsic_is_refused_when_resolved(template: LocalTemplate) -> None:
    with pytest.raises(TemplateError, match="ImportValue"):
        template.resolve({"Fn::ImportValue": "shared-vpc"})


def test_layer_folders_are_listed_when_functions_use_layers(template: LocalTemplate) -> None:
    assert template.layer_paths() == [ROOT / "layers" / "shared"]


def test_http_api_keeps_the_template_authorizer_and_cors_when_read(template: LocalTemplate) -> None:
    [api] = http_apis(template)

    authorizer = api.authorizers["JwtAuthorizer"]
    assert isinstance(authorizer, JwtAuthorizer)
    assert authorizer.identity_header == "authorization"
    assert authorizer.audience == ("storefront-api",)
    assert authorizer.issuer.startswith("https://")
    assert api.cors is not None
    assert api.cors.allow_origins == ("http://localhost:5173", "http://localhost:3000")
    assert api.cors.max_age == 600
    health = next(route for route in api.routes if route.path == "/v1/health")
    assert (health.method, health.function, health.public) == ("GET", "OperationsFunction", True)
