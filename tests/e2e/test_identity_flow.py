"""Identity over HTTP, as a client of `make dev` sees it: sessions, addresses, the local
admin, and attacks on the authorizer in front of a real protected route.

Every test signs up its own users (emails are unique per test): the session's runtime
keeps its table for the whole run.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import jwt
import pytest
import requests

from devkit import localstate
from storefront.security.signing_keys import KeySet
from tests.e2e.local_api import ADMIN_EMAIL, ADMIN_PASSWORD, REQUEST_TIMEOUT_S, LocalApi
from tests.signing import forge_token

pytestmark = pytest.mark.e2e

ME = "/v1/users/me"
PASSWORD = "first-password"
ADDRESS = {"label": "Home", "name": "Ann Example", "line1": "1 Main Street", "city": "Springfield", "country": "US"}


def call(
    api: LocalApi, method: str, path: str, token: str | None = None, body: Any = None, **params: str
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.request(
        method, api.url + path, headers=headers, json=body, params=params or None, timeout=REQUEST_TIMEOUT_S
    )


def new_email(who: str = "user") -> str:
    return f"{who}-{uuid.uuid4().hex[:10]}@example.com"


def register(api: LocalApi, email: str | None = None, password: str = PASSWORD) -> dict[str, Any]:
    response = call(
        api, "POST", "/v1/auth/register", body={"email": email or new_email(), "password": password, "name": "Ann"}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def login(api: LocalApi, email: str, password: str = PASSWORD) -> requests.Response:
    return call(api, "POST", "/v1/auth/login", body={"email": email, "password": password})


def tokens(api: LocalApi, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = login(api, email, password)
    assert response.status_code == 200, response.text
    return dict(response.json())


def claims(access_token: str) -> dict[str, Any]:
    return dict(jwt.decode(access_token, options={"verify_signature": False}))


@pytest.fixture(scope="module")
def admin_token(local_api: LocalApi) -> str:
    """The admin the runtime ensured at start, signed in with the credentials it printed."""
    assert f"Admin:    {ADMIN_EMAIL}" in local_api.stdout
    signed_in = tokens(local_api, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert signed_in["user"]["role"] == "admin"
    return str(signed_in["access_token"])


def user_id_of(api: LocalApi, admin_token: str, email: str) -> str:
    found = call(api, "GET", "/v1/users", admin_token, email=email)
    assert found.status_code == 200, found.text
    [user] = found.json()["items"]
    return str(user["id"])


# ---------------------------------------------------------------- a customer's session


def test_customer_session_from_sign_up_to_sign_out_when_used_as_documented(local_api: LocalApi) -> None:
    email = new_email("ann")
    signed_up = register(local_api, email)
    assert signed_up["token_type"] == "Bearer"
    assert signed_up["user"]["role"] == "customer"

    first = tokens(local_api, email)
    refreshed = call(local_api, "POST", "/v1/auth/refresh", body={"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    spent = call(local_api, "POST", "/v1/auth/refresh", body={"refresh_token": first["refresh_token"]})
    assert spent.status_code == 401
    # Reuse revoked the whole family, the pair just issued included.
    stolen = call(local_api, "POST", "/v1/auth/refresh", body={"refresh_token": refreshed.json()["refresh_token"]})
    assert stolen.status_code == 401

    session = tokens(local_api, email)
    access = session["access_token"]
    me = call(local_api, "GET", ME, access)
    assert me.status_code == 200
    assert (me.json()["email"], me.json()["role"]) == (email, "customer")

    home = call(local_api, "POST", f"{ME}/addresses", access, ADDRESS)
    work = call(local_api, "POST", f"{ME}/addresses", access, {**ADDRESS, "label": "Work", "line1": "2 Side Road"})
    assert (home.status_code, work.status_code) == (201, 201)
    home_id, work_id = home.json()["id"], work.json()["id"]
    listed = call(local_api, "GET", f"{ME}/addresses", access)
    assert {item["id"] for item in listed.json()["items"]} == {home_id, work_id}
    patched = call(
        local_api, "PATCH", f"{ME}/addresses/{home_id}", access, {"label": "Old home", "city": "Shelbyville"}
    )
    assert patched.status_code == 200
    assert (patched.json()["label"], patched.json()["city"]) == ("Old home", "Shelbyville")
    for address_id in (home_id, work_id):  # the second default replaces the first
        made_default = call(local_api, "PATCH", f"{ME}/addresses/{address_id}", access, {"is_default_shipping": True})
        assert made_default.json()["is_default_shipping"] is True
    flags = {
        item["id"]: item["is_default_shipping"]
        for item in call(local_api, "GET", f"{ME}/addresses", access).json()["items"]
    }
    assert flags == {home_id: False, work_id: True}
    assert call(local_api, "DELETE", f"{ME}/addresses/{home_id}", access).status_code == 204
    assert call(local_api, "GET", f"{ME}/addresses/{home_id}", access).status_code == 404
    assert [item["id"] for item in call(local_api, "GET", f"{ME}/addresses", access).json()["items"]] == [work_id]

    changed = call(
        local_api,
        "POST",
        "/v1/auth/password",
        access,
        {"current_password": PASSWORD, "new_password": "second-password"},
    )
    assert changed.status_code == 204, changed.text
    old_session = call(local_api, "POST", "/v1/auth/refresh", body={"refresh_token": session["refresh_token"]})
    assert old_session.status_code == 401
    assert login(local_api, email).status_code == 401
    after = tokens(local_api, email, "second-password")

    assert call(local_api, "POST", "/v1/auth/logout", body={"refresh_token": after["refresh_token"]}).status_code == 204
    gone = call(local_api, "POST", "/v1/auth/refresh", body={"refresh_token": after["refresh_token"]})
    assert gone.status_code == 401


# ---------------------------------------------------------------- the local admin


def test_local_admin_promotes_a_customer_whose_next_token_then_carries_the_role(
    local_api: LocalApi, admin_token: str
) -> None:
    email = new_email("mo")
    register(local_api, email)
    user_id = user_id_of(local_api, admin_token, email)

    promoted = call(local_api, "PATCH", f"/v1/users/{user_id}", admin_token, {"role": "manager"})

    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "manager"
    session = tokens(local_api, email)
    assert claims(session["access_token"])["role"] == "manager"
    assert call(local_api, "GET", ME, session["access_token"]).json()["role"] == "manager"


def test_disabled_user_is_refused_sign_in_refresh_and_fresh_tokens_when_an_admin_disables_it(
    local_api: LocalApi, admin_token: str
) -> None:
    email = new_email("eve")
    register(local_api, email)
    in_use, unused = tokens(local_api, email), tokens(local_api, email)
    assert call(local_api, "GET", ME, in_use["access_token"]).status_code == 200

    disabled = call(
        local_api, "PATCH", f"/v1/users/{user_id_of(local_api, admin_token, email)}", admin_token, {"disabled": True}
    )
    assert disabled.status_code == 200, disabled.text

    assert login(local_api, email).status_code == 403
    # Disabling ended every session at once: refresh tokens and access tokens, even one in use.
    assert (
        call(local_api, "POST", "/v1/auth/refresh", body={"refresh_token": unused["refresh_token"]}).status_code == 401
    )
    assert call(local_api, "GET", ME, unused["access_token"]).status_code == 401
    answer = call(local_api, "GET", ME, in_use["access_token"])
    assert answer.status_code == 401
    assert answer.headers["Content-Type"] == "application/problem+json"


# ---------------------------------------------------------------- attacks on the authorizer


@pytest.fixture(scope="module")
def victim(local_api: LocalApi) -> dict[str, Any]:
    return register(local_api)


@pytest.fixture(scope="module")
def signing(local_api: LocalApi) -> tuple[str, str]:
    """The runtime's active private key, read from its Secrets Manager as the auth function does."""
    client = localstate.local_client("secretsmanager", local_api.data_dir)
    key_set = KeySet.parse(client.get_secret_value(SecretId="storefront-jwt-signing-secret")["SecretString"])
    return key_set.active.kid, key_set.active.private_key


