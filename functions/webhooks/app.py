"""Partner webhook endpoints (admin): register, list, read, change, delete, rotate the signing secret."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from storefront.domain.webhooks import service
from storefront.http.openapi import responses
from storefront.http.params import Admin, WebhookId
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.webhooks import (
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointList,
    WebhookEndpointPatch,
    WebhookEndpointWithSecret,
)

app = make_resolver()

_TAGS = ["Webhooks"]
_UNKNOWN = {404: "No webhook endpoint has this id"}
_BUSY = "Concurrent changes kept winning; try again"
_URL = (
    "The URL is not https (outside local mode), carries credentials, or its host does not resolve or "
    "resolves to a loopback, private, link-local, metadata or CGNAT address (`errors` names `url`); or "
    "an event type is unknown"
)


@app.get(
    "/v1/webhooks",
    summary="The store's webhook endpoints (admin)",
    tags=_TAGS,
    responses=responses(200, "Every endpoint, without secrets"),
)
def list_endpoints(principal: Admin) -> Response[WebhookEndpointList]:
    items = [WebhookEndpoint.of(endpoint) for endpoint in service.list_endpoints()]
    return json_response(WebhookEndpointList(items=items), private=True)


@app.post(
    "/v1/webhooks",
    summary="Register a webhook endpoint (admin)",
    description="Answers the endpoint with its signing `secret`, shown only here (and at a rotation); it is "
    "stored encrypted (KMS). Deliveries are signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`, "
    "`webhook-signature`).",
    tags=_TAGS,
    responses=responses(
        201,
        "The new endpoint and its secret",
        errors={409: f"The store has 20 endpoints already, or: {_BUSY}", 422: _URL},
    ),
)
def create_endpoint(body: WebhookEndpointCreate, principal: Admin) -> Response[WebhookEndpointWithSecret]:
    endpoint, secret = service.create_endpoint(body.url, body.events, body.description, body.active, principal.user_id)
    return json_response(WebhookEndpointWithSecret.with_secret(endpoint, secret), 201, private=True)


@app.get(
    "/v1/webhooks/<webhook_id>",
    summary="One webhook endpoint (admin)",
    tags=_TAGS,
    responses=responses(200, "The endpoint, without its secret", errors=_UNKNOWN),
)
def get_endpoint(webhook_id: WebhookId, principal: Admin) -> Response[WebhookEndpoint]:
    return json_response(WebhookEndpoint.of(service.get_endpoint(webhook_id)), private=True)


@app.patch(
    "/v1/webhooks/<webhook_id>",
    summary="Change a webhook endpoint (admin)",
    description="Only the fields sent change; a new `url` is checked again. The secret does not change.",
    tags=_TAGS,
    responses=responses(200, "The changed endpoint", errors={**_UNKNOWN, 409: _BUSY, 422: _URL}),
)
def patch_endpoint(webhook_id: WebhookId, body: WebhookEndpointPatch, principal: Admin) -> Response[WebhookEndpoint]:
    endpoint = service.update_endpoint(webhook_id, body.changes(), principal.user_id)
    return json_response(WebhookEndpoint.of(endpoint), private=True)


@app.delete(
    "/v1/webhooks/<webhook_id>",
    summary="Delete a webhook endpoint (admin)",
    tags=_TAGS,
    responses=responses(204, "Deleted: nothing more is delivered to it", errors={**_UNKNOWN, 409: _BUSY}),
)
def delete_endpoint(webhook_id: WebhookId, principal: Admin) -> Response[None]:
    service.delete_endpoint(webhook_id, principal.user_id)
    return no_content(private=True)


@app.post(
    "/v1/webhooks/<webhook_id>/rotate-secret",
    summary="Rotate a webhook endpoint's signing secret (admin)",
    description="Answers the new secret, shown only here. For 24 hours (`previous_secret_expires_at`) "
    "deliveries carry two `v1,` signatures, the new secret's and the previous one's, so the partner can "
    "switch without losing a delivery.",
    tags=_TAGS,
    responses=responses(200, "The endpoint and its new secret", errors={**_UNKNOWN, 409: _BUSY}),
)
def rotate_secret(webhook_id: WebhookId, principal: Admin) -> Response[WebhookEndpointWithSecret]:
    endpoint, secret = service.rotate_secret(webhook_id, principal.user_id)
    return json_response(WebhookEndpointWithSecret.with_secret(endpoint, secret), private=True)


lambda_handler = http_handler(app)
