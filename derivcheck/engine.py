"""The one place the command line and the Python API call the layers (derivations, simulations,
grading, report).

Every import of a layer happens inside a function, so importing this module is cheap and never
loads torch, sympy or scipy. Functions return plain data (dicts, the layers' own objects) and raise
:class:`~derivcheck.errors.InputError` (or its subclass :class:`~derivcheck.errors.UnknownId`) on
input they cannot use and :class:`~derivcheck.extras.MissingExtra` when an optional extra is
not installed.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from .errors import InputError, UnknownId
from .extras import require

PathLike = str | Path


# --- derivations and simulations ----------------------------------------------------------

def claim_ids() -> tuple[str, ...]:
    """Every claim id, in the order of the sheet."""
    from derivcheck.derivations import claim_ids as registered

    return registered()


def claims(requested: Sequence[str]) -> list[str]:
    """``requested`` checked against the claim ids (all of them when empty)."""
    known = claim_ids()
    unknown = [c for c in requested if c not in known]
    if unknown:
        raise UnknownId(f"unknown claim {unknown[0]!r}; choose from: {', '.join(known)}")
    return list(requested) or list(known)


def derive(claim_id: str) -> Any:
    """The :class:`~derivcheck.derivations.Derivation` of ``claim_id``."""
    from derivcheck.derivations import derive as derive_claim

    (claim,) = claims([claim_id])
    return derive_claim(claim)


def resolve_device(device: str) -> str:
    """``auto``, ``cpu`` or ``cuda`` as the device simulations will run on (``cpu`` or ``cuda``)."""
    require("sim")
    from derivcheck.simulations.device import resolve_device as resolve

    try:
        return resolve(device).type
    except ValueError as err:
        raise InputError(str(err)) from err


def verify(claim_id: str, *, seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Any:
    """Run the simulation of ``claim_id``; its frozen :class:`~derivcheck.simulations.Verification`."""
    require("sim")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must lie in (0, 1), not {alpha}")
    (claim,) = claims([claim_id])
    from derivcheck import simulations

    return simulations.verify(claim, seed=seed, device=device, alpha=alpha)


def exercises(requested: Sequence[str]) -> tuple[str, ...]:
    """``requested`` checked against the notebook exercises (all of them, in order, when empty)."""
    require("exercises")
    from derivcheck.simulations.exercises import EXERCISES

    unknown = [n for n in requested if n not in EXERCISES]
    if unknown:
        raise UnknownId(f"unknown exercise {unknown[0]!r}; choose from: {', '.join(EXERCISES)}")
    return tuple(requested) or tuple(EXERCISES)


def run_exercises(names: Sequence[str], *, out_dir: PathLike, seed: int, device: str, mnist: PathLike | None,
                  show: bool, quick: bool) -> dict[str, Any]:
    """Run the named exercises (all when empty); their JSON summary."""
    chosen = exercises(names)
    from derivcheck.simulations.exercises import run
    from derivcheck.simulations.exercises.idx import DataError

    try:
        return run(chosen, out_dir=out_dir, seed=seed, device=device, mnist=mnist, show=show, quick=quick)
    except DataError as err:
        raise InputError(str(err)) from err


def build_report(output: PathLike, *, seed: int, device: str, fresh: bool, tex_only: bool,
                 log: Callable[[str], None], progress: bool = True) -> dict[str, Any]:
    """Build the solution PDF (or only its .tex); the builder's summary."""
    require("report")
    from derivcheck.report.pdf import ReportError, build

    try:
        return build(output, seed=seed, device=device, fresh=fresh, tex_only=tex_only, log=log, progress=progress)
    except ReportError as err:
        raise InputError(str(err)) from err


# --- grading ------------------------------------------------------------------------------

def _bank_path(bank: PathLike | None) -> str | None:
    return None if bank is None else str(bank)


