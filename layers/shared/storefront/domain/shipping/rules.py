"""Pure rules of the shipping configuration: what a zone may hold, how zones may share the world.

A zone on its own is checked by `check_zone` (422 naming each refused field); the zones
together by `check_zones` (409: a country in two zones, two rest-of-world zones, too many
zones). `zone_for` picks the zone of a country: a zone naming the country wins over `*`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storefront.domain.errors import Conflict, FieldError, Unprocessable
from storefront.domain.shipping.entities import (
    MAX_AMOUNT,
    MAX_BANDS,
    MAX_DAYS,
    MAX_GRAMS,
    MAX_METHODS,
    MAX_ZONES,
    REST_OF_WORLD,
    ShippingMethod,
    WeightRate,
    Zone,
)
from storefront.domain.users.rules import check_country

# Slug-like: lower-case letters and digits in words joined by `-` or `_` ("standard", "next-day").
METHOD_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MAX_METHOD_ID = 64
_CURRENCY = re.compile(r"^[A-Z]{3}$")

Path = tuple[str | int, ...]


def _amount_errors(path: Path, amount: int) -> list[FieldError]:
    if not 0 <= amount <= MAX_AMOUNT:
        return [FieldError(path, f"must be an integer from 0 to {MAX_AMOUNT}")]
    return []


def _country_errors(countries: Sequence[str]) -> list[FieldError]:
    if not countries:
        return [FieldError(("countries",), 'must name at least one country, or be ["*"]')]
    if REST_OF_WORLD in countries and len(countries) > 1:
        return [FieldError(("countries",), '"*" (the rest of the world) must be the only entry')]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, country in enumerate(countries):
        if country == REST_OF_WORLD:
            continue
        try:
            check_country(country)
        except ValueError as error:
            errors.append(FieldError(("countries", index), str(error)))
        if country in seen:
            errors.append(FieldError(("countries", index), f"{country} is listed twice"))
        seen.add(country)
    return errors


def _rate_errors(path: Path, method: ShippingMethod) -> list[FieldError]:
    rate = method.rate
    if not isinstance(rate, WeightRate):
        return _amount_errors((*path, "rate", "amount"), rate.amount)
    bands_path = (*path, "rate", "bands")
    if not 1 <= len(rate.bands) <= MAX_BANDS:
        return [FieldError(bands_path, f"must hold 1 to {MAX_BANDS} bands")]
    errors: list[FieldError] = []
    previous = -1
    for index, band in enumerate(rate.bands):
        if not 0 <= band.up_to_grams <= MAX_GRAMS:
            errors.append(FieldError((*bands_path, index, "up_to_grams"), f"must be from 0 to {MAX_GRAMS}"))
        elif band.up_to_grams <= previous:
            message = f"must be greater than the previous band's ({previous}): bands go strictly upward"
            errors.append(FieldError((*bands_path, index, "up_to_grams"), message))
        previous = max(previous, band.up_to_grams)
        errors += _amount_errors((*bands_path, index, "amount"), band.amount)
    return errors


def _method_errors(index: int, method: ShippingMethod, seen_ids: set[str]) -> list[FieldError]:
    path: Path = ("methods", index)
    errors: list[FieldError] = []
    if not METHOD_ID.match(method.id) or len(method.id) > MAX_METHOD_ID:
        errors.append(FieldError((*path, "id"), "must be lower-case letters and digits joined by - or _"))
    elif method.id in seen_ids:
        errors.append(FieldError((*path, "id"), f"another method of the zone is already {method.id!r}"))
    seen_ids.add(method.id)
    low, high = method.estimated_days_min, method.estimated_days_max
    if not 0 <= low <= high <= MAX_DAYS:
        message = f"min and max must be days from 0 to {MAX_DAYS}, min not above max"
        errors.append(FieldError((*path, "estimated_days"), message))
    errors += _rate_errors(path, method)
    if method.free_over is not None:
        errors += _amount_errors((*path, "free_over"), method.free_over)
    return errors


def check_zone(zone: Zone) -> None:
    """Refuses (422) a zone that breaks a rule of its own, naming every refused field."""
    errors = _country_errors(zone.countries)
    if not _CURRENCY.match(zone.currency):
        errors.append(FieldError(("currency",), "must be an ISO 4217 code in upper case, like USD"))
    if len(zone.methods) > MAX_METHODS:
        errors.append(FieldError(("methods",), f"a zone has at most {MAX_METHODS} methods"))
    seen_ids: set[str] = set()
    for index, method in enumerate(zone.methods):
        errors += _method_errors(index, method, seen_ids)
    if errors:
        raise Unprocessable("The shipping zone breaks a rule.", errors=errors)


def check_zones(zones: Sequence[Zone], changed: Zone) -> None:
    """Refuses (409) `changed` among `zones` (which hold it) when the zones no longer share the world.

    A country in two zones would make its rates ambiguous, and so would two rest-of-world
    zones; the 409 names the other zone and the countries they share.
    """
    if len(zones) > MAX_ZONES:
        raise Conflict(f"The store already has {MAX_ZONES} shipping zones.", limit=MAX_ZONES)
    for other in zones:
        if other.id == changed.id:
            continue
        if changed.is_rest_of_world and other.is_rest_of_world:
            raise Conflict(
                f'Zone {other.id} already serves the rest of the world ("*"); a store has one such zone.',
                zone_id=other.id,
                countries=[REST_OF_WORLD],
            )
        shared = sorted(set(changed.countries) & set(other.countries) - {REST_OF_WORLD})
        if shared:
            raise Conflict(
                f"{', '.join(shared)} already belong to zone {other.id}; a country is in one zone only.",
                zone_id=other.id,
                countries=shared,
            )


def zone_for(zones: Sequence[Zone], country: str) -> Zone | None:
    """The zone that serves a country: the one naming it, else the rest-of-world zone, else none."""
    rest_of_world = None
    for zone in zones:
        if country != REST_OF_WORLD and country in zone.countries:
            return zone
        if zone.is_rest_of_world:
            rest_of_world = zone
    return rest_of_world
