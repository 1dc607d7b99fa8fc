"""build/lazy_exports.py: the built layer's Powertools packages offer the same names, imported on use."""

from __future__ import annotations

import importlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import ROOT

_PACKAGES = (
    "aws_lambda_powertools/event_handler",
    "aws_lambda_powertools/event_handler/openapi",
    "aws_lambda_powertools/utilities/data_classes",
)


def _lazy_exports() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lazy_exports", ROOT / "build" / "lazy_exports.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _installed(package: str) -> Path:
    spec = importlib.util.find_spec(package.replace("/", "."))
    assert spec is not None
    assert spec.origin is not None
    return Path(spec.origin).parent


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the installed Powertools with the packages rewritten as the build does."""
    root = tmp_path_factory.mktemp("layer")
    shutil.copytree(_installed("aws_lambda_powertools"), root / "aws_lambda_powertools")
    assert _lazy_exports().main([str(root), *_PACKAGES]) == 0
    return root


_PROBE = """
import importlib, json, sys
sys.path.insert(0, {root!r})
package = importlib.import_module({package!r})
assert package.__file__.startswith({root!r}), package.__file__
print(json.dumps({{name: getattr(package, name).__module__ for name in package.__all__}}))
"""


@pytest.mark.parametrize("package", _PACKAGES)
def test_rewritten_package_offers_every_name_of_the_original_when_built(rewritten: Path, package: str) -> None:
    name = package.replace("/", ".")
    original = importlib.import_module(name)
    assert "def __getattr__" in (rewritten / package / "__init__.py").read_text()
    result = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE.format(root=str(rewritten), package=name)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == {export: getattr(original, export).__module__ for export in original.__all__}


_COST_PROBE = """
import sys
sys.path.insert(0, {root!r})
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
APIGatewayHttpResolver(enable_validation=True)
print(",".join(sorted(name for name in ("asyncio", "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.utilities.data_classes.code_pipeline_job_event") if name in sys.modules)))
"""


def test_http_resolver_imports_no_other_resolver_or_event_class_when_built(rewritten: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-I", "-c", _COST_PROBE.format(root=str(rewritten))],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""


def test_rewrite_is_refused_when_the_init_holds_more_than_re_exports(tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "child.py").write_text("VALUE = 1\n")
    (package / "__init__.py").write_text('from .child import VALUE\n__all__ = ["VALUE"]\nsetup()\n')
    with pytest.raises(SystemExit, match="more than a re-export"):
        _lazy_exports().main([str(tmp_path), "package"])
