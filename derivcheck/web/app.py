"""The HTTP side of the self-check page (CONTRACT.md, "Self-check page"): a Starlette app.

``GET /`` the page, ``GET /static/...`` its script and style sheet, ``GET /api/questions`` the
bank, ``POST /api/read`` and ``POST /api/check`` with ``{"question", "answer"}``. Every response of
the API is strict JSON (no NaN or Infinity); a request body over :data:`MAX_BODY` bytes is refused
with 413, an answer over :data:`MAX_ANSWER` characters with 413, anything else malformed with 400,
an unknown question with 404, each as ``{"error": {"message", "position": null}}``. The work
runs in the service's sandboxed workers (:class:`~.service.SelfCheck`), off the event loop.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from derivcheck.cli.common import strict

from .page import render
from .pool import Busy, PoolClosed
from .service import SelfCheck

STATIC = Path(__file__).parent / "static"
#: Largest request body read, in bytes.
MAX_BODY = 64 * 1024
#: Longest answer, in characters (a derivation of many lines; each line has the grader's own limit).
MAX_ANSWER = 16 * 1024
#: Sent with every response: only this server's own script, style and fetches; no framing.
HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
#: API answers are never stored by a cache; the page and its files are revalidated (ETag) on each load.
CACHE_CONTROL = {True: "no-store", False: "no-cache"}


class StrictJSON(Response):
    """A strict JSON response (non-finite numbers as strings, see ``check --json``)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(strict(content), allow_nan=False, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")


def error(status: int, message: str) -> StrictJSON:
    """The API's error document."""
    return StrictJSON({"error": {"message": message, "position": None}}, status_code=status)


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                wanted = {**HEADERS, "cache-control": CACHE_CONTROL[str(scope.get("path", "")).startswith("/api/")]}
                extra = [(k.encode(), v.encode()) for k, v in wanted.items() if k.encode() not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _json_body(request: Request) -> dict[str, str] | StrictJSON:
    """``{"question", "answer"}`` from the body, or the error response to send instead."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return error(413, f"the request body is over {MAX_BODY // 1024} KiB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return error(413, f"the request body is over {MAX_BODY // 1024} KiB")
    try:
        doc = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)[:200]
        return error(400, f"the body must be a JSON object {{\"question\", \"answer\"}} ({reason})")
    if not isinstance(doc, dict) or not isinstance(doc.get("question"), str) or not isinstance(doc.get("answer"), str):
        return error(400, 'the body must be a JSON object {"question": str, "answer": str}')
    if len(doc["answer"]) > MAX_ANSWER:
        return error(413, f"the answer is {len(doc['answer']):,} characters long (at most {MAX_ANSWER:,})")
    return {"question": doc["question"], "answer": doc["answer"]}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def create_app(service: SelfCheck, allowed_hosts: list[str] | None = None) -> Starlette:
    """The app serving ``service``; ``allowed_hosts`` (e.g. the loopback names when bound to
    127.0.0.1) refuses requests for any other ``Host``, which stops DNS-rebinding pages."""
    page = render(service.describe())

    async def index(request: Request) -> Response:
        return HTMLResponse(page)

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    async def questions(request: Request) -> Response:
        return StrictJSON(service.describe())

    async def read(request: Request) -> Response:
        return await _answer(request, service.read)

    async def check(request: Request) -> Response:
        return await _answer(request, service.check)

    async def _answer(request: Request, fn: Any) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        if body["question"] not in service.questions:
            return error(404, f"unknown question {body['question'][:100]!r}; choose from: "
                              f"{', '.join(service.questions)}")
        try:
            return StrictJSON(await run_in_threadpool(fn, body["question"], body["answer"]))
        except (Busy, PoolClosed) as err:
            return error(503, str(err))

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        return error(status, str(detail))

    routes = [
        Route("/", index),
        Route("/favicon.ico", no_icon),
        Route("/api/questions", questions),
        Route("/api/read", read, methods=["POST"]),
        Route("/api/check", check, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})
