"""Shipping zones (admin): the countries each zone serves and the methods and rates offered there."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from storefront.domain.shipping import service
from storefront.http.openapi import responses
from storefront.http.params import Admin, ZoneId
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.shipping import ShippingZone, ShippingZoneCreate, ShippingZoneList, ShippingZonePatch

app = make_resolver()

_UNKNOWN = {404: "No shipping zone has this id"}
_CLASH = (
    "A country of the zone is already in another zone, or another zone is the rest of the world "
    "(the body names that `zone_id` and the `countries`); 50 zones already; the configuration would "
    "exceed its size; or concurrent changes kept winning"
)
_BUSY = "Concurrent changes kept winning; try again"


@app.get(
    "/v1/shipping/zones",
    summary="The store's shipping zones (admin)",
    description='A new store has one zone, "default": the rest of the world with a flat Standard method.',
    tags=["Shipping"],
    responses=responses(200, "Every zone"),
)
def list_zones(principal: Admin) -> Response[ShippingZoneList]:
    return json_response(ShippingZoneList(items=[ShippingZone.of(zone) for zone in service.list_zones()]), private=True)


@app.post(
    "/v1/shipping/zones",
    summary="Add a shipping zone (admin)",
    description="A country is in one zone only; a zone naming a country wins over the rest of the world (`*`).",
    tags=["Shipping"],
    responses=responses(201, "The new zone", errors={409: _CLASH}),
)
def create_zone(body: ShippingZoneCreate, principal: Admin) -> Response[ShippingZone]:
    zone = service.create_zone(body.name, body.countries, body.currency, body.new_methods(), principal.user_id)
    return json_response(ShippingZone.of(zone), 201, private=True)


@app.get(
    "/v1/shipping/zones/<zone_id>",
    summary="One shipping zone (admin)",
    tags=["Shipping"],
    responses=responses(200, "The zone", errors=_UNKNOWN),
)
def get_zone(zone_id: ZoneId, principal: Admin) -> Response[ShippingZone]:
    return json_response(ShippingZone.of(service.get_zone(zone_id)), private=True)


@app.patch(
    "/v1/shipping/zones/<zone_id>",
    summary="Change a shipping zone (admin)",
    description="Only the fields sent change; `methods` replaces the zone's whole list.",
    tags=["Shipping"],
    responses=responses(200, "The changed zone", errors={**_UNKNOWN, 409: _CLASH}),
)
def patch_zone(zone_id: ZoneId, body: ShippingZonePatch, principal: Admin) -> Response[ShippingZone]:
    return json_response(ShippingZone.of(service.update_zone(zone_id, body.changes(), principal.user_id)), private=True)


@app.delete(
    "/v1/shipping/zones/<zone_id>",
    summary="Delete a shipping zone (admin)",
    description="Its countries are no longer shipped to, unless a rest-of-world zone serves them.",
    tags=["Shipping"],
    responses=responses(204, "Deleted", errors={**_UNKNOWN, 409: _BUSY}),
)
def delete_zone(zone_id: ZoneId, principal: Admin) -> Response[None]:
    service.delete_zone(zone_id, principal.user_id)
    return no_content(private=True)


lambda_handler = http_handler(app)
