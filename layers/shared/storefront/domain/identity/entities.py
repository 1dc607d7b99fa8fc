"""Identity entities as the domain sees them: no HTTP, no DynamoDB."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storefront.domain.identity.roles import Role

# The `typ` claim of an access token, the only token signed with the stack's keys (refresh
# tokens are opaque). Here, not in security/tokens.py, so that checking it loads no PyJWT.
ACCESS_TOKEN_TYPE = "access"


@dataclass(frozen=True)
class User:
    id: str
    email: str  # normalised: stripped and lower-cased
    name: str
    role: Role
    password_hash: bytes
    disabled: bool
    # Bumped by a password change: refresh tokens of an older epoch are void.
    session_epoch: int
    created_at: int


class TokenStatus(StrEnum):
    ACTIVE = "active"
    SPENT = "spent"  # rotated: presenting it again is a reuse


@dataclass(frozen=True)
class RefreshToken:
    """A stored refresh token; `token_hash` is the SHA-256 hex of the value the client holds."""

    token_hash: str
    user_id: str
    family_id: str
    session_epoch: int
    status: TokenStatus
    expires_at: int


@dataclass(frozen=True)
class IssuedSession:
    """What a sign-in, sign-up or refresh hands to the client."""

    user: User
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Standing:
    """What a request needs to know of its caller now: read once per request, consistently."""

    role: Role
    disabled: bool
    session_epoch: int
