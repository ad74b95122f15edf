"""Worker processes that run checks under a wall-time and memory limit, killed on overrun.

``Sandbox(workers, limits)`` forks workers that inherit the parent's loaded modules (the question
bank, SymPy), so a task starts warm. Each worker caps its address space at its size when forked
plus ``limits.memory_mb``. ``run(tasks)`` yields ``(index, status, value)`` as tasks finish, in any
order: status ``ok`` with the function's result, ``timeout`` when a task ran past
``limits.seconds`` (its worker is killed and replaced) or ``crashed`` when its worker died
(out of memory, a signal); a task never blocks the others and never takes the parent down.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

from .limits import DEFAULT, Limits

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - not Linux
        return 0


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when its parent dies (even by ``kill -9``); elsewhere, or if
    the parent is already gone, the worker exits when its pipe closes or now."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _worker(conn: Connection, memory_mb: int, parent: int) -> None:
    _die_with_parent(parent)
    try:
        limit = _address_space() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # pragma: no cover
        pass
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        index, fn, args = message
        try:
            conn.send((index, "ok", fn(*args)))
        except MemoryError:
            conn.send((index, "crashed", "out of memory"))
        except RecursionError:
            conn.send((index, "crashed", "expression too deeply nested"))
        except Exception as err:  # noqa: BLE001 - a task's failure is reported, never fatal
            conn.send((index, "crashed", f"{type(err).__name__}: {err}"))


class _Slot:
    def __init__(self, ctx: Any, memory_mb: int) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, memory_mb, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.proc.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(timeout=1)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class Sandbox:
    """A pool of limited worker processes (use as a context manager)."""

    def __init__(self, workers: int = 1, limits: Limits = DEFAULT):
        self.limits = limits
        self.ctx = mp.get_context("fork")
        self.slots = [_Slot(self.ctx, limits.memory_mb) for _ in range(max(1, workers))]

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for slot in self.slots:
            slot.stop()
        self.slots = []

    def run(self, fn: Callable[..., Any], tasks: Iterable[tuple]) -> Iterator[tuple[int, str, Any]]:
        """Run fn(*args) for each args in ``tasks``; yield (index, status, value) as they finish."""
        pending = list(enumerate(tasks))
        pending.reverse()
        busy = 0
        while pending or busy:
            for slot in self.slots:
                if slot.task is None and pending:
                    index, args = pending.pop()
                    slot.conn.send((index, fn, args))
                    slot.task, slot.deadline = index, time.monotonic() + self.limits.seconds
                    busy += 1
            now = time.monotonic()
            timeout = max(0.0, min((s.deadline for s in self.slots if s.task is not None), default=now) - now)
            ready = wait([s.conn for s in self.slots if s.task is not None], timeout=timeout)
            for i, slot in enumerate(self.slots):
                if slot.task is None:
                    continue
                if slot.conn in ready:
                    try:
                        index, status, value = slot.conn.recv()
                    except (EOFError, OSError):
                        index, status, value = slot.task, "crashed", "the worker died (out of memory?)"
                        self._replace(i, kill=True)
                    else:
                        self.slots[i].task = None
                    busy -= 1
                    yield index, status, value
                elif time.monotonic() >= slot.deadline:
                    index = slot.task
                    self._replace(i, kill=True)
                    busy -= 1
                    yield index, "timeout", f"no decision within {self.limits.seconds:g} s"

    def _replace(self, i: int, kill: bool) -> None:
        self.slots[i].stop(kill=kill)
        self.slots[i] = _Slot(self.ctx, self.limits.memory_mb)


def run_one(fn: Callable[..., Any], args: tuple, limits: Limits = DEFAULT) -> tuple[str, Any]:
    """Run one task in a fresh limited worker: (status, value)."""
    with Sandbox(1, limits) as box:
        for _, status, value in box.run(fn, [args]):
            return status, value
    return "crashed", "no result"  # pragma: no cover
