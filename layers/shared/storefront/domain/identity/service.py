"""Identity use cases: sign-up, sign-in, refresh, sign-out and password change.

Refresh tokens are opaque random strings; only their SHA-256 is stored. Each use
rotates the token (the old one is spent), and presenting a spent token again is taken
as theft: its whole family (every token descended from the same sign-in) is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NoReturn

from storefront.data import identity_transactions, tokens, users
from storefront.domain import clock
from storefront.domain.errors import Conflict, FieldError, Forbidden, Unauthorized, Unprocessable
from storefront.domain.identity import throttle
from storefront.domain.identity.entities import IssuedSession, RefreshToken, TokenStatus, User
from storefront.domain.identity.passwords import hash_password, verify_password
from storefront.domain.identity.roles import Role
from storefront.domain.identity.rules import check_new_password, check_password_size, normalise_email
from storefront.ids import new_ulid
from storefront.observability import module_logger
from storefront.security.tokens import ACCESS_TOKEN_TTL_S, issue_access_token

REFRESH_TOKEN_TTL_S = 30 * 24 * 3600
_REFRESH_TOKEN_BYTES = 32
WRONG_CREDENTIALS = "The email or the password is wrong."
BAD_REFRESH_TOKEN = "The refresh token is invalid, expired or revoked; sign in again."
DISABLED = "This account is disabled."
# A creation that loses to a concurrent one re-reads the winner this often.
_ENSURE_ATTEMPTS = 5

_logger = module_logger()


def _checked[T](check: Callable[[T], T], value: T, field: str) -> T:
    """Applies a rule of `rules.py`; its ValueError becomes a 422 naming the field.

    The API models apply the same rules first, so through HTTP this never fires; it
    keeps the use cases safe for any other caller.
    """
    try:
        return check(value)
    except ValueError as error:
        raise Unprocessable(str(error), errors=[FieldError((field,), str(error))]) from error


def hash_refresh_token(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _new_refresh_token(user: User, family_id: str, now: int) -> tuple[str, RefreshToken]:
    value = secrets.token_urlsafe(_REFRESH_TOKEN_BYTES)
    stored = RefreshToken(
        token_hash=hash_refresh_token(value),
        user_id=user.id,
        family_id=family_id,
        session_epoch=user.session_epoch,
        status=TokenStatus.ACTIVE,
        expires_at=now + REFRESH_TOKEN_TTL_S,
    )
    return value, stored


def _issued(user: User, refresh_value: str, now: int) -> IssuedSession:
    access = issue_access_token(user.id, user.role, user.session_epoch, now=now)
    return IssuedSession(user=user, access_token=access, refresh_token=refresh_value, expires_in=ACCESS_TOKEN_TTL_S)


def register(email: str, password: str, name: str) -> IssuedSession:
    """A new customer account, signed in. Conflict when the email is taken in any casing."""
    now = clock.now()
    user = User(
        id=new_ulid(now * 1000),
        email=_checked(normalise_email, email, "email"),
        name=name,
        role=Role.CUSTOMER,
        password_hash=hash_password(_checked(check_new_password, password, "password")),
        disabled=False,
        session_epoch=0,
        created_at=now,
    )
    value, stored = _new_refresh_token(user, new_ulid(), now)
    identity_transactions.create_user_with_session(user, stored, now)
    return _issued(user, value, now)


def create_user(email: str, password: str, name: str, role: Role) -> User:
    """An account with any role, for operator tools (sign-up only makes customers).

    Conflict when the email is taken in any casing: the conditional write on the email
    claim decides, so two concurrent creations cannot both succeed.
    """
    now = clock.now()
    user = User(
        id=new_ulid(now * 1000),
        email=_checked(normalise_email, email, "email"),
        name=_checked(_check_name, name, "name"),
        role=role,
        password_hash=hash_password(_checked(check_new_password, password, "password")),
        disabled=False,
        session_epoch=0,
        created_at=now,
    )
    identity_transactions.create_user(user)
    return user


@dataclass(frozen=True)
class EnsuredUser:
    user: User  # as it is now
    created: bool
    # An existing account keeps its password; False when `password` is not it any more.
    password_matches: bool


def ensure_user(email: str, password: str, name: str, role: Role) -> EnsuredUser:
    """An enabled account with this email and role: created if missing, else given the role.

    Idempotent, so a start script can run it every time. An existing account keeps its
    name and password (its owner may have changed it); a disabled one is enabled again.
    """
    normalised = _checked(normalise_email, email, "email")
    _checked(check_new_password, password, "password")
    for _ in range(_ENSURE_ATTEMPTS):
        existing = users.find_user_by_email(normalised)
        if existing is None:
            try:
                return EnsuredUser(create_user(normalised, password, name, role), True, True)
            except Conflict:
                continue  # created concurrently: read the winner
        changes: dict[str, object] = {}
        if existing.role is not role:
            changes["role"] = role.value
        if existing.disabled:
            changes["disabled"] = False
        if changes:
            users.update_profile(existing.id, changes, clock.now())
            existing = replace(existing, role=role, disabled=False)
        return EnsuredUser(existing, False, verify_password(password, existing.password_hash))
    raise Conflict("The account is being created concurrently; try again.")


def _check_name(name: str) -> str:
    if not name.strip():
        raise ValueError("must not be empty")
    return name


def login(email: str, password: str, source_ip: str | None) -> IssuedSession:
    """Signs in; a wrong email and a wrong password fail alike, at the same bcrypt cost."""
    now = clock.now()
    email = _checked(normalise_email, email, "email")
    _checked(check_password_size, password, "password")
    attempt = throttle.begin_attempt(email, source_ip, now)
    user = users.find_user_by_email(email)
    if not verify_password(password, user.password_hash if user else None) or user is None:
        throttle.attempt_failed(attempt, user.id if user else None)
        raise Unauthorized(WRONG_CREDENTIALS)
    throttle.attempt_succeeded(attempt)
    if user.disabled:
        raise Forbidden(DISABLED)
    value, stored = _new_refresh_token(user, new_ulid(), now)
    tokens.start_session(stored, now)
    return _issued(user, value, now)


def refresh(refresh_token: str) -> IssuedSession:
    """Rotates a refresh token: the old one is spent, a new pair is issued."""
    now = clock.now()
    old = tokens.get_refresh_token(hash_refresh_token(refresh_token))
    if old is None or old.expires_at <= now:
        raise Unauthorized(BAD_REFRESH_TOKEN)
    if old.status is TokenStatus.SPENT:
        _revoke_for_reuse(old, now)
    user = users.get_user(old.user_id)
    if user is None or user.session_epoch != old.session_epoch:
        raise Unauthorized(BAD_REFRESH_TOKEN)
    if user.disabled:
        raise Forbidden(DISABLED)
    value, new = _new_refresh_token(user, old.family_id, now)
    if not identity_transactions.rotate_refresh_token(old, new, now):
        # Lost to a concurrent use of the same token, or the session ended meanwhile.
        current = tokens.get_refresh_token(old.token_hash)
        if current is not None and current.status is TokenStatus.SPENT:
            _revoke_for_reuse(current, now)
        raise Unauthorized(BAD_REFRESH_TOKEN)
    return _issued(user, value, now)


def _revoke_for_reuse(token: RefreshToken, now: int) -> NoReturn:
    _logger.warning("spent refresh token reused: family revoked", extra={"user_id": token.user_id})
    tokens.revoke_family(token.user_id, token.family_id, now)
    raise Unauthorized(BAD_REFRESH_TOKEN)


def logout(refresh_token: str) -> None:
    """Ends the token's session (its family). Unknown tokens are ignored: logout is idempotent."""
    token = tokens.get_refresh_token(hash_refresh_token(refresh_token))
    if token is not None:
        tokens.revoke_family(token.user_id, token.family_id, clock.now())


def change_password(user_id: str, current_password: str, new_password: str, source_ip: str | None) -> None:
    """Changes the password and voids every refresh token of the user.

    A wrong current password is a 422 on `current_password`, not a 401: the caller's
    access token is fine, and 401 would tell clients to drop it. Wrong guesses count
    against the same sign-in throttle (the email from this address, and the broad limits).
    """
    now = clock.now()
    _checked(check_new_password, new_password, "new_password")
    _checked(check_password_size, current_password, "current_password")
    user = users.get_user(user_id)
    if user is None:
        raise Unauthorized("Sign in again.")
    if user.disabled:
        raise Forbidden(DISABLED)
    attempt = throttle.begin_attempt(user.email, source_ip, now, operation="password_change")
    if not verify_password(current_password, user.password_hash):
        throttle.attempt_failed(attempt, user.id)
        error = FieldError(("current_password",), "The current password is wrong.", "wrong_password")
        raise Unprocessable("The current password is wrong.", errors=[error])
    throttle.attempt_succeeded(attempt)
    users.change_password(user, hash_password(new_password), now)
    _logger.info("password changed", extra={"security_event": "password_change", "user_id": user.id})
