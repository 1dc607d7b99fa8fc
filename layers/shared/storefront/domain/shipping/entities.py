"""The shipping configuration: zones of countries, their methods and rates (no I/O here).

A zone names the countries it serves (ISO 3166-1 alpha-2) or `*`, the rest of the world,
and the currency its amounts are in. A method's rate is flat, or by weight bands: the
first band whose `up_to_grams` is at least the parcel's weight prices it, and a parcel
heavier than the last band is not offered the method. `free_over` makes it free when
the subtotal reaches it. Amounts are integers in the zone currency's minor units.
"""

from __future__ import annotations

from dataclasses import dataclass

REST_OF_WORLD = "*"
MAX_ZONES = 50
MAX_METHODS = 20
MAX_BANDS = 20
MAX_AMOUNT = 10**9
MAX_GRAMS = 10**9
MAX_DAYS = 365
DEFAULT_ZONE_ID = "default"


@dataclass(frozen=True)
class FlatRate:
    amount: int

    def amount_for(self, weight_grams: int) -> int | None:
        return self.amount


@dataclass(frozen=True)
class WeightBand:
    up_to_grams: int
    amount: int


@dataclass(frozen=True)
class WeightRate:
    bands: tuple[WeightBand, ...]  # strictly increasing `up_to_grams`

    def amount_for(self, weight_grams: int) -> int | None:
        """The first band that holds the weight; None above the last one (the method is not offered)."""
        for band in self.bands:
            if weight_grams <= band.up_to_grams:
                return band.amount
        return None


Rate = FlatRate | WeightRate


@dataclass(frozen=True)
class ShippingMethod:
    id: str
    name: str
    carrier: str
    estimated_days_min: int
    estimated_days_max: int
    rate: Rate
    free_over: int | None = None

    def amount_for(self, weight_grams: int, subtotal: int) -> int | None:
        """What shipping a parcel costs with this method, or None when its rate does not apply."""
        amount = self.rate.amount_for(weight_grams)
        if amount is None:
            return None
        if self.free_over is not None and subtotal >= self.free_over:
            return 0
        return amount


@dataclass(frozen=True)
class NewMethod:
    """A method as an admin sends it: without an id, the store makes one."""

    id: str | None
    name: str
    carrier: str
    estimated_days_min: int
    estimated_days_max: int
    rate: Rate
    free_over: int | None = None


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    countries: tuple[str, ...]  # alpha-2 codes, or ("*",) for the rest of the world
    currency: str
    methods: tuple[ShippingMethod, ...]

    @property
    def is_rest_of_world(self) -> bool:
        return REST_OF_WORLD in self.countries


@dataclass(frozen=True)
class ShippingConfig:
    """Every zone of the store, and the version its next write is conditioned on.

    Version 0 is a store whose configuration was never written: it has the built-in default.
    """

    zones: tuple[Zone, ...]
    version: int

    def zone(self, zone_id: str) -> Zone | None:
        return next((zone for zone in self.zones if zone.id == zone_id), None)


def default_zone(currency: str) -> Zone:
    """The zone a new store has, so checkout works before an admin configures shipping."""
    standard = ShippingMethod(
        id="standard",
        name="Standard",
        carrier="Standard",
        estimated_days_min=3,
        estimated_days_max=7,
        rate=FlatRate(500),
    )
    return Zone(DEFAULT_ZONE_ID, "Rest of world", (REST_OF_WORLD,), currency, (standard,))


def default_config(currency: str) -> ShippingConfig:
    return ShippingConfig(zones=(default_zone(currency),), version=0)
