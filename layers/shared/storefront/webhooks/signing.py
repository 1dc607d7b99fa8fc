"""A partner webhook as sent: its body `{type, id, timestamp, data}` and Standard Webhooks headers.

`webhook-id` is the event id (stable across retries: a partner drops a repeat), the
timestamp the attempt's, and `webhook-signature` holds one `v1,` signature per live secret:
two for 24 hours after a rotation, so a partner can switch secrets without losing a message.
Signing is the `standardwebhooks` package's, the reference implementation partners verify with.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A signing secret as shown to the admin once: `whsec_` + 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@dataclass(frozen=True)
class Message:
    """One event for one endpoint; the same message (and body) on every attempt."""

    event_id: str
    event_type: str
    occurred_at: datetime
    data: dict[str, Any]

    def body(self) -> bytes:
        document = {
            "type": self.event_type,
            "id": self.event_id,
            "timestamp": self.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": self.data,
        }
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(message: Message, body: bytes, live_secrets: list[str], sent_at: datetime) -> dict[str, str]:
    """The headers of one attempt, signed with every live secret (newest first)."""
    if not live_secrets:
        raise ValueError("a delivery needs at least one secret")
    signatures = [Webhook(secret).sign(message.event_id, sent_at, body) for secret in live_secrets]
    return {
        "content-type": "application/json",
        "webhook-id": message.event_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
