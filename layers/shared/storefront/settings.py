"""The environment, modelled once and read at cold start.

A plain frozen dataclass, not a pydantic model: the authorizer reads settings on every
cold start and must not pay pydantic's import for six strings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache


class SettingsError(Exception):
    """The function was deployed with a broken environment."""


@dataclass(frozen=True)
class Settings:
    stage: str = "local"  # dev, staging, prod; "local" under the local runtime
    table_name: str = "storefront"
    event_bus_name: str = "storefront-events"
    images_bucket: str = "storefront-images"
    # Where the bucket's images/ objects are served (the CDN; the local runtime's own route).
    images_base_url: str = "https://images.invalid"
    # The access tokens' private keys: read only by the auth and key-management functions.
    jwt_secret_arn: str = "storefront/jwt-signing-keys"
    # The HMAC keys of list cursors: read by every function that pages a list.
    cursor_secret_arn: str = "storefront/cursor-signing-keys"
    # The value the API's CDN adds to every request it forwards (http/origin.py); empty
    # when the API has no CDN in front (local mode, a stack with ApiCdn=off).
    origin_secret_arn: str = ""
    jwt_issuer: str = "storefront"
    jwt_audience: str = "storefront-api"
    aws_region: str = "us-east-1"
    cors_origins: tuple[str, ...] = field(default=())
    # bcrypt's cost factor (2^n rounds): 12 ≈ 200 ms per hash on Lambda; tests use 4.
    bcrypt_rounds: int = 12
    # The search index: its bucket, the indexer's queue (a missing index asks it for a
    # build), and how often a search function checks the index object for a new version.
    search_bucket: str = "storefront-search"
    search_queue_url: str = ""
    search_index_check_seconds: float = 5.0
    # Sign-in throttling (docs/decisions.md, "Sign-in throttling"): failed sign-ins counted
    # per fixed window; the tight limit is per email *and* source address, the two broad
    # ones only refuse an address that has itself failed for the email in the window.
    login_window_seconds: int = 900
    login_failures_per_email_and_address: int = 5
    login_failures_per_address: int = 100
    login_failures_per_email: int = 50
    # Checkout: an open checkout can be completed for this long; an order unpaid this long is cancelled.
    checkout_ttl_seconds: int = 1800
    order_payment_seconds: int = 1800
    # A manual order (bank transfer, cash on delivery) waits this long for a manager to record
    # its payment: the contract's 30 minutes by default; a shop taking bank transfers raises it.
    manual_payment_seconds: int = 1800
    # The store's currency (ISO 4217): what a shipping zone's amounts are in unless it says otherwise.
    store_currency: str = "USD"
    # Which shipping provider quotes checkouts' methods (storefront/domain/shipping/providers.py).
    shipping_provider: str = "table"
    # Stripe (storefront/payments). The API base is "" for Stripe itself; the local runtime
    # points it at localstripe. On AWS the keys live in the secret named by
    # STRIPE_SECRET_ARN ({"api_key": ..., "webhook_secret": ...}); with no secret named (the
    # tests, a function run by hand) they come from STRIPE_API_KEY / STRIPE_WEBHOOK_SECRET,
    # whose defaults only localstripe accepts (a deployed stage refuses them: payments/credentials.py).
    stripe_api_base: str = ""
    stripe_secret_arn: str = ""
    stripe_api_key: str = "sk_test_local"
    stripe_webhook_secret: str = "whsec_local_dev_secret"
    # The KMS key (id, ARN or alias) that seals partner webhooks' signing secrets at rest.
    webhook_key_id: str = "alias/storefront-webhooks"
    # The webhook sender's queue (domain events and scheduled retries) and where a delivery
    # is parked after its last attempt. The retry schedule is multiplied by the scale: 1 in
    # a store, a small fraction in tests so that ten attempts take seconds, not three days.
    webhook_queue_url: str = ""
    webhook_dead_letter_queue_url: str = ""
    webhook_retry_scale: float = 1.0

    def __post_init__(self) -> None:
        if len(self.table_name) < 3:
            raise SettingsError("TABLE_NAME must have at least 3 characters")
        for name in ("jwt_issuer", "jwt_audience", "jwt_secret_arn", "cursor_secret_arn"):
            if not getattr(self, name):
                raise SettingsError(f"{name.upper()} must not be empty")
        if not 4 <= self.bcrypt_rounds <= 16:
            raise SettingsError("BCRYPT_ROUNDS must be between 4 and 16")
        if not 0 < self.webhook_retry_scale <= 1:
            raise SettingsError("WEBHOOK_RETRY_SCALE must be above 0 and at most 1")
        if not 0 <= self.search_index_check_seconds <= 300:
            raise SettingsError("SEARCH_INDEX_CHECK_SECONDS must be between 0 and 300")
        if not 60 <= self.login_window_seconds <= 86_400:
            raise SettingsError("LOGIN_WINDOW_SECONDS must be between 60 and 86400")
        for name in ("checkout_ttl_seconds", "order_payment_seconds"):
            if not 60 <= getattr(self, name) <= 86_400:
                raise SettingsError(f"{name.upper()} must be between 60 and 86400")
        if not 60 <= self.manual_payment_seconds <= 30 * 86_400:
            raise SettingsError("MANUAL_PAYMENT_SECONDS must be between 60 and 2592000 (30 days)")
        if self.stripe_api_base and not self.stripe_api_base.startswith(("http://", "https://")):
            raise SettingsError("STRIPE_API_BASE must be an http(s) URL or empty (Stripe itself)")
        if len(self.store_currency) != 3 or not self.store_currency.isascii() or not self.store_currency.isupper():
            raise SettingsError("STORE_CURRENCY must be an ISO 4217 code in upper case, like USD")
        if not 1 <= self.login_failures_per_email_and_address <= 1_000:
            raise SettingsError("LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS must be between 1 and 1000")
        for name in ("login_failures_per_address", "login_failures_per_email"):
            # A broad limit under the tight one would refuse before the guessing brake does.
            if not self.login_failures_per_email_and_address <= getattr(self, name) <= 1_000_000:
                raise SettingsError(f"{name.upper()} must be between LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS and 1000000")

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    @classmethod
    def from_environment(cls, environ: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
        defaults = cls.__dataclass_fields__
        values = {
            name: environ.get(name.upper(), spec.default)
            for name, spec in defaults.items()
            if name
            not in ("aws_region", "cors_origins", "bcrypt_rounds", "search_index_check_seconds", "webhook_retry_scale")
            and name not in _INTEGER_FIELDS
        }
        origins = environ.get("CORS_ALLOWED_ORIGINS", "")
        rounds = environ.get("BCRYPT_ROUNDS", "12")
        if not rounds.isdigit():
            raise SettingsError("BCRYPT_ROUNDS must be an integer")
        check_seconds = environ.get("SEARCH_INDEX_CHECK_SECONDS", "5")
        try:
            search_index_check_seconds = float(check_seconds)
        except ValueError as error:
            raise SettingsError("SEARCH_INDEX_CHECK_SECONDS must be a number") from error
        try:
            webhook_retry_scale = float(environ.get("WEBHOOK_RETRY_SCALE", "1"))
        except ValueError as error:
            raise SettingsError("WEBHOOK_RETRY_SCALE must be a number") from error
        return cls(
            **values,  # type: ignore[arg-type]
            aws_region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            cors_origins=tuple(origin.strip() for origin in origins.split(",") if origin.strip()),
            bcrypt_rounds=int(rounds),
            search_index_check_seconds=search_index_check_seconds,
            webhook_retry_scale=webhook_retry_scale,
            **{name: _integer(environ, name, defaults[name].default) for name in _INTEGER_FIELDS},  # type: ignore[arg-type]
        )


_INTEGER_FIELDS = (
    "login_window_seconds",
    "login_failures_per_email_and_address",
    "login_failures_per_address",
    "login_failures_per_email",
    "checkout_ttl_seconds",
    "order_payment_seconds",
    "manual_payment_seconds",
)


def _integer(environ: dict[str, str] | os._Environ[str], name: str, default: int) -> int:
    value = environ.get(name.upper())
    if value is None:
        return default
    if not value.isdigit():
        raise SettingsError(f"{name.upper()} must be an integer")
    return int(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environment()
