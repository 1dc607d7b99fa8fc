"""Import cost: bcrypt and the identity domain stay out of the authorizer's cold start."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT

# The deployed layer has no `cryptography` (a contract test keeps it out); the dev venv has
# it for moto, and it imports bcrypt for SSH keys. Hide it, as in Lambda.
_PROBE = """
import sys
sys.modules["cryptography"] = None
from devkit.functions import load_handler_module
load_handler_module("functions/{function}")
heavy = ("bcrypt", "pynamodb", "pydantic", "storefront.domain.identity")
print(",".join(sorted(name for name in heavy if name in sys.modules)))
"""


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


def test_authorizer_imports_no_bcrypt_pydantic_or_pynamodb_when_loaded() -> None:
    assert _heavy_modules_loaded_by("authorizer") == set()


def test_auth_function_imports_bcrypt_when_loaded() -> None:
    assert "bcrypt" in _heavy_modules_loaded_by("auth")
