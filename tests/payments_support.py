"""Stripe webhooks as Stripe signs them, for the payments tests (no SDK needed to sign)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

LOCAL_WEBHOOK_SECRET = "whsec_local_dev_secret"  # the settings' default, printed by make dev


def stripe_signature(payload: bytes, secret: str = LOCAL_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """`t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>`, Stripe's header."""
    signed_at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), str(signed_at).encode() + b"." + payload, hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={digest}"


def intent_event(
    event_type: str = "payment_intent.succeeded",
    *,
    event_id: str = "evt_test_1",
    intent_id: str = "pi_test_1",
    order_id: str | None = "01ORDER",
    amount: int = 2599,
    currency: str = "usd",
    status: str = "succeeded",
) -> bytes:
    intent: dict[str, Any] = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "currency": currency,
        "status": status,
        "metadata": {"order_id": order_id} if order_id else {},
    }
    event = {"id": event_id, "object": "event", "type": event_type, "data": {"object": intent}}
    return json.dumps(event).encode()
