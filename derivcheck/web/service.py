"""What the self-check page does, without HTTP: the questions, reading an answer, checking it.

:meth:`SelfCheck.check` is the one seam through which the page checks an answer. It runs
:func:`check_document` (:func:`derivcheck.grading.tasks.check_task`, the task ``derivcheck grade``
runs for each row, then the MathML of every ``latex``) in a warm sandboxed worker
(:class:`~.pool.Pool`: CPU time and memory bounded, killed and replaced on overrun), so typesetting
is bounded like the check itself. A worker that overruns or dies gives the contract's
``undecided`` record, as ``derivcheck check`` does.

The workers are warmed before they take an answer (the bank, one derivation check of each model,
under the same limits as an answer): a bank whose examples overrun them stops the server at start
with an input error (exit 2) naming the question. One check worker is kept
for clients that have not lately sent a slow answer, and there are two reading workers, so that
a few clients cannot slow everyone's preview and checks.

It serves several sheets: the one it is started with (the default sheet unless ``sheet`` or
``bank`` names another) and every built-in sheet, each by its id; a request names its sheet or
means the first. Every sheet's bank is loaded and made sure of before the workers start.

The only state kept between requests is caches: results by (sheet, question, answer), bounded in entries
and in bytes (a result depends on nothing else; a timeout is a result, its budget being CPU
time), and the warm workers.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from derivcheck.grading.limits import Limits

from .pool import Pool
from .reading import read_task

#: CPU seconds of one reading (a reading only parses; a check may take longer).
READ_SECONDS = 2.0
#: Bytes of results each cache keeps at most (a result's strict-JSON size).
CACHE_BYTES = 64 * 2**20
#: Answers waiting for a worker at most, and per client address (beyond: 503 / 429).
MAX_PENDING = 64
PER_CLIENT = 16
#: Seconds an answer may wait for a worker before the server says it is busy.
WAIT = 30.0


class Cache:
    """A thread-safe least-recently-used map of at most ``size`` entries and ``max_bytes`` bytes of
    values (each value's size is its strict-JSON length); 0 entries keeps nothing."""

    def __init__(self, size: int, max_bytes: int = CACHE_BYTES) -> None:
        self.size, self.max_bytes = size, max_bytes
        self.bytes = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key][0]

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        cost = len(json.dumps(value, default=str)) + len(repr(key))
        if cost > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                self.bytes -= self._items.pop(key)[1]
            self._items[key] = (value, cost)
            self.bytes += cost
            while len(self._items) > self.size or self.bytes > self.max_bytes:
                self.bytes -= self._items.popitem(last=False)[1][1]


@dataclass(frozen=True)
class Served:
    """One sheet the page serves: its ``id`` (what requests name), ``title``, ``source`` (what the
    workers load: :func:`derivcheck.engine.source`) and ``questions`` (its bank, by id)."""

    id: str
    title: str
    source: str | None
    questions: dict[str, Any]


class UnknownSheet(KeyError):
    """A request names a sheet the page does not serve."""


