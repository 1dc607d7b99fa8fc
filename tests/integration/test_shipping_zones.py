"""Shipping zone routes on the `aws` fixture (moto and DynamoDB Local): the default zone, who may,
the rules between zones, racing admins, and the table-rate quotes checkout reads."""

from __future__ import annotations

import json
import threading
from types import ModuleType
from typing import Any

import pytest

from devkit.functions import load_handler_module
from storefront.domain.shipping import service
from storefront.domain.shipping.providers import Destination, Parcel, ShippingQuote, shipping_provider
from tests.aws_fixtures import serializable_moto_writes
from tests.integration.principals import ensure_user, sample_principal
from tests.support import FakeContext, http_event, problem, sample_event

pytestmark = pytest.mark.usefixtures("aws")
shipping_function = load_handler_module("functions/shipping")

ADMIN = ("01JDQ7Z8X9K2M3N4P5Q6ADMIN0", "admin")
MANAGER = ("01JDQ7Z8X9K2M3N4P5Q6MANAGER", "manager")
CUSTOMER = ("01JDQ7Z8X9K2M3N4P5Q6CUSTOMR", "customer")
ZONES = "/v1/shipping/zones"
SAMPLE_ZONE = "01JDQ80000000000000000ZONE"  # the zone id of events/shipping/*.json
STANDARD = {"id": "standard", "name": "Standard", "carrier": "Post", "estimated_days": {"min": 2, "max": 5}}


