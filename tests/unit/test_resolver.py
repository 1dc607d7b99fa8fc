"""Every failure of an HTTP function is an RFC 9457 problem carrying the request id."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from storefront.data import standing as standings
from storefront.domain.errors import Conflict, TooManyRequests
from storefront.domain.identity.entities import Standing
from storefront.domain.identity.roles import Role
from storefront.http.auth import Principal, requires
from storefront.http.resolver import MAX_BODY_BYTES, make_resolver, serve
from tests.support import FakeContext, http_event, problem

app = make_resolver()


class Widget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=20)]
    count: StrictInt


@app.post("/v1/widgets")
def create_widget(widget: Widget) -> dict[str, Any]:
    return {"name": widget.name, "count": widget.count}


@app.get("/v1/widgets/conflict")
def conflict() -> dict[str, Any]:
    raise Conflict("Already there.", available=3)


@app.get("/v1/widgets/throttled")
def throttled() -> dict[str, Any]:
    raise TooManyRequests("Slow down.", retry_after=42)


@app.get("/v1/widgets/boom")
def boom() -> dict[str, Any]:
    raise RuntimeError("database password is hunter2")


@app.get("/v1/widgets/bad-response")
def bad_response() -> Widget:
    return {"name": "x"}  # type: ignore[return-value]


@app.get("/v1/widgets/count")
def widget_count(count: Annotated[int, Query(ge=1, le=10)] = 1) -> dict[str, Any]:
    return {"count": count}


@app.get("/v1/manager-only")
def manager_only(principal: Annotated[Principal, requires(Role.MANAGER)]) -> dict[str, Any]:
    return {"user_id": principal.user_id, "role": principal.role.value}


def call(event: dict[str, Any]) -> dict[str, Any]:
    return serve(app, event, FakeContext())  # type: ignore[arg-type]


def test_valid_body_is_accepted_when_it_matches_the_model() -> None:
    response = call(http_event("POST", "/v1/widgets", body={"name": "a", "count": 2}))
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"name": "a", "count": 2}
    assert response["headers"]["X-Request-Id"]


def test_unknown_route_is_a_404_problem_when_no_route_matches() -> None:
    response = call(http_event("GET", "/v1/nothing-here"))
    assert response["statusCode"] == 404
    assert problem(response)["status"] == 404


def test_malformed_json_is_a_400_problem_when_body_does_not_parse() -> None:
    response = call(
        http_event("POST", "/v1/widgets", raw_body='{"name": ', headers={"content-type": "application/json"})
    )
    assert response["statusCode"] == 400
    assert problem(response)["title"] == "Bad request"


def test_non_utf8_body_is_a_400_problem_when_bytes_are_not_text() -> None:
    raw = base64.b64encode(b'{"name": "\xff\xfe"}').decode()
    event = http_event(
        "POST", "/v1/widgets", raw_body=raw, base64_body=True, headers={"content-type": "application/json"}
    )
    response = call(event)
    assert response["statusCode"] == 400
    problem(response)


def test_base64_json_body_is_accepted_when_it_is_utf8() -> None:
    raw = base64.b64encode(json.dumps({"name": "é", "count": 1}).encode()).decode()
    event = http_event(
        "POST", "/v1/widgets", raw_body=raw, base64_body=True, headers={"content-type": "application/json"}
    )
    assert call(event)["statusCode"] == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""])
def test_non_json_body_is_a_415_problem_when_content_type_is_not_json(content_type: str) -> None:
    event = http_event("POST", "/v1/widgets", raw_body="name=a", headers={"content-type": content_type})
    response = call(event)
    assert response["statusCode"] == 415
    problem(response)


def test_oversized_body_is_a_413_problem_when_over_256_kib() -> None:
    body = json.dumps({"name": "a", "count": 1, "pad": "x" * MAX_BODY_BYTES})
    response = call(http_event("POST", "/v1/widgets", raw_body=body, headers={"content-type": "application/json"}))
    assert response["statusCode"] == 413
    problem(response)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "a", "count": "1"}, ["body", "count"]),
        ({"name": "a", "count": False}, ["body", "count"]),
        ({"name": "", "count": 1}, ["body", "name"]),
        ({"name": "a", "count": 1, "role": "admin"}, ["body", "role"]),
        ({"count": 1}, ["body", "name"]),
    ],
)
def test_invalid_field_is_a_422_problem_with_errors_when_validation_fails(body: dict[str, Any], loc: list[str]) -> None:
    response = call(http_event("POST", "/v1/widgets", body=body))
    assert response["statusCode"] == 422
    details = problem(response)
    assert loc in [error["loc"] for error in details["errors"]]
    assert all("input" not in error for error in details["errors"])


def test_domain_error_is_a_problem_with_its_status_and_extra_fields_when_raised() -> None:
    response = call(http_event("GET", "/v1/widgets/conflict"))
    assert response["statusCode"] == 409
    assert problem(response)["available"] == 3


def test_throttling_carries_retry_after_when_raised() -> None:
    response = call(http_event("GET", "/v1/widgets/throttled"))
    assert response["statusCode"] == 429
    assert response["headers"]["Retry-After"] == "42"
    problem(response)


def test_unexpected_error_is_a_500_problem_without_internals_when_a_route_crashes() -> None:
    response = call(http_event("GET", "/v1/widgets/boom"))
    assert response["statusCode"] == 500
    assert "hunter2" not in response["body"]
    problem(response)


def test_invalid_response_is_a_500_not_a_422_when_the_route_breaks_its_model() -> None:
    response = call(http_event("GET", "/v1/widgets/bad-response"))
    assert response["statusCode"] == 500
    problem(response)


def test_role_route_is_401_when_no_principal() -> None:
    response = call(http_event("GET", "/v1/manager-only"))
    assert response["statusCode"] == 401
    problem(response)


def _stored(monkeypatch: pytest.MonkeyPatch, role: str, *, disabled: bool = False, epoch: int = 0) -> None:
    """The caller's standing as the table holds it (every role route reads it once)."""
    standing = Standing(role=Role(role), disabled=disabled, session_epoch=epoch)
    monkeypatch.setattr(standings, "get_standing", lambda user_id: standing if user_id == "u1" else None)


