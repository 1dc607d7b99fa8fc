"""API models of the partner webhook endpoint routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StrictStr

from storefront.domain.webhooks.entities import ALL_EVENTS, EVENT_TYPES, Endpoint
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
    }
