"""Refresh tokens and their families (sign-in sessions).

A token item is addressed by the SHA-256 of the token, so a leaked table holds nothing a
client could present. Every token rotated from one sign-in shares a family item; revoking
the family kills the whole chain at once. Both expire through the table's TTL.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.table import TableItem, transaction
from storefront.domain.identity.entities import RefreshToken, TokenStatus


class RefreshTokenItem(TableItem, discriminator="RefreshToken"):
    user_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    session_epoch = NumberAttribute()
    status = UnicodeAttribute()
    created_at = NumberAttribute()


class TokenFamilyItem(TableItem, discriminator="TokenFamily"):
    user_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    created_at = NumberAttribute()
    revoked_at = NumberAttribute(null=True)


def token_item(token: RefreshToken, now: int) -> RefreshTokenItem:
    pk, sk = keys.refresh_token(token.token_hash)
    return RefreshTokenItem(
        pk,
        sk,
        user_id=token.user_id,
        family_id=token.family_id,
        session_epoch=token.session_epoch,
        status=token.status.value,
        created_at=now,
        expires_at=token.expires_at,
    )


def add_session_start(write: TransactWrite, token: RefreshToken, now: int) -> None:
    """Adds the puts of a new family and its first token to a transaction."""
    pk, sk = keys.token_family(token.user_id, token.family_id)
    family = TokenFamilyItem(
        pk, sk, user_id=token.user_id, family_id=token.family_id, created_at=now, expires_at=token.expires_at
    )
    write.save(family, condition=TokenFamilyItem.PK.does_not_exist())
    write.save(token_item(token, now), condition=RefreshTokenItem.PK.does_not_exist())


def start_session(token: RefreshToken, now: int) -> None:
    """Access pattern SESSION-START: transaction of two conditional puts (family, token)."""
    with transaction() as write:
        add_session_start(write, token, now)


def get_refresh_token(token_hash: str) -> RefreshToken | None:
    """Access pattern REFRESH-BY-HASH: consistent GetItem on REFRESH#<sha256>."""
    pk, sk = keys.refresh_token(token_hash)
    try:
        item = RefreshTokenItem.get(pk, sk, consistent_read=True)
    except RefreshTokenItem.DoesNotExist:
        return None
    return RefreshToken(
        token_hash=token_hash,
        user_id=item.user_id,
        family_id=item.family_id,
        session_epoch=int(item.session_epoch),
        status=TokenStatus(item.status),
        expires_at=int(item.expires_at or 0),
    )


def revoke_family(user_id: str, family_id: str, now: int) -> None:
    """Access pattern FAMILY-REVOKE: UpdateItem SET revoked_at on an existing family item."""
    pk, sk = keys.token_family(user_id, family_id)
    try:
        TokenFamilyItem(pk, sk).update(
            actions=[TokenFamilyItem.revoked_at.set(now)], condition=TokenFamilyItem.PK.exists()
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
