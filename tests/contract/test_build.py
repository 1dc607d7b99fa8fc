"""`sam build` ships what Lambda loads fastest: bytecode beside every module, and no dead weight.

Lambda's /var/task and /opt are read-only, so a module without its .pyc is compiled from
source at every cold start (build/Makefile).
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.template import ROOT, functions
from storefront.http.docs import SWAGGER_ASSETS
from tests.contract.test_template import SAM_VENV, _sam_environment, needs_sam

# PEP 552: flags 0b01 is hash-based without checking the source, the build's choice.
UNCHECKED_HASH = 0b01

pytestmark = [needs_sam, pytest.mark.slow]


def _sam_build(build_dir: Path, *resource: str) -> None:
    sam = str(SAM_VENV / "bin" / "sam")
    cache = ("--cache-dir", str(build_dir.parent / "cache"))
    result = subprocess.run(
        # A cache of its own: samconfig.toml turns SAM's cache on, and two builds sharing
        # .aws-sam/cache (another test worker, a developer's build) delete each other's files.
        [sam, "build", *resource, "--template", "template.yaml", "--build-dir", str(build_dir), *cache],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=_sam_environment(),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    build_dir = tmp_path_factory.mktemp("sam") / "build"
    _sam_build(build_dir)
    yield build_dir
    shutil.rmtree(build_dir)


def test_sam_build_packages_every_function_and_the_layer(build_dir: Path) -> None:
    layer = build_dir / "SharedLayer" / "python"
    assert (layer / "storefront" / "__init__.py").exists()
    assert (layer / "aws_lambda_powertools").is_dir()
    assert not (layer / "cryptography").exists(), "cryptography slows PyJWT's import: keep it out of the layer"
    assert (build_dir / "OperationsFunction" / "openapi.json").exists()
    assert (build_dir / "OperationsFunction" / "swagger_ui" / "static" / "swagger-ui-bundle.js").exists()
    # The private keys' users sign, the catalog verifies a viewer's token; no other function ships it.
    with_cryptography = {
        spec.logical_id for spec in functions() if (build_dir / spec.logical_id / "cryptography").is_dir()
    }
    assert with_cryptography == {"AuthFunction", "SigningKeysFunction", "CatalogFunction"}


def test_powertools_re_exports_are_imported_on_use_when_built(build_dir: Path) -> None:
    # build/lazy_exports.py: the HTTP resolver alone, not AppSync (asyncio), Bedrock and 40 event classes.
    powertools = build_dir / "SharedLayer" / "python" / "aws_lambda_powertools"
    for package in ("event_handler", "event_handler/openapi", "utilities/data_classes"):
        assert "def __getattr__(name):" in (powertools / package / "__init__.py").read_text(), package


def _artifacts(build_dir: Path) -> dict[str, Path]:
    """Each artifact's directory as Lambda puts it on sys.path."""
    found = {"SharedLayer": build_dir / "SharedLayer" / "python"}
    found.update({spec.logical_id: build_dir / spec.logical_id for spec in functions()})
    return found


def _modules_without_bytecode(directory: Path) -> list[str]:
    return [
        str(source.relative_to(directory))
        for source in directory.rglob("*.py")
        if not (source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc").is_file()
    ]


def test_every_module_of_the_layer_and_functions_has_bytecode_when_built(build_dir: Path) -> None:
    for name, directory in _artifacts(build_dir).items():
        assert directory.is_dir(), name
        assert next(directory.rglob("*.py"), None) is not None, name
        assert _modules_without_bytecode(directory) == [], name


def test_bytecode_is_unchecked_hash_for_this_python_when_built(build_dir: Path) -> None:
    # A timestamp .pyc is invalidated by the zip's dates; another Python's is ignored.
    for name, directory in _artifacts(build_dir).items():
        for compiled in directory.rglob("*.pyc"):
            header = compiled.read_bytes()[:8]
            assert header[:4] == importlib.util.MAGIC_NUMBER, f"{name}: {compiled}"
            assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, f"{name}: {compiled}"


def test_bytecode_names_the_paths_lambda_loads_it_from_when_built(build_dir: Path) -> None:
    # Tracebacks read source lines by these names; build paths would also make builds differ.
    layer_init = build_dir / "SharedLayer" / "python" / "storefront" / "__pycache__" / "__init__.cpython-313.pyc"
    handler = build_dir / "OperationsFunction" / "__pycache__" / "app.cpython-313.pyc"
    assert b"/opt/python/storefront/__init__.py" in layer_init.read_bytes()
    assert b"/var/task/app.py" in handler.read_bytes()
    assert str(build_dir).encode() not in handler.read_bytes()


def test_operations_ships_only_the_swagger_ui_files_docs_serves_when_built(build_dir: Path) -> None:
    function = build_dir / "OperationsFunction"
    static = function / "swagger_ui" / "static"
    assert {path.name for path in static.iterdir()} == {*SWAGGER_ASSETS, "LICENSE"}
    assert {path.name for path in (function / "swagger_ui").iterdir()} == {"static"}
    assert not (function / "jinja2").exists()
    assert not (function / "yaml").exists()
    size = sum(path.stat().st_size for path in function.rglob("*") if path.is_file())
    assert size < 3 * 1024 * 1024


def test_build_gives_the_same_bytes_twice(build_dir: Path, tmp_path: Path) -> None:
    # One function and its layer again: the layer holds every compiled dependency.
    again = tmp_path / "again"
    _sam_build(again, "OperationsFunction")
    for name in ("SharedLayer", "OperationsFunction"):
        first, second = _digests(build_dir / name), _digests(again / name)
        assert first.keys() == second.keys(), name
        # A source edited between the two builds (a shared working tree) changes its .pyc too.
        sources = {path for path in first if path.endswith(".py") and first[path] != second[path]}
        edited = sources | {_bytecode_of(path) for path in sources}
        assert {path for path in first if first[path] != second[path]} - edited == set(), name


def _digests(directory: Path) -> dict[str, str]:
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _bytecode_of(source: str) -> str:
    parent, _, name = source.rpartition("/")
    return f"{parent}/__pycache__/{name.removesuffix('.py')}.cpython-313.pyc".lstrip("/")
