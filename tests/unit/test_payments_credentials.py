"""Where the Stripe keys come from: the secret on AWS, the environment's local defaults otherwise."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import boto3
import pytest
from moto import mock_aws

from storefront import aws
from storefront.payments import credentials as credentials_module
from storefront.payments.credentials import StripeConfigurationError, StripeCredentials, credentials_cache
from storefront.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def fresh_credentials() -> Iterator[None]:
    credentials_cache.clear()
    aws.client.cache_clear()
    yield
    credentials_cache.clear()
    aws.client.cache_clear()


def _use(monkeypatch: pytest.MonkeyPatch, **changes: str) -> None:
    settings = replace(get_settings(), **changes)  # type: ignore[arg-type]
    monkeypatch.setattr(credentials_module, "get_settings", lambda: settings)


def test_local_stage_without_a_secret_uses_the_printed_local_defaults() -> None:
    assert credentials_cache.current() == StripeCredentials("sk_test_local", "whsec_local_dev_secret")


def test_environment_overrides_the_local_keys() -> None:
    settings = Settings.from_environment({"STRIPE_API_KEY": "sk_test_mine", "STRIPE_WEBHOOK_SECRET": "whsec_mine"})
    assert (settings.stripe_api_key, settings.stripe_webhook_secret, settings.stripe_api_base) == (
        "sk_test_mine",
        "whsec_mine",
        "",
    )


def test_deployed_stage_without_a_secret_never_falls_back_to_local_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, stage="prod", stripe_secret_arn="")

    with pytest.raises(StripeConfigurationError):
        credentials_cache.current()


def test_keys_are_read_from_the_secret_once_per_container(monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, stage="prod", stripe_secret_arn="storefront-test/stripe")
    with mock_aws():
        secrets = boto3.client("secretsmanager")
        value = {"api_key": "sk_test_from_secret", "webhook_secret": "whsec_from_secret"}
        secrets.create_secret(Name="storefront-test/stripe", SecretString=json.dumps(value))

        first = credentials_cache.current()
        secrets.put_secret_value(
            SecretId="storefront-test/stripe", SecretString=json.dumps({**value, "api_key": "sk_2"})
        )

        assert first == StripeCredentials("sk_test_from_secret", "whsec_from_secret")
        assert credentials_cache.current() is first


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ('{"api_key": "replace-me", "webhook_secret": "replace-me"}', "placeholder"),
        ("not json", "not JSON"),
        ('["sk_test_x"]', "not a JSON object"),
        ('{"api_key": "pk_test_public", "webhook_secret": "whsec_x"}', "api_key"),
        ('{"api_key": "sk_test_x", "webhook_secret": "nope"}', "webhook_secret"),
    ],
)
def test_placeholder_or_malformed_secret_is_a_configuration_error(secret: str, reason: str) -> None:
    with pytest.raises(StripeConfigurationError, match=reason):
        StripeCredentials.parse(secret)


def test_api_base_must_be_an_http_url() -> None:
    with pytest.raises(Exception, match="STRIPE_API_BASE"):
        Settings.from_environment({"STRIPE_API_BASE": "127.0.0.1:8420"})
