"""The HTTP side of the self-check page (docs/interface.md, "Self-check page"): a Starlette app.

``GET /`` the page (``?sheet=ID``: another served sheet's), ``GET /static/...`` its script and style
sheet, ``GET /api/sheets`` the served sheets, ``GET /api/questions`` a sheet's bank (``?sheet=ID``),
``POST /api/read`` and ``POST /api/check`` with ``{"question", "answer"[, "sheet"]}``. Every response of
the API and every error of the app is strict JSON rendered by :func:`error` (no NaN or Infinity,
ASCII-safe: an unpaired surrogate cannot break it): a request body over :data:`MAX_BODY` bytes or
an answer over :data:`MAX_ANSWER` characters 413, a body not received within
:data:`BODY_SECONDS` 408, a body that is not ``application/json`` 415, a POST from another origin
403 (a browser names it in ``Origin`` or ``Sec-Fetch-Site``; a page elsewhere cannot post here),
a wrong ``Host`` 400, anything else malformed (an unpaired surrogate too) 400, an unknown question
or path 404, a wrong method 405, a full queue or too many API requests at once 503 and a client
over its share 429 (both with ``Retry-After``), a fault 500. The work runs in the service's
sandboxed workers (:class:`~.service.SelfCheck`); a request awaits its result without holding a
thread.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from derivcheck.cli.common import strict

from .page import render
from .pool import Busy, PoolClosed, Unavailable
from .service import SelfCheck, UnknownSheet

STATIC = Path(__file__).parent / "static"
#: Largest request body read, in bytes.
MAX_BODY = 64 * 1024
#: Longest answer, in characters (a derivation of many lines; each line has the grader's own limit).
MAX_ANSWER = 16 * 1024
#: Seconds to receive a request's body (uvicorn's guard, :mod:`.guard`, bounds headers and body too).
BODY_SECONDS = 10.0
#: API requests in progress at once (beyond: 503).
MAX_API_REQUESTS = 512
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
_SURROGATE = re.compile("[\ud800-\udfff]")


class StrictJSON(Response):
    """A strict JSON response (non-finite numbers as strings, see ``check --json``); ASCII, so a
    string holding an unpaired surrogate is escaped rather than breaking the encoder."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(strict(content), allow_nan=False, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def error(status: int, message: str, retry_after: int | None = None,
          headers: Mapping[str, str] | None = None) -> StrictJSON:
    """The API's one error document, ``{"error": {"message", "position": null}}``."""
    extra = dict(headers or {})
    if retry_after is not None:
        extra["retry-after"] = str(retry_after)
    return StrictJSON({"error": {"message": message, "position": None}}, status_code=status, headers=extra)


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