def load_bank(bank: PathLike | None = None) -> dict[str, Any]:
    """The question bank at ``bank`` (default: the built-in sheet), by question id."""
    from derivcheck.grading.bank import BankError, load
    from derivcheck.grading.errors import printable

    try:
        return load(_bank_path(bank))
    except BankError as err:
        raise InputError(printable(str(err), keep_newlines=False)) from err


def questions(bank: PathLike | None = None) -> list[dict[str, Any]]:
    """The description of every question of the bank (``questions --json``)."""
    return [q.describe() for q in load_bank(bank).values()]


def limits(timeout: float) -> Any:
    """The grading limits for ``timeout`` seconds per answer."""
    from derivcheck.grading.limits import Limits

    if not timeout > 0:
        raise InputError(f"the timeout must be positive, not {timeout}")
    return Limits(seconds=timeout)


def check(question_id: str, answer: str, *, bank: PathLike | None = None, timeout: float = 5.0) -> dict[str, Any]:
    """Grade one answer: the ``check --json`` record.

    The answer is graded by ``grade``'s own task (:func:`~derivcheck.grading.tasks.check_task`) in a
    sandboxed worker, so both give one record. An incorrect answer to a question with a
    simulation is re-stated at a simulated configuration from the stored verification record;
    when that record is missing it is computed here, outside the sandbox, once (``sim`` extra),
    and the task run again, as ``grade`` computes it before its workers start.
    """
    from derivcheck.grading.sandbox import run_one
    from derivcheck.grading.tasks import check_task, outcome

    bank_path = _bank_path(bank)
    known = load_bank(bank_path)
    if question_id not in known:
        raise UnknownId(f"unknown question {question_id!r}; choose from: {', '.join(known)}")
    question = known[question_id]
    grading_limits = limits(timeout)
    task = (bank_path, question_id, answer, True, grading_limits)
    record = outcome(question_id, answer, *run_one(check_task, task, grading_limits))
    if record["verdict"] == "incorrect" and question.simulation and not question.vector:
        from derivcheck.simulations import recorded

        if recorded(question.simulation, compute=False) is None and recorded(question.simulation) is not None:
            record = outcome(question_id, answer, *run_one(check_task, task, grading_limits))
    return record


def check_assumption(name: str, kind: str) -> None:
    """Raise :class:`InputError` unless ``kind`` is an assumption kind a variable can have."""
    from derivcheck.grading.symbolic import symbol_for

    try:
        symbol_for(name, kind)
    except ValueError as err:
        raise InputError(str(err)) from err


def equiv(student: str, teacher: str, assume: dict[str, str], *, timeout: float = 5.0) -> dict[str, Any]:
    """Decide ``student == teacher``: the ``equiv --json`` record."""
    from derivcheck.grading.sandbox import run_one
    from derivcheck.grading.tasks import equiv_task

    grading_limits = limits(timeout)
    status, record = run_one(equiv_task, (student, teacher, assume, grading_limits), grading_limits)
    if status != "ok":
        record = {"equivalent": None, "status": "undecided", "message": str(record)}
    return {"id": None, **record}


def equiv_lines(lines: IO[str], *, workers: int, timeout: float) -> None:
    """``equiv --batch``: one JSON line on stdout per JSON line of ``lines``, in order."""
    from derivcheck.grading.batch import equiv_batch

    equiv_batch(lines, workers=workers, limits=limits(timeout))


def grade(submissions: PathLike, output: PathLike, *, bank: PathLike | None = None,
          gradescope: PathLike | None = None, workers: int = 2, timeout: float = 5.0,
          progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Grade a CSV of answers into ``output``; the number of rows per verdict."""
    from derivcheck.grading.batch import BatchError, grade_csv

    load_bank(bank)
    grading_limits = limits(timeout)
    try:
        return grade_csv(submissions, output, bank=_bank_path(bank), workers=workers, limits=grading_limits,
                         gradescope=gradescope, progress=progress)
    except BatchError as err:
        raise InputError(str(err)) from err
