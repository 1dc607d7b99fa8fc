"""The one logger of each function, and the child loggers of the shared modules.

Each Lambda function has one Powertools `Logger` (its service is the function's
`POWERTOOLS_SERVICE_NAME`); the handler injects the Lambda context and the request's
correlation id into it. Shared modules log through children of it, so every line written
while serving a request — from the handler, the domain or the error mapping — carries the
same keys. Tracer is deliberately absent: it imports the X-Ray SDK (100+ ms of every cold
start) even when tracing is off. Metrics arrive with the business metrics (one Metrics
object per function, the operations issue).
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger


@cache
def function_logger() -> Logger:
    """The function's logger; its handler injects the Lambda context into it."""
    return Logger()


def module_logger() -> Logger:
    """A child of the function's logger, for a shared module: its lines carry the request's keys."""
    function_logger()  # the parent first, so the child finds its service
    return Logger(child=True)