def call(
    method: str,
    path: str,
    principal: tuple[str, str] = ADMIN,
    *,
    body: Any = None,
    module: ModuleType = shipping_function,
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, body=body, principal=principal)
    return dict(module.lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def zone_body(countries: list[str], **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Europe",
        "countries": countries,
        "currency": "EUR",
        "methods": [{**STANDARD, "rate": {"type": "flat", "amount": 700}, "free_over": 10_000}],
    }
    return {**body, **overrides}


def create(countries: list[str], **overrides: Any) -> dict[str, Any]:
    response = call("POST", ZONES, body=zone_body(countries, **overrides))
    assert response["statusCode"] == 201, response
    return dict(body_of(response))


DEFAULT_ZONE = {
    "id": "default",
    "name": "Rest of world",
    "countries": ["*"],
    "currency": "USD",
    "methods": [
        {
            "id": "standard",
            "name": "Standard",
            "carrier": "Standard",
            "estimated_days": {"min": 3, "max": 7},
            "rate": {"type": "flat", "amount": 500},
            "free_over": None,
        }
    ],
}


def test_a_new_store_lists_the_default_rest_of_world_standard_zone() -> None:
    response = call("GET", ZONES)
    assert response["statusCode"] == 200
    assert body_of(response) == {"items": [DEFAULT_ZONE]}
    assert response["headers"]["Cache-Control"] == "private, no-store"
    assert body_of(call("GET", f"{ZONES}/default")) == DEFAULT_ZONE


def test_a_created_zone_is_listed_after_the_default_with_generated_and_given_method_ids() -> None:
    express = {"name": "Express", "carrier": "DHL", "estimated_days": {"min": 1, "max": 1}}
    bands = [{"up_to_grams": 1000, "amount": 900}, {"up_to_grams": 5000, "amount": 1500}]
    methods = [
        {**STANDARD, "rate": {"type": "flat", "amount": 700}},
        {**express, "rate": {"type": "weight", "bands": bands}},
    ]
    zone = create(["DE", "FR"], methods=methods, currency=None)

    stored = body_of(call("GET", f"{ZONES}/{zone['id']}"))
    assert stored["currency"] == "USD"  # the store's currency when none is given
    given, generated = (method["id"] for method in stored["methods"])
    assert given == "standard"
    assert generated.islower()
    assert len(generated) == 26
    assert stored["methods"][1]["rate"] == {"type": "weight", "bands": bands}
    assert [item["id"] for item in body_of(call("GET", ZONES))["items"]] == ["default", zone["id"]]


def test_only_admins_reach_the_zone_routes() -> None:
    zone = create(["DE"])
    path = f"{ZONES}/{zone['id']}"
    for principal in (CUSTOMER, MANAGER):
        for method, route, body in [
            ("GET", ZONES, None),
            ("POST", ZONES, zone_body(["FR"])),
            ("GET", path, None),
            ("PATCH", path, {"name": "Mine"}),
            ("DELETE", path, None),
        ]:
            response = call(method, route, principal, body=body)
            assert response["statusCode"] == 403, (principal, method, route)
            problem(response)
    assert body_of(call("GET", path))["name"] == "Europe"
    assert len(body_of(call("GET", ZONES))["items"]) == 2


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PATCH", {"name": "X"}), ("DELETE", None)])
def test_an_unknown_zone_is_404(method: str, body: Any) -> None:
    response = call(method, f"{ZONES}/01JDQ80000000000000000NONE", body=body)
    assert response["statusCode"] == 404
    assert problem(response)["title"] == "Not found"


def test_a_country_already_in_a_zone_is_a_409_naming_that_zone_on_create_and_on_patch() -> None:
    europe = create(["DE", "FR"])
    response = call("POST", ZONES, body=zone_body(["AT", "FR"], name="Alps"))
    assert response["statusCode"] == 409
    assert (problem(response)["zone_id"], problem(response)["countries"]) == (europe["id"], ["FR"])

    alps = create(["AT"], name="Alps")
    response = call("PATCH", f"{ZONES}/{alps['id']}", body={"countries": ["AT", "DE"]})
    assert response["statusCode"] == 409
    assert problem(response)["countries"] == ["DE"]
    assert body_of(call("GET", f"{ZONES}/{alps['id']}"))["countries"] == ["AT"]


def test_a_second_rest_of_world_zone_is_a_409() -> None:
    response = call("POST", ZONES, body=zone_body(["*"], name="World 2"))
    assert response["statusCode"] == 409
    assert problem(response)["zone_id"] == "default"
    assert len(body_of(call("GET", ZONES))["items"]) == 1


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"countries": ["de"]}, ["body", "countries", 0]),
        ({"countries": ["XX"]}, ["body", "countries", 0]),
        ({"countries": ["*", "DE"]}, ["body", "countries"]),
        ({"countries": []}, ["body", "countries"]),
        ({"currency": "usd"}, ["body", "currency"]),
        ({"owner": "me"}, ["body", "owner"]),
        (
            {"methods": [{**STANDARD, "rate": {"type": "weight", "bands": [{"up_to_grams": 9, "amount": 1}] * 2}}]},
            ["body", "methods", 0, "rate", "bands", 1, "up_to_grams"],
        ),
        (
            {"methods": [{**STANDARD, "rate": {"type": "flat", "amount": 10**9 + 1}}]},
            ["body", "methods", 0, "rate", "flat", "amount"],
        ),
        (
            {"methods": [{**STANDARD, "rate": {"type": "flat", "amount": "5"}}]},
            ["body", "methods", 0, "rate", "flat", "amount"],
        ),
        ({"methods": [{**STANDARD, "rate": {"type": "flat", "amount": 1}}] * 2}, ["body", "methods", 1, "id"]),
        (
            {"methods": [{**STANDARD, "id": "Next Day", "rate": {"type": "flat", "amount": 1}}]},
            ["body", "methods", 0, "id"],
        ),
    ],
)
def test_a_zone_that_breaks_a_rule_is_a_422_naming_the_field(changes: dict[str, Any], location: list[Any]) -> None:
    response = call("POST", ZONES, body={**zone_body(["DE"]), **changes})
    assert response["statusCode"] == 422, response
    assert location in [error["loc"] for error in problem(response)["errors"]]
    assert len(body_of(call("GET", ZONES))["items"]) == 1  # nothing written


@pytest.mark.parametrize("body", [{}, {"name": None}, {"id": "other"}])
def test_a_patch_that_changes_nothing_or_sends_null_or_an_id_is_a_422(body: dict[str, Any]) -> None:
    response = call("PATCH", f"{ZONES}/default", body=body)
    assert response["statusCode"] == 422
    problem(response)


