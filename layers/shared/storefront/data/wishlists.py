"""Wishlist items, in their owner's partition, and the counter on the user item that bounds them.

A put and a delete are each one transaction with the counter's update, every part
conditional, so the count is exact under concurrency and never read first; the
cancellation reasons say which condition failed.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError

from storefront.data import keys
from storefront.data.product_items import ProductItem
from storefront.data.table import TableItem, transaction
from storefront.data.users import UserItem
from storefront.domain.wishlist.entities import DeleteOutcome, PutOutcome, Wish


class WishItem(TableItem, discriminator="Wish"):
    product_id = UnicodeAttribute()
    added_at = NumberAttribute()


def _failed_conditions(error: TransactWriteError) -> list[bool] | None:
    """Per action (in pynamodb's order: checks, deletes, puts, updates), whether its condition failed.

    None when the transaction failed otherwise than by cancellation.
    """
    if error.cause_response_code != "TransactionCanceledException":
        return None
    return [reason is not None and reason.code == "ConditionalCheckFailed" for reason in error.cancellation_reasons]


def list_wishes(user_id: str) -> list[Wish]:
    """Access pattern WISHLIST-READ: consistent Query PK = USER#<user>, SK begins_with WISH#.

    The whole list in one request: the counter bounds it to 200 small items, far below a
    Query page's 1 MB.
    """
    pk, _ = keys.user(user_id)
    results = WishItem.query(pk, WishItem.SK.startswith(keys.wish_prefix()), consistent_read=True)
    return [Wish(item.product_id, int(item.added_at)) for item in results]


def has_wish(user_id: str, product_id: str) -> bool:
    """Access pattern WISH-BY-ID: consistent GetItem on USER#<user> / WISH#<product> (after a refused put)."""
    try:
        WishItem.get(*keys.wish(user_id, product_id), consistent_read=True, attributes_to_get=["PK"])
    except WishItem.DoesNotExist:
        return False
    return True


def put_wish(user_id: str, product_id: str, now: int, max_count: int) -> PutOutcome:
    """Access pattern WISHLIST-PUT: TransactWriteItems of three actions.

    ConditionCheck the product `status = active` (absent, draft and archived fail alike);
    Put the wish if absent (so `added_at` stays the first put's); Update the user
    `ADD wishlist_count 1` if the user exists and holds fewer than `max_count`.
    """
    pk, sk = keys.wish(user_id, product_id)
    wish = WishItem(pk, sk, product_id=product_id, added_at=now)
    user_pk, user_sk = keys.user(user_id)
    below = UserItem.wishlist_count.does_not_exist() | (UserItem.wishlist_count < max_count)
    try:
        with transaction() as write:
            write.condition_check(ProductItem, *keys.product(product_id), condition=ProductItem.status == "active")
            write.save(wish, condition=WishItem.PK.does_not_exist())
            write.update(
                UserItem(user_pk, user_sk),
                actions=[UserItem.wishlist_count.add(1)],
                condition=UserItem.PK.exists() & below,
            )
    except TransactWriteError as error:
        failed = _failed_conditions(error)
        if failed is None:
            raise
        product_refused, already_there, full = (failed + [False] * 3)[:3]
        if product_refused:
            return PutOutcome.NO_ACTIVE_PRODUCT
        if already_there:
            return PutOutcome.ALREADY_THERE
        if full:
            return PutOutcome.FULL
        return PutOutcome.CONTENDED  # a concurrent transaction on one of the items
    return PutOutcome.ADDED


def delete_wish(user_id: str, product_id: str) -> DeleteOutcome:
    """Access pattern WISHLIST-DELETE: TransactWriteItems of two actions.

    Delete the wish if it exists; Update the user `ADD wishlist_count -1` if the user
    exists. Of two concurrent deletes one removes it and counts down; the other is cancelled.
    """
    pk, sk = keys.wish(user_id, product_id)
    user_pk, user_sk = keys.user(user_id)
    try:
        with transaction() as write:
            write.delete(WishItem(pk, sk), condition=WishItem.PK.exists())
            write.update(
                UserItem(user_pk, user_sk), actions=[UserItem.wishlist_count.add(-1)], condition=UserItem.PK.exists()
            )
    except TransactWriteError as error:
        failed = _failed_conditions(error)
        if failed is None:
            raise
        return DeleteOutcome.ABSENT if failed[:1] == [True] else DeleteOutcome.CONTENDED
    return DeleteOutcome.REMOVED
