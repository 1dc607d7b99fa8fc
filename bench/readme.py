"""Writes a benchmark's table into bench/README.md between its `<!-- name:start/end -->` markers."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_section(name: str, text: str, readme: Path = README) -> None:
    content = readme.read_text()
    pattern = re.compile(rf"(<!-- {name}:start -->\n)(?:.*?\n)?(<!-- {name}:end -->)", re.DOTALL)
    if not pattern.search(content):
        raise SystemExit(f"bench/README.md has no <!-- {name}:start --> / <!-- {name}:end --> markers")
    readme.write_text(pattern.sub(lambda match: match.group(1) + text.rstrip("\n") + "\n" + match.group(2), content))
