"""The access-token verifier refuses every forged, stale or misused token."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from storefront.models.roles import Role
from storefront.security.keyring import Keyring
from storefront.security.tokens import ACCESS_TOKEN_TTL_S, InvalidToken, issue_access_token, verify_access_token
from tests.aws_fixtures import SIGNING_KEY, signing_secret
from tests.support import forge_token


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_issued_token_verifies_with_its_claims_when_untouched() -> None:
    claims = verify_access_token(issue_access_token("user-42", Role.MANAGER))
    assert (claims.user_id, claims.role) == ("user-42", Role.MANAGER)
    assert claims.expires_at - time.time() <= ACCESS_TOKEN_TTL_S


def test_issued_token_names_the_active_kid_when_signed() -> None:
    assert jwt.get_unverified_header(issue_access_token("u", Role.CUSTOMER))["kid"] == "k1"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_token_is_refused_when_alg_is_none_in_any_casing(alg: str) -> None:
    payload = jwt.decode(forge_token(SIGNING_KEY), options={"verify_signature": False})
    token = f"{_b64({'alg': alg, 'typ': 'JWT', 'kid': 'k1'})}.{_b64(payload)}."
    with pytest.raises(InvalidToken):
        verify_access_token(token)


@pytest.mark.parametrize("guessed_key", ["secret", "storefront", "a" * 64, "-----BEGIN PUBLIC KEY-----"])
def test_token_is_refused_when_signed_with_a_guessed_key(guessed_key: str) -> None:
    token = forge_token(guessed_key.ljust(32, "x"))
    with pytest.raises(InvalidToken):
        verify_access_token(token)


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_token_is_refused_when_algorithm_is_not_the_pinned_one(alg: str) -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(SIGNING_KEY, algorithm=alg))


def test_token_is_refused_when_payload_is_tampered_under_the_old_signature() -> None:
    header, payload, signature = forge_token(SIGNING_KEY).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    with pytest.raises(InvalidToken):
        verify_access_token(f"{header}.{_b64(claims)}.{signature}")


@pytest.mark.parametrize("cut", [None, 10, 1])
def test_token_is_refused_when_signature_is_empty_or_truncated(cut: int | None) -> None:
    header, payload, signature = forge_token(SIGNING_KEY).split(".")
    truncated = "" if cut is None else signature[:cut]
    with pytest.raises(InvalidToken):
        verify_access_token(f"{header}.{payload}.{truncated}")


def test_token_is_refused_when_expired() -> None:
    now = int(time.time())
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(SIGNING_KEY, iat=now - 1000, exp=now - 100))


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_token_is_refused_when_not_yet_valid(claim: str) -> None:
    future = int(time.time()) + 600
    overrides: dict[str, object] = {claim: future}
    if claim == "iat":
        overrides["exp"] = future + 300
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(SIGNING_KEY, **overrides))


@pytest.mark.parametrize(
    ("claim", "value"),
    [("iss", "someone-else"), ("aud", "another-api"), ("aud", ["storefront-api", "x"]), ("typ", "refresh")],
)
def test_token_is_refused_when_a_claim_is_wrong(claim: str, value: object) -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(SIGNING_KEY, **{claim: value}))


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "jti", "typ", "role"])
def test_token_is_refused_when_a_required_claim_is_missing(claim: str) -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(SIGNING_KEY, **{claim: None}))


def test_token_is_refused_when_role_is_unknown() -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(SIGNING_KEY, role="root"))


def test_token_is_refused_when_lifetime_exceeds_an_access_tokens() -> None:
    now = int(time.time())
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(SIGNING_KEY, iat=now, exp=now + 86_400))


@pytest.mark.parametrize(
    "headers",
    [
        {"kid": "../../etc/passwd"},
        {"kid": "k1' OR '1'='1"},
        {"kid": "unknown"},
        {"kid": "k1", "jku": "https://attacker.example/jwks.json"},
        {"kid": "k1", "jwk": {"kty": "oct", "k": "c2VjcmV0"}},
        {"kid": "k1", "x5u": "https://attacker.example/cert.pem"},
    ],
)
def test_token_is_refused_when_header_is_hostile(headers: dict[str, object]) -> None:
    kid = str(headers.pop("kid"))
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(SIGNING_KEY, kid=kid, headers=headers))


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 5000, "Bearer abc"])
def test_token_is_refused_when_it_is_garbage(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(token)


def test_old_key_still_verifies_when_keys_rotated(monkeypatch: pytest.MonkeyPatch, keyring: Keyring) -> None:
    old_token = issue_access_token("user-1", Role.CUSTOMER)
    rotated = Keyring.parse(signing_secret(k1=SIGNING_KEY, k2="k2-" + "n" * 40))
    from storefront.security.keyring import keyring_cache

    monkeypatch.setattr(keyring_cache, "current", lambda: rotated)
    monkeypatch.setattr(keyring_cache, "key_for", lambda kid: rotated.keys.get(kid))
    new_token = issue_access_token("user-1", Role.CUSTOMER)
    assert jwt.get_unverified_header(new_token)["kid"] == "k2"
    assert verify_access_token(old_token).user_id == "user-1"
    assert verify_access_token(new_token).user_id == "user-1"


@pytest.mark.parametrize(
    "secret",
    ['{"k1": "' + "x" * 40 + '"}', '{"active_kid": "k1", "k1": "short"}', "not json", "[]", '{"active_kid": "k9"}'],
)
def test_keyring_is_refused_when_the_secret_is_malformed(secret: str) -> None:
    from storefront.security.keyring import KeyringError

    with pytest.raises(KeyringError):
        Keyring.parse(secret)
