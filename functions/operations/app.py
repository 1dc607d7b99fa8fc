"""Operations: health, the OpenAPI document of the whole API, and its Swagger UI."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParam
from pydantic import BaseModel, Field

from storefront import __version__
from storefront.data.health import table_check
from storefront.domain.errors import NotFound
from storefront.http.docs import CONTENT_SECURITY_POLICY, SWAGGER_ASSETS, swagger_asset, swagger_page
from storefront.http.openapi import responses
from storefront.http.resolver import http_handler, make_resolver

app = make_resolver()

OPENAPI_FILE = Path(__file__).with_name("openapi.json")
_ASSET_TYPES = sorted({media.split(";")[0] for media in SWAGGER_ASSETS.values()})  # the initializer is JS too


class HealthCheck(BaseModel):
    status: str = Field(description="ok or failing")
    latency_ms: float = Field(description="How long the check took")


class Health(BaseModel):
    status: str = Field(description="ok when every check passes, else degraded")
    version: str = Field(description="Version of the deployed code")
    checks: dict[str, HealthCheck] = Field(description="One entry per dependency checked")


@app.get(
    "/v1/health",
    summary="Health of the API and its table",
    tags=["Operations"],
    responses=responses(
        200,
        "Every check passes",
        errors={503: {"description": "A dependency is failing", "content": {"application/json": {"model": Health}}}},
    ),
)
def health() -> Response[Health]:
    ok, latency_ms = table_check()
    body = Health(
        status="ok" if ok else "degraded",
        version=__version__,
        checks={"table": HealthCheck(status="ok" if ok else "failing", latency_ms=round(latency_ms, 2))},
    )
    return Response(
        status_code=200 if ok else 503,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Cache-Control": "no-store"},
    )


@cache
def _openapi_document() -> str:
    return OPENAPI_FILE.read_text()


@app.get(
    "/v1/openapi.json",
    summary="The OpenAPI 3.1 document of the whole API",
    tags=["Operations"],
    responses=responses(200, "This document", content={"application/json": {"schema": {"type": "object"}}}),
)
def openapi_document() -> Response[str]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=_openapi_document(),
        headers={"Cache-Control": "public, max-age=300"},
    )


@app.get(
    "/v1/docs",
    summary="Swagger UI for the API",
    tags=["Operations"],
    responses=responses(200, "The Swagger UI page", content={"text/html": {"schema": {"type": "string"}}}),
)
def docs() -> Response[str]:
    page = swagger_page(assets_base="/v1/docs")
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Referrer-Policy": "no-referrer"}
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page, headers=headers)


@app.get(
    "/v1/docs/<asset>",
    summary="Static file of the Swagger UI",
    tags=["Operations"],
    responses=responses(200, "The file", content={media: {"schema": {"type": "string"}} for media in _ASSET_TYPES}),
)
def docs_asset(asset: Annotated[str, PathParam(max_length=64, description="File name")]) -> Response[str]:
    found = swagger_asset(asset)
    if found is None:
        raise NotFound(f"No documentation file {asset!r}.")
    content, content_type = found
    return Response(
        status_code=200,
        content_type=content_type,
        body=content.decode("utf-8"),
        headers={"Cache-Control": "public, max-age=86400"},
    )


lambda_handler = http_handler(app)
