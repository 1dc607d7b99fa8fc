"""The shipping configuration: every zone of the store in ONE item, written optimistically.

One item (`SHIPPING` / `CONFIG`) holds the zones as JSON and a `version`. Every change
reads it, changes the zones in memory, checks them together, and writes the whole item
conditioned on the version it read: two admins racing to put one country in two zones
cannot both commit, since the second write finds a new version and starts again from a
read that shows the first one's zone. While the item is absent the store has the
built-in default zone (version 0), so a new store needs no seeding.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition

from storefront.data import keys
from storefront.data.table import TableItem, saved_if
from storefront.domain.errors import Conflict
from storefront.domain.shipping.entities import (
    FlatRate,
    Rate,
    ShippingConfig,
    ShippingMethod,
    WeightBand,
    WeightRate,
    Zone,
    default_config,
)

# DynamoDB items hold at most 400 KB; the zones' JSON is kept well under it, with room for the rest.
MAX_ZONES_BYTES = 350_000


class ShippingConfigItem(TableItem, discriminator="ShippingConfig"):
    zones = UnicodeAttribute()  # JSON list of zones (see _zone_json)
    version = NumberAttribute()  # +1 on every write; each write is conditioned on the one read
    updated_at = NumberAttribute()


def _rate_json(rate: Rate) -> dict[str, Any]:
    if isinstance(rate, FlatRate):
        return {"type": "flat", "amount": rate.amount}
    return {"type": "weight", "bands": [[band.up_to_grams, band.amount] for band in rate.bands]}


def _rate(data: dict[str, Any]) -> Rate:
    if data["type"] == "flat":
        return FlatRate(int(data["amount"]))
    return WeightRate(tuple(WeightBand(int(grams), int(amount)) for grams, amount in data["bands"]))


def _method_json(method: ShippingMethod) -> dict[str, Any]:
    return {
        "id": method.id,
        "name": method.name,
        "carrier": method.carrier,
        "days": [method.estimated_days_min, method.estimated_days_max],
        "rate": _rate_json(method.rate),
        "free_over": method.free_over,
    }


def _method(data: dict[str, Any]) -> ShippingMethod:
    low, high = data["days"]
    return ShippingMethod(
        id=data["id"],
        name=data["name"],
        carrier=data["carrier"],
        estimated_days_min=int(low),
        estimated_days_max=int(high),
        rate=_rate(data["rate"]),
        free_over=None if data["free_over"] is None else int(data["free_over"]),
    )


def _zone_json(zone: Zone) -> dict[str, Any]:
    return {
        "id": zone.id,
        "name": zone.name,
        "countries": list(zone.countries),
        "currency": zone.currency,
        "methods": [_method_json(method) for method in zone.methods],
    }


def _zone(data: dict[str, Any]) -> Zone:
    methods = tuple(_method(method) for method in data["methods"])
    return Zone(data["id"], data["name"], tuple(data["countries"]), data["currency"], methods)


def read_config(store_currency: str) -> ShippingConfig:
    """Access pattern SHIPPING-CONFIG-READ: consistent GetItem on SHIPPING / CONFIG.

    Absent: the built-in default (one rest-of-world zone in the store's currency), version 0.
    """
    try:
        item = ShippingConfigItem.get(*keys.shipping_config(), consistent_read=True)
    except ShippingConfigItem.DoesNotExist:
        return default_config(store_currency)
    zones = tuple(_zone(zone) for zone in json.loads(item.zones))
    return ShippingConfig(zones=zones, version=int(item.version))


def write_config(zones: tuple[Zone, ...], read_version: int, now: int) -> bool:
    """Access pattern SHIPPING-CONFIG-WRITE: PutItem of every zone, version + 1.

    Conditioned on the version read (`attribute_not_exists(PK)` for version 0, the default):
    False when another write came first, and the caller starts again from a read. An empty
    `zones` is written as such (the default then no longer applies).
    """
    encoded = json.dumps([_zone_json(zone) for zone in zones], separators=(",", ":"))
    if len(encoded.encode()) > MAX_ZONES_BYTES:
        raise Conflict(
            f"The shipping configuration would exceed {MAX_ZONES_BYTES} bytes; shorten names or remove zones.",
            limit_bytes=MAX_ZONES_BYTES,
        )
    pk, sk = keys.shipping_config()
    item = ShippingConfigItem(pk, sk, zones=encoded, version=read_version + 1, updated_at=now)
    condition: Condition = (
        ShippingConfigItem.PK.does_not_exist() if read_version == 0 else ShippingConfigItem.version == read_version
    )
    return saved_if(item, condition)
