"""moto-backed AWS for integration tests: the table built from template.yaml, the secret."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from devkit import provision
from storefront.security.keyring import keyring_cache

SIGNING_KEY = "k1-signing-key-for-tests-0123456789abcdefghijklmnopqrstuvwxyz"


def signing_secret(**keys: str) -> str:
    keys = keys or {"k1": SIGNING_KEY}
    return json.dumps({"active_kid": next(reversed(keys)), **keys})


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        keyring_cache.clear()
        provision.create_table(boto3.client("dynamodb"), os.environ["TABLE_NAME"])
        boto3.client("secretsmanager").create_secret(Name=os.environ["JWT_SECRET_ARN"], SecretString=signing_secret())
        yield
        keyring_cache.clear()
