"""API models of the partner webhook endpoint routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StrictStr

from storefront.domain.webhooks.entities import ALL_EVENTS, EVENT_TYPES, AttemptRecord, Delivery, Endpoint
from storefront.events.base import rfc3339
from storefront.models.base import ApiModel
from storefront.models.patches import NotNull
from storefront.models.text_fields import Text
from storefront.text import check_unicode
from storefront.webhooks.destinations import MAX_URL_LENGTH

if TYPE_CHECKING:
    EventType = str
else:  # the domain's one list of the contract's event types, as an enum in the OpenAPI document
    EventType = Literal[(ALL_EVENTS, *EVENT_TYPES)]

WebhookUrl = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="Where deliveries are POSTed: https (http too in local mode), a host that resolves only "
        "to public addresses (not loopback outside local mode, private, link-local, metadata or CGNAT), "
        "no credentials in it",
    ),
]
Events = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=len(EVENT_TYPES) + 1,
        description='The event types delivered, or ["*"] for all of them; `webhook.test` always reaches it',
    ),
]
Description = Annotated[
    StrictStr, Text(500, "What the endpoint is for, for admins (1–500 characters)", rule=check_unicode)
]


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")


class WebhookEndpointCreate(_Request):
    url: WebhookUrl
    events: Events
    description: Description | None = None
    active: StrictBool = Field(default=True, description="Whether deliveries are sent (default true)")


class WebhookEndpointPatch(_Request):
    """Only the fields sent change; a new `url` is checked again."""

    url: Annotated[WebhookUrl | None, NotNull] = None
    events: Annotated[Events | None, NotNull] = None
    description: Description | None = None
    active: Annotated[StrictBool | None, NotNull] = None

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class WebhookEndpoint(ApiModel):
    """An endpoint as admins see it: never its secret (answered only at creation and rotation)."""

    id: str = Field(description="The endpoint's id")
    url: str = Field(description="Where deliveries are POSTed")
    events: list[str] = Field(description='The event types delivered, or ["*"]')
    description: str | None = Field(description="What it is for")
    active: bool = Field(description="Whether deliveries are sent")
    created_at: str = Field(description="RFC 3339, UTC")
    updated_at: str = Field(description="RFC 3339, UTC")
    previous_secret_expires_at: str | None = Field(
        description="After a rotation: until when the previous secret also signs (RFC 3339); else null"
    )
    failing_since: str | None = Field(
        description="Since when every delivery attempt has failed (RFC 3339); null after a success. Five days "
        "of failures turn the endpoint off"
    )
    disabled_reason: Literal["gone", "failing"] | None = Field(
        description="Why the sender turned it off: `gone` (it answered 410) or `failing` (5 days of failures); "
        'null when it is on or an admin turned it off. `PATCH {"active": true}` turns it back on'
    )

    @classmethod
    def of(cls, endpoint: Endpoint) -> WebhookEndpoint:
        return cls(**_fields(endpoint))


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(
        description="The signing secret (`whsec_` + base64 of 32 bytes), shown only in this answer: keep it "
        "to verify the `webhook-signature` header"
    )

    @classmethod
    def with_secret(cls, endpoint: Endpoint, secret: str) -> WebhookEndpointWithSecret:
        return cls(**_fields(endpoint), secret=secret)


class WebhookEndpointList(ApiModel):
    items: list[WebhookEndpoint] = Field(description="Every endpoint of the store (at most 20), oldest first")


def _fields(endpoint: Endpoint) -> dict[str, Any]:
    expires = endpoint.previous_expires_at if endpoint.previous_secret_sealed else None
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "description": endpoint.description,
        "active": endpoint.active,
        "created_at": rfc3339(endpoint.created_at),
        "updated_at": rfc3339(endpoint.updated_at),
        "previous_secret_expires_at": rfc3339(expires) if expires is not None else None,
        "failing_since": rfc3339(endpoint.failing_since) if endpoint.failing_since is not None else None,
        "disabled_reason": endpoint.disabled_reason,
    }


class WebhookDeliveryAttempt(ApiModel):
    """One line of an endpoint's delivery log: one attempt to deliver one event."""

    id: str = Field(description="The line's id: `POST …/deliveries/{id}/retry` sends its event once more")
    event_id: str = Field(description="The event's id, sent as `webhook-id` on every attempt")
    event_type: str = Field(description="The event's type")
    attempt: int = Field(description="1 for the first attempt of the event to this endpoint, 2 for the first retry…")
    manual: bool = Field(description="A test event or an admin's redelivery: one attempt, no retries after it")
    succeeded: bool = Field(description="The endpoint answered 2xx")
    status_code: int | None = Field(description="The endpoint's HTTP status; null when no answer came")
    duration_ms: int = Field(description="From sending to the answer (or to giving up)")
    delivered_at: str = Field(description="When the attempt was made (RFC 3339, UTC)")
    next_attempt_at: str | None = Field(description="When the next attempt is due; null when none follows")
    response: str = Field(description="The first 1 KB of the answer's body, as plain text (never rendered)")
    error: str | None = Field(description="Why no answer came (timeout, connection, refused address); else null")

    @classmethod
    def of(cls, record: AttemptRecord) -> WebhookDeliveryAttempt:
        delivery = record.delivery
        return cls(
            id=record.id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            attempt=delivery.attempt,
            manual=delivery.manual,
            succeeded=record.succeeded,
            status_code=record.status_code,
            duration_ms=record.duration_ms,
            delivered_at=rfc3339(record.attempted_at),
            next_attempt_at=rfc3339(record.next_attempt_at) if record.next_attempt_at is not None else None,
            response=record.response,
            error=record.error,
        )


class WebhookDeliveryList(ApiModel):
    items: list[WebhookDeliveryAttempt] = Field(description="Attempts, newest first (kept 30 days)")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class WebhookDeliveryQueued(ApiModel):
    """A test event or a redelivery, queued: its attempt shows in the delivery log within seconds."""

    webhook_id: str = Field(description="The endpoint")
    event_id: str = Field(description="The event's id (`webhook-id`)")
    event_type: str = Field(description="`webhook.test`, or the redelivered event's type")
    attempt: int = Field(description="The attempt's number in the delivery log")

    @classmethod
    def of(cls, delivery: Delivery) -> WebhookDeliveryQueued:
        return cls(
            webhook_id=delivery.endpoint_id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            attempt=delivery.attempt,
        )
