"""The signing keys against moto: made once, published before they sign, rotated safely."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from devkit.functions import load_handler_module
from storefront import custom_resource
from storefront.security import key_store
from storefront.security.signing_keys import DISCOVERY_KEY, JWKS_KEY, KeySet, KeySetError
from tests.support import FakeContext

pytestmark = pytest.mark.usefixtures("aws")
signing_keys_function = load_handler_module("functions/signing_keys")
BUCKET, SECRET = "storefront-test-images", "storefront-test/jwt-signing-keys"


@pytest.fixture(autouse=True)
def empty_key_secret(aws: str) -> None:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    boto3.client("secretsmanager").put_secret_value(SecretId=SECRET, SecretString='{"keys": []}')


def published(key: str) -> dict[str, Any]:
    return dict(json.loads(boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()))


def stored() -> KeySet:
    return KeySet.parse(boto3.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the function answers CloudFormation (its presigned URL is not reachable here)."""
    answered: list[str] = []
    monkeypatch.setattr(
        custom_resource, "answer", lambda event, status, physical_id, reason="": answered.append(status)
    )
    return answered


def custom_resource_event(request_type: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": "https://cloudformation-custom-resource-response.example/presigned",
        "StackId": "stack",
        "RequestId": "request",
        "LogicalResourceId": "SigningKeys",
        "ResourceProperties": {"Issuer": "https://d1.cloudfront.net"},
    }


def test_first_keys_are_made_once_and_published_when_the_stack_is_created(answers: list[str]) -> None:
    event = custom_resource_event("Create")
    signing_keys_function.lambda_handler(event, FakeContext())
    first = stored()
    signing_keys_function.lambda_handler({**event, "RequestType": "Update"}, FakeContext())

    assert answers == ["SUCCESS", "SUCCESS"]
    assert stored() == first  # an update republishes, it never replaces the keys
    assert {key["kid"] for key in published(JWKS_KEY)["keys"]} == {key.kid for key in first.keys}
    assert published(DISCOVERY_KEY)["issuer"] == "https://d1.cloudfront.net"


def test_custom_resource_reports_failure_instead_of_hanging_when_keys_cannot_be_made(answers: list[str]) -> None:
    boto3.client("secretsmanager").put_secret_value(SecretId=SECRET, SecretString="not a key set")
    signing_keys_function.lambda_handler(custom_resource_event("Create"), FakeContext())
    assert answers == ["FAILED"]


def test_rotation_publishes_every_key_before_the_secret_names_it_when_invoked() -> None:
    before = key_store.ensure_keys(issuer="https://d1.cloudfront.net")
    with pytest.raises(KeySetError):
        signing_keys_function.lambda_handler({"action": "rotate"}, FakeContext())  # next key too young
    summary = signing_keys_function.lambda_handler({"action": "rotate", "force": True}, FakeContext())

    after = stored()
    statuses = {key["kid"]: key["status"] for key in summary["keys"]}
    old_next = next(key.kid for key in before.keys if key.status == "next")
    assert statuses[old_next] == "active"
    assert statuses[before.active.kid] == "retired"
    assert {key["kid"] for key in published(JWKS_KEY)["keys"]} == {key.kid for key in after.keys}
    assert "private_key" not in json.dumps(summary)


def test_the_auth_function_signs_with_the_promoted_key_once_its_cache_is_renewed() -> None:
    key_store.ensure_keys(issuer="https://d1.cloudfront.net")
    key_store.active_key_cache.clear()
    first = key_store.active_key_cache.current()
    key_store.rotate_keys(min_next_age_s=0, issuer="https://d1.cloudfront.net")
    assert key_store.active_key_cache.current() == first  # cached for a few minutes: still published
    key_store.active_key_cache.clear()
    assert key_store.active_key_cache.current().kid == stored().active.kid != first.kid
