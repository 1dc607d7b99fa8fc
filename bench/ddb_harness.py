"""What the DynamoDB request counts run on: moto's environment, a counting botocore hook, and API Gateway's events.

Imported before anything imports the storefront package (its settings are read once, at
import). The callers are written to the table directly (sign-up makes customers only); each
request names one of them as the JWT authorizer would.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from typing import Any

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "storefront-bench",
        "CURSOR_SECRET_ARN": "storefront-bench/cursors",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
)

import botocore.session

MANAGER = ("BENCHMANAGER00000000000001", "manager")
ADMIN = ("BENCHADMIN0000000000000001", "admin")
calls: list[str] = []
_create_client = botocore.session.Session.create_client


def _counting_client(self: Any, *args: Any, **kwargs: Any) -> Any:
    client = _create_client(self, *args, **kwargs)
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    return client


def count_dynamodb_requests() -> None:
    """Every botocore client made from now on appends each DynamoDB operation it sends to `calls`."""
    botocore.session.Session.create_client = _counting_client


class Context:
    function_name, memory_limit_in_mb = "bench", 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000  # a request's timeout ahead (checkout completion reads it)


def event(
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    public: bool = False,
    principal: tuple[str, str] = MANAGER,
    headers: dict[str, str] | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    # A public route has no authorizer in front of it: no claims in the context.
    claims = {"sub": principal[0], "role": principal[1], "sep": "0", "typ": "access"}
    authorizer = {} if public else {"authorizer": {"jwt": {"claims": claims, "scopes": None}}}
    content = {"content-type": "application/json"} if body is not None or raw_body is not None else {}
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{key}={value}" for key, value in (query or {}).items()),
        "queryStringParameters": query,
        "headers": {**content, **(headers or {})},
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "127.0.0.1", "protocol": "HTTP/1.1"},
            "requestId": uuid.uuid4().hex,
            "stage": "$default",
            **authorizer,
        },
        "body": raw_body if raw_body is not None else json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def measure(handler: Callable[..., Any], method: str, path: str, **kwargs: Any) -> tuple[dict[str, Any], list[str]]:
    """The handler's answer to one request (which must succeed) and the DynamoDB operations it sent."""
    calls.clear()
    response = handler(event(method, path, **kwargs), Context())
    assert response["statusCode"] < 300, (method, path, response)
    return response, list(calls)


def staff_users() -> None:
    """The manager and the admin every role route re-reads."""
    from storefront.data.users import user_item
    from storefront.domain.identity.entities import User
    from storefront.domain.identity.roles import Role

    for (user_id, role), email in ((MANAGER, "manager@bench.example"), (ADMIN, "admin@bench.example")):
        user_item(User(user_id, email, "Bench", Role(role), b"x", False, 0, 1)).save()
