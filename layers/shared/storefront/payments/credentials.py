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
import threading
import time
from dataclasses import dataclass

from storefront import aws
from storefront.settings import get_settings

_REFRESH_AFTER_S = 300.0
_MISS_REFRESH_AFTER_S = 30.0
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


class _CredentialsCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._credentials: StripeCredentials | None = None
        self._loaded_at = 0.0

    def current(self) -> StripeCredentials:
        with self._lock:
            if self._credentials is None or time.monotonic() - self._loaded_at > _REFRESH_AFTER_S:
                self._credentials, self._loaded_at = _read(), time.monotonic()
            return self._credentials

    def refreshed_after_miss(self) -> StripeCredentials | None:
        """Fresh credentials if the cached ones are older than 30 s; None when they are not
        (a flood of forged webhooks costs at most one read per 30 s)."""
        with self._lock:
            if self._credentials is not None and time.monotonic() - self._loaded_at <= _MISS_REFRESH_AFTER_S:
                return None
            self._credentials, self._loaded_at = _read(), time.monotonic()
            return self._credentials

    def clear(self) -> None:
        with self._lock:
            self._credentials, self._loaded_at = None, 0.0


credentials_cache = _CredentialsCache()
