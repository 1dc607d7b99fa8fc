"""Access tokens: HS256 JWTs with pinned algorithm, required claims and a `kid`."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from storefront.models.roles import Role
from storefront.security.keyring import KID_PATTERN, keyring_cache
from storefront.settings import get_settings

ALGORITHM = "HS256"
ACCESS_TOKEN_TTL_S = 15 * 60
ACCESS_TOKEN_TYPE = "access"
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "typ", "role"]
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
    issued_at: int = 0


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for anything else."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def issue_access_token(user_id: str, role: Role, *, now: int | None = None) -> str:
    settings = get_settings()
    keyring = keyring_cache.current()
    issued_at = int(time.time()) if now is None else now
    claims = {
        "sub": user_id,
        "role": role.value,
        "typ": ACCESS_TOKEN_TYPE,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued_at,
        "exp": issued_at + ACCESS_TOKEN_TTL_S,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, keyring.active_key, algorithm=ALGORITHM, headers={"kid": keyring.active_kid})


def _verification_key(token: str) -> bytes:
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
    key = keyring_cache.key_for(kid)
    if key is None:
        raise InvalidToken(f"unknown kid {kid!r}")
    return key


def verify_access_token(token: str) -> AccessClaims:
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise InvalidToken("empty or oversized token")
    key = _verification_key(token)
    settings = get_settings()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": _REQUIRED_CLAIMS, "strict_aud": True},
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
    return AccessClaims(
        user_id=claims["sub"],
        role=role,
        jti=claims["jti"],
        expires_at=int(claims["exp"]),
        issued_at=int(claims["iat"]),
    )
