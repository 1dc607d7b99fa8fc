"""The caller's standing (role, disabled flag, session epoch): one small consistent read per request."""

from __future__ import annotations

from storefront.data import keys
from storefront.data.users import UserItem
from storefront.domain.identity.entities import Standing
from storefront.domain.identity.roles import Role


def get_standing(user_id: str) -> Standing | None:
    """Access pattern CALLER-STANDING: consistent GetItem on USER#<id> / PROFILE, three attributes."""
    pk, sk = keys.user(user_id)
    try:
        item = UserItem.get(
            pk,
            sk,
            consistent_read=True,
            attributes_to_get=["role", "disabled", "session_epoch"],
        )
    except UserItem.DoesNotExist:
        return None
    try:
        role = Role(item.role)
    except ValueError:
        return None
    return Standing(role=role, disabled=bool(item.disabled), session_epoch=int(item.session_epoch or 0))
