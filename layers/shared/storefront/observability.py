"""The one logger and the one Metrics object of each function; child loggers of shared modules.

Each Lambda function has one Powertools `Logger` (its service is the function's
`POWERTOOLS_SERVICE_NAME`); the handler injects the Lambda context and the request's
correlation id into it. Shared modules log through children of it, so every line written
while serving a request — from the handler, the domain or the error mapping — carries the
same keys. Tracer is deliberately absent: it imports the X-Ray SDK (100+ ms of every cold
start) even when tracing is off.

Business metrics (docs/operations.md, "Metrics") are counted with `count` into the
function's one Powertools `Metrics` object (namespace `POWERTOOLS_METRICS_NAMESPACE`,
dimension `service`) and written once, at the invocation's end, as one CloudWatch embedded
metric format line (`flushing`): no PutMetricData call, no cost while nothing happens.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from aws_lambda_powertools.metrics import Metrics


@cache
def function_logger() -> Logger:
    """The function's logger; its handler injects the Lambda context into it."""
    return Logger()


def module_logger() -> Logger:
    """A child of the function's logger, for a shared module: its lines carry the request's keys."""
    function_logger()  # the parent first, so the child finds its service
    return Logger(child=True)


@cache
def function_metrics() -> Metrics:
    """The function's one Metrics object. Imported on first use: most invocations (reads) record none."""
    from aws_lambda_powertools.metrics import Metrics

    return Metrics()


def count(name: str, value: float = 1) -> None:
    """Adds `value` to the business metric `name` of this invocation (unit Count)."""
    function_metrics().add_metric(name=name, unit="Count", value=value)


def flush_metrics() -> None:
    """Writes this invocation's metrics as one EMF line, if it counted any."""
    if function_metrics.cache_info().currsize and function_metrics().metric_set:
        function_metrics().flush_metrics()


def flushing[**P, R](handler: Callable[P, R]) -> Callable[P, R]:
    """A handler that writes the metrics it counted once, when it returns or raises."""

    @wraps(handler)
    def flushed(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        finally:
            flush_metrics()

    return flushed
