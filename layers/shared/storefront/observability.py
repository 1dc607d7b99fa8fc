"""The one place that builds loggers and metrics.

Tracer is deliberately absent: it imports the X-Ray SDK (100+ ms of every cold start)
even when tracing is off. A function that wants traces creates it itself.
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger, Metrics


@cache
def get_logger(service: str) -> Logger:
    return Logger(service=service)


@cache
def get_metrics(service: str) -> Metrics:
    return Metrics(service=service)