class Gate:
    """ASGI middleware in front of the app: a ``Host`` outside ``allowed_hosts`` (when given) is
    refused with 400, a POST from a foreign origin with 403, a POST body that is not JSON with 415,
    an API request beyond :data:`MAX_API_REQUESTS` in progress with 503; each as :func:`error`."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str] | None = None) -> None:
        self.app = app
        self.allowed = None if not allowed_hosts else {h.lower() for h in allowed_hosts}
        self.in_progress = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith("/api/")
        if api and self.in_progress >= MAX_API_REQUESTS:
            await error(503, f"over {MAX_API_REQUESTS} requests in progress", retry_after=5)(scope, receive, send)
            return
        self.in_progress += api
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_progress -= api

    def refusal(self, scope: Scope) -> Response | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if self.allowed is not None and name.lower() not in self.allowed:
            return error(400, "this server answers requests for this machine only (invalid Host header)")
        if scope.get("method") != "POST":
            return None
        origin = headers.get("origin")
        if origin is not None and origin != "null" and _authority(origin) != host.lower():
            return error(403, f"requests from another origin ({origin[:100]}) are refused")
        if origin == "null" or headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return error(403, "requests from another site are refused")
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return error(415, f"the body must be application/json, not {kind[:60] or 'unnamed'}")
        return None


def _authority(origin: str) -> str:
    """``host[:port]`` of an ``Origin`` header (``scheme://host[:port]``), lower case."""
    return origin.split("://", 1)[-1].rstrip("/").lower()


async def _json_body(request: Request) -> dict[str, str] | StrictJSON:
    """``{"question", "answer"}`` (and ``"sheet"`` when given) from the body, or the error response
    to send instead."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return error(413, f"the request body is over {MAX_BODY // 1024} KiB")
    body = bytearray()
    try:
        with anyio.fail_after(BODY_SECONDS):
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    return error(413, f"the request body is over {MAX_BODY // 1024} KiB")
    except TimeoutError:
        return error(408, f"the request body was not received within {BODY_SECONDS:g} s")
    except ClientDisconnect:
        return error(400, "the client went away before sending the whole body")
    try:
        doc = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)[:200]
        return error(400, f"the body must be a JSON object {{\"question\", \"answer\"}} ({reason})")
    if not isinstance(doc, dict) or not isinstance(doc.get("question"), str) or not isinstance(doc.get("answer"), str):
        return error(400, 'the body must be a JSON object {"question": str, "answer": str}')
    if "sheet" in doc and not isinstance(doc["sheet"], str):
        return error(400, 'the body\'s "sheet", when given, must be a string (a served sheet\'s id)')
    if len(doc["answer"]) > MAX_ANSWER:
        return error(413, f"the answer is {len(doc['answer']):,} characters long (at most {MAX_ANSWER:,})")
    for key in ("question", "answer", "sheet"):
        bad = _SURROGATE.search(doc.get(key) or "")
        if bad:
            return error(400, f"the {key} holds an unpaired surrogate (U+{ord(bad.group()):04X}) at character "
                              f"{bad.start()}: it is not text")
    return {"question": doc["question"], "answer": doc["answer"], **({"sheet": doc["sheet"]} if "sheet" in doc else {})}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def create_app(service: SelfCheck, allowed_hosts: list[str] | None = None) -> Starlette:
    """The app serving ``service``; ``allowed_hosts`` (e.g. the loopback names when bound to
    127.0.0.1) refuses requests for any other ``Host``, which stops DNS-rebinding pages."""
    listed = [{"id": s.id, "title": s.title} for s in service.sheets.values()]
    pages = {sheet_id: render(service.describe(sheet_id), sheet=sheet_id, sheets=listed) for sheet_id in service.sheets}

    async def index(request: Request) -> Response:
        sheet_id = request.query_params.get("sheet")
        if sheet_id is None:
            return HTMLResponse(next(iter(pages.values())))
        if sheet_id not in pages:
            return error(404, f"unknown sheet {sheet_id[:100]!r}; choose from: {', '.join(pages)}")
        return HTMLResponse(pages[sheet_id])

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    async def sheets(request: Request) -> Response:
        return StrictJSON({"sheets": listed})

    async def questions(request: Request) -> Response:
        try:
            return StrictJSON(service.describe(request.query_params.get("sheet")))
        except UnknownSheet as err:
            return error(404, str(err.args[0]))

    async def read(request: Request) -> Response:
        return await _answer(request, service.read_async)

    async def check(request: Request) -> Response:
        return await _answer(request, service.check_async)

    async def _answer(request: Request, fn: Any) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        try:
            served = service.sheet(body.get("sheet"))
        except UnknownSheet as err:
            return error(404, str(err.args[0]))
        if body["question"] not in served.questions:
            return error(404, f"unknown question {body['question'][:100]!r}; choose from: "
                              f"{', '.join(served.questions)}")
        client = request.client.host if request.client else None
        try:
            return StrictJSON(await fn(body["question"], body["answer"], client, served.id))
        except Busy as err:
            return error(429 if err.client else 503, str(err), retry_after=err.retry_after)
        except Unavailable as err:
            return error(503, str(err), retry_after=Unavailable.retry_after)
        except PoolClosed as err:
            return error(503, str(err), retry_after=5)

    async def http_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return error(exc.status_code, str(exc.detail), headers=exc.headers)
        return error(500, "internal error")

    routes = [
        Route("/", index),
        Route("/favicon.ico", no_icon),
        Route("/api/sheets", sheets),
        Route("/api/questions", questions),
        Route("/api/read", read, methods=["POST"]),
        Route("/api/check", check, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders), Middleware(Gate, allowed_hosts=allowed_hosts)]
    return Starlette(routes=routes, middleware=middleware,
                     exception_handlers={HTTPException: http_error, Exception: http_error})
