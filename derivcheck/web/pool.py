"""Warm sandboxed workers for a server: one :class:`~derivcheck.grading.sandbox.Sandbox` shared by threads.

The sandbox's supervisor thread owns every worker (forks, warm-up, budgets, replacement); request
threads only hand tasks in and wait for their result, so a worker never depends on the life of a
request thread. A server's pool keeps one worker for clients that have not lately sent a slow
answer (``reserve``), bounds the queue (``max_pending``) and each client's share of it
(``per_client``), and lets a task wait at most ``wait`` seconds for a worker. Each refusal is an
exception the HTTP side turns into a strict-JSON 503 (or 429) with ``Retry-After``.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from derivcheck.grading.limits import Limits
from derivcheck.grading.sandbox import Busy, Closed, Sandbox, WarmItem

__all__ = ["Busy", "Pool", "PoolClosed", "Unavailable"]


class PoolClosed(Closed):
    """The pool was closed (the server is shutting down)."""


class Unavailable(RuntimeError):
    """No live worker could take the task (two were tried)."""

    retry_after = 2


class Pool:
    """``workers`` warm, limited worker processes shared by threads (use as a context manager)."""

    def __init__(self, workers: int, limits: Limits, wait: float = 30.0, warm: Sequence[WarmItem] = (), *,
                 reserve: int = 0, max_pending: int | None = None, per_client: int | None = None) -> None:
        self.limits = limits
        self.wait = wait
        self.box = Sandbox(workers, limits, list(warm), reserve=reserve, max_pending=max_pending,
                           per_client=per_client)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, fn: Callable[..., Any], args: tuple, client: Hashable = None) -> tuple[str, Any]:
        """``fn(*args)`` in a worker: ``("ok", result)`` or ``("timeout" | "crashed", reason)``;
        raises :class:`Busy`, :class:`Unavailable` or :class:`PoolClosed` when it cannot run."""
        try:
            status, value = self.box.call(fn, args, client, wait=self.wait)
        except Closed:
            raise PoolClosed("the server is shutting down") from None
        if status == "unavailable":
            raise Unavailable(str(value))
        return status, value

    async def acall(self, fn: Callable[..., Any], args: tuple, client: Hashable = None) -> tuple[str, Any]:
        """:meth:`call` for an event loop: the result is awaited, no thread waits for the worker."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def resolve() -> None:
            if not future.done():
                future.set_result(None)

        def done(_: Any) -> None:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(resolve)

        try:
            ticket = self.box.submit(fn, args, client, on_done=done)
        except Closed:
            raise PoolClosed("the server is shutting down") from None
        try:
            try:
                await asyncio.wait_for(asyncio.shield(future), self.wait)
            except asyncio.TimeoutError:
                if self.box.withdraw(ticket):
                    raise Busy(f"no worker became free within {self.wait:g} s",
                               retry_after=max(1, round(self.wait))) from None
                await future
        except asyncio.CancelledError:  # the client went away: its answer need not wait for a worker
            self.box.withdraw(ticket)
            raise
        status, value = ticket.status or "crashed", ticket.value
        if status == "unavailable":
            raise Unavailable(str(value))
        return status, value

    @property
    def workers(self) -> list:
        """The live workers (for tests and monitoring)."""
        return list(self.box.workers)

    def close(self) -> None:
        """Stop every worker; tasks still waiting report :class:`Unavailable`."""
        self.box.close()