def test_a_patch_changes_only_the_fields_sent_and_replaces_the_methods() -> None:
    methods = [{**STANDARD, "id": "economy", "rate": {"type": "flat", "amount": 300}}]
    response = call("PATCH", f"{ZONES}/default", body={"name": "World", "methods": methods})
    assert response["statusCode"] == 200
    changed = body_of(response)
    assert (changed["name"], changed["countries"], changed["currency"]) == ("World", ["*"], "USD")
    assert [method["id"] for method in changed["methods"]] == ["economy"]
    assert body_of(call("GET", f"{ZONES}/default")) == changed


def test_deleting_the_default_zone_leaves_no_zone_and_frees_the_rest_of_the_world() -> None:
    response = call("DELETE", f"{ZONES}/default")
    assert response["statusCode"] == 204
    assert body_of(call("GET", ZONES)) == {"items": []}
    assert call("GET", f"{ZONES}/default")["statusCode"] == 404
    assert call("DELETE", f"{ZONES}/default")["statusCode"] == 404
    world = create(["*"], name="World")
    assert [item["id"] for item in body_of(call("GET", ZONES))["items"]] == [world["id"]]


def test_concurrent_creates_with_one_country_let_exactly_one_win() -> None:
    ensure_user(ADMIN)
    modules = [load_handler_module("functions/shipping", fresh=True) for _ in range(6)]
    barrier = threading.Barrier(len(modules))
    statuses: list[int] = []

    def send(module: ModuleType, name: str) -> None:
        barrier.wait()
        statuses.append(call("POST", ZONES, body=zone_body(["PT", "ES"], name=name), module=module)["statusCode"])

    with serializable_moto_writes():
        threads = [threading.Thread(target=send, args=(module, f"Iberia {n}")) for n, module in enumerate(modules)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(statuses) == [201] + [409] * 5
    zones = body_of(call("GET", ZONES))["items"]
    assert sum("PT" in zone["countries"] for zone in zones) == 1


def test_the_configured_provider_quotes_the_stored_zones() -> None:
    bands = [{"up_to_grams": 1000, "amount": 900}, {"up_to_grams": 5000, "amount": 1500}]
    express = {"id": "express", "name": "Express", "carrier": "DHL", "estimated_days": {"min": 1, "max": 2}}
    create(
        ["DE"],
        methods=[
            {**STANDARD, "rate": {"type": "flat", "amount": 700}, "free_over": 10_000},
            {**express, "rate": {"type": "weight", "bands": bands}},
        ],
    )
    provider = shipping_provider()
    germany = Destination("DE", None, "10115")

    assert provider.quote(germany, Parcel(weight_grams=2000, subtotal=10_000, currency="EUR")) == [
        ShippingQuote("standard", "Standard", "Post", 0, "EUR", 2, 5),
        ShippingQuote("express", "Express", "DHL", 1500, "EUR", 1, 2),
    ]
    assert [q.id for q in provider.quote(germany, Parcel(6000, 100, "EUR"))] == ["standard"]
    assert provider.quote(germany, Parcel(0, 100, "USD")) == []  # the zone's amounts are euros
    assert provider.quote(Destination("JP", None, None), Parcel(0, 100, "USD")) == [
        ShippingQuote("standard", "Standard", "Standard", 500, "USD", 3, 7)
    ]


CASES = [("list-zones", 200), ("create-zone", 201), ("get-zone", 200), ("patch-zone", 200), ("delete-zone", 204)]


def test_every_sample_event_succeeds_when_replayed_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "new_ulid", lambda: SAMPLE_ZONE)
    for case, status in CASES:
        ensure_user(sample_principal("shipping", case))
        response = shipping_function.lambda_handler(sample_event("shipping", case), FakeContext())
        assert response["statusCode"] == status, (case, response)
        assert response["headers"]["X-Request-Id"].startswith(f"shipping-{case}")
