"""User use cases: the caller's profile and address book, and the admin's user management.

The user id always comes from the caller's principal, so every address is looked up in
its owner's partition: another user's address id is simply not found (404).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from storefront.data import addresses, users
from storefront.domain import clock
from storefront.domain.errors import Conflict, FieldError, NotFound, Unprocessable
from storefront.domain.identity.roles import Role
from storefront.domain.identity.rules import normalise_email
from storefront.domain.pages import Slice
from storefront.domain.users.entities import Address, AddressChanges, DefaultChange, Profile, PurchaseHistory
from storefront.domain.users.rules import MAX_ADDRESSES, check_admin_change
from storefront.ids import new_ulid
from storefront.observability import module_logger

# Conditional writes that lose to a concurrent change are re-read and retried this often.
ATTEMPTS = 5
NO_USER = "No such user."
NO_ADDRESS = "No such address."
BUSY = "The address book changed concurrently; try again."

_logger = module_logger()


def _profile(user_id: str) -> Profile:
    profile = users.get_profile(user_id)
    if profile is None:
        raise NotFound(NO_USER)
    return profile


def _flagged(address: Address, profile: Profile) -> Address:
    return replace(
        address,
        is_default_shipping=profile.default_shipping_address_id == address.id,
        is_default_billing=profile.default_billing_address_id == address.id,
    )


def _pointer(profile: Profile, kind: str) -> str | None:
    return profile.default_shipping_address_id if kind == "shipping" else profile.default_billing_address_id


def _default_changes(profile: Profile, address_id: str, wanted: dict[str, bool | None]) -> list[DefaultChange]:
    """Pointer moves that make the address the default (True) or stop it being one (False)."""
    changes = []
    for kind, flag in wanted.items():
        current = _pointer(profile, kind)
        if flag is True and current != address_id:
            changes.append(DefaultChange(kind, address_id, current))
        elif flag is False and current == address_id:
            changes.append(DefaultChange(kind, None, current))
    return changes


# ---------------------------------------------------------------- the caller


def get_me(user_id: str) -> tuple[Profile, PurchaseHistory]:
    """The caller's profile and purchase history (kept by the payment and refund transactions)."""
    account = users.get_account(user_id)
    if account is None:
        raise NotFound(NO_USER)
    return account


def update_me(user_id: str, changes: dict[str, Any]) -> Profile:
    """`changes` holds `name` and/or `phone` (None clears the phone)."""
    profile = users.update_profile(user_id, changes, clock.now()) if changes else users.get_profile(user_id)
    if profile is None:
        raise NotFound(NO_USER)
    return profile


def list_addresses(user_id: str, limit: int, start: dict[str, Any] | None) -> Slice[Address]:
    profile = _profile(user_id)
    page = addresses.list_addresses(user_id, limit, start)
    return Slice([_flagged(address, profile) for address in page.items], page.last_key)


def get_address(user_id: str, address_id: str) -> Address:
    profile = _profile(user_id)
    address = addresses.get_address(user_id, address_id)
    if address is None:
        raise NotFound(NO_ADDRESS)
    return _flagged(address, profile)


def create_address(user_id: str, fields: dict[str, Any], default_shipping: bool, default_billing: bool) -> Address:
    """Saves an address; the 21st is a Conflict. Making it a default replaces the old default."""
    now = clock.now()
    address = Address(id=new_ulid(), **fields, created_at=now, updated_at=now)
    wanted = {"shipping": default_shipping, "billing": default_billing}
    defaults = [DefaultChange(kind, address.id, None) for kind, flag in wanted.items() if flag]
    for _ in range(ATTEMPTS):
        if addresses.create_address(user_id, address, defaults, MAX_ADDRESSES):
            return replace(address, is_default_shipping=default_shipping, is_default_billing=default_billing)
        profile = _profile(user_id)
        if profile.address_count >= MAX_ADDRESSES:
            raise Conflict(f"A user can save at most {MAX_ADDRESSES} addresses; delete one first.")
    raise Conflict(BUSY)


def update_address(user_id: str, address_id: str, changes: AddressChanges) -> Address:
    wanted = {"shipping": changes.default_shipping, "billing": changes.default_billing}
    for _ in range(ATTEMPTS):
        profile = _profile(user_id)
        defaults = _default_changes(profile, address_id, wanted)
        if addresses.update_address(user_id, address_id, changes.fields, defaults, clock.now()):
            return get_address(user_id, address_id)
        if addresses.get_address(user_id, address_id) is None:
            raise NotFound(NO_ADDRESS)
    raise Conflict(BUSY)


def delete_address(user_id: str, address_id: str) -> None:
    """Deletes the address and, in the same transaction, any default pointer naming it."""
    for _ in range(ATTEMPTS):
        profile = _profile(user_id)
        defaults = _default_changes(profile, address_id, {"shipping": False, "billing": False})
        if addresses.delete_address(user_id, address_id, defaults, clock.now()):
            return
        if addresses.get_address(user_id, address_id) is None:
            raise NotFound(NO_ADDRESS)
    raise Conflict(BUSY)


# ---------------------------------------------------------------- admin


def find_users(email: str | None, limit: int, start: dict[str, Any] | None) -> Slice[Profile]:
    """Every user in sign-up order, or the one with this (normalised) email."""
    if email is not None:
        try:
            normalised = normalise_email(email)
        except ValueError as error:
            failure = FieldError(("email",), str(error))
            raise Unprocessable(str(error), errors=[failure]) from error
        found = users.find_profile_by_email(normalised)
        return Slice([found] if found else [], None)
    return users.list_profiles(limit, start)


def admin_update_user(admin_id: str, user_id: str, role: Role | None, disabled: bool | None) -> Profile:
    """Sets a user's role and/or disabled flag. A disabled user cannot sign in, refresh or use tokens."""
    check_admin_change(admin_id, user_id, role, disabled)
    changes: dict[str, Any] = {}
    if role is not None:
        changes["role"] = role.value
    if disabled is not None:
        changes["disabled"] = disabled
    profile = update_me(user_id, changes)
    _log_access_change(admin_id, user_id, role, disabled)
    return profile


def _log_access_change(actor: str, user_id: str, role: Role | None, disabled: bool | None) -> None:
    if role is not None:
        _logger.info(
            "role changed",
            extra={"security_event": "role_change", "actor": actor, "user_id": user_id, "role": role.value},
        )
    if disabled is not None:
        event = "disable" if disabled else "enable"
        _logger.info(f"user {event}d", extra={"security_event": event, "actor": actor, "user_id": user_id})


def find_user_by_email(email: str) -> Profile:
    """The user with this email in any casing; NotFound when there is none."""
    try:
        normalised = normalise_email(email)
    except ValueError as error:
        failure = FieldError(("email",), str(error))
        raise Unprocessable(str(error), errors=[failure]) from error
    found = users.find_profile_by_email(normalised)
    if found is None:
        raise NotFound(NO_USER)
    return found


def set_user_access(email: str, role: Role | None = None, disabled: bool | None = None) -> Profile:
    """An operator's change of a user's role and/or disabled flag, by email.

    For operator tools with table access, outside the API: there is no acting admin,
    so the self-protection of `admin_update_user` does not apply.
    """
    profile = find_user_by_email(email)
    changes: dict[str, Any] = {}
    if role is not None:
        changes["role"] = role.value
    if disabled is not None:
        changes["disabled"] = disabled
    updated = update_me(profile.id, changes)
    _log_access_change("operator", profile.id, role, disabled)
    return updated
