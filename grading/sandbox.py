"""Worker processes that run checks under a CPU-time and memory limit, killed on overrun.

One long-lived supervisor thread per :class:`Sandbox` owns every worker: it forks them, warms
them, hands them tasks, watches their budgets and replaces them. Nothing else forks, so Linux's
parent-death signal (which follows the *thread* that forked a worker) fires only when the sandbox
closes or the process dies, never when a short-lived request thread exits.

- **Budget.** A task may use ``limits.seconds`` of the worker's CPU time (utime + stime read from
  ``/proc/PID/stat``, counted from the moment the task is sent), so a verdict does not depend on
  the machine's load. As safety nets only, a worker whose CPU time has not moved for
  ``WALL_FACTOR`` times the budget in wall-clock time (stopped, blocked, wholly starved) is stopped
  too, and so is one still running after ``HARD_FACTOR`` times the budget: a busy machine slows a
  worker down but never times it out. Either way the worker is killed and replaced and the task
  reports ``timeout``.
- **Memory.** Each worker caps its address space at its size when forked plus ``limits.memory_mb``.
- **Warm-up.** Each worker runs the warm-up items (:mod:`.warmup`: the bank, one derivation check of
  each model) before its first task, each under the same budget as an answer; their cost is never
  charged to a task.
- **Healing.** A worker found dead or stopped before a task is sent is replaced first; a worker that
  dies during a task is replaced and the task sent once more (``crashed`` if it dies again);
  a task that cannot be handed to a live worker twice reports ``unavailable``.
- **Fairness.** Tasks carry a client key (a server passes the connection's address; a batch passes
  none). A client is *heavy* while one of its tasks in the last :data:`HEAVY_WINDOW` seconds
  cost over :data:`HEAVY_CPU` seconds of CPU, or before its first task has finished; ``reserve``
  workers are kept for the other clients. Among the tasks a free worker may take, light clients go first, then the
  client served least recently, then first come first served.

``run(fn, tasks)`` yields ``(index, status, value)`` as tasks finish, in any order: status ``ok``
with the function's result, ``timeout``, ``crashed`` (the worker died or the task raised, the
value says why) or ``unavailable``. ``submit`` hands one task in and returns a :class:`Ticket`.
"""
from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing as mp
import os
import resource
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from .limits import DEFAULT, Limits

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: The wall-clock stop for a worker whose CPU time stands still, as a multiple of the CPU budget (a
#: safety net for a stopped, blocked or wholly starved worker).
WALL_FACTOR = 10.0
#: The wall-clock stop for any task, as a multiple of the CPU budget: far past what a loaded machine
#: takes (100 times the budget is a 1% share of one core).
HARD_FACTOR = 100.0
#: Seconds a client stays heavy after a task that cost over :data:`HEAVY_CPU` seconds of CPU (five
#: to ten normal checks; half the budget when that is less).
HEAVY_WINDOW = 60.0
HEAVY_CPU = 0.25
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class Busy(RuntimeError):
    """No room for the task: the queue, or the client's share of it, is full (try again later)."""

    def __init__(self, message: str, retry_after: int = 5, client: bool = False) -> None:
        super().__init__(message)
        self.retry_after, self.client = retry_after, client


class Closed(RuntimeError):
    """The sandbox is closed (e.g. the server is shutting down)."""


class WarmUpError(RuntimeError):
    """A warm-up item failed when the sandbox started (the message names it)."""


@dataclass(frozen=True)
class WarmItem:
    """One step of a worker's warm-up: ``fn(*args)``, named by ``label`` when it fails."""

    label: str
    fn: Callable[..., Any]
    args: tuple = ()


@dataclass(eq=False)
class Ticket:
    """One task handed to the sandbox; :meth:`result` waits for its (status, value)."""

    index: int
    fn: Callable[..., Any]
    args: tuple
    client: Hashable = None
    tries: int = 0
    created: float = field(default_factory=time.monotonic)
    status: str | None = None
    value: Any = None
    on_done: Callable[[Ticket], None] | None = None
    _event: threading.Event = field(default_factory=threading.Event)

    def finish(self, status: str, value: Any) -> None:
        if self.status is None:
            self.status, self.value = status, value
            self._event.set()
            if self.on_done is not None:
                self.on_done(self)

    def result(self, timeout: float | None = None) -> tuple[str, Any] | None:
        """(status, value), or None when not finished within ``timeout`` seconds."""
        if not self._event.wait(timeout):
            return None
        return self.status or "crashed", self.value


# --- the worker process ------------------------------------------------------------------------

def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - not Linux
        return 0


def _find_prctl() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return None


#: Looked up once here: a forked worker must not call the dynamic loader (its lock may be held).
_PRCTL = _find_prctl()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the thread that forked it dies (the supervisor, which
    lives as long as the sandbox); elsewhere, or if the parent is already gone, the worker exits
    when its pipe closes or now."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _fresh_stdio() -> None:
    """New ``sys.stdout``/``sys.stderr`` objects on the same descriptors: a lock another thread of
    the parent held at the fork would otherwise be held forever in the worker."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        with contextlib.suppress(OSError, ValueError):
            setattr(sys, name, open(fd, "w", closefd=False, buffering=1, errors="backslashreplace"))  # noqa: SIM115


def _worker(conn: Connection, memory_mb: int, parent: int) -> None:
    _die_with_parent(parent)
    _fresh_stdio()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when its workers stop
    with contextlib.suppress(ValueError, OSError):
        limit = _address_space() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        ident, fn, args = message
        try:
            reply = (ident, "ok", fn(*args))
        except MemoryError:
            reply = (ident, "crashed", "out of memory")
        except RecursionError:
            reply = (ident, "crashed", "expression too deeply nested")
        except Exception as err:  # noqa: BLE001 - a task's failure is reported, never fatal
            reply = (ident, "crashed", f"{type(err).__name__}: {err}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        except Exception as err:  # noqa: BLE001 - a result that cannot be pickled
            conn.send((ident, "crashed", f"the result cannot be sent back ({type(err).__name__})"))


def _proc_stat(pid: int) -> tuple[str, float] | None:
    """(state letter, CPU seconds used) of a process from ``/proc``; None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return fields[0].decode(), (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return None


class _Process:
    """A forked child: alive, killed, waited for (what ``multiprocessing.Process`` offers, without
    its start-up code, which flushes stdio and could block on a lock held at the fork)."""

    def __init__(self, target: Callable[..., None], args: tuple) -> None:
        parent = os.getpid()
        self.exitcode: int | None = None
        self.pid = os.fork()
        if self.pid == 0:  # the worker
            code = 0
            try:
                target(*args, parent)
            except BaseException:  # noqa: BLE001 - a worker never returns into the parent's code
                code = 1
            finally:
                os._exit(code)

    def is_alive(self) -> bool:
        if self.exitcode is not None:
            return False
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            self.exitcode = -1
            return False
        if pid == 0:
            return True
        self.exitcode = os.waitstatus_to_exitcode(status)
        return False

    def kill(self) -> None:
        if self.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.is_alive():
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(0.005)


class _Worker:
    """One worker process, its pipe and what it is doing."""

    def __init__(self, memory_mb: int, warm: Sequence[WarmItem]) -> None:
        self.conn, child = mp.Pipe()
        self.proc = _Process(_worker, (child, memory_mb))
        child.close()
        self.warm = deque(warm)           # warm-up items still to run, in order
        self.ticket: Ticket | None = None  # the task it runs (None: idle or warming)
        self.item: WarmItem | None = None  # the warm-up item it runs
        self.heavy = False                 # whether the running task's client is heavy
        self.cpu0 = 0.0
        self.started = 0.0
        self.budget = 0.0
        self.moved = (0.0, 0.0)           # (CPU seconds, monotonic time) when its CPU time last moved

    @property
    def running(self) -> bool:
        return self.ticket is not None or self.item is not None

    def cpu(self) -> float | None:
        stat = _proc_stat(self.proc.pid) if self.proc.pid else None
        return None if stat is None else stat[1]

    def healthy(self) -> tuple[bool, float]:
        """Whether the idle worker can take a task (alive, not stopped, nothing unexpected on its
        pipe), and its CPU seconds so far."""
        stat = _proc_stat(self.proc.pid) if self.proc.pid else None
        if not self.proc.is_alive():
            return False, 0.0
        try:
            if self.conn.poll(0):  # an idle worker says nothing: this is its pipe closing
                return False, 0.0
        except (OSError, ValueError):
            return False, 0.0
        if stat is None:  # no /proc: count wall time instead
            return True, time.monotonic()
        return stat[0] not in ("Z", "X", "T", "t"), stat[1]

    def send(self, ident: Any, fn: Callable[..., Any], args: tuple, budget: float, cpu0: float) -> bool:
        try:
            self.conn.send((ident, fn, args))
        except (OSError, ValueError):
            return False
        self.cpu0, self.started, self.budget = cpu0, time.monotonic(), budget
        self.moved = (cpu0, self.started)
        return True

    def used(self) -> tuple[float, float, float]:
        """(CPU seconds, wall seconds) since the running task was sent, and the wall seconds since
        its CPU time last moved (as seen by these calls)."""
        now = time.monotonic()
        cpu = self.cpu()
        if cpu is None:  # no /proc: count wall time instead
            return now - self.started, now - self.started, 0.0
        if cpu > self.moved[0]:
            self.moved = (cpu, now)
        return cpu - self.cpu0, now - self.started, now - self.moved[1]

    def overrun(self) -> str | None:
        """Why the running task must stop (its CPU budget spent, or a safety net), else None."""
        cpu, wall, still = self.used()
        if cpu >= self.budget:
            return f"no decision within {self.budget:g} s of CPU time"
        if still >= WALL_FACTOR * self.budget:
            return f"no CPU time used for {WALL_FACTOR * self.budget:g} s (wall clock)"
        if wall >= HARD_FACTOR * self.budget:
            return f"no decision within {HARD_FACTOR * self.budget:g} s (wall clock)"
        return None

    def due(self) -> float:
        """Wall seconds until :meth:`overrun` could first say yes (CPU time cannot pass faster
        than wall time in a single-threaded worker)."""
        cpu, wall, still = self.used()
        return min(self.budget - cpu, WALL_FACTOR * self.budget - still, HARD_FACTOR * self.budget - wall)

    def stop(self, kill: bool = False) -> None:
        with contextlib.suppress(OSError, ValueError):
            if kill:
                self.proc.kill()
            else:
                self.conn.send(None)
        self.proc.join(timeout=1)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


@dataclass
class _Client:
    """What the scheduler remembers of one client."""

    heavy_until: float = float("inf")  # heavy until its first task finishes
    served: float = 0.0                # when it last had a task sent
    queued: int = 0                    # its tasks pending or running


class Sandbox:
    """A pool of limited worker processes run by one supervisor thread (use as a context manager).

    ``warm``: items every worker runs before its first task; when given, the constructor waits
    until every worker has run them and raises :class:`WarmUpError` naming an item that failed
    or overran the budget. Without it, :meth:`run` derives the warm-up from the task function
    (:func:`.warmup.items_for`), and a failing item only leaves that worker cold.
    ``reserve``: workers kept for light clients; ``max_pending``: tasks waiting for a worker
    (beyond: :class:`Busy`); ``per_client``: tasks of one client pending or running.
    """

    def __init__(self, workers: int = 1, limits: Limits = DEFAULT, warm: Sequence[WarmItem] | None = None, *,
                 reserve: int = 0, max_pending: int | None = None, per_client: int | None = None) -> None:
        self.limits = limits
        self.size = max(1, workers)
        self.reserve = min(max(0, reserve), self.size - 1)
        self.max_pending, self.per_client = max_pending, per_client
        self._warm: list[WarmItem] | None = list(warm) if warm is not None else None
        self._lock = threading.Lock()
        self._pending: dict[Hashable, deque[Ticket]] = {}
        self._clients: dict[Hashable, _Client] = {}
        self._count = itertools.count()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._closing = False
        self._strict = warm is not None
        self._warmed = threading.Event()
        self._failure: str | None = None
        self.workers: list[_Worker] = []
        self.replaced = 0  # workers replaced (dead, stopped, killed on overrun)
        self._thread = threading.Thread(target=self._supervise, name="derivcheck-sandbox", daemon=True)
        self._thread.start()
        if self._strict:
            self._warmed.wait()
            if self._failure is not None:
                self.close()
                raise WarmUpError(self._failure)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- handing tasks in ----------------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], args: tuple, client: Hashable = None,
               on_done: Callable[[Ticket], None] | None = None, index: int = 0) -> Ticket:
        """Queue ``fn(*args)`` for ``client``; raises :class:`Busy` when the queue or the client's
        share is full, :class:`Closed` after :meth:`close`."""
        ticket = Ticket(index, fn, args, client, on_done=on_done)
        with self._lock:
            if self._closing:
                raise Closed("the sandbox is closed")
            state = self._clients.get(client)
            if self.per_client is not None and client is not None and state is not None \
                    and state.queued >= self.per_client:
                raise Busy(f"{state.queued} answers from this address are already waiting or being checked",
                           retry_after=max(1, round(self.limits.seconds)), client=True)
            pending = sum(len(q) for q in self._pending.values())
            if self.max_pending is not None and pending >= self.max_pending:
                raise Busy(f"{pending} answers are waiting for a worker",
                           retry_after=max(1, round(self.limits.seconds)))
            self._clients.setdefault(client, _Client()).queued += 1
            self._pending.setdefault(client, deque()).append(ticket)
        self._wake()
        return ticket

    def call(self, fn: Callable[..., Any], args: tuple, client: Hashable = None,
             wait: float | None = None) -> tuple[str, Any]:
        """``fn(*args)`` in a worker: (status, value); waits at most ``wait`` seconds for a worker
        to take it (then :class:`Busy`)."""
        ticket = self.submit(fn, args, client)
        if wait is not None:
            taken = ticket.result(wait)
            if taken is not None:
                return taken
            if self.withdraw(ticket):
                raise Busy(f"no worker became free within {wait:g} s", retry_after=max(1, round(wait)))
        taken = ticket.result()
        return taken if taken is not None else ("crashed", "no result")

    def run(self, fn: Callable[..., Any], tasks: Iterable[tuple]) -> Iterator[tuple[int, str, Any]]:
        """Run fn(*args) for each args in ``tasks``; yield (index, status, value) as they finish."""
        import queue

        todo = list(tasks)
        if self._warm is None:
            from .warmup import items_for

            self.set_warm(items_for(fn, todo))
        done: queue.SimpleQueue[Ticket] = queue.SimpleQueue()
        for index, args in enumerate(todo):
            self.submit(fn, tuple(args), None, on_done=done.put, index=index)
        for _ in todo:
            ticket = done.get()
            yield ticket.index, ticket.status or "crashed", ticket.value

    def set_warm(self, items: Sequence[WarmItem]) -> None:
        """Warm every worker with ``items`` before it takes another task (a failure leaves it cold)."""
        with self._lock:
            self._warm = list(items)
            for worker in self.workers:
                worker.warm = deque(items)
        self._wake()

    def withdraw(self, ticket: Ticket) -> bool:
        """Take a task that no worker has taken yet out of the queue; whether it was there."""
        with self._lock:
            queue = self._pending.get(ticket.client)
            if queue is None or ticket not in queue:
                return False
            queue.remove(ticket)
            self._release(ticket.client)
            return True

    def close(self) -> None:
        """Stop every worker; tasks still waiting or running report ``unavailable``."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self._wake()
        if threading.current_thread() is not self._thread:
            self._thread.join()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    # --- the supervisor ------------------------------------------------------------------------
    def _supervise(self) -> None:
        try:
            while True:
                with self._lock:
                    closing = self._closing
                if closing:
                    break
                self._fill()
                if self._strict:
                    self._check_warm()
                self._dispatch()
                busy = [w for w in self.workers if w.running]
                ready = wait([*(w.conn for w in busy), self._wake_r], timeout=self._next_check(busy))
                if self._wake_r in ready:
                    with contextlib.suppress(OSError):
                        while os.read(self._wake_r, 4096):
                            pass
                for worker in busy:
                    if worker.conn in ready:
                        self._receive(worker)
                self._enforce()
        finally:
            self._shutdown()

    def _fill(self) -> None:
        """Start workers up to the pool's size (at the start and after a replacement)."""
        while len(self.workers) < self.size:
            self.workers.append(_Worker(self.limits.memory_mb, self._warm or ()))

    def _check_warm(self) -> None:
        if self._failure is not None or all(not w.warm and w.item is None for w in self.workers):
            self._strict = False
            self._warmed.set()

    def _replace(self, worker: _Worker) -> None:
        worker.stop(kill=True)
        self.workers.remove(worker)
        self.replaced += 1
        fresh = _Worker(self.limits.memory_mb, self._warm or ())
        self.workers.append(fresh)

    def _dispatch(self) -> None:
        """Send each idle worker its next warm-up item, else the next task (while there are any)."""
        for worker in [w for w in self.workers if not w.running and w.warm]:
            self._send_warm(worker)
        for worker in [w for w in self.workers if not w.running and not w.warm]:
            ticket = self._next_ticket()
            if ticket is None:
                return
            self._send(worker, ticket)

    def _send_warm(self, worker: _Worker) -> None:
        ok, cpu0 = worker.healthy()
        item = worker.warm[0]
        if not ok or not worker.send(("warm", item.label), item.fn, item.args, self.limits.seconds, cpu0):
            self._warm_failed(worker, item, "the worker died")
            return
        worker.warm.popleft()
        worker.item = item

    def _warm_failed(self, worker: _Worker, item: WarmItem, why: str) -> None:
        if self._strict:
            self._failure = f"{item.label}: {why}"
        self._replace(worker)
        self.workers[-1].warm.clear()  # its replacement starts cold rather than fail again

    def _send(self, worker: _Worker, ticket: Ticket) -> None:
        """Send ``ticket`` to ``worker``. A worker found dead or stopped first is replaced and the
        ticket waits for the next free worker (that was no try); a send that fails counts as a try,
        and a ticket tried twice reports ``unavailable``."""
        ok, cpu0 = worker.healthy()
        if not ok:
            self._replace(worker)
            self._requeue(ticket)
            return
        if not worker.send(ticket.index, ticket.fn, ticket.args, self.limits.seconds, cpu0):
            ticket.tries += 1
            self._replace(worker)
            if ticket.tries > 1:
                self._finish(ticket, "unavailable", "no worker could take the answer (two tried)")
            else:
                self._requeue(ticket)
            return
        worker.ticket = ticket
        worker.heavy = self._is_heavy(ticket.client, time.monotonic())
        with self._lock:
            self._clients[ticket.client].served = time.monotonic()

    def _requeue(self, ticket: Ticket) -> None:
        with self._lock:
            self._pending.setdefault(ticket.client, deque()).appendleft(ticket)
        self._wake()  # the supervisor looks again before it next sleeps

    def _is_heavy(self, client: Hashable, now: float) -> bool:
        if client is None:
            return False
        state = self._clients.get(client)
        return state is not None and state.heavy_until > now

    def _next_ticket(self) -> Ticket | None:
        """The pending task a free worker takes: light clients first (heavy ones may hold at most
        ``size - reserve`` workers), then the client served least recently, then the oldest."""
        now = time.monotonic()
        heavy_running = sum(1 for w in self.workers if w.ticket is not None and w.heavy)
        heavy_allowed = heavy_running < self.size - self.reserve
        with self._lock:
            best: Hashable = None
            best_key: tuple | None = None
            for client, queue in self._pending.items():
                if not queue:
                    continue
                heavy = self._is_heavy(client, now)
                if heavy and not heavy_allowed:
                    continue
                state = self._clients[client]
                key = (heavy, state.served, queue[0].created)
                if best_key is None or key < best_key:
                    best, best_key = client, key
            if best_key is None:
                return None
            ticket = self._pending[best].popleft()
            if not self._pending[best]:
                del self._pending[best]
            return ticket

    def _receive(self, worker: _Worker) -> None:
        try:
            _, status, value = worker.conn.recv()
        except (EOFError, OSError):
            self._died(worker)
            return
        cpu, _, _ = worker.used()
        if worker.item is not None:
            item, worker.item = worker.item, None
            if status != "ok":
                self._warm_failed(worker, item, str(value))
            return
        ticket, worker.ticket = worker.ticket, None
        if ticket is not None:
            self._finish(ticket, status, value, cpu)

    def _died(self, worker: _Worker) -> None:
        """The worker died while running something: replace it; send its task once more."""
        item, ticket = worker.item, worker.ticket
        self._replace(worker)
        code = worker.proc.exitcode
        reason = "the worker died" + (f" (signal {-code})" if code is not None and code < 0 else "") \
            + (" (out of memory?)" if code == -signal.SIGKILL or code is None else "")
        if item is not None:
            if self._strict:
                self._failure = f"{item.label}: {reason}"
            self.workers[-1].warm.clear()
            return
        if ticket is None:
            return
        ticket.tries += 1
        if ticket.tries > 1:
            self._finish(ticket, "crashed", reason)
        else:
            self._requeue(ticket)

    def _next_check(self, busy: list[_Worker]) -> float | None:
        """Seconds until a running task could overrun (CPU time cannot pass faster than wall time
        in a single-threaded worker)."""
        if not busy:
            return None
        return max(0.01, min(worker.due() for worker in busy))

    def _enforce(self) -> None:
        for worker in list(self.workers):
            if not worker.running:
                continue
            what = worker.overrun()
            if what is None:
                continue
            item, ticket = worker.item, worker.ticket
            worker.item = worker.ticket = None
            self._replace(worker)
            if item is not None:
                if self._strict:
                    self._failure = f"{item.label}: {what} (the same limit as an answer)"
                self.workers[-1].warm.clear()
            elif ticket is not None:
                self._finish(ticket, "timeout", what, worker.budget)

    def _finish(self, ticket: Ticket, status: str, value: Any, cpu: float = 0.0) -> None:
        now = time.monotonic()
        with self._lock:
            state = self._clients.get(ticket.client)
            if state is not None:
                if cpu > min(HEAVY_CPU, self.limits.seconds / 2):
                    state.heavy_until = now + HEAVY_WINDOW
                elif state.heavy_until == float("inf"):
                    state.heavy_until = 0.0
            self._release(ticket.client)
        ticket.finish(status, value)

    def _release(self, client: Hashable) -> None:
        """One task of ``client`` left the queue (call with the lock held); forget idle clients."""
        state = self._clients.get(client)
        if state is None:
            return
        state.queued -= 1
        if len(self._clients) > 4096:
            now = time.monotonic()
            for key in [k for k, s in self._clients.items() if s.queued <= 0 and s.heavy_until < now]:
                del self._clients[key]

    def _shutdown(self) -> None:
        with self._lock:
            self._closing = True
            left = [t for q in self._pending.values() for t in q]
            self._pending.clear()
        for worker in self.workers:
            if worker.ticket is not None:
                left.append(worker.ticket)
            worker.stop(kill=worker.running)
        self.workers = []
        for ticket in left:
            ticket.finish("unavailable", "the sandbox was closed")
        if self._strict:
            self._failure = self._failure or "the sandbox was closed while warming"
            self._warmed.set()


def run_one(fn: Callable[..., Any], args: tuple, limits: Limits = DEFAULT) -> tuple[str, Any]:
    """Run one task in a fresh limited worker: (status, value)."""
    with Sandbox(1, limits) as box:
        for _, status, value in box.run(fn, [args]):
            return status, value
    return "crashed", "no result"  # pragma: no cover
