"""Import cost and key custody: `cryptography` and bcrypt load only where they are needed.

Only the auth function signs tokens (and hashes passwords); the key-management function
makes keys. Every other function's cold start must not import `cryptography` (the catalog
imports it only when a viewer sends a token) nor bcrypt.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import ROOT

_PROBE = """
import sys
from devkit.functions import load_handler_module
load_handler_module("functions/{function}")
heavy = ("bcrypt", "cryptography", "jwt")
print(",".join(sorted(name for name in heavy if name in sys.modules)))
"""
_FUNCTIONS = sorted(path.name for path in (ROOT / "functions").iterdir() if (path / "app.py").exists())


def _heavy_modules_loaded_by(function: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(function=function)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={
            "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}",
            "TABLE_NAME": "storefront-test",
            "PATH": "/usr/bin:/bin",
        },
    )
    return set(filter(None, result.stdout.strip().split(",")))


@pytest.mark.parametrize("function", [name for name in _FUNCTIONS if name not in ("auth", "signing_keys")])
def test_function_imports_no_cryptography_jwt_or_bcrypt_when_loaded(function: str) -> None:
    assert _heavy_modules_loaded_by(function) == set()


def test_auth_function_imports_bcrypt_and_the_signer_when_loaded() -> None:
    assert {"bcrypt", "cryptography", "jwt"} <= _heavy_modules_loaded_by("auth")
