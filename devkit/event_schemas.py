"""JSON Schemas of the events on the bus, generated from the code: docs/events/<type>.v<version>.json.

Every `DomainEvent` subclass of a `storefront.events.*` module is one schema: the envelope
(`id`, `type`, `version`, `occurred_at`) with the event's own model as `data`. This is
what arrives as an EventBridge event's `detail`, and what partners code against.

`python -m devkit.event_schemas --write` (`make events`) regenerates them; `--check`
fails when a committed schema drifted from the code, or a schema has no event any more.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path
from typing import Any

from devkit.template import ROOT

OUTPUT_DIR = ROOT / "docs" / "events"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
ULID_PATTERN = "^[0-9A-HJKMNP-TV-Z]{26}$"


def domain_events(package: str = "storefront.events") -> list[type[Any]]:
    """Every concrete event class of the package's modules, in (type, version) order."""
    from storefront.events.base import DomainEvent  # after the caller's environment is set

    found: dict[tuple[str, int], type[Any]] = {}
    root = importlib.import_module(package)
    for module in pkgutil.iter_modules(root.__path__, f"{package}."):
        for value in vars(importlib.import_module(module.name)).values():
            if not (isinstance(value, type) and issubclass(value, DomainEvent) and "event_type" in vars(value)):
                continue
            key = (value.event_type, value.version)
            if found.setdefault(key, value) is not value:
                raise ValueError(f"two classes declare {key[0]} v{key[1]}: {found[key]} and {value}")
    return [found[key] for key in sorted(found)]


def schema_of(event: type[Any]) -> dict[str, Any]:
    """The envelope of one event type and version, with the event's model as `data`."""
    data = event.model_json_schema(mode="serialization")
    definitions = data.pop("$defs", {})
    data.pop("title", None)
    data.pop("description", None)  # the class docstring: the schema's own description
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA,
        "title": f"{event.event_type} v{event.version}",
        "description": (event.__doc__ or "").strip() or f"The {event.event_type} event.",
        "type": "object",
        "properties": {
            "id": {
                "type": "string",
                "pattern": ULID_PATTERN,
                "description": "Unique event id (ULID), stable across retries: deduplicate on it",
            },
            "type": {"const": event.event_type, "description": "Also the EventBridge detail-type"},
            "version": {"const": event.version, "description": "Schema version of `data`"},
            "occurred_at": {"type": "string", "format": "date-time", "description": "RFC 3339, UTC, seconds"},
            "data": data,
        },
        "required": ["id", "type", "version", "occurred_at", "data"],
        "additionalProperties": False,
    }
    if definitions:
        schema["$defs"] = definitions
    return schema


def file_name(event: type[Any]) -> str:
    return f"{event.event_type}.v{event.version}.json"


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def expected_files(events: list[type[Any]] | None = None) -> dict[str, str]:
    """File name → content of every schema the code defines."""
    return {file_name(event): render(schema_of(event)) for event in (domain_events() if events is None else events)}


def drift(output_dir: Path = OUTPUT_DIR, expected: dict[str, str] | None = None) -> list[str]:
    """The schema files that are missing, stale or left over (empty: no drift)."""
    expected = expected_files() if expected is None else expected
    committed = {path.name: path.read_text() for path in output_dir.glob("*.json")} if output_dir.is_dir() else {}
    return sorted(name for name in expected.keys() | committed.keys() if expected.get(name) != committed.get(name))


def write(output_dir: Path = OUTPUT_DIR, expected: dict[str, str] | None = None) -> None:
    expected = expected_files() if expected is None else expected
    output_dir.mkdir(parents=True, exist_ok=True)
    for path in output_dir.glob("*.json"):
        if path.name not in expected:
            path.unlink()  # an event type or version that no longer exists
    for name, text in expected.items():
        (output_dir / name).write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="regenerate docs/events/*.json")
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed schema drifted")
    arguments = parser.parse_args(argv)
    if arguments.write:
        write()
        return 0
    stale = drift()
    if stale:
        print("event schema drift, run `make events`: " + ", ".join(stale), file=sys.stderr)
        return 1 if arguments.check else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
