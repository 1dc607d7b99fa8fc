"""Stripe's API key and webhook signing secret, read once per container and every few minutes.

On AWS they live in the secret named by STRIPE_SECRET_ARN, a JSON object
`{"api_key": "sk_...", "webhook_secret": "whsec_..."}` the operator fills after the first
deploy (README, "Deploy"). Without a secret named (tests, local tools) they come from
STRIPE_API_KEY / STRIPE_WEBHOOK_SECRET. The cache is refreshed every few minutes, and at
once (at most every 30 s) when a webhook fails its signature: a rotated endpoint secret
is picked up without a redeploy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from storefront import aws
from storefront.refreshing import Refreshing
from storefront.settings import get_settings

# The operator's placeholder until real keys are put (template.yaml's StripeSecret).
PLACEHOLDER = "replace-me"


class StripeConfigurationError(Exception):
    """The Stripe secret is missing, malformed or still the placeholder: an operator's fault."""


@dataclass(frozen=True)
class StripeCredentials:
    api_key: str
    webhook_secret: str

    @classmethod
    def parse(cls, secret_string: str) -> StripeCredentials:
        try:
            document = json.loads(secret_string)
        except json.JSONDecodeError as error:
            raise StripeConfigurationError("the Stripe secret is not JSON") from error
        if not isinstance(document, dict):
            raise StripeConfigurationError("the Stripe secret is not a JSON object")
        api_key, webhook_secret = document.get("api_key"), document.get("webhook_secret")
        if PLACEHOLDER in (api_key, webhook_secret):
            raise StripeConfigurationError(
                "the Stripe secret still holds its placeholder: put your keys (README, Deploy)"
            )
        if not isinstance(api_key, str) or not api_key.startswith(("sk_", "rk_")):
            raise StripeConfigurationError("the Stripe secret's api_key is not a secret (sk_) or restricted (rk_) key")
        if not isinstance(webhook_secret, str) or not webhook_secret.startswith("whsec_"):
            raise StripeConfigurationError("the Stripe secret's webhook_secret is not an endpoint secret (whsec_)")
        return cls(api_key=api_key, webhook_secret=webhook_secret)


def _read() -> StripeCredentials:
    settings = get_settings()
    if settings.stripe_secret_arn:
        secret = aws.client("secretsmanager").get_secret_value(SecretId=settings.stripe_secret_arn)
        return StripeCredentials.parse(secret["SecretString"])
    if not settings.is_local:
        raise StripeConfigurationError("STRIPE_SECRET_ARN is not set: a deployed stage never uses the local keys")
    return StripeCredentials(api_key=settings.stripe_api_key, webhook_secret=settings.stripe_webhook_secret)


# A forged webhook's signature matches no secret: re-read at most every 30 s, in case the
# operator just rotated it (payments/webhook.py).
credentials_cache = Refreshing(_read, fresh_for=300.0, miss_interval=30.0)
