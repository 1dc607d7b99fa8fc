"""API models of the users routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StrictBool

from storefront.domain.identity.roles import Role
from storefront.domain.users.entities import ADDRESS_FIELDS, AddressChanges, PurchaseHistory
from storefront.domain.users.entities import Address as AddressEntity
from storefront.domain.users.entities import Profile as ProfileEntity
from storefront.domain.users.rules import MAX_ADDRESSES
from storefront.models.address_fields import (
    City,
    CountryCode,
    Label,
    Line,
    Phone,
    PostalCode,
    RecipientName,
    Region,
)
from storefront.models.base import ApiModel
from storefront.models.identity import DisplayName
from storefront.models.patches import NotNull


def _rfc3339(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")


class UserProfilePatch(_Request):
    """Only `name` and `phone` can be changed here; `role`, `email` or `id` is a 422."""

    name: Annotated[DisplayName | None, NotNull] = None
    phone: Phone | None = Field(None, description="Phone number; null removes it")

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class UserAdminPatch(_Request):
    role: Annotated[Role | None, NotNull] = Field(None, description="customer, manager or admin")
    disabled: Annotated[StrictBool | None, NotNull] = Field(
        None, description="A disabled user cannot sign in, refresh or use tokens"
    )


class UserProfile(ApiModel):
    """A user's account as the user (or an admin) sees it."""

    id: str = Field(description="The user's id (a ULID)")
    email: str = Field(description="The normalised (lower-case) email address")
    name: str = Field(description="Display name")
    phone: str | None = Field(description="Phone number, if given")
    role: Role = Field(description="customer, manager or admin")
    disabled: bool = Field(description="True when an admin has disabled the account")
    default_shipping_address_id: str | None = Field(description="The default shipping address, if any")
    default_billing_address_id: str | None = Field(description="The default billing address, if any")
    created_at: str = Field(description="When the account was created (RFC 3339, UTC)")
    updated_at: str = Field(description="When the account last changed (RFC 3339, UTC)")

    @classmethod
    def of(cls, profile: ProfileEntity) -> UserProfile:
        return cls(
            id=profile.id,
            email=profile.email,
            name=profile.name,
            phone=profile.phone,
            role=profile.role,
            disabled=profile.disabled,
            default_shipping_address_id=profile.default_shipping_address_id,
            default_billing_address_id=profile.default_billing_address_id,
            created_at=_rfc3339(profile.created_at),
            updated_at=_rfc3339(profile.updated_at),
        )


class UserAccount(UserProfile):
    """The caller's account with their purchase history, kept by the payments and refunds themselves."""

    order_count: int = Field(description="How many orders the user has paid for (refunded ones included)")
    total_spent: dict[str, int] = Field(
        description="Per currency (ISO 4217 code), what the user has paid, net of refunds, in minor units "
        '(e.g. `{"USD": 3000}` is 30.00 USD); `{}` before the first payment'
    )
    last_order_at: str | None = Field(
        description="When the user's last order was paid (RFC 3339, UTC); null before the first payment"
    )

    @classmethod
    def of_account(cls, profile: ProfileEntity, history: PurchaseHistory) -> UserAccount:
        return cls(
            **UserProfile.of(profile).model_dump(),
            order_count=history.order_count,
            total_spent=dict(history.total_spent),
            last_order_at=None if history.last_order_at is None else _rfc3339(history.last_order_at),
        )


class UserProfilePage(ApiModel):
    items: list[UserProfile] = Field(description="Users in sign-up order")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class AddressCreate(_Request):
    label: Label | None = None
    name: RecipientName
    line1: Line
    line2: Line | None = None
    city: City
    region: Region | None = None
    postal_code: PostalCode | None = None
    country: CountryCode
    phone: Phone | None = None
    is_default_shipping: StrictBool = Field(False, description="Make it the default shipping address")
    is_default_billing: StrictBool = Field(False, description="Make it the default billing address")

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}


class AddressPatch(_Request):
    """Only the fields sent change; null clears an optional field. `false` on a default unsets it."""

    label: Label | None = None
    name: Annotated[RecipientName | None, NotNull] = None
    line1: Annotated[Line | None, NotNull] = None
    line2: Line | None = None
    city: Annotated[City | None, NotNull] = None
    region: Region | None = None
    postal_code: PostalCode | None = None
    country: Annotated[CountryCode | None, NotNull] = None
    phone: Phone | None = None
    is_default_shipping: Annotated[StrictBool | None, NotNull] = Field(
        None, description="true makes it the default shipping address"
    )
    is_default_billing: Annotated[StrictBool | None, NotNull] = Field(
        None, description="true makes it the default billing address"
    )

    def changes(self) -> AddressChanges:
        sent = self.model_fields_set
        return AddressChanges(
            fields={name: getattr(self, name) for name in ADDRESS_FIELDS if name in sent},
            default_shipping=self.is_default_shipping,
            default_billing=self.is_default_billing,
        )


class Address(ApiModel):
    """A saved address. At most one is the default shipping and one the default billing address."""

    id: str = Field(description="The address id (a ULID)")
    label: str | None = Field(description="The user's name for the address")
    name: str = Field(description="Who receives deliveries there")
    line1: str = Field(description="Street address line 1")
    line2: str | None = Field(description="Street address line 2")
    city: str = Field(description="City or locality")
    region: str | None = Field(description="State, province or region")
    postal_code: str | None = Field(description="Postal or ZIP code")
    country: str = Field(description="ISO 3166-1 alpha-2 country code")
    phone: str | None = Field(description="Phone number for the carrier")
    is_default_shipping: bool = Field(description="The user's default shipping address")
    is_default_billing: bool = Field(description="The user's default billing address")
    created_at: str = Field(description="When it was saved (RFC 3339, UTC)")
    updated_at: str = Field(description="When it last changed (RFC 3339, UTC)")

    @classmethod
    def of(cls, address: AddressEntity) -> Address:
        return cls(
            id=address.id,
            **{name: getattr(address, name) for name in ADDRESS_FIELDS},
            is_default_shipping=address.is_default_shipping,
            is_default_billing=address.is_default_billing,
            created_at=_rfc3339(address.created_at),
            updated_at=_rfc3339(address.updated_at),
        )


class AddressPage(ApiModel):
    items: list[Address] = Field(description=f"Saved addresses, oldest first (at most {MAX_ADDRESSES} in all)")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
