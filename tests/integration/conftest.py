from tests.aws_fixtures import aws, dynamodb_local

__all__ = ["aws", "dynamodb_local"]
