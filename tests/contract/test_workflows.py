"""CI/CD as GitHub runs it: pull requests run the README's test command; main deploys to staging
and a tag to production, with OIDC credentials (no stored keys), from samconfig.toml's environments."""

from __future__ import annotations

import tomllib
from typing import Any

import yaml

from devkit.template import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict[str, Any]:
    document: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True)  # YAML 1.1 reads the key `on` as true
    return document


def _runs(workflow: dict[str, Any]) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def test_pull_requests_run_the_readmes_test_command() -> None:
    workflow = _workflow("test.yml")
    assert "pull_request" in workflow["on"]
    assert _runs(workflow) == ["make test"]
    assert "make test" in (ROOT / "README.md").read_text()
    assert workflow["permissions"] == {"contents": "read"}


def test_main_deploys_to_staging_and_a_tag_to_production_with_oidc_credentials() -> None:
    workflow = _workflow("deploy.yml")
    assert workflow["on"]["push"] == {"branches": ["main"], "tags": ["v*"]}
    assert workflow["permissions"]["id-token"] == "write"
    text = (WORKFLOWS / "deploy.yml").read_text()
    assert "aws-access-key-id" not in text
    assert "secrets." not in text  # roles come from repository variables; no stored keys
    [job] = workflow["jobs"].values()
    assert "'production' || 'staging'" in job["env"]["CONFIG_ENV"]
    [deploy] = [run for run in _runs(workflow) if "sam deploy" in run]
    assert "--no-fail-on-empty-changeset" in deploy
    assert '--config-env "$CONFIG_ENV"' in deploy


def test_samconfig_holds_the_staging_and_production_environments() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    for environment, stage in (("staging", "staging"), ("production", "prod")):
        assert config[environment]["global"]["parameters"]["stack_name"]
        deploy = config[environment]["deploy"]["parameters"]
        assert f"Stage={stage}" in deploy["parameter_overrides"]
        assert deploy["confirm_changeset"] is False  # a workflow cannot answer the prompt


def test_make_test_lints_the_workflows() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "workflow-check" in makefile.split("\ntest:", 1)[1].splitlines()[0]
    assert "actionlint" in makefile
