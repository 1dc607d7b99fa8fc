"""The committed event schemas (docs/events/*.json) are the code's, and describe real envelopes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import Field, StrictInt

from devkit import event_schemas
from storefront.events.base import DomainEvent


class ParcelWeighed(DomainEvent):
    """A parcel was weighed."""

    event_type: ClassVar[str] = "test.parcel_weighed"
    version: ClassVar[int] = 3
    grams: StrictInt = Field(description="Weight")


def test_committed_schemas_match_the_code_when_regenerated() -> None:
    assert event_schemas.drift() == [], "event schemas drifted: run `make events`"


def test_schema_describes_the_envelope_when_an_event_is_built() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = event_schemas.schema_of(ParcelWeighed)
    envelope = ParcelWeighed(grams=1200).envelope(occurred_at=1_795_725_819)

    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(envelope)

    assert schema["properties"]["type"] == {
        "const": "test.parcel_weighed",
        "description": "Also the EventBridge detail-type",
    }
    assert schema["properties"]["version"]["const"] == 3
    for wrong in ({**envelope, "version": 2}, {**envelope, "data": {"grams": "1200"}}, {**envelope, "extra": 1}):
        assert not jsonschema.Draft202012Validator(schema).is_valid(wrong)


def test_drift_names_missing_stale_and_left_over_files_when_the_code_changed(tmp_path: Path) -> None:
    expected = event_schemas.expected_files([ParcelWeighed])
    name = "test.parcel_weighed.v3.json"
    assert event_schemas.drift(tmp_path, expected) == [name]

    event_schemas.write(tmp_path, expected)
    assert event_schemas.drift(tmp_path, expected) == []
    assert json.loads((tmp_path / name).read_text())["title"] == "test.parcel_weighed v3"

    (tmp_path / "gone.v1.json").write_text("{}")
    (tmp_path / name).write_text("{}")
    assert event_schemas.drift(tmp_path, expected) == ["gone.v1.json", name]
    event_schemas.write(tmp_path, expected)
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]


def test_every_schema_file_is_named_after_its_type_and_version() -> None:
    for path in sorted(event_schemas.OUTPUT_DIR.glob("*.json")):
        schema: dict[str, Any] = json.loads(path.read_text())
        properties = schema["properties"]
        assert path.name == f"{properties['type']['const']}.v{properties['version']['const']}.json"
