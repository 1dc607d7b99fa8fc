"""A JSON body Python's parser accepts but no client should send is a 400 problem, never a 500."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from storefront.http import errors
from storefront.http.resolver import make_resolver, parse_json_body, serve
from tests.support import FakeContext, http_event, problem

app = make_resolver()


class Widget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=20)]
    count: StrictInt


class Gauge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reading: Annotated[StrictFloat, Field(allow_inf_nan=False)]


@app.post("/v1/widgets")
def create_widget(widget: Widget) -> dict[str, Any]:
    return {"name": widget.name, "count": widget.count}


@app.post("/v1/gauges")
def create_gauge(gauge: Gauge) -> dict[str, Any]:
    return {"reading": gauge.reading}


@app.get("/v1/widgets/boom")
def boom() -> dict[str, Any]:
    raise RuntimeError("boom")


def call(event: dict[str, Any]) -> dict[str, Any]:
    return serve(app, event, FakeContext())  # type: ignore[arg-type]


class _ErrorLog:
    """Stands in for the http logger: records what would be logged at ERROR (with a stack trace)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def error(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.messages.append(message)

    exception = error


@pytest.fixture
def error_log(monkeypatch: pytest.MonkeyPatch) -> _ErrorLog:
    log = _ErrorLog()
    monkeypatch.setattr(errors, "_logger", log)
    return log


def _raw_json(body: str, path: str = "/v1/widgets") -> dict[str, Any]:
    return call(http_event("POST", path, raw_body=body, headers={"content-type": "application/json"}))


def _assert_malformed_json(response: dict[str, Any], error_log: _ErrorLog) -> None:
    assert response["statusCode"] == 400
    assert problem(response)["type"] == "urn:storefront:problem:malformed-json"
    assert error_log.messages == []  # refused, not a crash logged with its stack trace


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,
        '{"name": "a", "count": 1, "x": ' + '{"a": ' * 20_000 + "1" + "}" * 20_000 + "}",
    ],
)
def test_deeply_nested_body_is_a_400_problem_when_nested_tens_of_thousands_of_levels(
    body: str, error_log: _ErrorLog
) -> None:
    _assert_malformed_json(_raw_json(body), error_log)


def test_huge_integer_is_a_400_problem_when_it_has_5000_digits(error_log: _ErrorLog) -> None:
    _assert_malformed_json(_raw_json('{"name": "a", "count": ' + "9" * 5000 + "}"), error_log)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_constant_is_a_400_problem_when_the_body_holds_one(constant: str, error_log: _ErrorLog) -> None:
    _assert_malformed_json(_raw_json(f'{{"name": "a", "count": {constant}}}'), error_log)


def test_a_number_beyond_float_range_is_a_422_when_a_float_field_refuses_infinity(error_log: _ErrorLog) -> None:
    response = _raw_json('{"reading": 1e400}', path="/v1/gauges")
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["body", "reading"]
    assert error_log.messages == []


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "é\\u00e9", "count": 2, "nested": [[[{"a": null}]]], "f": 1.5e3, "t": true}',
        "[" * 500 + "]" * 500,
        "9" * 4300,
        '"\\ud800"',
        "1e400",
        '  {"a": [1, -2.5, "x"]}  ',
    ],
)
def test_a_json_body_parses_as_json_loads_parses_it_when_it_is_valid(text: str) -> None:
    assert parse_json_body(text) == json.loads(text)


@pytest.mark.parametrize("text", ["NaN", "[1, Infinity]", "[" * 50_000, "[" * 50_000 + "]" * 50_000, "1" * 4301, "{"])
def test_a_json_body_is_a_decode_error_when_python_would_raise_otherwise(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        parse_json_body(text)


def test_unexpected_error_is_logged_at_error_when_a_route_crashes(error_log: _ErrorLog) -> None:
    # The other side of `_assert_malformed_json`: the fixture does see a crash.
    assert call(http_event("GET", "/v1/widgets/boom"))["statusCode"] == 500
    assert error_log.messages == ["unhandled error"]


@pytest.mark.parametrize("body", ['{"name": "é\\u00e9 \\ud83d\\ude00", "count": 2}', '  {"count": -7, "name": "a"}  '])
def test_a_valid_body_reaches_the_route_unchanged_when_it_is_json(body: str, error_log: _ErrorLog) -> None:
    response = _raw_json(body)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == json.loads(body)
    assert error_log.messages == []
