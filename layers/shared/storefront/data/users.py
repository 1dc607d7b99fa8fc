"""Users and the email claims that keep emails unique."""

from __future__ import annotations

from typing import Any, cast

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.table import TableItem, query_slice
from storefront.domain.errors import Conflict
from storefront.domain.identity.entities import User
from storefront.domain.identity.roles import Role
from storefront.domain.pages import Slice
from storefront.domain.users.entities import Profile, PurchaseHistory


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
    phone = UnicodeAttribute(null=True)
    # When the password last changed (the change also bumps the session epoch).
    password_changed_at = NumberAttribute(null=True)
    # Saved addresses: a counter bounded in the same transaction as each put/delete,
    # and one pointer per kind of default (so two defaults cannot exist).
    address_count = NumberAttribute(null=True)
    default_shipping_address_id = UnicodeAttribute(null=True)
    default_billing_address_id = UnicodeAttribute(null=True)
    # Wishlist items: a counter bounded in the same transaction as each put/delete.
    wishlist_count = NumberAttribute(null=True)


class EmailClaimItem(TableItem, discriminator="EmailClaim"):
    user_id = UnicodeAttribute()


class SpendingItem(TableItem, discriminator="Spending"):
    """A user's purchases in one currency, kept only by the transactions that pay and refund orders."""

    user_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    order_count = NumberAttribute(null=True)  # absent on an item a refund created (see add_spending)
    total_spent = NumberAttribute()
    last_order_at = NumberAttribute(null=True)


def user_item(user: User) -> UserItem:
    pk, sk = keys.user(user.id)
    index_pk, index_sk = keys.users_index(user.id)
    return UserItem(
        pk,
        sk,
        GSI1PK=index_pk,
        GSI1SK=index_sk,
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
                UserItem.password_changed_at.set(now),
                UserItem.updated_at.set(now),
            ],
            condition=UserItem.PK.exists() & (UserItem.session_epoch == user.session_epoch),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict("The password was changed by another request; sign in again.") from error


def _profile(item: UserItem) -> Profile:
    return Profile(
        id=item.user_id,
        email=item.email,
        name=item.name,
        phone=item.phone,
        role=Role(item.role),
        disabled=bool(item.disabled),
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        default_shipping_address_id=item.default_shipping_address_id,
        default_billing_address_id=item.default_billing_address_id,
        address_count=int(item.address_count or 0),
    )


def get_profile(user_id: str) -> Profile | None:
    """Access pattern USER-BY-ID: consistent GetItem on USER#<id> / PROFILE."""
    pk, sk = keys.user(user_id)
    try:
        return _profile(UserItem.get(pk, sk, consistent_read=True))
    except UserItem.DoesNotExist:
        return None


def find_profile_by_email(normalised_email: str) -> Profile | None:
    """Access pattern USER-BY-EMAIL: GetItem on EMAIL#<email>, then USER-BY-ID."""
    pk, sk = keys.email_claim(normalised_email)
    try:
        claim = EmailClaimItem.get(pk, sk, consistent_read=True)
    except EmailClaimItem.DoesNotExist:
        return None
    return get_profile(claim.user_id)


def list_profiles(limit: int, start: dict[str, Any] | None) -> Slice[Profile]:
    """Access pattern USERS-LIST: Query GSI1 on GSI1PK = USERS, in sign-up order. No Scan."""
    results = UserItem.gsi1.query(
        keys.users_index_partition(),
        UserItem.GSI1SK.startswith(keys.users_index_prefix()),
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=start,
    )
    return query_slice(results, limit, lambda item: _profile(cast(UserItem, item)))


def update_profile(user_id: str, changes: dict[str, Any], now: int) -> Profile | None:
    """Access pattern PROFILE-UPDATE: UpdateItem SET name / SET or REMOVE phone, if the user exists.

    Also USER-ADMIN-UPDATE (SET role / disabled, ADD 1 to the session epoch in the same write:
    every refresh token and access token issued before dies at once). `changes` maps
    attribute names to values; None removes an optional attribute. None when the user
    does not exist.
    """
    pk, sk = keys.user(user_id)
    item = UserItem(pk, sk)
    actions: list[Any] = [UserItem.updated_at.set(now)]
    if changes.keys() & {"role", "disabled"}:
        actions.append(UserItem.session_epoch.add(1))
    for name, value in changes.items():
        attribute = getattr(UserItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    try:
        item.update(actions=actions, condition=UserItem.PK.exists())
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return None
    return _profile(item)


def add_spending(write: TransactWrite, user_id: str, currency: str, amount: int, paid_at: int | None = None) -> None:
    """Access pattern PURCHASE-RECORD: Update `USER#<id>` / `PROFILE#SPENT#<currency>` inside the
    transaction of a payment (`paid_at` given: `ADD order_count 1, total_spent amount`,
    `SET last_order_at`) or of a refund (`amount` negative, `paid_at` None: `ADD total_spent`).

    One item per currency, created by its first Update: a top-level `ADD` works on an absent
    item or attribute, where `ADD` on a nested map path fails until the map exists. No
    condition, so it never cancels the payment or refund it rides with; that transaction's
    own conditions make it happen once. `last_order_at` is the last payment's time (a
    transaction cannot take a maximum without a condition; payments commit in time order).
    """
    pk, sk = keys.user_spending(user_id, currency)
    actions: list[Any] = [
        SpendingItem.entity.set(SpendingItem),
        SpendingItem.user_id.set(user_id),
        SpendingItem.currency.set(currency),
        SpendingItem.total_spent.add(amount),
    ]
    if paid_at is not None:
        actions += [SpendingItem.order_count.add(1), SpendingItem.last_order_at.set(paid_at)]
    write.update(SpendingItem(pk, sk), actions=actions)


def _history(items: list[SpendingItem]) -> PurchaseHistory:
    paid_times = [int(item.last_order_at) for item in items if item.last_order_at is not None]
    return PurchaseHistory(
        order_count=sum(int(item.order_count or 0) for item in items),
        total_spent={item.currency: int(item.total_spent) for item in sorted(items, key=lambda i: i.currency)},
        last_order_at=max(paid_times, default=None),
    )


def get_account(user_id: str) -> tuple[Profile, PurchaseHistory] | None:
    """Access pattern ACCOUNT-READ: consistent Query `PK = USER#<id> AND begins_with(SK, "PROFILE")`:
    the profile and its spending items (one per currency bought in) in one request. None when
    the user does not exist."""
    pk, _ = keys.user(user_id)
    found = list(TableItem.query(pk, TableItem.SK.startswith(keys.user_account_prefix()), consistent_read=True))
    profiles = [item for item in found if isinstance(item, UserItem)]
    if not profiles:
        return None
    return _profile(profiles[0]), _history([item for item in found if isinstance(item, SpendingItem)])
