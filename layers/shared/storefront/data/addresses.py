"""Saved addresses, in their owner's partition, and the user item that bounds and points at them.

Every write that touches the count or a default pointer is one transaction with the
address write, each part conditional; the functions return False when a condition or
a concurrent transaction cancelled it, and the domain reads again and decides.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.table import TableItem, committed, query_slice
from storefront.data.users import UserItem
from storefront.domain.pages import Slice
from storefront.domain.users.entities import ADDRESS_FIELDS, Address, DefaultChange


class AddressItem(TableItem, discriminator="Address"):
    address_id = UnicodeAttribute()
    label = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    line1 = UnicodeAttribute()
    line2 = UnicodeAttribute(null=True)
    city = UnicodeAttribute()
    region = UnicodeAttribute(null=True)
    postal_code = UnicodeAttribute(null=True)
    country = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()


_POINTERS = {"shipping": UserItem.default_shipping_address_id, "billing": UserItem.default_billing_address_id}


def _address(item: AddressItem) -> Address:
    return Address(
        id=item.address_id,
        **{name: getattr(item, name) for name in ADDRESS_FIELDS},
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
    )


def get_address(user_id: str, address_id: str) -> Address | None:
    """Access pattern ADDRESS-BY-ID: consistent GetItem on USER#<user> / ADDRESS#<id>."""
    pk, sk = keys.address(user_id, address_id)
    try:
        return _address(AddressItem.get(pk, sk, consistent_read=True))
    except AddressItem.DoesNotExist:
        return None


def list_addresses(user_id: str, limit: int, start: dict[str, Any] | None) -> Slice[Address]:
    """Access pattern ADDRESSES-OF-USER: consistent Query PK = USER#<user>, SK begins_with ADDRESS#."""
    pk, _ = keys.user(user_id)
    results = AddressItem.query(
        pk,
        AddressItem.SK.startswith(keys.address_prefix()),
        consistent_read=True,
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=start,
    )
    return query_slice(results, limit, _address)


def create_address(user_id: str, address: Address, defaults: list[DefaultChange], max_count: int) -> bool:
    """Access pattern ADDRESS-CREATE: TransactWriteItems of two writes.

    Put the address if absent; Update the user `ADD address_count 1` (and SET the default
    pointers) only if the user exists and holds fewer than `max_count` addresses. The
    counter and its condition live in the same transaction, so concurrent creations
    can never pass the bound.
    """
    pk, sk = keys.address(user_id, address.id)
    item = AddressItem(
        pk,
        sk,
        address_id=address.id,
        **{name: getattr(address, name) for name in ADDRESS_FIELDS},
        created_at=address.created_at,
        updated_at=address.updated_at,
    )
    user_pk, user_sk = keys.user(user_id)
    actions: list[Any] = [UserItem.address_count.add(1), UserItem.updated_at.set(address.updated_at)]
    actions += [_POINTERS[change.kind].set(change.address_id) for change in defaults if change.address_id]
    below = UserItem.address_count.does_not_exist() | (UserItem.address_count < max_count)

    def write_all(write: TransactWrite) -> None:
        write.save(item, condition=AddressItem.PK.does_not_exist())
        write.update(UserItem(user_pk, user_sk), actions=actions, condition=UserItem.PK.exists() & below)

    return committed(write_all)


def _pointer_update(changes: list[DefaultChange]) -> tuple[list[Any], Any]:
    """SET/REMOVE actions of pointer changes, each guarded by the value it was read as."""
    actions: list[Any] = []
    condition: Any = UserItem.PK.exists()
    for change in changes:
        pointer = _POINTERS[change.kind]
        actions.append(pointer.set(change.address_id) if change.address_id else pointer.remove())
        condition &= pointer.does_not_exist() if change.expected is None else pointer == change.expected
    return actions, condition


def update_address(
    user_id: str, address_id: str, fields: dict[str, Any], defaults: list[DefaultChange], now: int
) -> bool:
    """Access pattern ADDRESS-UPDATE: TransactWriteItems.

    Update the address (if it exists) and, when a default moves, Update the user's
    pointers, each conditioned on the value read. Setting a pointer replaces the previous
    default in the same write; a stale read fails the transaction instead of leaving two.
    """
    pk, sk = keys.address(user_id, address_id)
    address_actions: list[Any] = [AddressItem.updated_at.set(now)]
    for name, value in fields.items():
        attribute = getattr(AddressItem, name)
        address_actions.append(attribute.remove() if value is None else attribute.set(value))
    user_pk, user_sk = keys.user(user_id)
    user_actions, user_condition = _pointer_update(defaults)

    def write_all(write: TransactWrite) -> None:
        write.update(AddressItem(pk, sk), actions=address_actions, condition=AddressItem.PK.exists())
        if user_actions:
            write.update(UserItem(user_pk, user_sk), actions=user_actions, condition=user_condition)

    return committed(write_all)


def delete_address(user_id: str, address_id: str, defaults: list[DefaultChange], now: int) -> bool:
    """Access pattern ADDRESS-DELETE: TransactWriteItems.

    Delete the address (if it exists) and Update the user: `ADD address_count -1`, REMOVE
    each pointer that names it (conditioned on still naming it), and require the other
    pointers not to name it, so a concurrent "make default" cannot leave a dangling pointer.
    """
    pk, sk = keys.address(user_id, address_id)
    user_pk, user_sk = keys.user(user_id)
    actions, condition = _pointer_update([change for change in defaults if change.expected == address_id])
    for kind, pointer in _POINTERS.items():
        if not any(change.kind == kind and change.expected == address_id for change in defaults):
            condition &= pointer.does_not_exist() | (pointer != address_id)
    actions += [UserItem.address_count.add(-1), UserItem.updated_at.set(now)]

    def write_all(write: TransactWrite) -> None:
        write.delete(AddressItem(pk, sk), condition=AddressItem.PK.exists())
        write.update(UserItem(user_pk, user_sk), actions=actions, condition=condition)

    return committed(write_all)
