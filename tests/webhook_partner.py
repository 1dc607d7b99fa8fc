"""A partner's webhook receiver on 127.0.0.1, for the tests of deliveries (unit, integration, e2e).

It records every request (path, headers, body; and in `answered_at`, when it answered, on the
monotonic clock) and answers `script`'s answers in order, then `answer` for the rest:
(status, headers, body, delay_s).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes, float]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        server: Any = self.server
        with server.lock:
            server.received.append((self.path, dict(self.headers), self.rfile.read(length)))
            status, headers, body, delay_s = server.script.pop(0) if server.script else server.answer
        time.sleep(delay_s)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            with server.lock:
                server.answered_at.append(time.monotonic())
        except OSError:
            pass  # the sender gave up waiting (a timeout test)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # a real server's backlog: ten attempts at once must not wait for a SYN retry


def new_partner() -> Any:
    server: Any = _Server(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.received, server.script, server.answer = [], [], (204, {}, b"", 0.0)
    server.lock = threading.Lock()
    server.answered_at = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    return server


@contextmanager
def running(server: Any) -> Iterator[Any]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def wait_for_requests(server: Any, count: int, timeout_s: float = 30.0) -> list[tuple[str, dict[str, str], bytes]]:
    """The first `count` requests, waiting up to `timeout_s` for them (AssertionError after)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with server.lock:
            if len(server.received) >= count:
                return list(server.received)
        time.sleep(0.05)
    raise AssertionError(f"the partner got {len(server.received)} requests, not {count}, in {timeout_s:g} s")
