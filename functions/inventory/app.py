"""Inventory (manager): a SKU's stock, setting it, adjusting it, and the low-stock list."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from storefront.domain.inventory import service
from storefront.http.openapi import BAD_CURSOR, responses
from storefront.http.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from storefront.http.params import Manager, Sku
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response
from storefront.models.inventory import StockAdjustmentCreate, StockLevel, StockLevelPage, StockLevelUpdate

app = make_resolver()

LowStock = Annotated[
    Literal["true"], Query(description="Must be `true`: only the SKUs at or under their threshold are listed")
]


_UNKNOWN = "No stock item for this SKU"
_SHORT = {
    404: _UNKNOWN,
    409: "on_hand would drop below reserved (the body has `available`), or concurrent changes kept winning",
}


@app.get(
    "/v1/inventory/<sku>",
    summary="A SKU's stock (manager)",
    tags=["Inventory"],
    responses=responses(200, "The SKU's stock", errors={404: _UNKNOWN}),
)
def get_stock(sku: Sku, principal: Manager) -> Response[StockLevel]:
    return json_response(StockLevel.of(service.get_level(sku)), private=True)


@app.put(
    "/v1/inventory/<sku>",
    summary="Set a SKU's on-hand count and low-stock threshold (manager)",
    description="The SKU must exist (its product creates it): an unknown SKU is 404, never created here.",
    tags=["Inventory"],
    responses=responses(200, "The SKU's new stock", errors=_SHORT),
)
def put_stock(sku: Sku, body: StockLevelUpdate, principal: Manager) -> Response[StockLevel]:
    return json_response(
        StockLevel.of(service.set_level(sku, body.on_hand, body.low_stock_threshold, principal.user_id)), private=True
    )


@app.post(
    "/v1/inventory/<sku>/adjustments",
    summary="Add to or remove from a SKU's on-hand count (manager)",
    tags=["Inventory"],
    responses=responses(200, "The SKU's adjusted stock", errors=_SHORT),
)
def adjust_stock(sku: Sku, body: StockAdjustmentCreate, principal: Manager) -> Response[StockLevel]:
    return json_response(StockLevel.of(service.adjust(sku, body.delta, body.reason, principal.user_id)), private=True)


@app.get(
    "/v1/inventory",
    summary="The SKUs at or under their low-stock threshold (manager)",
    tags=["Inventory"],
    responses=responses(200, "A page of low-stock SKUs", errors=BAD_CURSOR),
)
def list_low_stock(
    principal: Manager, low_stock: LowStock, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[StockLevelPage]:
    page = paginate(
        service.list_low_stock, limit=limit, cursor=cursor, caller=principal.user_id, scope="inventory?low_stock"
    )
    return json_response(
        StockLevelPage(items=[StockLevel.of(item) for item in page.items], next_cursor=page.next_cursor), private=True
    )


lambda_handler = http_handler(app)
