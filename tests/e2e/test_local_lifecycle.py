"""Start and stop of the local runtime: what it says, where Java is missing, and SIGTERM."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.local_api import LocalApi, assert_stopped_cleanly

pytestmark = pytest.mark.e2e


def test_runtime_falls_back_to_moto_and_stops_cleanly_when_java_is_missing(
    launch: Callable[[dict[str, str]], LocalApi], tmp_path: Path
) -> None:
    no_java = tmp_path / "empty-bin"
    no_java.mkdir()

    api = launch({"PATH": str(no_java), "JAVA_HOME": ""})

    assert api.get("/v1/health").json()["status"] == "ok"
    assert "Java was not found: DynamoDB runs on moto, in memory" in api.stdout
    assert f"API:      {api.url}" in api.stdout
    assert f"Docs:     {api.url}/v1/docs" in api.stdout
    assert_stopped_cleanly(api, api.stop(signal.SIGTERM))
