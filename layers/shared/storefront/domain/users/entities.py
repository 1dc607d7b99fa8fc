"""User profiles and addresses as the domain sees them: no HTTP, no DynamoDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storefront.domain.identity.roles import Role

# Written by clients; the others (id, flags, times) are the store's.
ADDRESS_FIELDS = ("label", "name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


@dataclass(frozen=True)
class Profile:
    id: str
    email: str
    name: str
    phone: str | None
    role: Role
    disabled: bool
    created_at: int
    updated_at: int
    # The user item is the single source of truth for defaults: one pointer per kind
    # cannot name two addresses.
    default_shipping_address_id: str | None = None
    default_billing_address_id: str | None = None
    address_count: int = 0


@dataclass(frozen=True)
class PurchaseHistory:
    """What a user has bought: paid orders, spending per currency net of refunds, the last payment."""

    order_count: int = 0
    total_spent: dict[str, int] = field(default_factory=dict)  # currency (ISO 4217) -> minor units
    last_order_at: int | None = None  # epoch seconds of the last payment


@dataclass(frozen=True)
class Address:
    id: str
    label: str | None
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str | None
    country: str
    phone: str | None
    created_at: int
    updated_at: int
    is_default_shipping: bool = False
    is_default_billing: bool = False


@dataclass(frozen=True)
class DefaultChange:
    """A change of one default pointer, guarded by what it was when read."""

    kind: str  # "shipping" or "billing"
    address_id: str | None  # the new value; None removes it
    expected: str | None  # the value read; the write fails if it moved meanwhile


@dataclass(frozen=True)
class AddressChanges:
    fields: dict[str, Any]  # ADDRESS_FIELDS only; None clears an optional one
    default_shipping: bool | None = None
    default_billing: bool | None = None
