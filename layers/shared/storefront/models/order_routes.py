"""API models the orders routes add to the order (models/orders.py): a staff move, a refund, a page of orders."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictInt, StrictStr, StringConstraints

from storefront.domain.orders.tracking import KNOWN_CARRIERS
from storefront.models.base import ApiModel
from storefront.models.orders import Order
from storefront.models.text_fields import Text
from storefront.text import check_unicode

OrderStatusName = Literal["pending_payment", "paid", "processing", "shipped", "delivered", "cancelled", "refunded"]

Carrier = Annotated[StrictStr, Text(64)]
# Carriers' tracking numbers are letters and digits (some print them in groups with spaces or dashes).
TrackingNumber = Annotated[
    StrictStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*$"),
]


class OrderTransitionCreate(ApiModel):
    """A staff move of an order along the state table."""

    model_config = ConfigDict(extra="forbid")

    to: OrderStatusName = Field(
        description="The status to move to: `paid` (a manual order's payment), `processing`, `shipped`, "
        "`delivered`, or `cancelled` (an unpaid order). Any move the state table does not have is a 409 "
        "naming `current_status` and `allowed`"
    )
    carrier: Carrier | None = Field(
        default=None,
        description=f"Required with `to: shipped`, refused otherwise: who carries the parcel. "
        f"{', '.join(KNOWN_CARRIERS)} get a tracking URL; any other name is kept without one",
    )
    tracking_number: TrackingNumber | None = Field(
        default=None,
        description="Required with `to: shipped`, refused otherwise: the carrier's tracking number "
        "(1–64 letters, digits, spaces or dashes)",
    )


# Far above any order's total: a bound, so an absurd integer is a 422 before anything is read.
MAX_REFUND = 10**12


class RefundCreate(ApiModel):
    """An admin's refund of (part of) what was paid for an order."""

    model_config = ConfigDict(extra="forbid")

    amount: Annotated[StrictInt, Field(ge=1, le=MAX_REFUND)] | None = Field(
        default=None,
        description="Minor units to refund; all that is left (total − refunded_total) when absent. More than "
        "is left is a 422",
    )
    reason: Annotated[StrictStr, Text(500, "Why the money goes back (1–500 characters)", rule=check_unicode)]


class OrderPage(ApiModel):
    items: list[Order] = Field(description="Orders, newest first")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
