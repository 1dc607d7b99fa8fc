"""API models of the shipping zone routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictInt, StrictStr

from storefront.domain.shipping.entities import (
    MAX_AMOUNT,
    MAX_BANDS,
    MAX_DAYS,
    MAX_GRAMS,
    MAX_METHODS,
    MAX_ZONES,
    REST_OF_WORLD,
    FlatRate,
    NewMethod,
    Rate,
    WeightBand,
    WeightRate,
)
from storefront.domain.shipping.entities import ShippingMethod as MethodEntity
from storefront.domain.shipping.entities import Zone as ZoneEntity
from storefront.domain.shipping.rules import MAX_METHOD_ID, METHOD_ID
from storefront.domain.users.rules import COUNTRY_CODES, check_country
from storefront.models.base import ApiModel
from storefront.models.catalog_fields import Currency
from storefront.models.patches import NotNull
from storefront.models.text_fields import Text

Amount = Annotated[
    StrictInt,
    Field(ge=0, le=MAX_AMOUNT, description=f"Minor units of the zone's currency (500 = 5.00), 0–{MAX_AMOUNT}"),
]
Grams = Annotated[StrictInt, Field(ge=0, le=MAX_GRAMS, description=f"Parcel weight in grams, 0–{MAX_GRAMS}")]
Days = Annotated[StrictInt, Field(ge=0, le=MAX_DAYS, description=f"Days, 0–{MAX_DAYS}")]
MethodId = Annotated[
    StrictStr,
    Field(
        pattern=METHOD_ID.pattern,
        max_length=MAX_METHOD_ID,
        description="Lower-case letters and digits joined by - or _, unique in the zone, e.g. standard, next-day",
    ),
]


def _country_or_world(code: str) -> str:
    return code if code == REST_OF_WORLD else check_country(code)


Country = Annotated[
    StrictStr,
    Field(min_length=1, max_length=2, description='ISO 3166-1 alpha-2 code in upper case (US, DE), or "*" alone'),
    AfterValidator(_country_or_world),
]
ZoneName = Annotated[StrictStr, Text(100, "The zone's name for admins, e.g. Europe")]
MethodName = Annotated[StrictStr, Text(100, "What customers see, e.g. Standard, Express")]
Carrier = Annotated[StrictStr, Text(100, "Who carries the parcel, e.g. DHL")]


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")


class ShippingEstimatedDays(_Request):
    min: Days = Field(description="The fewest days delivery takes")
    max: Days = Field(description="The most days delivery takes (not below min)")


class ShippingFlatRate(_Request):
    """One amount whatever the weight."""

    type: Literal["flat"]
    amount: Amount


class ShippingWeightBand(_Request):
    up_to_grams: Grams = Field(description="The band holds parcels up to this weight, inclusive")
    amount: Amount


class ShippingWeightRate(_Request):
    """By weight: the first band whose `up_to_grams` holds the parcel prices it; heavier than the
    last band, the method is not offered. Bands go strictly upward."""

    type: Literal["weight"]
    bands: list[ShippingWeightBand] = Field(min_length=1, max_length=MAX_BANDS)


ShippingRate = Annotated[ShippingFlatRate | ShippingWeightRate, Field(discriminator="type")]


def _rate(rate: ShippingFlatRate | ShippingWeightRate) -> Rate:
    if isinstance(rate, ShippingFlatRate):
        return FlatRate(rate.amount)
    return WeightRate(tuple(WeightBand(band.up_to_grams, band.amount) for band in rate.bands))


def _rate_model(rate: Rate) -> ShippingFlatRate | ShippingWeightRate:
    if isinstance(rate, FlatRate):
        return ShippingFlatRate(type="flat", amount=rate.amount)
    bands = [ShippingWeightBand(up_to_grams=band.up_to_grams, amount=band.amount) for band in rate.bands]
    return ShippingWeightRate(type="weight", bands=bands)


class ShippingMethodCreate(_Request):
    id: MethodId | None = Field(None, description="Left out: the store makes one")
    name: MethodName
    carrier: Carrier
    estimated_days: ShippingEstimatedDays
    rate: ShippingRate
    free_over: Amount | None = Field(None, description="Free when the items' subtotal reaches this amount")

    def method(self) -> NewMethod:
        days = self.estimated_days
        return NewMethod(self.id, self.name, self.carrier, days.min, days.max, _rate(self.rate), self.free_over)


Countries = Annotated[
    list[Country],
    Field(
        min_length=1,
        max_length=len(COUNTRY_CODES),
        description='The countries the zone serves, each in one zone only; ["*"] is the rest of the world',
    ),
]
Methods = Annotated[
    list[ShippingMethodCreate],
    Field(max_length=MAX_METHODS, description=f"At most {MAX_METHODS}; none means its countries are not shipped to"),
]
ZoneCurrency = Annotated[Currency, Field(description="ISO 4217: the currency of the zone's amounts")]


class ShippingZoneCreate(_Request):
    name: ZoneName
    countries: Countries
    currency: ZoneCurrency | None = Field(
        None, description="The currency of the zone's amounts; left out, the store's (STORE_CURRENCY)"
    )
    methods: Methods = Field(default_factory=list)

    def new_methods(self) -> list[NewMethod]:
        return [method.method() for method in self.methods]


class ShippingZonePatch(_Request):
    """Only the fields sent change; `methods` replaces the whole list."""

    name: Annotated[ZoneName | None, NotNull] = None
    countries: Annotated[Countries | None, NotNull] = None
    currency: Annotated[ZoneCurrency | None, NotNull] = None
    methods: Annotated[Methods | None, NotNull] = None

    def changes(self) -> dict[str, Any]:
        changes = {name: getattr(self, name) for name in self.model_fields_set}
        if "methods" in changes:
            changes["methods"] = [method.method() for method in changes["methods"]]
        return changes


class ShippingZoneMethod(ApiModel):
    id: str = Field(description="Unique in the zone: what a checkout chooses")
    name: str = Field(description="What customers see")
    carrier: str = Field(description="Who carries the parcel")
    estimated_days: ShippingEstimatedDays
    rate: ShippingRate
    free_over: int | None = Field(description="Free from this subtotal on; null: never free")

    @classmethod
    def of(cls, method: MethodEntity) -> ShippingZoneMethod:
        return cls(
            id=method.id,
            name=method.name,
            carrier=method.carrier,
            estimated_days=ShippingEstimatedDays(min=method.estimated_days_min, max=method.estimated_days_max),
            rate=_rate_model(method.rate),
            free_over=method.free_over,
        )


class ShippingZone(ApiModel):
    """A shipping zone: the countries it serves and the methods offered there."""

    id: str = Field(description='The zone id ("default" for the built-in rest-of-world zone)')
    name: str = Field(description="The zone's name")
    countries: list[str] = Field(description='ISO 3166-1 alpha-2 codes, or ["*"]: the rest of the world')
    currency: str = Field(description="ISO 4217: a checkout in another currency is offered none of its methods")
    methods: list[ShippingZoneMethod] = Field(description="The methods, in the order given")

    @classmethod
    def of(cls, zone: ZoneEntity) -> ShippingZone:
        methods = [ShippingZoneMethod.of(method) for method in zone.methods]
        return cls(id=zone.id, name=zone.name, countries=list(zone.countries), currency=zone.currency, methods=methods)


class ShippingZoneList(ApiModel):
    items: list[ShippingZone] = Field(description=f"Every zone (at most {MAX_ZONES}), oldest first: one page")
