"""The authorizer against Secrets Manager and the table (moto): allow, deny, key rotation, users' state."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from devkit.functions import load_handler_module
from storefront.models.roles import Role
from storefront.security.keyring import keyring_cache
from storefront.security.tokens import issue_access_token
from tests.aws_fixtures import SIGNING_KEY, signing_secret
from tests.integration.users_calls import put_user
from tests.support import FakeContext, forge_token, sample_event

authorizer = load_handler_module("functions/authorizer")
pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture(autouse=True)
def known_users(aws: None) -> None:
    """Tokens are only honoured for users that exist and are enabled."""
    put_user("user-1")
    put_user("user-7", Role.MANAGER)


def authorize(authorization: str | None) -> dict[str, Any]:
    event = sample_event("authorizer", "bearer-token")
    if authorization is None:
        del event["headers"]["authorization"]
        event["identitySource"] = []
    else:
        event["headers"]["authorization"] = authorization
        event["identitySource"] = [authorization]
    return dict(authorizer.lambda_handler(event, FakeContext()))


def test_valid_token_is_allowed_with_user_and_role_when_signed_by_the_app() -> None:
    token = issue_access_token("user-7", Role.MANAGER)
    answer = authorize(f"Bearer {token}")
    assert answer["isAuthorized"] is True
    assert answer["context"]["user_id"] == "user-7"
    assert answer["context"]["role"] == "manager"


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_request_is_denied_when_the_header_carries_no_bearer_token(authorization: str | None) -> None:
    assert authorize(authorization) == {"isAuthorized": False}


def test_token_is_denied_when_expired() -> None:
    now = int(time.time())
    assert authorize(f"Bearer {forge_token(SIGNING_KEY, iat=now - 900, exp=now - 1)}")["isAuthorized"] is False


def test_token_is_denied_when_audience_is_wrong() -> None:
    assert authorize(f"Bearer {forge_token(SIGNING_KEY, aud='other')}")["isAuthorized"] is False


def test_token_of_a_rotated_key_verifies_when_the_new_key_is_added() -> None:
    old_token = issue_access_token("user-1", Role.CUSTOMER)
    secret = signing_secret(k1=SIGNING_KEY, k2="k2-key-" + "z" * 40)
    boto3.client("secretsmanager").put_secret_value(SecretId="storefront-test/jwt-signing-keys", SecretString=secret)
    keyring_cache.clear()
    new_token = issue_access_token("user-1", Role.CUSTOMER)
    assert json.loads(secret)["active_kid"] == "k2"
    assert authorize(f"Bearer {old_token}")["isAuthorized"] is True
    assert authorize(f"Bearer {new_token}")["isAuthorized"] is True


def test_token_of_a_removed_key_is_denied_when_the_cache_refreshes() -> None:
    old_token = issue_access_token("user-1", Role.CUSTOMER)
    secret = signing_secret(k2="k2-key-" + "z" * 40)
    boto3.client("secretsmanager").put_secret_value(SecretId="storefront-test/jwt-signing-keys", SecretString=secret)
    keyring_cache.clear()
    assert authorize(f"Bearer {old_token}")["isAuthorized"] is False


def test_token_is_denied_when_its_user_does_not_exist() -> None:
    assert authorize(f"Bearer {issue_access_token('ghost', Role.CUSTOMER)}")["isAuthorized"] is False


def test_token_is_denied_when_its_user_is_disabled() -> None:
    put_user("user-9", disabled=True)
    assert authorize(f"Bearer {issue_access_token('user-9', Role.CUSTOMER)}")["isAuthorized"] is False


def test_token_is_denied_when_issued_before_the_last_password_change() -> None:
    now = int(time.time())
    token = forge_token(SIGNING_KEY, sub="user-1", iat=now - 60, exp=now + 600)
    assert authorize(f"Bearer {token}")["isAuthorized"] is True
    boto3.client("dynamodb").update_item(
        TableName="storefront-test",
        Key={"PK": {"S": "USER#user-1"}, "SK": {"S": "PROFILE"}},
        UpdateExpression="SET password_changed_at = :at",
        ExpressionAttributeValues={":at": {"N": str(now - 30)}},
    )
    assert authorize(f"Bearer {token}")["isAuthorized"] is False
    assert authorize(f"Bearer {issue_access_token('user-1', Role.CUSTOMER)}")["isAuthorized"] is True


def test_role_is_lowered_to_the_stored_one_when_the_user_was_demoted() -> None:
    put_user("user-8", Role.CUSTOMER)
    answer = authorize(f"Bearer {issue_access_token('user-8', Role.ADMIN)}")
    assert answer["isAuthorized"] is True
    assert answer["context"]["role"] == "customer"


def test_role_stays_the_tokens_when_the_user_was_promoted_since() -> None:
    answer = authorize(f"Bearer {issue_access_token('user-1', Role.CUSTOMER)}")
    put_user("user-1", Role.ADMIN)
    assert answer["context"]["role"] == "customer"
    assert authorize(f"Bearer {issue_access_token('user-1', Role.CUSTOMER)}")["context"]["role"] == "customer"
