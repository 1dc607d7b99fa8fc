"""The Stripe secret's template promises: a placeholder payments refuse, and few readers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devkit.template import load_template
from storefront.payments.credentials import StripeConfigurationError, StripeCredentials

# The functions that talk to Stripe (and ship its SDK): no other may read its keys. The
# checkout, webhook, expiry and orders (refunds) functions grant themselves the read in their own policies.
STRIPE_READERS = {"CheckoutFunction", "PaymentsFunction", "OrderExpiryFunction", "OrdersFunction"}


def _reads_stripe_secret(properties: dict[str, Any]) -> bool:
    for policy in properties.get("Policies") or []:
        named = policy.get("AWSSecretsManagerGetSecretValuePolicy", {}).get("SecretArn")
        if named == {"Ref": "StripeSecret"}:
            return True
        if "StripeSecret" in json.dumps(policy.get("Statement", [])):
            return True
    return False


def test_stripe_secret_starts_as_a_placeholder_that_payments_refuse() -> None:
    secret = load_template()["Resources"]["StripeSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"

    with pytest.raises(StripeConfigurationError, match="placeholder"):
        StripeCredentials.parse(secret["Properties"]["SecretString"])


def test_every_function_is_told_the_secret_but_only_stripe_functions_may_read_it() -> None:
    document = load_template()
    assert document["Globals"]["Function"]["Environment"]["Variables"]["STRIPE_SECRET_ARN"] == {"Ref": "StripeSecret"}
    readers = {
        logical_id
        for logical_id, resource in document["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function" and _reads_stripe_secret(resource.get("Properties") or {})
    }
    assert readers <= STRIPE_READERS
    assert document["Outputs"]["StripeSecretArn"]["Value"] == {"Ref": "StripeSecret"}
