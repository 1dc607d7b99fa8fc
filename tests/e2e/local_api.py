"""The local runtime (`make dev`) in a subprocess on a free port, for the e2e tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from devkit.localrun.emulators import free_port
from devkit.localrun.testing import wait_until
from devkit.template import ROOT

# Generous: a loaded 2-core machine may take minutes to start the JVM and import every function.
READY_TIMEOUT_S = 180.0
# A request's read timeout: a function's first request imports it, slow on a busy machine.
REQUEST_TIMEOUT_S = 30.0
# Stopping joins the pollers, stops localstripe and the JVM and writes state: seconds when
# quiet, more on a loaded machine; past this the runtime is killed and the test says so.
STOP_TIMEOUT_S = 60.0
# The admin the session's runtime ensures at start, as `make dev` does from its defaults.
ADMIN_EMAIL = "e2e-admin@storefront.local"
ADMIN_PASSWORD = "e2e-admin-password"
# The runtime's one process reads BCRYPT_ROUNDS once; cost 4 keeps the sign-ins of the
# tests fast (`make dev` keeps the default 12).
SESSION_ENVIRONMENT = {
    "LOCAL_ADMIN_EMAIL": ADMIN_EMAIL,
    "LOCAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "BCRYPT_ROUNDS": "4",
    # Webhook retries: the schedule's three days in about three seconds.
    "WEBHOOK_RETRY_SCALE": "0.00001",
}


@dataclass
class LocalApi:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    stop_note: str = ""  # why a stop was not clean, when the test could tell

    @property
    def stdout(self) -> str:
        return (self.data_dir.parent / "stdout.log").read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return (self.data_dir.parent / "stderr.log").read_text(errors="replace")

    def get(self, path: str, timeout: float = REQUEST_TIMEOUT_S, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=timeout, **kwargs)  # type: ignore[arg-type]

    def stop(self, signum: signal.Signals = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self.stop_note = f"killed: it had not stopped {STOP_TIMEOUT_S:.0f} s after {signum.name}"
        return self.process.returncode


def processes_mentioning(text: str) -> list[int]:
    """Pids whose command line contains `text` (a leaked DynamoDB Local names its data dir)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile
    return found


def _ready(api: LocalApi) -> bool:
    if api.process.poll() is not None:
        raise AssertionError(f"the runtime exited with {api.process.returncode}:\n{api.stdout}\n{api.stderr}")
    try:
        # The port is bound before the emulators start: until the server serves, a request
        # waits in the listen queue. A short read timeout keeps polling instead of failing.
        return api.get("/v1/health", timeout=3).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


def start_local_api(workdir: Path, environment: dict[str, str] | None = None) -> LocalApi:
    port = free_port()
    data_dir = workdir / "data"
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_ENDPOINT_URL")}
    # localstripe's port too: make dev (8420) or another test's runtime may hold the default.
    env.update({"PYTHONUNBUFFERED": "1", "STRIPE_PORT": str(free_port()), **(environment or {})})
    command = [sys.executable, "-m", "devkit.localrun", "--port", str(port), "--data-dir", str(data_dir)]
    with (workdir / "stdout.log").open("wb") as stdout, (workdir / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr)
    api = LocalApi(f"http://127.0.0.1:{port}", process, data_dir)
    try:
        wait_until(lambda: _ready(api), timeout_s=READY_TIMEOUT_S, interval_s=0.1, what="GET /v1/health answers 200")
    except AssertionError as slow:
        api.stop(signal.SIGKILL)
        raise AssertionError(
            f"the local runtime did not start: {slow}\n{_tail(api.stdout)}\n{_tail(api.stderr)}"
        ) from None
    except BaseException:
        api.stop(signal.SIGKILL)
        raise
    return api


def _tail(log: str, lines: int = 20) -> str:
    return "\n".join(log.splitlines()[-lines:])


def assert_stopped_cleanly(api: LocalApi, code: int) -> None:
    assert code == 0, f"exit code {code} {api.stop_note}\n{api.stdout}\n{api.stderr}"
    assert "Traceback" not in api.stderr, api.stderr
    assert "Stopped." in api.stdout
    wait_until(lambda: not processes_mentioning(str(api.data_dir)), timeout_s=5, what="no process of it left")
