from tests.aws_fixtures import aws, dynamodb_local, isolated_transactions
from tests.integration.localrun_calls import storefront_on_runtime
from tests.integration.search_calls import search_aws

__all__ = ["aws", "dynamodb_local", "isolated_transactions", "search_aws", "storefront_on_runtime"]
