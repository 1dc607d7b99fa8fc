"""Access tokens: RS256 JWTs with a pinned algorithm, required claims, a `kid` and the session epoch.

Signed only by the auth function (the private key never leaves it). Verified by API
Gateway's JWT authorizer on protected routes, and here, with the same rules, by a public
route that reads an optional viewer and by the local runtime standing in for the gateway.
`sep` is the user's session epoch when the token was issued: disabling a user, changing
their role or their password bumps the epoch, and the functions refuse older tokens.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from storefront.domain.identity.entities import ACCESS_TOKEN_TYPE
from storefront.domain.identity.roles import Role
from storefront.security.jwks import JwksCache, published_jwks
from storefront.security.signing_keys import ALGORITHM
from storefront.settings import get_settings

ACCESS_TOKEN_TTL_S = 15 * 60
MIN_RSA_KEY_BITS = 2048
KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "typ", "role", "sep"]
# Headers that ask the verifier to fetch or trust a key from elsewhere: never honoured.
_FORBIDDEN_HEADERS = {"jku", "jwk", "x5u", "x5c", "crit"}
_MAX_TOKEN_LENGTH = 4096


class InvalidToken(Exception):
    """The token cannot be trusted; the reason is for logs, never for the client."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    role: Role
    jti: str
    expires_at: int
    issued_at: int
    session_epoch: int

    def as_gateway_claims(self) -> dict[str, str]:
        """The claims as API Gateway's JWT authorizer hands them to a function: strings."""
        return {
            "sub": self.user_id,
            "role": self.role.value,
            "typ": ACCESS_TOKEN_TYPE,
            "jti": self.jti,
            "exp": str(self.expires_at),
            "iat": str(self.issued_at),
            "sep": str(self.session_epoch),
        }


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for anything else."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def issue_access_token(user_id: str, role: Role, session_epoch: int, *, now: int | None = None) -> str:
    from storefront.security.key_store import active_key_cache  # the auth function only

    settings = get_settings()
    key = active_key_cache.current()
    issued_at = int(time.time()) if now is None else now
    claims = {
        "sub": user_id,
        "role": role.value,
        "typ": ACCESS_TOKEN_TYPE,
        "sep": session_epoch,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued_at,
        "exp": issued_at + ACCESS_TOKEN_TTL_S,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def _verification_key(token: str, jwks: JwksCache) -> Any:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken(f"unreadable header: {error}") from error
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"algorithm {header.get('alg')!r} is not {ALGORITHM}")
    if _FORBIDDEN_HEADERS & header.keys():
        raise InvalidToken("token asks for an external or critical key header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not KID_PATTERN.match(kid):
        raise InvalidToken("missing or malformed kid")
    jwk = jwks.key_for(kid)
    if jwk is None:
        raise InvalidToken(f"unknown kid {kid!r}")
    if jwk.get("kty") != "RSA" or jwk.get("alg", ALGORITHM) != ALGORITHM or jwk.get("use", "sig") != "sig":
        raise InvalidToken("the published key is not an RS256 signing key")
    try:
        public_key = RSAAlgorithm.from_jwk(jwk)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as error:
        raise InvalidToken("the published key is unreadable") from error
    if getattr(public_key, "key_size", 0) < MIN_RSA_KEY_BITS:
        raise InvalidToken("the published key is too short")
    return public_key


def verify_access_token(
    token: str,
    jwks: JwksCache = published_jwks,
    *,
    issuer: str | None = None,
    audience: list[str] | None = None,
) -> AccessClaims:
    """The claims of a valid access token; `issuer`/`audience` default to this stack's."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise InvalidToken("empty or oversized token")
    key = _verification_key(token, jwks)
    settings = get_settings()
    # One audience: `aud` must be exactly it. Several (a gateway's list): any one of them.
    expected: str | list[str] = audience if audience and len(audience) > 1 else (audience or [settings.jwt_audience])[0]
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=expected,
            issuer=issuer or settings.jwt_issuer,
            options={"require": _REQUIRED_CLAIMS, "strict_aud": isinstance(expected, str)},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    if claims["typ"] != ACCESS_TOKEN_TYPE:
        raise InvalidToken("not an access token")
    if claims["exp"] - claims["iat"] > ACCESS_TOKEN_TTL_S:
        raise InvalidToken("lifetime longer than an access token's")
    try:
        role = Role(claims["role"])
    except ValueError as error:
        raise InvalidToken("unknown role") from error
    if not isinstance(claims["sub"], str) or not claims["sub"] or not isinstance(claims["jti"], str):
        raise InvalidToken("malformed subject or token id")
    if not isinstance(claims["sep"], int) or isinstance(claims["sep"], bool) or claims["sep"] < 0:
        raise InvalidToken("malformed session epoch")
    return AccessClaims(
        user_id=claims["sub"],
        role=role,
        jti=claims["jti"],
        expires_at=int(claims["exp"]),
        issued_at=int(claims["iat"]),
        session_epoch=claims["sep"],
    )
