"""Behind the CDN the API answers only what came through it, and knows its viewers' addresses.

With ORIGIN_SECRET_ARN set (the stack's default), a request without the distribution's
X-Origin-Verify value went around the CDN (its firewall, its rate limits): a 403 problem.
API Gateway's source address is then a CloudFront edge's, so the sign-in throttle counts
by the viewer's address the distribution's function wrote.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from devkit import origin_secret
from storefront.http import origin
from storefront.settings import get_settings
from tests.integration.auth_calls import PASSWORD, auth, body_of, call, register
from tests.integration.test_auth_throttle import LIMITS, WRONG
from tests.support import http_event

pytestmark = pytest.mark.usefixtures("aws")
SECRET_NAME = "storefront-test/origin"
SECRET = "a-value-only-the-distribution-sends-0123456789"
EDGE = "130.176.1.1"  # what API Gateway sees behind CloudFront
ATTACKER = "198.51.100.7"
OWNER = "203.0.113.10"


@pytest.fixture
def behind_cdn(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    boto3.client("secretsmanager").create_secret(Name=SECRET_NAME, SecretString=json.dumps({"current": SECRET}))
    monkeypatch.setenv("ORIGIN_SECRET_ARN", SECRET_NAME)
    get_settings.cache_clear()
    origin.origin_secret.clear()
    yield
    monkeypatch.delenv("ORIGIN_SECRET_ARN")
    get_settings.cache_clear()
    origin.origin_secret.clear()


def _post(path: str, body: dict[str, str], *, viewer: str, secret: str | None) -> dict[str, Any]:
    event = http_event("POST", path, body=body)
    event["requestContext"]["http"]["sourceIp"] = EDGE
    event["headers"]["x-viewer-address"] = viewer
    if secret is not None:
        event["headers"]["x-origin-verify"] = secret
    return call(event, auth)


def _login(password: str, *, viewer: str, secret: str | None = SECRET) -> dict[str, Any]:
    return _post("/v1/auth/login", {"email": "ann@example.com", "password": password}, viewer=viewer, secret=secret)


def _register() -> None:
    body = {"email": "ann@example.com", "password": PASSWORD, "name": "Ann"}
    assert _post("/v1/auth/register", body, viewer=OWNER, secret=SECRET)["statusCode"] == 201


@pytest.mark.usefixtures("behind_cdn")
@pytest.mark.parametrize("presented", [None, "", "a-guess", SECRET + "x"])
def test_a_request_that_went_around_the_cdn_is_a_403_problem(presented: str | None) -> None:
    _register()
    response = _login(PASSWORD, viewer=OWNER, secret=presented)
    assert response["statusCode"] == 403
    assert response["headers"]["Content-Type"] == "application/problem+json"
    assert response["headers"]["Cache-Control"] == "no-store"
    assert json.loads(response["body"])["type"] == "urn:storefront:problem:not-through-cdn"


@pytest.mark.usefixtures("behind_cdn")
def test_a_request_through_the_cdn_is_served() -> None:
    _register()
    response = _login(PASSWORD, viewer=OWNER)
    assert response["statusCode"] == 200
    assert body_of(response)["access_token"]


@pytest.mark.usefixtures("behind_cdn")
def test_the_sign_in_throttle_counts_by_the_viewers_address_not_the_edges() -> None:
    _register()
    for _ in range(LIMITS.per_email_from_address):
        assert _login(WRONG, viewer=ATTACKER)["statusCode"] == 401
    assert _login(WRONG, viewer=ATTACKER)["statusCode"] == 429
    # The owner comes through the same edge, from their own address: not locked out.
    assert _login(PASSWORD, viewer=OWNER)["statusCode"] == 200


@pytest.mark.usefixtures("behind_cdn")
def test_a_rotation_refuses_no_request_and_finishing_it_ends_the_old_value(monkeypatch: pytest.MonkeyPatch) -> None:
    _register()
    secrets = boto3.client("secretsmanager")
    assert _login(PASSWORD, viewer=OWNER)["statusCode"] == 200
    rotated = origin_secret.rotate(secrets, SECRET_NAME)
    new = json.loads(secrets.get_secret_value(SecretId=SECRET_NAME)["SecretString"])["current"]
    assert rotated == {"current": new[:4] + "…", "previous": SECRET[:4] + "…"}
    monkeypatch.setattr(origin.origin_secret, "fresh_for", 0.0)  # the functions' next read, 5 minutes on
    assert _login(PASSWORD, viewer=OWNER)["statusCode"] == 200, "the distribution still sends the old value"
    assert _login(PASSWORD, viewer=OWNER, secret=new)["statusCode"] == 200, "and now sends the new one"
    origin_secret.rotate(secrets, SECRET_NAME, finish=True)
    assert _login(PASSWORD, viewer=OWNER, secret=new)["statusCode"] == 200
    assert _login(PASSWORD, viewer=OWNER)["statusCode"] == 403, "the old value is over"


def test_finishing_a_rotation_that_never_started_is_refused(aws: str) -> None:
    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name=SECRET_NAME, SecretString=json.dumps({"current": SECRET}))
    with pytest.raises(origin_secret.OriginSecretError, match="rotate first"):
        origin_secret.rotate(secrets, SECRET_NAME, finish=True)


def test_without_a_cdn_a_claimed_viewer_address_is_ignored() -> None:
    """No CDN: the source address is API Gateway's, whatever header a client adds."""
    register()
    for index in range(LIMITS.per_email_from_address):
        assert _login(WRONG, viewer=f"10.9.0.{index}", secret=None)["statusCode"] == 401
    assert _login(PASSWORD, viewer="10.9.9.9", secret=None)["statusCode"] == 429
