"""The functions, loaded once each and invoked one request at a time.

A Powertools resolver keeps per-request state on its instance, exactly as one Lambda
execution environment serves one request at a time: each function therefore has a lock,
and concurrent requests to one function queue on it (requests to different functions
run in parallel).

Environment: the Globals' variables are in os.environ for the whole process; a
function's own variables are in os.environ while its module is imported, which is when
the shared package and Powertools read them. (One process cannot give two functions
different values of one variable at call time.)
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from devkit.functions import load_handler_module
from devkit.localrun.config import ACCOUNT_ID, REGION, FunctionDef

log = logging.getLogger("localrun")


class LambdaContext:
    """What Lambda passes as `context`, with a deadline from the function's Timeout."""

    function_version = "$LATEST"
    identity = None
    client_context = None

    def __init__(self, function: FunctionDef, region: str = REGION, account_id: str = ACCOUNT_ID) -> None:
        self.function_name = function.name
        self.memory_limit_in_mb = function.memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function.name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = f"local/{self.aws_request_id}"
        self._deadline = time.monotonic() + function.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class LocalFunction:
    definition: FunctionDef
    module: ModuleType
    handler: Callable[[Any, Any], Any]
    lock: threading.Lock = field(default_factory=threading.Lock)
    invocations: int = 0

    @property
    def logical_id(self) -> str:
        return self.definition.logical_id

    def invoke(self, event: Any) -> Any:
        """Call the handler as Lambda would; its exceptions propagate to the caller."""
        with self.lock:
            self.invocations += 1
            context = LambdaContext(self.definition)
            started = time.monotonic()
            try:
                return self.handler(event, context)
            finally:
                elapsed = time.monotonic() - started
                if elapsed > self.definition.timeout_s:
                    log.warning(
                        "%s ran %.1f s, over its %d s Timeout: on AWS it would have been stopped",
                        self.logical_id,
                        elapsed,
                        self.definition.timeout_s,
                    )


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_functions(definitions: list[FunctionDef]) -> dict[str, LocalFunction]:
    """Import every function now, so import errors show at start, not on the first request."""
    loaded = {}
    for definition in definitions:
        with _environment(definition.environment):
            # fresh: each function gets a module of its own, even where two share a CodeUri.
            module = load_handler_module(definition.code_uri, fresh=True)
        handler = getattr(module, definition.handler, None)
        if not callable(handler):
            raise AttributeError(f"{definition.logical_id}: app.py has no callable {definition.handler!r}")
        loaded[definition.logical_id] = LocalFunction(definition, module, handler)
    return loaded
