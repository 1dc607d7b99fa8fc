"""Local mode's payment settings: localstripe by default, Stripe's test mode only with test keys."""

from __future__ import annotations

import pytest

from devkit.localrun.stripe import DEFAULT_PORT, StripeOptions, StripeSetupError


def test_default_is_localstripe_on_8420_with_the_printed_secret() -> None:
    options = StripeOptions.from_environment({})

    assert (options.use_localstripe, options.port, options.api_key) == (True, DEFAULT_PORT, "sk_test_local")
    assert options.webhook_secret == "whsec_local_dev_secret"
    assert options.is_default_secret


def test_port_and_secret_come_from_the_environment() -> None:
    options = StripeOptions.from_environment({"STRIPE_PORT": "9000", "STRIPE_WEBHOOK_SECRET": "whsec_mine"})

    assert (options.port, options.webhook_secret, options.is_default_secret) == (9000, "whsec_mine", False)


def test_stripe_test_mode_with_test_keys_starts_no_localstripe() -> None:
    options = StripeOptions.from_environment(
        {"LOCAL_STRIPE": "0", "STRIPE_API_KEY": "sk_test_51abc", "STRIPE_WEBHOOK_SECRET": "whsec_from_listen"}
    )

    assert not options.use_localstripe
    assert options.api_key == "sk_test_51abc"


@pytest.mark.parametrize(
    "environment",
    [
        {"LOCAL_STRIPE": "0", "STRIPE_API_KEY": "sk_live_51abc", "STRIPE_WEBHOOK_SECRET": "whsec_x"},
        {"LOCAL_STRIPE": "0", "STRIPE_WEBHOOK_SECRET": "whsec_x"},
        {"LOCAL_STRIPE": "0", "STRIPE_API_KEY": "sk_test_51abc"},
        {"STRIPE_WEBHOOK_SECRET": "not-a-secret"},
        {"STRIPE_PORT": "http"},
        {"STRIPE_PORT": "70000"},
    ],
)
def test_live_keys_missing_keys_or_bad_values_are_refused(environment: dict[str, str]) -> None:
    with pytest.raises(StripeSetupError):
        StripeOptions.from_environment(environment)
