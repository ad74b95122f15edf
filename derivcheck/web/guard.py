"""Connection limits below the app: uvicorn's HTTP/1.1 protocol with deadlines and per-address caps.

uvicorn reads a request's headers and body without a deadline and answers its own refusals in plain
text. :func:`guarded` returns its h11 protocol with, per connection:

- a deadline of ``request_seconds`` for each request, from its first byte (or from the connection's
  opening) to its last body byte: a client trickling headers or a body a byte at a time is answered
  ``408`` and disconnected, instead of holding a connection slot forever;
- a cap of ``per_address`` open connections per client address and ``max_connections`` in all:
  the connection over it is answered ``503`` with ``Retry-After`` and closed at once;
- every refusal, and uvicorn's own ``400`` for a malformed request and ``500``, as the API's
  strict-JSON error document (:func:`error_bytes`).
"""
from __future__ import annotations

import json
from collections import Counter
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds from a request's first byte to its last (headers and body together).
REQUEST_SECONDS = 10.0
#: Open connections per client address, and in all.
PER_ADDRESS = 64
MAX_CONNECTIONS = 1024


def error_body(message: str) -> bytes:
    """The API's error document, strict JSON (ASCII: a lone surrogate cannot break it)."""
    return json.dumps({"error": {"message": message, "position": None}}, ensure_ascii=True).encode()


def error_bytes(status: int, message: str, retry_after: int | None = None) -> bytes:
    """A complete HTTP/1.1 response carrying the error document, closing the connection."""
    body = error_body(message)
    head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "content-type: application/json",
            f"content-length: {len(body)}", "connection: close", "cache-control: no-store",
            "x-content-type-options: nosniff"]
    if retry_after is not None:
        head.append(f"retry-after: {retry_after}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def guarded(request_seconds: float = REQUEST_SECONDS, per_address: int = PER_ADDRESS,
            max_connections: int = MAX_CONNECTIONS) -> type[H11Protocol]:
    """uvicorn's h11 protocol class with the deadlines and caps above (pass as ``http=``)."""
    open_by_address: Counter[str] = Counter()

    class Guarded(H11Protocol):
        _deadline: Any = None
        _address: str | None = None
        _refused = False

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._address = self.client[0] if self.client else "?"
            open_by_address[self._address] += 1
            if open_by_address[self._address] > per_address:
                self._refuse(503, f"over {per_address} open connections from this address", 5)
            elif len(self.connections) > max_connections:
                self._refuse(503, f"over {max_connections} open connections", 5)
            else:
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._address is not None:
                open_by_address[self._address] -= 1
                if open_by_address[self._address] <= 0:
                    del open_by_address[self._address]
                self._address = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return  # the answer is sent; what the client still sends is dropped
            if self._deadline is None and self.conn.their_state is h11.IDLE:
                self._arm()  # the first byte of the next request on a kept-alive connection
            super().data_received(data)
            if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
                self._disarm()  # the whole request is in

        def send_400_response(self, msg: str) -> None:
            self._refuse(400, msg)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(request_seconds, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
                started = self.cycle is not None and getattr(self.cycle, "response_started", False)
                if started:
                    self.transport.close()
                else:
                    self._refuse(408, f"the request was not received within {request_seconds:g} s")

        def _refuse(self, status: int, message: str, retry_after: int | None = None) -> None:
            """Answer with the error and close: our side at once, the socket a moment later (closing
            it with unread bytes from the client would reset the connection before the answer is read)."""
            self._disarm()
            if self._refused or self.transport.is_closing():
                return
            self._refused = True
            self.transport.write(error_bytes(status, message, retry_after))
            if self.transport.can_write_eof():
                self.transport.write_eof()
                self.loop.call_later(1.0, self.transport.close)
            else:  # pragma: no cover - TLS transports cannot half-close
                self.transport.close()

    return Guarded
