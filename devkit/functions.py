"""Import a function's handler module by file path, under a name of its own.

Every function's handler file is `app.py`; importing them as plain `app` would hand
the second function the first one's module.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from devkit.template import ROOT


def module_name(code_uri: Path) -> str:
    return f"functions_{code_uri.name}_app"


def load_handler_module(code_uri: Path | str, *, fresh: bool = False) -> ModuleType:
    code_uri = Path(code_uri)
    if not code_uri.is_absolute():
        code_uri = ROOT / code_uri
    name = module_name(code_uri)
    if name in sys.modules and not fresh:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, code_uri / "app.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {code_uri / 'app.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
