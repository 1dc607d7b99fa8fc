"""A partner's webhook receiver: every delivery verified with the `standardwebhooks` package.

Run it with the secret the store showed when the endpoint was registered:
`WEBHOOK_SECRET=whsec_... python examples/partner_receiver.py` (port 8000, or PORT).
Only the standard library and `pip install standardwebhooks`; docs/extending.md walks through it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

Handle = Callable[[dict[str, Any]], None]


def receiver(secret: str, handle: Handle, port: int = 8000) -> HTTPServer:
    webhook = Webhook(secret)

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            try:  # the signature, and a timestamp within 5 minutes (no replays)
                event = webhook.verify(body, dict(self.headers))
            except WebhookVerificationError:
                self.send_error(400, "bad signature")
                return
            handle(event)  # {type, id, timestamp, data}; an id seen before is a repeat: skip it
            self.send_response(204)
            self.end_headers()

    return HTTPServer(("127.0.0.1", port), Receiver)


if __name__ == "__main__":
    server = receiver(
        os.environ["WEBHOOK_SECRET"], lambda event: print(json.dumps(event)), int(os.environ.get("PORT", 8000))
    )
    server.serve_forever()
