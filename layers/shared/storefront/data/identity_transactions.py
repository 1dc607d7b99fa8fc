"""Writes that must agree across a user and its sessions: each is one transaction."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from storefront.data import keys
from storefront.data.table import transaction
from storefront.data.tokens import RefreshTokenItem, TokenFamilyItem, add_session_start, token_item
from storefront.data.users import EmailClaimItem, UserItem, email_claim_item, user_item
from storefront.domain.errors import Conflict
from storefront.domain.identity.entities import RefreshToken, TokenStatus, User


def _cancelled(error: TransactWriteError) -> bool:
    return error.cause_response_code == "TransactionCanceledException"


def _failed_a_condition(error: TransactWriteError) -> bool:
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in error.cancellation_reasons)


def create_user_with_session(user: User, token: RefreshToken, now: int) -> None:
    """Access pattern SIGN-UP: one transaction of four conditional puts.

    The email claim's `attribute_not_exists` is what makes emails unique: of two
    concurrent sign-ups with one email, exactly one transaction commits.
    """
    try:
        with transaction() as write:
            write.save(email_claim_item(user), condition=EmailClaimItem.PK.does_not_exist())
            write.save(user_item(user), condition=UserItem.PK.does_not_exist())
            add_session_start(write, token, now)
    except TransactWriteError as error:
        if _cancelled(error) and _failed_a_condition(error):
            # Ids and tokens are random: only the email claim can already exist.
            raise Conflict("An account with this email already exists.") from error
        if _cancelled(error):  # TransactionConflict: a concurrent sign-up holds the email
            raise Conflict("Another sign-up with this email is in progress; try again.") from error
        raise


def create_user(user: User) -> None:
    """Access pattern USER-CREATE (operator tools): the sign-up's email claim and user, no session.

    The same `attribute_not_exists` on the email claim keeps emails unique: of two
    concurrent creations with one email, exactly one commits.
    """
    try:
        with transaction() as write:
            write.save(email_claim_item(user), condition=EmailClaimItem.PK.does_not_exist())
            write.save(user_item(user), condition=UserItem.PK.does_not_exist())
    except TransactWriteError as error:
        if _cancelled(error) and _failed_a_condition(error):
            raise Conflict("An account with this email already exists.") from error
        if _cancelled(error):  # TransactionConflict: a concurrent creation holds the email
            raise Conflict("Another sign-up with this email is in progress; try again.") from error
        raise


def rotate_refresh_token(old: RefreshToken, new: RefreshToken, now: int) -> bool:
    """Access pattern REFRESH-ROTATE: one transaction, every part conditional.

    Spends the old token (only while active and unexpired), slides the family's expiry
    (only while not revoked), puts the new token, and checks that the user still has
    the token's session epoch and is not disabled. Of two concurrent rotations of one
    token only one can pass the first condition. False when any condition fails.
    """
    old_pk, old_sk = keys.refresh_token(old.token_hash)
    family_pk, family_sk = keys.token_family(old.user_id, old.family_id)
    user_pk, user_sk = keys.user(old.user_id)
    try:
        with transaction() as write:
            write.update(
                RefreshTokenItem(old_pk, old_sk),
                actions=[RefreshTokenItem.status.set(TokenStatus.SPENT.value)],
                condition=(RefreshTokenItem.status == TokenStatus.ACTIVE.value) & (RefreshTokenItem.expires_at > now),
            )
            write.update(
                TokenFamilyItem(family_pk, family_sk),
                actions=[TokenFamilyItem.expires_at.set(new.expires_at)],
                condition=TokenFamilyItem.PK.exists() & TokenFamilyItem.revoked_at.does_not_exist(),
            )
            write.save(token_item(new, now), condition=RefreshTokenItem.PK.does_not_exist())
            write.condition_check(
                UserItem,
                user_pk,
                user_sk,
                condition=(UserItem.session_epoch == old.session_epoch) & (UserItem.disabled == False),  # noqa: E712
            )
    except TransactWriteError as error:
        if _cancelled(error):
            return False
        raise
    return True
