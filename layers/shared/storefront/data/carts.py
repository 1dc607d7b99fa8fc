"""Carts: a header and lines in partition `CART#<owner>` (owner `USER#<id>` or `GUEST#<sha256>`).

The header (SK `CART`) holds the generation (`cart_id`), the SKUs of its live lines (a
string set bounded by a condition), the currency and the expiry (the table's TTL
attribute, pushed forward by every write). Lines (SK `LINE#<sku>`) hold a quantity and
their generation; never a price. Every change is one transaction conditioned on what was
read: quantities change by `ADD`, never by read-modify-write.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import size
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.inventory import StockItem
from storefront.data.product_items import ProductItem, VariantItem
from storefront.data.table import TableItem, transaction
from storefront.domain.cart.entities import CartHeader, CartLine, LineSnapshot, StockOfSku, StoredCart

_ACTIVE = "active"


class CartHeaderItem(TableItem, discriminator="CartHeader"):
    cart_id = UnicodeAttribute()
    skus = UnicodeSetAttribute(null=True)  # absent while the cart has no line
    currency = UnicodeAttribute(null=True)
    updated_at = NumberAttribute()


class CartLineItem(TableItem, discriminator="CartLine"):
    cart_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    product_id = UnicodeAttribute()
    quantity = NumberAttribute()
    added_at = NumberAttribute()


def header_of(item: CartHeaderItem) -> CartHeader:
    return CartHeader(
        cart_id=item.cart_id,
        skus=frozenset(item.skus or ()),
        currency=item.currency,
        updated_at=int(item.updated_at),
        expires_at=int(item.expires_at or 0),
    )


def line_of(item: CartLineItem) -> CartLine:
    return CartLine(item.cart_id, item.sku, item.product_id, int(item.quantity), int(item.added_at))


def read_partition(owner: str) -> tuple[CartHeader | None, list[CartLine]]:
    """Access pattern CART-READ: one consistent Query PK = CART#<owner> (header and lines together),
    as stored: an expired header and stale lines included."""
    header: CartHeader | None = None
    lines: list[CartLine] = []
    for item in TableItem.query(keys.cart_partition(owner), consistent_read=True):
        if isinstance(item, CartHeaderItem):
            header = header_of(item)
        elif isinstance(item, CartLineItem):
            lines.append(line_of(item))
    return header, lines


def live_cart(header: CartHeader | None, lines: list[CartLine], now: int) -> StoredCart:
    """A header whose `expires_at` has passed counts as absent; lines of another generation are stale."""
    if header is None or not header.live(now):
        return StoredCart(None)
    return StoredCart(header, {line.sku: line for line in lines if line.cart_id == header.cart_id})


def read_cart(owner: str, now: int) -> StoredCart:
    """Access pattern CART-READ (see read_partition), live header and lines only."""
    return live_cart(*read_partition(owner), now)


def read_line_snapshot(owner: str, sku: str) -> LineSnapshot:
    """Access pattern CART-LINE-READ: one consistent BatchGetItem of the header, the line and the SKU's stock."""
    wanted = [keys.cart_header(owner), keys.cart_line(owner, sku), keys.stock(sku)]
    header: CartHeader | None = None
    line: CartLine | None = None
    stock: StockOfSku | None = None
    for item in TableItem.batch_get(wanted, consistent_read=True):
        if isinstance(item, CartHeaderItem):
            header = header_of(item)
        elif isinstance(item, CartLineItem):
            line = line_of(item)
        elif isinstance(item, StockItem):
            stock = StockOfSku(item.product_id, int(item.available))
    return LineSnapshot(header, line, stock)


def product_terms(product_id: str) -> tuple[str, str] | None:
    """Access pattern CART-PRODUCT-TERMS: GetItem of the product: its (status, currency), None if absent.

    Read only when a cart has no currency yet (its first line) or an add was refused on
    the product, to say why.
    """
    try:
        item = ProductItem.get(*keys.product(product_id), consistent_read=True)
    except ProductItem.DoesNotExist:
        return None
    return item.status, item.currency


class AddOutcome(Enum):
    DONE = "done"
    PRODUCT_REFUSED = "product"  # absent, not active, or in another currency
    NOT_A_VARIANT = "variant"
    LOST_RACE = "race"


