"""The sample events of events/users/ run green against moto (they also feed `sam local invoke`)."""

from __future__ import annotations

import json

import pytest

from storefront.data import addresses
from storefront.domain.identity.roles import Role
from storefront.domain.users.entities import Address
from tests.integration.users_calls import put_user, users_function
from tests.support import FakeContext, sample_event

pytestmark = pytest.mark.usefixtures("aws")
CUSTOMER, ADMIN, ADDRESS = "01JDQ7Z8X9K2M3N4P5Q6R7S8T9", "01JDQ7Z8X9K2M3N4P5Q6R7ADMN", "01JDQ80000000000000000ADDR"
CASES = [
    ("get-me", 200),
    ("patch-me", 200),
    ("create-address", 201),
    ("list-addresses", 200),
    ("patch-address", 200),
    ("delete-address", 204),
    ("list-users-by-email", 200),
    ("patch-user", 200),
]


def test_every_sample_event_succeeds_when_replayed_in_order() -> None:
    put_user(CUSTOMER, email="ann@example.com")
    put_user(ADMIN, Role.ADMIN)
    saved = Address(ADDRESS, None, "Ann", "1 Main St", None, "Springfield", None, None, "US", None, 1, 1)
    assert addresses.create_address(CUSTOMER, saved, [], 20)
    for case, status in CASES:
        response = users_function.lambda_handler(sample_event("users", case), FakeContext())
        assert response["statusCode"] == status, (case, response)
    found = json.loads(
        users_function.lambda_handler(sample_event("users", "list-users-by-email"), FakeContext())["body"]
    )
    assert [user["role"] for user in found["items"]] == ["manager"]
