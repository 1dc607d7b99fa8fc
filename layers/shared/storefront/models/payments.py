"""API models of the payment provider's webhook."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storefront.models.base import ApiModel


class WebhookReceipt(ApiModel):
    """The acknowledgement Stripe expects: any 2xx ends its deliveries of the event."""

    received: Literal[True] = Field(description="Always true: the event was verified and applied (or not needed)")
