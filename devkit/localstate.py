"""What a running local runtime tells the operator tools: its endpoints and names.

The runtime writes `.local/runtime.json` at start (and removes it at stop); the admin
and key-rotation commands read it to reach the same emulators.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from devkit.template import ROOT

DATA_DIR = ROOT / ".local"


def state_file(data_dir: Path = DATA_DIR) -> Path:
    return data_dir / "runtime.json"


def write_state(state: dict[str, Any], data_dir: Path = DATA_DIR) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    state_file(data_dir).write_text(json.dumps(state, indent=2))


def read_state(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    path = state_file(data_dir)
    if not path.exists():
        raise SystemExit("no local runtime is running here: start it with `make dev`, or pass --stack-name")
    state: dict[str, Any] = json.loads(path.read_text())
    return state


def local_client(service: str, data_dir: Path = DATA_DIR) -> Any:
    endpoints = read_state(data_dir)["endpoints"]
    return boto3.client(
        service,
        endpoint_url=endpoints[service],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the emulators take any credentials
    )
