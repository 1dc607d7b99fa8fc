"""Users and the email claims that keep emails unique."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from storefront.data import keys
from storefront.data.table import TableItem
from storefront.domain.errors import Conflict
from storefront.domain.identity.entities import User
from storefront.models.roles import Role


class UserItem(TableItem, discriminator="User"):
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    disabled = BooleanAttribute(default=False)
    session_epoch = NumberAttribute(default=0)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()


class EmailClaimItem(TableItem, discriminator="EmailClaim"):
    user_id = UnicodeAttribute()


def user_item(user: User) -> UserItem:
    pk, sk = keys.user(user.id)
    return UserItem(
        pk,
        sk,
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        password_hash=user.password_hash.decode("ascii"),
        disabled=user.disabled,
        session_epoch=user.session_epoch,
        created_at=user.created_at,
        updated_at=user.created_at,
    )


def email_claim_item(user: User) -> EmailClaimItem:
    pk, sk = keys.email_claim(user.email)
    return EmailClaimItem(pk, sk, user_id=user.id)


def _user(item: UserItem) -> User:
    return User(
        id=item.user_id,
        email=item.email,
        name=item.name,
        role=Role(item.role),
        password_hash=item.password_hash.encode("ascii"),
        disabled=bool(item.disabled),
        session_epoch=int(item.session_epoch),
        created_at=int(item.created_at),
    )


def get_user(user_id: str) -> User | None:
    """Access pattern USER-BY-ID: consistent GetItem on USER#<id> / PROFILE."""
    pk, sk = keys.user(user_id)
    try:
        return _user(UserItem.get(pk, sk, consistent_read=True))
    except UserItem.DoesNotExist:
        return None


def find_user_by_email(normalised_email: str) -> User | None:
    """Access pattern USER-BY-EMAIL: GetItem on EMAIL#<email>, then USER-BY-ID."""
    pk, sk = keys.email_claim(normalised_email)
    try:
        claim = EmailClaimItem.get(pk, sk, consistent_read=True)
    except EmailClaimItem.DoesNotExist:
        return None
    return get_user(claim.user_id)


def change_password(user: User, new_hash: bytes, now: int) -> None:
    """Access pattern PASSWORD-CHANGE: UpdateItem on the user, conditioned on its session epoch.

    Bumping the epoch voids every refresh token issued before, in the same write.
    """
    pk, sk = keys.user(user.id)
    try:
        UserItem(pk, sk).update(
            actions=[
                UserItem.password_hash.set(new_hash.decode("ascii")),
                UserItem.session_epoch.set(user.session_epoch + 1),
                UserItem.updated_at.set(now),
            ],
            condition=UserItem.PK.exists() & (UserItem.session_epoch == user.session_epoch),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict("The password was changed by another request; sign in again.") from error
