"""Warm sandboxed workers for a server: :class:`~derivcheck.grading.sandbox.Sandbox` shared by threads.

``grade`` runs its tasks through one ``Sandbox`` of several workers from one thread. A server gets
requests on many threads at once, so :class:`Pool` keeps ``workers`` one-worker sandboxes in a
queue: a request takes a free one, runs its task there (the same wall-time and memory limits,
the same kill-and-replace on overrun) and puts it back. The workers are forked once, after the
question bank and the grader's tables are loaded, so a task starts warm: no process is spawned
per request. A request finding every worker busy waits for one (at most ``wait`` seconds).
"""
from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import Any

from derivcheck.grading.limits import Limits
from derivcheck.grading.sandbox import Sandbox


class PoolClosed(RuntimeError):
    """The pool was closed (the server is shutting down)."""


class Busy(RuntimeError):
    """No worker became free within the wait."""


class Pool:
    """``workers`` warm, limited worker processes shared by threads (use as a context manager)."""

    def __init__(self, workers: int, limits: Limits, wait: float = 60.0) -> None:
        self.limits = limits
        self.wait = wait
        self._free: queue.Queue[Sandbox | None] = queue.Queue()
        self._boxes = [Sandbox(1, limits) for _ in range(max(1, workers))]
        for box in self._boxes:
            self._free.put(box)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
        """``fn(*args)`` in a free worker: ``("ok", result)``, or ``("timeout" | "crashed", reason)``
        as :meth:`Sandbox.run` reports it (an overrunning worker is killed and replaced)."""
        try:
            box = self._free.get(timeout=self.wait)
        except queue.Empty:
            raise Busy(f"no worker became free within {self.wait:g} s") from None
        if box is None:  # the closing sentinel: pass it on to the next waiter
            self._free.put(None)
            raise PoolClosed("the server is shutting down")
        try:
            for _, status, value in box.run(fn, [args]):
                return status, value
            return "crashed", "no result"  # pragma: no cover - run yields once per task
        finally:
            self._free.put(box)

    def close(self) -> None:
        """Stop every worker: each as it comes free (a busy one finishes its task first, within
        its time limit); one still busy after that is closed anyway."""
        remaining = list(self._boxes)
        self._boxes = []
        deadline = time.monotonic() + self.limits.seconds + 1
        while remaining:
            try:
                box = self._free.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if box is not None and box in remaining:
                remaining.remove(box)
                box.close()
        for box in remaining:
            box.close()
        self._free.put(None)
