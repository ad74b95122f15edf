"""What the self-check page does, without HTTP: the questions, reading an answer, checking it.

:meth:`SelfCheck.check` is the one seam through which the page checks an answer. It runs
:func:`derivcheck.grading.tasks.check_task`, the task ``derivcheck grade`` runs for each row,
in a warm sandboxed worker (:class:`~.pool.Pool`: wall time and memory bounded, killed and
replaced on overrun) and returns the ``check --json`` document, derivations (``steps``,
``first_wrong``) included, with ``mathml`` added beside each ``latex``. A worker that times out
or dies gives the contract's ``undecided`` record, as ``derivcheck check`` does.

The only state kept between requests is caches: results by (question, answer) (a class types the
same answers; a result depends on nothing else), and the warm workers.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from pathlib import Path
from typing import Any

from derivcheck.grading.limits import Limits

from .pool import Pool

#: Wall time of one reading (a reading only parses; a check may take longer).
READ_SECONDS = 2.0


class Cache:
    """A thread-safe least-recently-used map of at most ``size`` entries (0: keeps nothing)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class SelfCheck:
    """The bank, a pool of check workers and one of reading workers (use as a context manager).

    ``evidence``: back an incorrect answer's counterexample with the stored simulation, as
    ``grade`` does (the records are made sure of here, before the workers fork; the first start
    on a machine runs the simulations once, which needs the ``sim`` extra).
    """

    def __init__(self, bank: str | Path | None = None, *, workers: int = 2, timeout: float = 5.0,
                 cache: int = 4096, evidence: bool = True) -> None:
        from derivcheck import engine
        from derivcheck.grading.grader import warm

        self.bank_path = None if bank is None else str(bank)
        self.questions = engine.load_bank(self.bank_path)
        self.limits: Limits = engine.limits(timeout)
        self.evidence = evidence
        if evidence:
            from derivcheck.grading.evidence import preload

            preload({q.simulation for q in self.questions.values() if q.simulation and not q.vector})
        for question in self.questions.values():
            warm(question)
        _warm_reader()
        self._warm_checks()
        self._checks = Cache(cache)
        self._reads = Cache(cache)
        self._check_pool = Pool(workers, self.limits)
        self._read_pool = Pool(1, replace(self.limits, seconds=min(timeout, READ_SECONDS)))

    def _warm_checks(self) -> None:
        """Check each question's example here, before the workers fork, so that what the first check
        imports and caches is loaded once and shared (the examples are the bank's, not a student's)."""
        import contextlib

        from derivcheck.grading.tasks import check_task

        from .reading import read_task

        for qid, question in self.questions.items():
            if question.example:
                with contextlib.suppress(Exception):  # warming is an optimisation only
                    check_task(self.bank_path, qid, question.example, False, self.limits)
                    read_task(self.bank_path, qid, question.example, self.limits)

    def __enter__(self) -> SelfCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers."""
        self._check_pool.close()
        self._read_pool.close()

    def describe(self) -> list[dict[str, Any]]:
        """The questions as ``questions --json`` lists them."""
        return [q.describe() for q in self.questions.values()]

    def read(self, question_id: str, answer: str) -> dict[str, Any]:
        """How ``answer`` is read (see :mod:`.reading`): LaTeX, MathML, or an error with its position."""
        from .reading import read_task

        key = (question_id, answer)
        cached = self._reads.get(key)
        if cached is not None:
            return cached
        status, doc = self._read_pool.call(read_task, (self.bank_path, question_id, answer, self._read_pool.limits))
        if status != "ok":
            return {"latex": None, "mathml": None, "note": "",
                    "error": {"message": f"could not read the answer ({doc})", "position": None}}
        self._reads.put(key, doc)
        return doc

    def check(self, question_id: str, answer: str) -> dict[str, Any]:
        """The ``check --json`` document of ``answer``, each ``latex`` with its ``mathml``."""
        key = (question_id, answer)
        cached = self._checks.get(key)
        if cached is not None:
            return cached
        from derivcheck.grading.tasks import check_task

        status, record = self._check_pool.call(
            check_task, (self.bank_path, question_id, answer, self.evidence, self.limits))
        if status != "ok":
            from derivcheck.grading.grader import undecided

            return with_mathml(undecided(question_id, answer, str(record)))
        record = with_mathml(record)
        self._checks.put(key, record)
        return record


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
