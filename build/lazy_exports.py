"""Make packages' re-exports lazy in a built layer: `python lazy_exports.py <site dir> <package path>...`.

Importing any submodule runs its package's `__init__.py` first. Powertools'
`aws_lambda_powertools/event_handler/__init__.py` re-exports every resolver it has, so
importing the HTTP API resolver also imports the AppSync, Bedrock, VPC Lattice and
Function URL ones, with asyncio; `utilities/data_classes/__init__.py` imports forty event
classes to re-export them. Every HTTP function paid for all of that at each cold start.

This rewrites such an `__init__.py` (in the build output, never in the virtual environment)
into one that offers the same names, each imported from its submodule on first access
(PEP 562 module `__getattr__`), so `from aws_lambda_powertools.event_handler import
Response` still works and imports only what `Response` needs. Only a file made of a
docstring, `from ... import` statements and `__all__` is rewritten: anything else (logic a
new release adds) stops the build, so a change to the package is never silently dropped.
A name that is also the name of a submodule (`data_classes.event_source`) stays an eager
import, because importing the submodule would otherwise shadow it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

HEADER = '''"""{doc}

Rewritten by build/lazy_exports.py at `sam build`: the same names as the package's own
__init__.py, each imported from its submodule on first access (PEP 562).
"""

import importlib
'''

FOOTER = """
_EXPORTS = {exports}
__all__ = {names}


def __getattr__(name):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({{*globals(), *_EXPORTS}})
"""


def _package_name(init: Path, root: Path) -> str:
    return ".".join(init.parent.relative_to(root).parts)


def lazy_init(init: Path, package: str) -> str:
    tree = ast.parse(init.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or package
    submodules = {path.stem for path in init.parent.glob("*.py")} | {
        path.parent.name for path in init.parent.glob("*/__init__.py")
    }
    exports: dict[str, str] = {}
    eager: list[str] = []
    names: list[str] | None = None
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        if isinstance(statement, ast.ImportFrom) and statement.module and statement.level in (0, 1):
            module = f"{package}.{statement.module}" if statement.level == 1 else statement.module
            if not module.startswith(f"{package}."):
                raise SystemExit(f"{init}: imports from outside the package ({module})")
            for alias in statement.names:
                if alias.asname is not None or alias.name == "*":
                    raise SystemExit(f"{init}: `{ast.unparse(statement)}` is not a plain re-export")
                if alias.name in submodules:
                    eager.append(f"from {module} import {alias.name}")
                else:
                    exports[alias.name] = module
            continue
        if (
            isinstance(statement, ast.Assign)
            and [ast.unparse(target) for target in statement.targets] == ["__all__"]
            and names is None
        ):
            names = list(ast.literal_eval(statement.value))
            continue
        raise SystemExit(f"{init}: line {statement.lineno} is more than a re-export; refusing to rewrite it")
    if names is None or set(names) - set(exports) - {line.rsplit(" ", 1)[1] for line in eager}:
        raise SystemExit(f"{init}: __all__ names something the file does not import")
    body = "".join(f"{line}\n" for line in eager)
    return HEADER.format(doc=doc) + body + FOOTER.format(exports=_literal(exports), names=_literal(names))


def _literal(value: object) -> str:
    """A stable, readable literal: one entry per line."""
    if isinstance(value, dict):
        return "{\n" + "".join(f"    {key!r}: {item!r},\n" for key, item in value.items()) + "}"
    assert isinstance(value, list)
    return "[\n" + "".join(f"    {item!r},\n" for item in value) + "]"


def main(arguments: list[str]) -> int:
    root, *packages = arguments
    for relative in packages:
        init = Path(root) / relative / "__init__.py"
        init.write_text(lazy_init(init, _package_name(init, Path(root))), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
