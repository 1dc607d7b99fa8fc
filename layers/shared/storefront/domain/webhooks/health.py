"""What the sender's attempts do to an endpoint: failures are counted from the first one after
a success; 410 Gone, or 5 days of nothing but failures, turns it off with a
`webhook_endpoint.disabled` event (the shop's own rules can alert someone).

Each change goes through the endpoints item's optimistic write, and writes only when
something changes: a success on a healthy endpoint, or one more failure of an endpoint
already failing, costs no write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from storefront.domain.webhooks.entities import FAILING_LIMIT_S, Endpoint
from storefront.domain.webhooks.service import Endpoints, change_endpoints

if TYPE_CHECKING:
    from storefront.events.base import DomainEvent

SENDER = "webhook-sender"
type Reason = Literal["gone", "failing"]


def _with(endpoints: Endpoints, changed: Endpoint) -> Endpoints:
    return tuple(changed if endpoint.id == changed.id else endpoint for endpoint in endpoints)


def _find(endpoints: Endpoints, endpoint_id: str) -> Endpoint | None:
    return next((endpoint for endpoint in endpoints if endpoint.id == endpoint_id), None)


def succeeded(endpoint_id: str) -> None:
    """A delivery got a 2xx: the endpoint is no longer failing."""

    def change(endpoints: Endpoints, now: int) -> tuple[Endpoints | None, None]:
        endpoint = _find(endpoints, endpoint_id)
        if endpoint is None or endpoint.failing_since is None:
            return None, None
        return _with(endpoints, replace(endpoint, failing_since=None)), None

    change_endpoints(change, "health", SENDER)


def failed(endpoint_id: str, gone: bool) -> Endpoint | None:
    """An attempt failed (`gone`: it answered 410). Answers the endpoint if this turned it off."""

    def change(endpoints: Endpoints, now: int) -> tuple[Endpoints | None, Endpoint | None]:
        endpoint = _find(endpoints, endpoint_id)
        if endpoint is None or not endpoint.active:
            return None, None
        since = endpoint.failing_since if endpoint.failing_since is not None else now
        reason: Reason | None = "gone" if gone else "failing" if now - since >= FAILING_LIMIT_S else None
        if reason is not None:
            disabled = replace(endpoint, active=False, failing_since=since, disabled_reason=reason, updated_at=now)
            return _with(endpoints, disabled), disabled
        if endpoint.failing_since is not None:
            return None, None
        return _with(endpoints, replace(endpoint, failing_since=now)), None

    return change_endpoints(change, "health", SENDER, emits=_disabled_events)


def _disabled_events(disabled: Endpoint | None, now: int) -> Sequence[DomainEvent]:
    if disabled is None:
        return ()
    from storefront.events.webhooks import WebhookEndpointDisabled  # pydantic, only when one is turned off

    reason: Reason = "gone" if disabled.disabled_reason == "gone" else "failing"
    event = WebhookEndpointDisabled(
        webhook_id=disabled.id, url=disabled.url, reason=reason, failing_since=disabled.failing_since
    )
    return (event,)
