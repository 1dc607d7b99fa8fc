"""A shared server that fails to start is reported once: the first test errors, the rest skip.

A session fixture that raises is re-raised by pytest for every test that uses it, so one
slow start on a loaded machine used to read as fifty errors. The guard remembers the
failure; its setup hook skips the later tests, pointing at the one error that says why.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


class StartupGuard:
    def __init__(self, fixture_name: str) -> None:
        self.fixture_name = fixture_name
        self.failure: str | None = None

    def start[T](self, start: Callable[[], T]) -> T:
        try:
            return start()
        except BaseException as error:
            self.failure = f"{type(error).__name__}: {error}".splitlines()[0]
            raise

    def skip_if_failed(self, item: pytest.Item) -> None:
        if self.failure is not None and self.fixture_name in getattr(item, "fixturenames", ()):
            pytest.skip(f"`{self.fixture_name}` did not start ({self.failure}); the first test using it has the error")
