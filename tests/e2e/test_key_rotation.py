"""E2E: `make rotate-key` against the running local runtime, as an operator runs it."""

from __future__ import annotations

import re
import subprocess
import sys

import jwt
import pytest
import requests

from tests.e2e.local_api import LocalApi
from tests.e2e.test_identity_flow import ME, call, issuer, new_email, register, tokens
from tests.support import ROOT

pytestmark = pytest.mark.e2e


def published_kids(local_api: LocalApi) -> set[str]:
    jwks = requests.get(f"{issuer(local_api)}/.well-known/jwks.json", timeout=30).json()
    return {key["kid"] for key in jwks["keys"]}


def rotated_signer(output: str) -> str:
    """The kid `devkit.signing_keys` reports as active: `signing keys: <kid> (active), <kid> (retired), ...`."""
    [active] = re.findall(r"([A-Za-z0-9_-]+) \(active\)", output)
    return str(active)


def test_tokens_keep_working_across_a_rotation_and_every_signing_key_stays_published(local_api: LocalApi) -> None:
    email = new_email("rotation")
    register(local_api, email)
    before = tokens(local_api, email)["access_token"]
    kids_before = published_kids(local_api)
    assert jwt.get_unverified_header(before)["kid"] in kids_before

    rotated = subprocess.run(
        [sys.executable, "-m", "devkit.signing_keys", "--data-dir", str(local_api.data_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert rotated.returncode == 0, rotated.stderr
    kids_after = published_kids(local_api)
    assert kids_before < kids_after  # the old keys stay published, a new next key joins them
    signer = rotated_signer(rotated.stdout)
    # Publish before sign: the key that signs from now on was public before the rotation.
    assert signer in kids_before
    assert signer != jwt.get_unverified_header(before)["kid"]
    assert call(local_api, "GET", ME, before).status_code == 200
    after = tokens(local_api, email)["access_token"]
    assert jwt.get_unverified_header(after)["kid"] in kids_before  # the old key until the cache renews, then signer
    assert call(local_api, "GET", ME, after).status_code == 200
