"""Shipping zones (admin): list, read, create, change and delete, all in one optimistic item.

Every change reads the whole configuration, applies itself, checks the zone on its own
(422) and among the others (409), and writes the configuration conditioned on the
version read. A lost race starts again from the read, so its checks see the winner's
zones; after `ATTEMPTS` lost races the caller gets a 409 and may try again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from storefront.data import shipping
from storefront.domain import clock
from storefront.domain.errors import Conflict, NotFound, Unprocessable
from storefront.domain.shipping.entities import NewMethod, ShippingConfig, ShippingMethod, Zone
from storefront.domain.shipping.rules import check_zone, check_zones
from storefront.ids import new_ulid
from storefront.observability import module_logger
from storefront.settings import get_settings

ATTEMPTS = 5
UNKNOWN = "No shipping zone has this id."
BUSY = "The shipping configuration changed concurrently too often; try again."
ZONE_FIELDS = frozenset({"name", "countries", "currency", "methods"})

_logger = module_logger()


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto


def _config() -> ShippingConfig:
    return shipping.read_config(get_settings().store_currency)


def _methods(methods: Sequence[NewMethod]) -> tuple[ShippingMethod, ...]:
    """The methods with their ids: the admin's slug, or a new lower-case ULID."""
    return tuple(
        ShippingMethod(
            id=method.id if method.id is not None else new_ulid().lower(),
            name=method.name,
            carrier=method.carrier,
            estimated_days_min=method.estimated_days_min,
            estimated_days_max=method.estimated_days_max,
            rate=method.rate,
            free_over=method.free_over,
        )
        for method in methods
    )


def _write[T: (Zone, None)](
    change: Callable[[ShippingConfig], tuple[tuple[Zone, ...], T]], action: str, zone_id: str, actor: str
) -> T:
    """Applies `change` (config → new zones, and the zone it made or changed) until it commits."""
    for attempt in range(ATTEMPTS):
        config = _config()
        zones, changed = change(config)
        if changed is not None:
            check_zone(changed)
            check_zones(zones, changed)
        if shipping.write_config(zones, config.version, clock.now()):
            details = {"action": action, "zone_id": zone_id, "version": config.version + 1, "actor": actor}
            _logger.info("shipping zones changed", extra={"security_event": "shipping_config_change", **details})
            return changed
        _backoff(attempt)
    raise Conflict(BUSY)


def list_zones() -> tuple[Zone, ...]:
    return _config().zones


def get_zone(zone_id: str) -> Zone:
    zone = _config().zone(zone_id)
    if zone is None:
        raise NotFound(UNKNOWN)
    return zone


def create_zone(
    name: str, countries: Sequence[str], currency: str | None, methods: Sequence[NewMethod], actor: str
) -> Zone:
    """A new zone; its currency defaults to the store's (`STORE_CURRENCY`)."""
    zone = Zone(
        id=new_ulid(),
        name=name,
        countries=tuple(countries),
        currency=currency if currency is not None else get_settings().store_currency,
        methods=_methods(methods),
    )
    return _write(lambda config: ((*config.zones, zone), zone), "create", zone.id, actor)


def update_zone(zone_id: str, changes: dict[str, Any], actor: str) -> Zone:
    """Replaces the fields sent (`methods` as a whole list; a method without an id gets a new one)."""
    unknown = set(changes) - ZONE_FIELDS
    if unknown:  # the edge refuses these first; a domain caller must not slip an id through
        raise TypeError(f"not zone fields: {sorted(unknown)}")
    if not changes:
        raise Unprocessable("Nothing to change: send at least one of name, countries, currency, methods.")

    def change(config: ShippingConfig) -> tuple[tuple[Zone, ...], Zone]:
        before = config.zone(zone_id)
        if before is None:
            raise NotFound(UNKNOWN)
        fields = dict(changes)
        if "countries" in fields:
            fields["countries"] = tuple(fields["countries"])
        if "methods" in fields:
            fields["methods"] = _methods(fields["methods"])
        after = replace(before, **fields)
        return tuple(after if zone.id == zone_id else zone for zone in config.zones), after

    return _write(change, "update", zone_id, actor)


def delete_zone(zone_id: str, actor: str) -> None:
    """Deletes the zone; deleting the built-in default writes a configuration without it."""

    def change(config: ShippingConfig) -> tuple[tuple[Zone, ...], None]:
        if config.zone(zone_id) is None:
            raise NotFound(UNKNOWN)
        return tuple(zone for zone in config.zones if zone.id != zone_id), None

    _write(change, "delete", zone_id, actor)
