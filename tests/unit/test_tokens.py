"""The access-token verifier refuses every forged, stale or misused token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from functools import partial
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from storefront.domain.identity.roles import Role
from storefront.security.jwks import JwksCache
from storefront.security.key_store import active_key_cache
from storefront.security.signing_keys import KeySet
from storefront.security.tokens import ACCESS_TOKEN_TTL_S, AccessClaims, InvalidToken, issue_access_token
from storefront.security.tokens import verify_access_token as verify_with
from tests.signing import forge_token, store_jwks, store_key_set


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The auth function's active key, served from memory."""
    monkeypatch.setattr(active_key_cache, "current", lambda: store_key_set().active)


def verify_access_token(token: str) -> AccessClaims:
    return verify_with(token, store_jwks())


def _pem(private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_issued_token_verifies_with_its_claims_when_untouched() -> None:
    claims = verify_access_token(issue_access_token("user-42", Role.MANAGER, 3))
    assert (claims.user_id, claims.role, claims.session_epoch) == ("user-42", Role.MANAGER, 3)
    assert claims.expires_at - time.time() <= ACCESS_TOKEN_TTL_S


def test_issued_token_names_the_active_kid_when_signed() -> None:
    header = jwt.get_unverified_header(issue_access_token("u", Role.CUSTOMER, 0))
    assert (header["kid"], header["alg"]) == (store_key_set().active.kid, "RS256")


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_token_is_refused_when_alg_is_none_in_any_casing(alg: str) -> None:
    payload = jwt.decode(forge_token(), options={"verify_signature": False})
    token = f"{_b64({'alg': alg, 'typ': 'JWT', 'kid': store_key_set().active.kid})}.{_b64(payload)}."
    with pytest.raises(InvalidToken):
        verify_access_token(token)


@pytest.mark.parametrize("guessed_key", ["secret", "storefront", "a" * 64, "-----BEGIN PUBLIC KEY-----"])
def test_token_is_refused_when_signed_with_a_guessed_key(guessed_key: str) -> None:
    token = forge_token(guessed_key.ljust(32, "x"), algorithm="HS256")
    with pytest.raises(InvalidToken):
        verify_access_token(token)


@pytest.mark.parametrize("alg", ["RS384", "RS512", "PS256"])
def test_token_is_refused_when_algorithm_is_not_the_pinned_one(alg: str) -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(algorithm=alg))


def test_token_is_refused_when_hs256_is_signed_with_the_public_key_as_secret() -> None:
    # The classic confusion: an HMAC "signed" with public material the attacker can read.
    public = _public_materials()
    kid = store_key_set().active.kid
    claims = jwt.decode(forge_token(role="admin"), options={"verify_signature": False})
    for secret in public:
        signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        with pytest.raises(InvalidToken):
            verify_access_token(f"{signing_input}.{signature}")


def _public_materials() -> list[bytes]:
    jwk = store_key_set().active.public_jwk()
    from jwt.algorithms import RSAAlgorithm

    pem = RSAAlgorithm.from_jwk(jwk).public_bytes(  # type: ignore[union-attr]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return [pem, json.dumps(jwk).encode(), json.dumps(store_key_set().jwks()).encode()]


def test_token_is_refused_when_signed_by_a_key_of_another_jwks_under_a_known_kid() -> None:
    other = KeySet(()).initialised(0)
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(other.active.private_key, kid=store_key_set().active.kid))


def test_token_is_refused_when_its_kid_is_not_in_the_jwks() -> None:
    other = KeySet(()).initialised(0)
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(other.active.private_key, kid=other.active.kid))


@pytest.mark.parametrize("curve", [ec.SECP256R1(), ec.SECP384R1(), ec.SECP256K1()])
def test_token_is_refused_when_signed_with_an_elliptic_curve_key(curve: ec.EllipticCurve) -> None:
    algorithm = {"secp256r1": "ES256", "secp384r1": "ES384", "secp256k1": "ES256K"}[curve.name]
    token = forge_token(_pem(ec.generate_private_key(curve)), algorithm=algorithm)
    with pytest.raises(InvalidToken):
        verify_access_token(token)


def test_token_is_refused_when_the_published_key_is_too_short_or_not_rsa() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test
    token = forge_token(_pem(weak), kid="weak")
    from jwt.algorithms import RSAAlgorithm

    weak_jwk = {**RSAAlgorithm.to_jwk(weak.public_key(), as_dict=True), "kid": "weak", "alg": "RS256"}
    oct_jwk = {"kty": "oct", "kid": "weak", "k": "c2VjcmV0"}
    for jwk in (weak_jwk, oct_jwk):
        with pytest.raises(InvalidToken):
            verify_with(token, JwksCache(partial(dict, keys=[jwk])))


def test_token_is_refused_when_payload_is_tampered_under_the_old_signature() -> None:
    header, payload, signature = forge_token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    with pytest.raises(InvalidToken):
        verify_access_token(f"{header}.{_b64(claims)}.{signature}")


@pytest.mark.parametrize("cut", [None, 10, 1])
def test_token_is_refused_when_signature_is_empty_or_truncated(cut: int | None) -> None:
    header, payload, signature = forge_token().split(".")
    truncated = "" if cut is None else signature[:cut]
    with pytest.raises(InvalidToken):
        verify_access_token(f"{header}.{payload}.{truncated}")


def test_token_is_refused_when_expired() -> None:
    now = int(time.time())
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(iat=now - 1000, exp=now - 100))


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_token_is_refused_when_not_yet_valid(claim: str) -> None:
    future = int(time.time()) + 600
    overrides: dict[str, Any] = {claim: future}
    if claim == "iat":
        overrides["exp"] = future + 300
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(**overrides))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "someone-else"),
        ("aud", "another-api"),
        ("aud", ["storefront-api", "x"]),
        ("typ", "refresh"),
        ("sep", -1),
        ("sep", "0"),
    ],
)
def test_token_is_refused_when_a_claim_is_wrong(claim: str, value: Any) -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(**{claim: value}))


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "jti", "typ", "role", "sep"])
def test_token_is_refused_when_a_required_claim_is_missing(claim: str) -> None:
    missing: dict[str, Any] = {claim: None}
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(**missing))


def test_token_is_refused_when_role_is_unknown() -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(role="root"))


def test_token_is_refused_when_lifetime_exceeds_an_access_tokens() -> None:
    now = int(time.time())
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(iat=now, exp=now + 86_400))


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
    kid = str(headers.pop("kid")).replace("k1", store_key_set().active.kid)
    with pytest.raises(InvalidToken):
        verify_access_token(forge_token(kid=kid, headers=headers))


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 5000, "Bearer abc"])
def test_token_is_refused_when_it_is_garbage(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(token)
