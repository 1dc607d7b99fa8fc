"""The shipping provider port: what checkout asks for a destination and a parcel.

Checkout knows only `shipping_provider().quote(destination, parcel)`; which provider
answers is the `SHIPPING_PROVIDER` setting. The built-in one, `table`, prices from the
store's zones (TableRateProvider). A carrier API (EasyPost, Shippo) is another class with
the same `quote`, registered in `PROVIDERS` (docs/extending.md, "Shipping providers").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from storefront.data import shipping
from storefront.domain.shipping.rules import zone_for
from storefront.settings import SettingsError, get_settings


@dataclass(frozen=True)
class Destination:
    country: str  # ISO 3166-1 alpha-2
    region: str | None
    postal_code: str | None


@dataclass(frozen=True)
class Parcel:
    weight_grams: int  # the items' total weight; an item with no weight counts as 0 g
    subtotal: int  # the items' total, in `currency`'s minor units
    currency: str


@dataclass(frozen=True)
class ShippingQuote:
    id: str  # the method id a checkout chooses; quoted again at each change and at completion
    name: str
    carrier: str
    amount: int  # minor units of `currency`
    currency: str
    estimated_days_min: int
    estimated_days_max: int


class ShippingProvider(Protocol):
    def quote(self, destination: Destination, parcel: Parcel) -> list[ShippingQuote]:
        """The methods offered for this parcel to this destination, with their amounts; [] when none."""
        ...


class TableRateProvider:
    """Prices from the store's shipping zones (admin-configured; the default zone until then).

    The zone is the one naming the destination's country, else the rest-of-world zone. A
    zone whose currency is not the parcel's offers nothing (no conversion is guessed); a
    method is offered when its rate applies to the weight (a weight rate above its last
    band does not), free when the subtotal reaches its `free_over`.
    """

    def quote(self, destination: Destination, parcel: Parcel) -> list[ShippingQuote]:
        config = shipping.read_config(get_settings().store_currency)
        zone = zone_for(config.zones, destination.country)
        if zone is None or zone.currency != parcel.currency:
            return []
        quotes = []
        for method in zone.methods:
            amount = method.amount_for(parcel.weight_grams, parcel.subtotal)
            if amount is not None:
                quotes.append(
                    ShippingQuote(
                        id=method.id,
                        name=method.name,
                        carrier=method.carrier,
                        amount=amount,
                        currency=zone.currency,
                        estimated_days_min=method.estimated_days_min,
                        estimated_days_max=method.estimated_days_max,
                    )
                )
        return quotes


# The providers `SHIPPING_PROVIDER` may name. A carrier's module is imported by its factory,
# so its client library costs a cold start only where it is chosen.
PROVIDERS: dict[str, Callable[[], ShippingProvider]] = {"table": TableRateProvider}


@cache
def shipping_provider() -> ShippingProvider:
    """The configured provider, made once per execution environment."""
    name = get_settings().shipping_provider
    factory = PROVIDERS.get(name)
    if factory is None:
        raise SettingsError(f"SHIPPING_PROVIDER {name!r} is unknown; known: {', '.join(sorted(PROVIDERS))}")
    return factory()
