"""The sample events of events/reviews/ (also `sam local invoke` input) are served when replayed."""

from __future__ import annotations

import pytest

from storefront.domain.catalog import products as catalog_products
from storefront.domain.reviews import service
from tests.integration import catalog_calls
from tests.integration.principals import ensure_user, sample_principal
from tests.integration.reviews_calls import reviews_function
from tests.support import FakeContext, sample_event

pytestmark = pytest.mark.usefixtures("aws")
SAMPLE_PRODUCT = "01JDQ80000000000000000PROD"  # the product of events/reviews/*.json
SAMPLE_REVIEW = "01JDQ80000000000000000REVW"  # the review they post, moderate, edit and delete
CASES = [
    ("post-review", 201),
    ("list-pending", 200),
    ("approve-review", 200),
    ("list-reviews", 200),
    ("patch-review", 200),
    ("delete-review", 204),
]


def test_every_sample_event_succeeds_when_replayed_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_products, "new_ulid", lambda: SAMPLE_PRODUCT)
    monkeypatch.setattr(service, "new_ulid", lambda *_: SAMPLE_REVIEW)
    catalog_calls.create_product(catalog_calls.create_category("Sampled shoes")["id"], "SAMPLE-REVIEW-1")
    for case, status in CASES:
        ensure_user(sample_principal("reviews", case))
        response = reviews_function.lambda_handler(sample_event("reviews", case), FakeContext())
        assert response["statusCode"] == status, (case, response)
        assert response["headers"]["X-Request-Id"].startswith(f"reviews-{case}")
