"""Every line the function's logger writes while a test runs, as its formatter writes it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from storefront.observability import function_logger


class _Recorder(logging.Handler):
    """Each record as the function's own formatter writes it to the log group."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(function_logger().registered_formatter.format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every line the function's logger and its modules' children write, at every level."""
    recorder = _Recorder()
    service = function_logger().service
    parent = logging.getLogger(service)  # the modules' children propagate to it
    family = [parent] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict) if name.startswith(f"{service}.")
    ]
    levels = [logger.level for logger in family]
    for logger in family:
        logger.setLevel(logging.DEBUG)
    parent.addHandler(recorder)
    try:
        yield recorder.lines
    finally:
        for logger, level in zip(family, levels, strict=True):
            logger.setLevel(level)
        parent.removeHandler(recorder)
