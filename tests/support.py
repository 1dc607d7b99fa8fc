"""Helpers shared by the tests: sample events, tokens, AWS fixtures."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"


def sample_event(function: str, case: str) -> dict[str, Any]:
    """A sample event from events/<function>/<case>.json (also used by `sam local invoke`)."""
    return copy.deepcopy(json.loads((EVENTS / function / f"{case}.json").read_text()))


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    principal: tuple[str, str] | tuple[str, str, int] | None = None,
    raw_body: str | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """A payload-2.0 event as API Gateway's HTTP API sends it (lower-case headers)."""
    event = sample_event("operations", "health")
    request_id = uuid.uuid4().hex
    event["routeKey"] = f"{method} {path}"
    event["rawPath"] = path
    event["rawQueryString"] = "&".join(f"{key}={value}" for key, value in (query or {}).items())
    event["queryStringParameters"] = query or None
    event["headers"] = {key.lower(): value for key, value in (headers or {}).items()}
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    event["requestContext"]["requestId"] = request_id
    if body is not None:
        event["body"] = json.dumps(body)
        event["headers"].setdefault("content-type", "application/json")
    if raw_body is not None:
        event["body"] = raw_body
    event["isBase64Encoded"] = base64_body
    if principal is not None:
        event["requestContext"]["authorizer"] = gateway_authorizer(*principal)
    return event


def gateway_authorizer(user_id: str, role: str, session_epoch: int = 0) -> dict[str, Any]:
    """What API Gateway's JWT authorizer passes for a verified token: its claims, as strings."""
    claims = {
        "sub": user_id,
        "role": role,
        "typ": "access",
        "sep": str(session_epoch),
        "iss": "storefront",
        "aud": "storefront-api",
    }
    return {"jwt": {"claims": claims, "scopes": None}}


class FakeContext:
    function_name = "test-function"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def problem(response: dict[str, Any]) -> dict[str, Any]:
    assert response["headers"]["Content-Type"] == "application/problem+json", response
    body = json.loads(response["body"])
    assert body["request_id"] == response["headers"]["X-Request-Id"]
    return dict(body)


def emitted_metrics(output: str) -> dict[str, float]:
    """The business metrics written to stdout as CloudWatch EMF lines, summed by name."""
    totals: dict[str, float] = {}
    for line in output.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                name, values = metric["Name"], document[metric["Name"]]
                totals[name] = totals.get(name, 0) + sum(values if isinstance(values, list) else [values])
    return totals
