"""Partner webhook endpoints (admin): register, list, read, change, delete, rotate the secret.

Every change reads the one endpoints item, applies itself and writes it conditioned on the
version read (data/webhooks.py); a lost race starts again from the read. A URL is checked
by the SSRF guard (webhooks/destinations.py) when registered and whenever it changes: not
https outside local mode, or resolving to a non-public address → 422 naming `url`. The
signing secret (`whsec_` + 32 random bytes) is answered only at registration and rotation,
and stored sealed by KMS; a rotation keeps the previous secret signing for 24 hours.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from storefront.data import webhooks
from storefront.domain import clock
from storefront.domain.errors import Conflict, FieldError, NotFound, Unprocessable
from storefront.domain.webhooks.entities import (
    ALL_EVENTS,
    EVENT_TYPES,
    MAX_ENDPOINTS,
    ROTATION_OVERLAP_S,
    Endpoint,
    secret_context,
)
from storefront.ids import new_ulid
from storefront.observability import module_logger
from storefront.security.sealed_secrets import seal
from storefront.settings import get_settings
from storefront.webhooks.destinations import Destination, UnsafeDestination, checked_destination
from storefront.webhooks.signing import new_secret

if TYPE_CHECKING:
    from storefront.events.base import DomainEvent

ATTEMPTS = 5
UNKNOWN = "No webhook endpoint has this id."
BUSY = "The webhook endpoints changed concurrently too often; try again."
CHANGEABLE = frozenset({"url", "events", "description", "active"})

URLCheck = Callable[[str], Destination]
_logger = module_logger()


def _checked_url(url: str, check: URLCheck | None) -> str:
    try:
        (check or _default_check)(url)
    except UnsafeDestination as error:
        raise Unprocessable(str(error), errors=[FieldError(("url",), str(error))]) from error
    return url


def _default_check(url: str) -> Destination:
    return checked_destination(url, local_mode=get_settings().is_local)


def subscribed_events(events: Sequence[str]) -> tuple[str, ...]:
    """The event types an endpoint asks for, in order, once each: `("*",)` when it asks for all."""
    unknown = [event for event in events if event != ALL_EVENTS and event not in EVENT_TYPES]
    if not events or unknown:
        detail = f"Subscribe to {ALL_EVENTS!r} or to event types among: {', '.join(EVENT_TYPES)}."
        raise Unprocessable(detail, errors=[FieldError(("events",), detail)])
    return (ALL_EVENTS,) if ALL_EVENTS in events else tuple(dict.fromkeys(events))


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto


type Endpoints = tuple[Endpoint, ...]


def change_endpoints[T](
    change: Callable[[Endpoints, int], tuple[Endpoints | None, T]],
    action: str,
    actor: str,
    emits: Callable[[T, int], Sequence[DomainEvent]] | None = None,
) -> T:
    """Applies `change` (endpoints, now → new endpoints or None for no write, result) until it
    commits; `emits` names the events the result causes, written in the same transaction."""
    for attempt in range(ATTEMPTS):
        endpoints, version = webhooks.read_endpoints()
        now = clock.now()
        changed, result = change(endpoints, now)
        if changed is None:
            return result
        events = emits(result, now) if emits else ()
        if webhooks.write_endpoints(changed, version, now, events):
            _logger.info(
                "webhook endpoints changed",
                extra={"security_event": "webhook_endpoint_change", "action": action, "actor": actor},
            )
            return result
        _backoff(attempt)
    raise Conflict(BUSY)


def _find(endpoints: tuple[Endpoint, ...], endpoint_id: str) -> Endpoint:
    found = next((endpoint for endpoint in endpoints if endpoint.id == endpoint_id), None)
    if found is None:
        raise NotFound(UNKNOWN)
    return found


def list_endpoints() -> tuple[Endpoint, ...]:
    return webhooks.read_endpoints()[0]


def get_endpoint(endpoint_id: str) -> Endpoint:
    return _find(list_endpoints(), endpoint_id)


def create_endpoint(
    url: str,
    events: Sequence[str],
    description: str | None,
    active: bool,
    actor: str,
    check: URLCheck | None = None,
) -> tuple[Endpoint, str]:
    """The new endpoint and its signing secret (answered this once; stored sealed)."""
    subscribed = subscribed_events(events)
    _checked_url(url, check)
    secret = new_secret()
    now = clock.now()
    endpoint_id = new_ulid(now * 1000)
    sealed = seal(secret, secret_context(endpoint_id))

    def change(endpoints: tuple[Endpoint, ...], at: int) -> tuple[tuple[Endpoint, ...], Endpoint]:
        if len(endpoints) >= MAX_ENDPOINTS:
            raise Conflict(f"A store has at most {MAX_ENDPOINTS} webhook endpoints: delete one first.")
        endpoint = Endpoint(endpoint_id, url, subscribed, description, active, at, at, sealed)
        return (*endpoints, endpoint), endpoint

    return change_endpoints(change, "create", actor), secret


def update_endpoint(endpoint_id: str, changes: dict[str, Any], actor: str, check: URLCheck | None = None) -> Endpoint:
    """`changes` holds some of url, events, description, active; a new URL is checked again."""
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    if "url" in changes:
        _checked_url(changes["url"], check)
    if "events" in changes:
        changes = {**changes, "events": subscribed_events(changes["events"])}
    if changes.get("active") is True:  # turned on again: the sender's failure marks start afresh
        changes = {**changes, "failing_since": None, "disabled_reason": None}

    def change(endpoints: tuple[Endpoint, ...], at: int) -> tuple[tuple[Endpoint, ...], Endpoint]:
        updated = replace(_find(endpoints, endpoint_id), **changes, updated_at=at)
        return tuple(updated if endpoint.id == endpoint_id else endpoint for endpoint in endpoints), updated

    return change_endpoints(change, "update", actor)


def delete_endpoint(endpoint_id: str, actor: str) -> None:
    def change(endpoints: tuple[Endpoint, ...], at: int) -> tuple[tuple[Endpoint, ...], None]:
        _find(endpoints, endpoint_id)
        return tuple(endpoint for endpoint in endpoints if endpoint.id != endpoint_id), None

    change_endpoints(change, "delete", actor)


def rotate_secret(endpoint_id: str, actor: str) -> tuple[Endpoint, str]:
    """A new signing secret (answered this once); the previous one keeps signing for 24 hours."""
    _find(list_endpoints(), endpoint_id)  # an unknown id is a 404 before a key is made
    secret = new_secret()
    sealed = seal(secret, secret_context(endpoint_id))

    def change(endpoints: tuple[Endpoint, ...], at: int) -> tuple[tuple[Endpoint, ...], Endpoint]:
        current = _find(endpoints, endpoint_id)
        rotated = replace(
            current,
            secret_sealed=sealed,
            previous_secret_sealed=current.secret_sealed,
            previous_expires_at=at + ROTATION_OVERLAP_S,
            updated_at=at,
        )
        return tuple(rotated if endpoint.id == endpoint_id else endpoint for endpoint in endpoints), rotated

    return change_endpoints(change, "rotate_secret", actor), secret
