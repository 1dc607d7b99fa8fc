"""Cart events."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, StrictBool, StrictStr

from storefront.events.base import DomainEvent


class CartAbandoned(DomainEvent):
    """A cart that held lines expired idle (the table's TTL deleted its header).

    One event per cart generation: its envelope `id` is the generation's `cart_id`, and the
    outbox Put is conditioned on that id being new, so a redelivered stream record emits
    nothing more. Carts emptied by hand, merged or never filled emit none.
    """

    event_type: ClassVar[str] = "cart.abandoned"
    version: ClassVar[int] = 1

    cart_id: StrictStr = Field(description="The cart's generation id (also the event id)")
    guest: StrictBool = Field(description="True for a guest cart (no account)")
    user_id: StrictStr | None = Field(description="The customer whose cart it was; null for a guest cart")
    skus: list[StrictStr] = Field(description="The SKUs of its lines when it expired, sorted")
    currency: StrictStr | None = Field(description="The cart's currency")
    last_updated_at: StrictStr = Field(description="Its last change (RFC 3339)")
    expired_at: StrictStr = Field(description="When it expired (RFC 3339); the TTL deletion comes later")
