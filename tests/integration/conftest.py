from tests.aws_fixtures import aws

__all__ = ["aws"]
