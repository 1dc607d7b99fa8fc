"""Helpers for tests that run the local runtime: bounded polls and an in-process runtime.

The runtime sets process-wide state (os.environ, sys.path); `running` puts both back,
so an in-process runtime leaves nothing behind for the next test module.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from devkit.localrun.runtime import Options, Runtime


def wait_until[T](
    predicate: Callable[[], T], *, timeout_s: float = 10.0, interval_s: float = 0.05, what: str = ""
) -> T:
    """The first truthy value of `predicate`, polled until `timeout_s`; AssertionError after."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout_s} s: {what or predicate}")
        time.sleep(interval_s)


@contextmanager
def running(options: Options) -> Iterator[Runtime]:
    saved_environment, saved_path = dict(os.environ), list(sys.path)
    runtime = Runtime(options)
    try:
        runtime.start()
        yield runtime
    finally:
        runtime.stop()
        os.environ.clear()
        os.environ.update(saved_environment)
        sys.path[:] = saved_path
