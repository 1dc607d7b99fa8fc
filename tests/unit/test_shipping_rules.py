"""Shipping rates, zone selection, the zone rules and the table-rate provider, without AWS."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storefront.data import shipping as shipping_data
from storefront.domain.errors import Conflict, FieldError, Unprocessable
from storefront.domain.shipping import providers
from storefront.domain.shipping.entities import (
    FlatRate,
    ShippingConfig,
    ShippingMethod,
    WeightBand,
    WeightRate,
    Zone,
    default_config,
    default_zone,
)
from storefront.domain.shipping.providers import Destination, Parcel, ShippingQuote, TableRateProvider
from storefront.domain.shipping.rules import check_zone, check_zones, zone_for
from storefront.domain.users.rules import COUNTRY_CODES
from storefront.settings import SettingsError, get_settings

BANDS = WeightRate((WeightBand(500, 400), WeightBand(2000, 900), WeightBand(10_000, 2500)))
EXPRESS = ShippingMethod("express", "Express", "DHL", 1, 2, BANDS)
STANDARD = ShippingMethod("standard", "Standard", "Post", 3, 7, FlatRate(500), free_over=5000)
EUROPE = Zone("EU1", "Europe", ("DE", "FR"), "EUR", (STANDARD, EXPRESS))
WORLD = Zone("W1", "World", ("*",), "USD", (STANDARD,))


def _fields(error: Unprocessable) -> list[tuple[str | int, ...]]:
    return [field.field for field in error.errors or []]


def _refusal(zone: Zone) -> Unprocessable:
    with pytest.raises(Unprocessable) as refused:
        check_zone(zone)
    return refused.value


@pytest.mark.parametrize(
    ("grams", "amount"), [(0, 400), (500, 400), (501, 900), (2000, 900), (2001, 2500), (10_000, 2500), (10_001, None)]
)
def test_weight_rate_is_the_first_band_holding_the_weight_and_none_above_the_last(grams: int, amount: int) -> None:
    assert BANDS.amount_for(grams) == amount


def test_method_is_free_when_the_subtotal_reaches_free_over_and_not_below() -> None:
    assert STANDARD.amount_for(100, 4999) == 500
    assert STANDARD.amount_for(100, 5000) == 0
    # A free_over never offers a method whose weight is above its last band.
    assert replace(EXPRESS, free_over=0).amount_for(20_000, 10**6) is None


def test_exact_country_zone_wins_over_the_rest_of_the_world_in_any_order() -> None:
    assert zone_for([WORLD, EUROPE], "DE") == EUROPE
    assert zone_for([EUROPE, WORLD], "FR") == EUROPE
    assert zone_for([EUROPE, WORLD], "US") == WORLD
    assert zone_for([EUROPE], "US") is None
    assert zone_for([WORLD], "*") == WORLD  # "*" is no country: only the rest-of-world rule serves it


def test_default_zone_is_the_flat_standard_rest_of_world_in_the_store_currency() -> None:
    zone = default_zone("EUR")
    assert (zone.id, zone.name, zone.countries, zone.currency) == ("default", "Rest of world", ("*",), "EUR")
    assert zone.methods == (ShippingMethod("standard", "Standard", "Standard", 3, 7, FlatRate(500)),)
    assert default_config("EUR").version == 0


def test_zone_is_accepted_when_it_keeps_every_rule() -> None:
    check_zone(EUROPE)
    check_zone(WORLD)
    check_zone(replace(EUROPE, methods=()))  # a zone may offer nothing: its countries are not shipped to


def test_bands_that_do_not_go_strictly_upward_are_refused_at_their_index() -> None:
    flat = WeightRate((WeightBand(500, 400), WeightBand(500, 900), WeightBand(300, 100)))
    refused = _refusal(replace(EUROPE, methods=(replace(EXPRESS, rate=flat),)))
    bands = ("methods", 0, "rate", "bands")
    assert _fields(refused) == [(*bands, 1, "up_to_grams"), (*bands, 2, "up_to_grams")]
    assert _fields(_refusal(replace(EUROPE, methods=(replace(EXPRESS, rate=WeightRate(())),)))) == [bands]


@pytest.mark.parametrize(
    ("countries", "field"),
    [
        ((), ("countries",)),
        (("de",), ("countries", 0)),
        (("DE", "XX"), ("countries", 1)),
        (("DE", "DE"), ("countries", 1)),
        (("*", "DE"), ("countries",)),
    ],
)
def test_countries_that_are_not_distinct_alpha_2_codes_or_a_lone_star_are_refused(
    countries: tuple[str, ...], field: tuple[str | int, ...]
) -> None:
    assert _fields(_refusal(replace(EUROPE, countries=countries))) == [field]


def test_method_ids_days_amounts_and_currency_are_checked_together() -> None:
    methods = (
        STANDARD,
        replace(EXPRESS, id="standard"),
        replace(EXPRESS, id="Next Day", estimated_days_min=5, estimated_days_max=2),
        replace(STANDARD, id="big", rate=FlatRate(10**9 + 1), free_over=-1),
    )
    refused = _refusal(replace(EUROPE, currency="eur", methods=methods))
    assert _fields(refused) == [
        ("currency",),
        ("methods", 1, "id"),
        ("methods", 2, "id"),
        ("methods", 2, "estimated_days"),
        ("methods", 3, "rate", "amount"),
        ("methods", 3, "free_over"),
    ]
    assert refused.errors is not None
    assert all(isinstance(error, FieldError) for error in refused.errors)


def test_more_than_20_methods_are_refused() -> None:
    methods = tuple(replace(STANDARD, id=f"m{n}") for n in range(21))
    assert ("methods",) in _fields(_refusal(replace(EUROPE, methods=methods)))


def test_a_country_in_two_zones_is_a_conflict_naming_the_other_zone_and_the_countries() -> None:
    overlap = Zone("EU2", "Central", ("AT", "FR", "DE"), "EUR", ())
    with pytest.raises(Conflict) as refused:
        check_zones([EUROPE, WORLD, overlap], overlap)
    assert refused.value.extra == {"zone_id": "EU1", "countries": ["DE", "FR"]}


def test_a_second_rest_of_world_zone_is_a_conflict() -> None:
    second = replace(WORLD, id="W2")
    with pytest.raises(Conflict) as refused:
        check_zones([EUROPE, WORLD, second], second)
    assert refused.value.extra == {"zone_id": "W1", "countries": ["*"]}
    check_zones([EUROPE, WORLD], replace(WORLD, name="Renamed"))  # changing the zone itself is no clash


def test_a_51st_zone_is_a_conflict() -> None:
    zones = [Zone(f"Z{n}", "Z", (code,), "USD", ()) for n, code in enumerate(sorted(COUNTRY_CODES)[:51])]
    check_zones(zones[:50], zones[49])
    with pytest.raises(Conflict):
        check_zones(zones, zones[50])


def _provider_with(monkeypatch: pytest.MonkeyPatch, *zones: Zone) -> TableRateProvider:
    monkeypatch.setattr(shipping_data, "read_config", lambda currency: ShippingConfig(zones, 3))
    return TableRateProvider()


def test_table_rates_offer_the_zone_methods_whose_rate_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = _provider_with(monkeypatch, EUROPE, WORLD)
    quotes = provider.quote(Destination("DE", None, "10115"), Parcel(weight_grams=1200, subtotal=6000, currency="EUR"))
    assert quotes == [
        ShippingQuote("standard", "Standard", "Post", 0, "EUR", 3, 7),
        ShippingQuote("express", "Express", "DHL", 900, "EUR", 1, 2),
    ]
    heavy = provider.quote(Destination("FR", None, None), Parcel(weight_grams=20_000, subtotal=100, currency="EUR"))
    assert [quote.id for quote in heavy] == ["standard"]


def test_table_rates_offer_nothing_in_another_currency_or_where_no_zone_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = _provider_with(monkeypatch, EUROPE)
    assert provider.quote(Destination("DE", None, None), Parcel(0, 0, "USD")) == []
    assert provider.quote(Destination("US", None, None), Parcel(0, 0, "EUR")) == []


def test_the_default_zone_quotes_standard_when_nothing_was_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shipping_data, "read_config", default_config)
    quotes = TableRateProvider().quote(Destination("JP", "13", None), Parcel(0, 100, get_settings().store_currency))
    assert quotes == [ShippingQuote("standard", "Standard", "Standard", 500, "USD", 3, 7)]


def test_shipping_provider_is_the_table_by_default_and_an_unknown_name_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    providers.shipping_provider.cache_clear()
    assert isinstance(providers.shipping_provider(), TableRateProvider)
    providers.shipping_provider.cache_clear()
    monkeypatch.setattr(providers, "get_settings", lambda: replace(get_settings(), shipping_provider="carrier-x"))
    with pytest.raises(SettingsError, match="carrier-x"):
        providers.shipping_provider()
    providers.shipping_provider.cache_clear()
