"""Test-wide safety and configuration.

The environment is set before anything imports the storefront package (its settings
are read once, at import, as in Lambda), and the credentials are fake, so no test can
ever reach a real AWS account.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "STAGE": "local",
    "TABLE_NAME": "storefront-test",
    "EVENT_BUS_NAME": "storefront-test-events",
    "IMAGES_BUCKET": "storefront-test-images",
    "IMAGES_BASE_URL": "https://cdn.example.test",
    "JWT_SECRET_ARN": "storefront-test/jwt-signing-keys",
    "CURSOR_SECRET_ARN": "storefront-test/cursor-signing-keys",
    "JWT_ISSUER": "storefront",
    "JWT_AUDIENCE": "storefront-api",
    "CORS_ALLOWED_ORIGINS": "http://localhost:5173",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "StorefrontTest",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "BCRYPT_ROUNDS": "4",
    "SEARCH_BUCKET": "storefront-test-search",
    "SEARCH_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/storefront-test-search-index",
    "SEARCH_INDEX_CHECK_SECONDS": "0",
    "WEBHOOK_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/storefront-test-webhooks",
    "WEBHOOK_DEAD_LETTER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/storefront-test-webhooks-dlq",
    # Ten attempts in well under a second (the schedule's three days, times 10^-5).
    "WEBHOOK_RETRY_SCALE": "0.00001",
}
for _name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL") or name == "AWS_PROFILE"]:
    del os.environ[_name]
os.environ.update(TEST_ENVIRONMENT)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, every e2e test runs on one worker: they share one local runtime."""
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session", autouse=True)
def _temporary_files_where_pytest_cleans_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The search index copies and writer workspaces (`tempfile.mkdtemp`, kept for an execution
    environment's life on Lambda) go under pytest's own directory, which keeps the last three
    runs, instead of piling up in /tmp (thousands of directories a run)."""
    previous = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("tmp"))
    try:
        yield
    finally:
        tempfile.tempdir = previous
