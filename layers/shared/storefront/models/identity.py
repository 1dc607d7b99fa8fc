"""API models of the auth routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictStr

from storefront.domain.identity.entities import IssuedSession
from storefront.domain.identity.entities import User as UserEntity
from storefront.domain.identity.roles import Role
from storefront.domain.identity.rules import (
    EMAIL_MAX_CHARS,
    PASSWORD_MAX_BYTES,
    PASSWORD_MIN_CHARS,
    check_new_password,
    check_password_size,
    normalise_email,
)
from storefront.models.base import ApiModel
from storefront.models.text_fields import Text

EmailAddress = Annotated[
    StrictStr,
    Field(
        max_length=EMAIL_MAX_CHARS + 64,
        description="Email address; surrounding spaces are dropped and it is lower-cased, "
        "so `Ann@Example.com` and `ann@example.com` are one account",
    ),
    AfterValidator(normalise_email),
]
NewPassword = Annotated[
    StrictStr,
    Field(
        min_length=PASSWORD_MIN_CHARS,
        max_length=PASSWORD_MAX_BYTES,
        description=f"At least {PASSWORD_MIN_CHARS} characters and at most {PASSWORD_MAX_BYTES} bytes in UTF-8",
        json_schema_extra={"format": "password"},
    ),
    AfterValidator(check_new_password),
]
Password = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=PASSWORD_MAX_BYTES,
        description=f"The password, at most {PASSWORD_MAX_BYTES} bytes in UTF-8",
        json_schema_extra={"format": "password"},
    ),
    AfterValidator(check_password_size),
]
DisplayName = Annotated[StrictStr, Text(100, "How the store addresses the user, 1–100 characters")]
RefreshTokenValue = Annotated[
    StrictStr,
    Field(min_length=1, max_length=512, description="A refresh token from sign-up, sign-in or refresh"),
]


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(_Request):
    email: EmailAddress
    password: NewPassword
    name: DisplayName


class LoginRequest(_Request):
    email: EmailAddress
    password: Password


class RefreshRequest(_Request):
    refresh_token: RefreshTokenValue


class LogoutRequest(_Request):
    refresh_token: RefreshTokenValue


class PasswordChangeRequest(_Request):
    current_password: Password
    new_password: NewPassword


class User(ApiModel):
    """A user as the user sees themself."""

    id: str = Field(description="The user's id (a ULID)")
    email: str = Field(description="The normalised (lower-case) email address")
    name: str = Field(description="Display name")
    role: Role = Field(description="customer, manager or admin")
    created_at: str = Field(description="When the account was created (RFC 3339, UTC)")

    @classmethod
    def of(cls, user: UserEntity) -> User:
        created = datetime.fromtimestamp(user.created_at, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return cls(id=user.id, email=user.email, name=user.name, role=user.role, created_at=created)


class AuthSession(ApiModel):
    """A signed-in session: a short-lived access token and a rotating refresh token."""

    user: User = Field(description="The signed-in user")
    access_token: str = Field(description="JWT to send as `Authorization: Bearer <token>`")
    refresh_token: str = Field(description="Opaque, single-use: exchange it at /v1/auth/refresh for a new pair")
    token_type: Literal["Bearer"] = Field(description="Always Bearer")
    expires_in: int = Field(description="Seconds until the access token expires")

    @classmethod
    def of(cls, session: IssuedSession) -> AuthSession:
        return cls(
            user=User.of(session.user),
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            token_type="Bearer",  # noqa: S106 (a token type, not a secret)
            expires_in=session.expires_in,
        )
