"""Schemathesis fuzzes every operation of the served OpenAPI document against `make dev`,
anonymously, as a customer and as a manager: no server error, and every answer (status,
media type, body, headers) is one the document promises.

Bounded to a few minutes on 2 cores: few examples per operation, derandomised (the same
cases every run), no shrinking (a failure is reported as found). Each principal is a
dedicated account of this module: its own throttle counters and its own data, so the
other e2e tests see the same runtime whatever the order. What the fuzzing can change,
measured: a manager's generated writes are refused (no category or product is created:
ids, slugs and attributes must name real things) or name unknown ids (404); no generated
sign-up passes validation; the wrong current passwords sent to /v1/auth/password count at
most 5 failed sign-ins per principal (then 429), far under the per-address limit (100) past
which another test's failed sign-in from 127.0.0.1 would cost it its allowance. Admin-only
operations are fuzzed as a manager (403), so no user is ever disabled or demoted.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.local_api import ADMIN_EMAIL, ADMIN_PASSWORD, LocalApi

pytestmark = pytest.mark.e2e

SCHEMATHESIS = Path(sys.executable).with_name("st")
PASSWORD = "fuzzing-password"
EXAMPLES_PER_OPERATION = 5
RUN_TIMEOUT_S = 600.0
# Every check runs except:
# - `positive_data_acceptance`: a schema-valid request may still break a rule JSON Schema cannot
#   state (an assigned ISO 4217 or 3166 code, text without control characters, a product's
#   attributes checked against its category's, a cursor the API signed, an id that exists), and is
#   rightly refused with the documented 400/422; `negative_data_rejection` still checks the reverse.
# - `unsupported_method`: API Gateway's HTTP API answers a method a path does not have with its own
#   404 `{"message": "Not Found"}`, never a 405 with `Allow`; no function sees the request.
EXCLUDED_CHECKS = ["positive_data_acceptance", "unsupported_method"]
# The stateful phase is left out: it chains operations through the document's links (none are
# declared) to create, change and delete real resources, which as a manager would change the data
# the other e2e tests read. Examples, coverage (boundary values) and fuzzing each test one request.
PHASES = "examples,coverage,fuzzing"
# Schemathesis would sign up and sign in by itself (auto-signup): each principal here is explicit.
CONFIG = "[auth]\nauto-signup = false\n"


def _call(api: LocalApi, method: str, path: str, token: str | None = None, body: Any = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, api.url + path, headers=headers, json=body, timeout=30)


def _sign_in(api: LocalApi, email: str, password: str) -> str:
    response = _call(api, "POST", "/v1/auth/login", body={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _dedicated_account(api: LocalApi, role: str) -> str:
    """A new account of this role, signed in (access tokens live 15 minutes: enough for one run)."""
    email = f"fuzz-{role}-{uuid.uuid4().hex[:10]}@example.com"
    registered = _call(api, "POST", "/v1/auth/register", body={"email": email, "password": PASSWORD, "name": "Fuzz"})
    assert registered.status_code == 201, registered.text
    if role == "customer":
        return str(registered.json()["access_token"])
    admin = _sign_in(api, ADMIN_EMAIL, ADMIN_PASSWORD)
    promoted = _call(api, "PATCH", f"/v1/users/{registered.json()['user']['id']}", admin, {"role": role})
    assert promoted.status_code == 200, promoted.text
    return _sign_in(api, email, PASSWORD)  # the old token's session ended with the role change


@pytest.mark.parametrize("principal", ["anonymous", "customer", "manager"])
def test_every_operation_answers_as_documented_when_fuzzed(local_api: LocalApi, principal: str, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    headers = (
        [] if principal == "anonymous" else ["-H", f"Authorization: Bearer {_dedicated_account(local_api, principal)}"]
    )
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(config),
        "run",
        f"{local_api.url}/v1/openapi.json",
        "--url",
        local_api.url,
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(EXCLUDED_CHECKS),
        "--phases",
        PHASES,
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--generation-deterministic",
        "--no-shrink",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--warnings",
        "off",
        *headers,
    ]
    categories = _call(local_api, "GET", "/v1/categories").json()
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False, cwd=tmp_path)
    print(f"schemathesis as {principal}: {time.monotonic() - started:.0f} s")
    assert result.returncode == 0, f"{result.stdout[-30000:]}\n{result.stderr[-5000:]}"
    # The catalog other tests build on is as the fuzzing found it (products need a category):
    # a manager's fuzzing may add a valid category, never change or remove one.
    after = _call(local_api, "GET", "/v1/categories").json()
    assert [category for category in categories if category not in after] == []
