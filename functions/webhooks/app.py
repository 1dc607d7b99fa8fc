"""Partner webhook endpoints (admin): register, list, read, change, delete, rotate the signing secret;
an endpoint's delivery log, a test event, one delivery again (the last two queued for the sender)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from storefront.domain.webhooks import redelivery, service
from storefront.http.openapi import BAD_CURSOR, responses
from storefront.http.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from storefront.http.params import Admin, DeliveryId, WebhookId
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.webhooks import (
    WebhookDeliveryAttempt,
    WebhookDeliveryList,
    WebhookDeliveryQueued,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointList,
    WebhookEndpointPatch,
    WebhookEndpointWithSecret,
)
from storefront.webhooks.queue import SqsQueue

app = make_resolver()
queue = SqsQueue()

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


@app.get(
    "/v1/webhooks/<webhook_id>/deliveries",
    summary="An endpoint's delivery log (admin)",
    description="Every attempt to deliver an event to the endpoint, newest first, kept 30 days: its status, "
    "duration, the first 1 KB of the answer (as text) and when the next attempt is due.",
    tags=_TAGS,
    responses=responses(200, "A page of attempts", errors={**_UNKNOWN, **BAD_CURSOR}),
)
def list_deliveries(
    webhook_id: WebhookId, principal: Admin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[WebhookDeliveryList]:
    page = paginate(
        lambda size, start: redelivery.delivery_log(webhook_id, size, start),
        limit=limit,
        cursor=cursor,
        caller=principal.user_id,
        scope=f"webhook-deliveries:{webhook_id}",
    )
    items = [WebhookDeliveryAttempt.of(record) for record in page.items]
    return json_response(WebhookDeliveryList(items=items, next_cursor=page.next_cursor), private=True)


@app.post(
    "/v1/webhooks/<webhook_id>/deliveries/<delivery_id>/retry",
    summary="Deliver one logged event again (admin)",
    description="Queues the event of that log line for one more attempt, with the same `webhook-id` and body "
    "(the partner may drop it as a repeat) and fresh signatures; no retries follow it. Works on an endpoint "
    "that is off.",
    tags=_TAGS,
    responses=responses(
        202, "Queued: the attempt shows in the delivery log", errors={404: "No such endpoint, or no such line"}
    ),
)
def retry_delivery(webhook_id: WebhookId, delivery_id: DeliveryId, principal: Admin) -> Response[WebhookDeliveryQueued]:
    again = redelivery.redeliver(webhook_id, delivery_id, principal.user_id, queue)
    return json_response(WebhookDeliveryQueued.of(again), 202, private=True)


@app.post(
    "/v1/webhooks/<webhook_id>/test",
    summary="Send a test event (admin)",
    description="Queues a `webhook.test` event (`data: {webhook_id}`) for the endpoint, whatever it "
    "subscribes to and even when it is off: one attempt, signed like every delivery.",
    tags=_TAGS,
    responses=responses(202, "Queued: the attempt shows in the delivery log", errors=_UNKNOWN),
)
def send_test(webhook_id: WebhookId, principal: Admin) -> Response[WebhookDeliveryQueued]:
    test = redelivery.send_test(webhook_id, principal.user_id, queue)
    return json_response(WebhookDeliveryQueued.of(test), 202, private=True)


lambda_handler = http_handler(app)
