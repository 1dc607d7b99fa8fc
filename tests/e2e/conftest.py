"""E2E: the local runtime (`make dev`) in a subprocess, once per session, on a free port.

The runtime keeps its data in a temporary directory and is stopped with SIGINT, as
Ctrl-C stops it; teardown checks it exited cleanly and left no process behind. If it does
not start, the first test using it errors with the reason and the others skip.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.local_api import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    REQUEST_TIMEOUT_S,
    SESSION_ENVIRONMENT,
    LocalApi,
    assert_stopped_cleanly,
    start_local_api,
)
from tests.e2e.startup import StartupGuard

SESSION_START = StartupGuard("local_api")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    SESSION_START.skip_if_failed(item)


@pytest.fixture(scope="session")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApi]:
    api = SESSION_START.start(lambda: start_local_api(tmp_path_factory.mktemp("local-api"), SESSION_ENVIRONMENT))
    try:
        yield api
    finally:
        assert_stopped_cleanly(api, api.stop(signal.SIGINT))


@pytest.fixture(scope="module")
def manager(local_api: LocalApi) -> str:
    """An access token of the local admin: an admin holds every manager right.

    One per module, not per session: an access token lasts 15 minutes, the session longer.
    """
    signed_in = requests.post(
        local_api.url + "/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=REQUEST_TIMEOUT_S,
    )
    assert signed_in.status_code == 200, signed_in.text
    return str(signed_in.json()["access_token"])


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], LocalApi]]:
    """Start another runtime for one test (stopped with SIGKILL if the test leaves it running)."""
    started: list[LocalApi] = []

    def start(environment: dict[str, str]) -> LocalApi:
        api = start_local_api(tmp_path, environment)
        started.append(api)
        return api

    yield start
    for api in started:
        api.stop(signal.SIGKILL)