@dataclass(frozen=True)
class LineAdd:
    """One add, planned from a snapshot: what to write and the pre-image it is conditioned on."""

    owner: str
    sku: str
    product_id: str
    quantity: int
    currency: str
    limit: int  # the line may hold at most this many units after the add
    max_lines: int
    live_cart_id: str | None  # the generation read, None when the cart starts now
    new_cart_id: str  # used when the cart starts now
    previous_cart_id: str | None  # the expired generation to replace, None when no header
    line_live: bool
    line_cart_id: str | None  # the stored line's generation (stale or live), None when absent
    now: int
    expires_at: int


def _header_update(write: TransactWrite, add: LineAdd) -> None:
    item = CartHeaderItem(*keys.cart_header(add.owner))
    common: list[Any] = [CartHeaderItem.updated_at.set(add.now), CartHeaderItem.expires_at.set(add.expires_at)]
    if add.live_cart_id is None:  # a new generation: its SKUs are this one only
        starting = [
            CartHeaderItem.entity.set(CartHeaderItem),
            CartHeaderItem.cart_id.set(add.new_cart_id),
            CartHeaderItem.skus.set({add.sku}),
            CartHeaderItem.currency.set(add.currency),
        ]
        if add.previous_cart_id is None:
            condition: Any = CartHeaderItem.PK.does_not_exist()
        else:
            condition = CartHeaderItem.cart_id == add.previous_cart_id
        write.update(item, actions=starting + common, condition=condition)
        return
    bounded = (
        CartHeaderItem.skus.does_not_exist()
        | (size(CartHeaderItem.skus) < add.max_lines)  # type: ignore[no-untyped-call]
        | CartHeaderItem.skus.contains(add.sku)
    )
    same_currency = CartHeaderItem.skus.does_not_exist() | (CartHeaderItem.currency == add.currency)
    condition = (CartHeaderItem.cart_id == add.live_cart_id) & (CartHeaderItem.expires_at > add.now)
    actions = [CartHeaderItem.skus.add({add.sku}), CartHeaderItem.currency.set(add.currency), *common]
    write.update(item, actions=actions, condition=condition & bounded & same_currency)


def _line_update(write: TransactWrite, add: LineAdd) -> None:
    item = CartLineItem(*keys.cart_line(add.owner, add.sku))
    if add.line_live:
        condition: Any = (CartLineItem.cart_id == add.live_cart_id) & (
            CartLineItem.quantity <= add.limit - add.quantity
        )
        write.update(item, actions=[CartLineItem.quantity.add(add.quantity)], condition=condition)
        return
    generation = add.live_cart_id or add.new_cart_id
    actions: list[Any] = [
        CartLineItem.entity.set(CartLineItem),
        CartLineItem.cart_id.set(generation),
        CartLineItem.sku.set(add.sku),
        CartLineItem.product_id.set(add.product_id),
        CartLineItem.quantity.set(add.quantity),
        CartLineItem.added_at.set(add.now),
    ]
    if add.line_cart_id is None:
        condition = CartLineItem.PK.does_not_exist()
    else:
        condition = CartLineItem.cart_id == add.line_cart_id
    write.update(item, actions=actions, condition=condition)


def add_line(add: LineAdd) -> AddOutcome:
    """Access pattern CART-ADD: TransactWriteItems of four actions.

    ConditionCheck the product (`status = active AND currency = <the cart's>`);
    ConditionCheck the variant exists; Update the line (`ADD quantity` conditioned on its
    generation and on `quantity <= limit - q`, or SET a new or stale line conditioned on
    its pre-image); Update the header (ADD skus bounded by `size(skus) < max OR
    contains(skus, sku)`, SET updated_at and expires_at, conditioned on the generation
    read; or start a new generation conditioned on the expired one or on no header).
    """
    product_pk, product_sk = keys.product(add.product_id)
    variant_pk, variant_sk = keys.variant(add.product_id, add.sku)
    try:
        with transaction() as write:
            on_sale = (ProductItem.status == _ACTIVE) & (ProductItem.currency == add.currency)
            write.condition_check(ProductItem, product_pk, product_sk, condition=on_sale)
            write.condition_check(VariantItem, variant_pk, variant_sk, condition=VariantItem.PK.exists())
            _line_update(write, add)
            _header_update(write, add)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        reasons = error.cancellation_reasons
        failed = [reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons]
        if failed and failed[0]:
            return AddOutcome.PRODUCT_REFUSED
        if len(failed) > 1 and failed[1]:
            return AddOutcome.NOT_A_VARIANT
        return AddOutcome.LOST_RACE
    return AddOutcome.DONE


def user_owner(user_id: str) -> str:
    return keys.user_cart_owner(user_id)


def guest_owner(token_hash: str) -> str:
    return keys.guest_cart_owner(token_hash)
