"""A real local HTTP server standing in for Razorpay's Orders API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class RazorpayStandIn:
    base_url: str = ""
    status: int = 200
    # What the next order creation answers; None means a generated order id.
    body: Any = None
    received: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    # When set, the answer's bytes come one per this many seconds, for at most a minute.
    drip_seconds: float | None = None


def _handler(state: RazorpayStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "json": json.loads(self.rfile.read(length)),
                }
            )
            state.created += 1
            answer = state.body if state.body is not None else {"id": f"order_rzp{state.created}"}
            payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if state.drip_seconds is None:
                self.wfile.write(payload)
            else:
                self._drip(payload, state.drip_seconds)

        def _drip(self, payload: bytes, seconds: float) -> None:
            deadline = time.monotonic() + 60
            for byte in payload:
                if time.monotonic() > deadline:
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return  # the client gave up
                time.sleep(seconds)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def razorpay_stand_in() -> Iterator[RazorpayStandIn]:
    state = RazorpayStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