class SelfCheck:
    """The sheets' banks, a pool of check workers and one of reading workers (use as a context manager).

    ``evidence``: back an incorrect answer's counterexample with the stored simulation, as
    ``grade`` does (the records are made sure of here, before the workers fork; the first start
    on a machine runs the simulations once, which needs the ``sim`` extra).
    """

    def __init__(self, bank: str | Path | None = None, *, sheet: str | Path | None = None, workers: int = 2,
                 timeout: float = 5.0, cache: int = 4096, evidence: bool = True, read_workers: int = 2) -> None:
        from derivcheck import engine
        from derivcheck.errors import InputError
        from derivcheck.grading.grader import warm
        from derivcheck.grading.sandbox import WarmItem, WarmUpError
        from derivcheck.grading.warmup import bank_items

        self.bank_path = engine.source(sheet, bank)
        self.questions = engine.load_bank(sheet=self.bank_path)
        self.sheets = served_sheets(self.bank_path, self.questions)
        self.limits: Limits = engine.limits(timeout)
        self.evidence = evidence
        every = [q for served in self.sheets.values() for q in served.questions.values()]
        if evidence:
            from derivcheck.grading.evidence import preload

            preload({q.simulation for q in every if q.simulation and not q.vector})
        for question in every:
            warm(question)
        _warm_reader()
        self._checks = Cache(cache)
        self._reads = Cache(cache)
        read_limits = replace(self.limits, seconds=min(timeout, READ_SECONDS))
        reads = [WarmItem(f"question {qid}: reading its example", read_task,
                          (self.bank_path, qid, q.example, read_limits))
                 for qid, q in self.questions.items() if q.example]
        others = [bank_items(served.source)[0] for served in list(self.sheets.values())[1:]]  # loaded, not tried
        try:
            self._check_pool = Pool(workers, self.limits, WAIT,
                                    [*bank_items(self.bank_path, limits=self.limits), *others],
                                    reserve=1 if workers > 1 else 0, max_pending=MAX_PENDING, per_client=PER_CLIENT)
        except WarmUpError as err:
            raise InputError(f"{self.bank_path or 'the built-in bank'}: {err}") from err
        try:
            self._read_pool = Pool(read_workers, read_limits, WAIT, [bank_items(self.bank_path)[0], *others, *reads],
                                   reserve=1 if read_workers > 1 else 0, max_pending=MAX_PENDING,
                                   per_client=PER_CLIENT)
        except WarmUpError as err:
            self._check_pool.close()
            raise InputError(f"{self.bank_path or 'the built-in bank'}: {err}") from err

    def __enter__(self) -> SelfCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers."""
        self._check_pool.close()
        self._read_pool.close()

    def sheet(self, sheet_id: str | None = None) -> Served:
        """The served sheet ``sheet_id`` (None: the first); :class:`UnknownSheet` otherwise."""
        if sheet_id is None:
            return next(iter(self.sheets.values()))
        if sheet_id not in self.sheets:
            raise UnknownSheet(f"unknown sheet {sheet_id[:100]!r}; choose from: {', '.join(self.sheets)}")
        return self.sheets[sheet_id]

    def describe(self, sheet_id: str | None = None) -> list[dict[str, Any]]:
        """The questions of a served sheet as ``questions --json`` lists them."""
        return [q.describe() for q in self.sheet(sheet_id).questions.values()]

    def read(self, question_id: str, answer: str, client: Hashable = None,
             sheet_id: str | None = None) -> dict[str, Any]:
        """How ``answer`` is read (see :mod:`.reading`): LaTeX, MathML, or an error with its position."""
        key = (self.sheet(sheet_id).id, question_id, answer)
        cached = self._reads.get(key)
        if cached is not None:
            return cached
        outcome = self._read_pool.call(read_task, self._read_args(question_id, answer, sheet_id), client)
        return self._read_done(key, *outcome)

    async def read_async(self, question_id: str, answer: str, client: Hashable = None,
                         sheet_id: str | None = None) -> dict[str, Any]:
        """:meth:`read` for an event loop: waits for the worker without holding a thread."""
        key = (self.sheet(sheet_id).id, question_id, answer)
        cached = self._reads.get(key)
        if cached is not None:
            return cached
        outcome = await self._read_pool.acall(read_task, self._read_args(question_id, answer, sheet_id), client)
        return self._read_done(key, *outcome)

    def _read_args(self, question_id: str, answer: str, sheet_id: str | None) -> tuple:
        return self.sheet(sheet_id).source, question_id, answer, self._read_pool.limits

    def _read_done(self, key: Hashable, status: str, doc: Any) -> dict[str, Any]:
        if status != "ok":
            doc = {"latex": None, "mathml": None, "note": "",
                   "error": {"message": f"could not read the answer ({doc})", "position": None}}
            if status != "timeout":  # a crash may be the machine's; an overrun of the CPU budget is the answer's
                return doc
        self._reads.put(key, doc)
        return doc

    def check(self, question_id: str, answer: str, client: Hashable = None,
              sheet_id: str | None = None) -> dict[str, Any]:
        """The ``check --json`` document of ``answer``, each ``latex`` with its ``mathml``."""
        key = (self.sheet(sheet_id).id, question_id, answer)
        cached = self._checks.get(key)
        if cached is not None:
            return cached
        outcome = self._check_pool.call(check_document, self._check_args(question_id, answer, sheet_id), client)
        return self._check_done(key, *outcome)

    async def check_async(self, question_id: str, answer: str, client: Hashable = None,
                          sheet_id: str | None = None) -> dict[str, Any]:
        """:meth:`check` for an event loop: waits for the worker without holding a thread."""
        key = (self.sheet(sheet_id).id, question_id, answer)
        cached = self._checks.get(key)
        if cached is not None:
            return cached
        outcome = await self._check_pool.acall(check_document, self._check_args(question_id, answer, sheet_id),
                                               client)
        return self._check_done(key, *outcome)

    def _check_args(self, question_id: str, answer: str, sheet_id: str | None) -> tuple:
        return self.sheet(sheet_id).source, question_id, answer, self.evidence, self.limits

    def _check_done(self, key: tuple[str, str, str], status: str, record: Any) -> dict[str, Any]:
        if status != "ok":
            from derivcheck.grading.grader import undecided

            record = undecided(key[1], key[2], str(record))
            if status != "timeout":  # a crash may be the machine's; an overrun of the CPU budget is the answer's
                return record
        self._checks.put(key, record)
        return record


def served_sheets(source: str | None, questions: dict[str, Any]) -> dict[str, Served]:
    """The sheets a page serves, by id: the one at ``source`` (whose bank is ``questions``) first,
    then every built-in sheet not of the same id."""
    from derivcheck import engine
    from derivcheck.sheets import builtin

    main = engine.find_sheet(source)
    out = {main.id: Served(main.id, main.title, source, questions)}
    for sheet_id in builtin():
        if sheet_id not in out:
            found = engine.find_sheet(sheet_id)
            out[sheet_id] = Served(sheet_id, found.title, sheet_id, engine.load_bank(sheet=sheet_id))
    return out


def check_document(bank_path: str | None, question_id: str, answer: str, evidence: bool,
                   limits: Limits) -> dict[str, Any]:
    """In a worker: the ``check --json`` record of ``answer`` with the MathML of each ``latex``."""
    from derivcheck.grading.tasks import check_task

    return with_mathml(check_task(bank_path, question_id, answer, evidence, limits))


def with_mathml(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with ``mathml`` beside its ``latex`` and beside each step's ``latex``."""
    from .mathml import to_mathml

    out = dict(record)
    if "latex" in out:
        out["mathml"] = to_mathml(out.get("latex"), display=True)
    if isinstance(out.get("steps"), list):
        out["steps"] = [{**s, "mathml": to_mathml(s.get("latex"))} if isinstance(s, dict) else s
                        for s in out["steps"]]
    return out


def _warm_reader() -> None:
    """Import what reading needs before the workers fork (each then starts warm)."""
    import latex2mathml.converter  # noqa: F401

    from . import reading  # noqa: F401
    from .mathml import to_mathml

    to_mathml("x^2")
