"""Partner webhook events: on the bus for the shop's own rules, never delivered to a partner."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, StrictInt, StrictStr

from storefront.events.base import DomainEvent


class WebhookEndpointDisabled(DomainEvent):
    """The sender turned a webhook endpoint off: it answered 410 Gone, or failed every delivery for 5 days.

    Staged in the same transaction as the endpoint's change; an admin turns it back on with
    `PATCH /v1/webhooks/{id}` `{"active": true}`.
    """

    event_type: ClassVar[str] = "webhook_endpoint.disabled"
    version: ClassVar[int] = 1

    webhook_id: StrictStr = Field(description="The endpoint turned off")
    url: StrictStr = Field(description="Its URL")
    reason: Literal["gone", "failing"] = Field(
        description="`gone`: it answered 410; `failing`: every delivery failed for 5 days"
    )
    failing_since: StrictInt | None = Field(description="Since when every attempt had failed (epoch seconds)")
