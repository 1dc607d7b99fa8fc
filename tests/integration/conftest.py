from tests.aws_fixtures import aws, dynamodb_local, isolated_transactions
from tests.integration.localrun_calls import storefront_on_runtime
from tests.integration.log_capture import log_lines
from tests.integration.search_calls import search_aws
from tests.integration.webhook_calls import sender, webhook_key

__all__ = [
    "aws",
    "dynamodb_local",
    "isolated_transactions",
    "log_lines",
    "search_aws",
    "sender",
    "storefront_on_runtime",
    "webhook_key",
]