def issuer(local_api: LocalApi) -> str:
    return f"{local_api.url}/_local/images"


def _b64(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _attacks(user_id: str, kid: str, key: str, iss: str) -> dict[str, str]:
    now = int(time.time())

    def signed(**overrides: Any) -> str:
        return forge_token(key, kid=kid, sub=user_id, **{"iss": iss, **overrides})

    other = KeySet(()).initialised(now).active

    valid = signed()
    header, payload, signature = valid.split(".")
    escalated = {**claims(valid), "role": "admin"}
    unsigned = {
        f"alg {alg}": f"{_b64({'alg': alg, 'typ': 'JWT', 'kid': kid})}.{_b64(escalated)}."
        for alg in ("none", "None", "NONE", "nOnE")
    }
    return {
        **unsigned,
        "guessed key": forge_token(b"secret-secret-secret-secret-secret", algorithm="HS256", kid=kid, sub=user_id),
        "key of another JWKS": forge_token(other.private_key, kid=kid, sub=user_id, iss=iss),
        "other JWKS kid": forge_token(other.private_key, kid=other.kid, sub=user_id, iss=iss),
        "tampered payload": f"{header}.{_b64(escalated)}.{signature}",
        "empty signature": f"{header}.{payload}.",
        "truncated signature": f"{header}.{payload}.{signature[:-6]}",
        "expired": signed(iat=now - 1200, exp=now - 300),
        "nbf in the future": signed(nbf=now + 600),
        "iat in the future": signed(iat=now + 600, exp=now + 900),
        "wrong iss": signed(iss="someone-else"),
        "wrong aud": signed(aud="another-api"),
        "refresh typ": signed(typ="refresh"),
        "kid path traversal": signed(headers={"kid": "../../../../etc/passwd"}),
        "unknown kid": signed(headers={"kid": "k999"}),
        "jku header": signed(headers={"jku": "https://attacker.example/jwks.json"}),
        "jwk header": signed(headers={"jwk": {"kty": "oct", "k": _b64(b"attacker-key-attacker-key-attacker")}}),
    }


def test_forged_token_with_the_real_key_passes_when_nothing_is_wrong(
    local_api: LocalApi, victim: dict[str, Any], signing: tuple[str, str]
) -> None:
    kid, key = signing
    token = forge_token(key, kid=kid, sub=victim["user"]["id"], iss=issuer(local_api))

    assert call(local_api, "GET", ME, token).status_code == 200  # the attacks below fail for their flaw alone


@pytest.mark.parametrize(
    "attack",
    [
        "alg none",
        "alg None",
        "alg NONE",
        "alg nOnE",
        "guessed key",
        "key of another JWKS",
        "other JWKS kid",
        "tampered payload",
        "empty signature",
        "truncated signature",
        "expired",
        "nbf in the future",
        "iat in the future",
        "wrong iss",
        "wrong aud",
        "refresh typ",
        "kid path traversal",
        "unknown kid",
        "jku header",
        "jwk header",
    ],
)
def test_gateway_answers_401_when_the_token_is_forged(
    local_api: LocalApi, victim: dict[str, Any], signing: tuple[str, str], attack: str
) -> None:
    token = _attacks(victim["user"]["id"], *signing, issuer(local_api))[attack]

    response = call(local_api, "GET", ME, token)

    # API Gateway's JWT authorizer: 401 with its own body, so clients refresh (RFC 6750).
    assert response.status_code == 401, response.text
    assert response.json() == {"message": "Unauthorized"}


def test_refresh_token_is_refused_with_401_when_used_as_an_access_token(
    local_api: LocalApi, victim: dict[str, Any]
) -> None:
    assert call(local_api, "GET", ME, victim["refresh_token"]).status_code == 401


def test_gateway_answers_401_when_the_bearer_is_missing_or_empty(local_api: LocalApi) -> None:
    assert call(local_api, "GET", ME).status_code == 401
    empty = requests.get(local_api.url + ME, headers={"Authorization": "Bearer "}, timeout=REQUEST_TIMEOUT_S)
    assert empty.status_code == 401
    assert requests.get(local_api.url + ME, headers={"Authorization": ""}, timeout=REQUEST_TIMEOUT_S).status_code == 401


def test_issuer_publishes_its_discovery_document_and_jwks_when_running(local_api: LocalApi) -> None:
    discovery = requests.get(f"{issuer(local_api)}/.well-known/openid-configuration", timeout=REQUEST_TIMEOUT_S).json()
    assert discovery["issuer"] == issuer(local_api)
    jwks = requests.get(discovery["jwks_uri"], timeout=REQUEST_TIMEOUT_S).json()
    assert {key["alg"] for key in jwks["keys"]} == {"RS256"}
    assert not any("d" in key for key in jwks["keys"])  # public parts only


# ---------------------------------------------------------------- ownership, fields, roles, limits


def test_another_users_address_is_404_when_read_changed_or_deleted(local_api: LocalApi) -> None:
    owner, other = register(local_api), register(local_api)
    address_id = call(local_api, "POST", f"{ME}/addresses", owner["access_token"], ADDRESS).json()["id"]
    path = f"{ME}/addresses/{address_id}"

    for method, body in (("GET", None), ("PATCH", {"label": "Mine"}), ("DELETE", None)):
        assert call(local_api, method, path, other["access_token"], body).status_code == 404, method
    assert call(local_api, "GET", path, owner["access_token"]).json()["label"] == "Home"


@pytest.mark.parametrize(
    "field", [{"role": "admin"}, {"id": "01JANYONE000000000000000000"}, {"email": "x@example.com"}]
)
def test_privileged_fields_are_422_and_change_nothing_when_sent_by_a_customer(
    local_api: LocalApi, field: dict[str, str]
) -> None:
    email = new_email()
    sign_up = {"email": email, "password": PASSWORD, "name": "Ann", **field}
    if "email" not in field:
        assert call(local_api, "POST", "/v1/auth/register", body=sign_up).status_code == 422
    customer = register(local_api, email)

    patched = call(local_api, "PATCH", ME, customer["access_token"], {"name": "Ann", **field})

    assert patched.status_code == 422
    me = call(local_api, "GET", ME, customer["access_token"]).json()
    assert (me["role"], me["id"], me["email"]) == ("customer", customer["user"]["id"], email)


def test_customer_is_403_when_listing_users(local_api: LocalApi) -> None:
    customer = register(local_api)

    assert call(local_api, "GET", "/v1/users", customer["access_token"]).status_code == 403


def test_sign_in_is_throttled_with_429_after_five_wrong_passwords_for_one_email(local_api: LocalApi) -> None:
    email = register(local_api)["user"]["email"]

    wrong = [login(local_api, email, "not-the-password").status_code for _ in range(5)]
    refused = login(local_api, email)

    assert wrong == [401] * 5
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_password_of_73_bytes_is_422_when_signing_up_or_in(local_api: LocalApi) -> None:
    password = "é" * 36 + "x"  # 37 characters, 73 bytes in UTF-8
    assert len(password.encode()) == 73

    sign_up = call(
        local_api, "POST", "/v1/auth/register", body={"email": new_email(), "password": password, "name": "A"}
    )

    assert sign_up.status_code == 422
    assert (
        call(local_api, "POST", "/v1/auth/login", body={"email": new_email(), "password": password}).status_code == 422
    )
