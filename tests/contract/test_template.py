"""template.yaml passes cfn-lint, `sam validate --lint` and `sam build`, and keeps its promises."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devkit.template import ROOT, load_template

SAM_VENV = ROOT / ".venv-sam"
needs_sam = pytest.mark.skipif(not (SAM_VENV / "bin" / "sam").exists(), reason="run `make install` for .venv-sam")


def _sam_environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT_URL")}
    environment["SAM_CLI_TELEMETRY"] = "0"
    environment["PATH"] = f"{SAM_VENV / 'runtime-bin'}:{environment['PATH']}"
    return environment


@needs_sam
@pytest.mark.slow
def test_template_passes_cfn_lint() -> None:
    result = subprocess.run(
        [str(SAM_VENV / "bin" / "cfn-lint"), "template.yaml"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@needs_sam
@pytest.mark.slow
def test_template_passes_sam_validate_lint() -> None:
    result = subprocess.run(
        [str(SAM_VENV / "bin" / "sam"), "validate", "--lint", "--template", "template.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=_sam_environment(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@needs_sam
@pytest.mark.slow
def test_sam_build_packages_every_function_and_the_layer(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    result = subprocess.run(
        [str(SAM_VENV / "bin" / "sam"), "build", "--template", "template.yaml", "--build-dir", str(build_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=_sam_environment(),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    layer = build_dir / "SharedLayer" / "python"
    assert (layer / "storefront" / "__init__.py").exists()
    assert (layer / "aws_lambda_powertools").is_dir()
    assert not (layer / "cryptography").exists(), "cryptography slows PyJWT's import: keep it out of the layer"
    assert (build_dir / "OperationsFunction" / "openapi.json").exists()
    assert (build_dir / "OperationsFunction" / "swagger_ui" / "static" / "swagger-ui-bundle.js").exists()
    shutil.rmtree(build_dir)


def test_table_keeps_data_safe_when_deployed() -> None:
    table = load_template()["Resources"]["Table"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}


def test_authorizer_is_the_default_and_public_routes_opt_out_explicitly() -> None:
    resources = load_template()["Resources"]
    auth = resources["HttpApi"]["Properties"]["Auth"]
    authorizer = auth["Authorizers"][auth["DefaultAuthorizer"]]
    assert authorizer["EnableSimpleResponses"] is True
    assert authorizer["AuthorizerPayloadFormatVersion"] == "2.0"
    assert authorizer["Identity"]["Headers"] == ["Authorization"]
    assert authorizer["Identity"]["ReauthorizeEvery"] <= 300


def test_images_bucket_is_private_and_encrypted() -> None:
    bucket = load_template()["Resources"]["ImagesBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert bucket["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"] == ["POST"]


def test_every_function_has_its_own_log_group_with_retention() -> None:
    resources = load_template()["Resources"]
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        group = resource["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, logical_id