def test_role_route_is_403_when_role_is_too_low(monkeypatch: pytest.MonkeyPatch) -> None:
    _stored(monkeypatch, "customer")
    response = call(http_event("GET", "/v1/manager-only", principal=("u1", "customer")))
    assert response["statusCode"] == 403
    problem(response)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_role_route_passes_the_principal_when_role_is_enough(monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    _stored(monkeypatch, role)
    response = call(http_event("GET", "/v1/manager-only", principal=("u1", role)))
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"user_id": "u1", "role": role}


def test_role_route_ignores_a_role_in_the_query_string_when_principal_is_a_customer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stored(monkeypatch, "customer")
    event = http_event("GET", "/v1/manager-only", principal=("u1", "customer"), query={"role": "admin"})
    assert call(event)["statusCode"] == 403


def test_role_route_is_403_when_the_token_says_admin_but_the_user_was_demoted(monkeypatch: pytest.MonkeyPatch) -> None:
    _stored(monkeypatch, "customer")
    assert call(http_event("GET", "/v1/manager-only", principal=("u1", "admin")))["statusCode"] == 403


@pytest.mark.parametrize(
    ("disabled", "epoch", "user"), [(True, 0, "u1"), (False, 1, "u1"), (False, 0, "someone-deleted")]
)
def test_role_route_is_401_when_the_user_is_disabled_gone_or_the_session_epoch_moved_on(
    monkeypatch: pytest.MonkeyPatch, disabled: bool, epoch: int, user: str
) -> None:
    _stored(monkeypatch, "admin", disabled=disabled, epoch=epoch)
    response = call(http_event("GET", "/v1/manager-only", principal=(user, "admin")))
    assert response["statusCode"] == 401
    assert problem(response)["detail"].startswith("The session has ended")


@pytest.mark.parametrize("typ", ["refresh", "id", "", None])
def test_role_route_is_401_when_the_gateways_verified_claims_are_not_an_access_tokens(
    monkeypatch: pytest.MonkeyPatch, typ: str | None
) -> None:
    """The gateway's authorizer checks no `typ`: any token signed with the stack's keys passes it."""
    _stored(monkeypatch, "admin")
    event = http_event("GET", "/v1/manager-only", principal=("u1", "admin"))
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    if typ is None:
        del claims["typ"]
    else:
        claims["typ"] = typ
    response = call(event)
    assert response["statusCode"] == 401
    problem(response)


@pytest.mark.parametrize(
    "event",
    [
        http_event("POST", "/v1/widgets", body={"name": "a", "count": 2}),
        http_event("GET", "/v1/no-such-route"),
        http_event("POST", "/v1/widgets", raw_body="{", headers={"content-type": "application/json"}),
        http_event("POST", "/v1/widgets", raw_body="x" * (MAX_BODY_BYTES + 1)),
    ],
    ids=["success", "unknown route", "malformed json", "too large"],
)
def test_every_response_forbids_content_sniffing_when_served(event: dict[str, Any]) -> None:
    assert call(event)["headers"]["X-Content-Type-Options"] == "nosniff"


def test_a_query_parameter_sent_twice_is_named_as_repeated_when_refused() -> None:
    event = http_event("GET", "/v1/widgets/count", query={"count": "3,3"})
    event["rawQueryString"] = "count=3&count=3"
    response = call(event)
    assert response["statusCode"] == 422
    [error] = problem(response)["errors"]
    assert error["loc"] == ["query", "count"]
    assert error["msg"] == "`count` is given more than once; send it once."


def test_two_functions_in_one_process_each_read_their_own_request_mid_route() -> None:
    # The local runtime hosts every function in one process; Powertools keeps the current
    # request on a class shared by all resolvers. Another function's request, served while
    # this route runs, must not become this route's request.
    other = make_resolver()

    @other.get("/v1/other")
    def other_route() -> dict[str, Any]:
        return {"path": other.current_event.path}

    first = make_resolver()

    @first.get("/v1/first")
    def first_route() -> dict[str, Any]:
        served = other.resolve(http_event("GET", "/v1/other"), FakeContext())  # type: ignore[arg-type]
        return {"mine": first.current_event.path, "other": json.loads(served["body"])["path"]}

    response = first.resolve(http_event("GET", "/v1/first"), FakeContext())  # type: ignore[arg-type]

    assert json.loads(response["body"]) == {"mine": "/v1/first", "other": "/v1/other"}
