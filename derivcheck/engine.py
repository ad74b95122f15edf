"""The one place the command line and the Python API call the layers (derivations, simulations,
grading, report).

Every import of a layer happens inside a function, so importing this module is cheap and never
loads torch, sympy or scipy. Functions return plain data (dicts, the layers' own objects) and raise
:class:`~derivcheck.errors.InputError` (or its subclass :class:`~derivcheck.errors.UnknownId`) on
input they cannot use and :class:`~derivcheck.extras.MissingExtra` when an optional extra is
not installed.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from .errors import InputError, UnknownId
from .extras import require

PathLike = str | Path


# --- sheets -------------------------------------------------------------------------------

def find_sheet(name: PathLike | None = None) -> Any:
    """The :class:`~derivcheck.sheets.Sheet` ``name`` (a built-in id or a path; default: the
    default sheet); an unknown one is an :class:`InputError` with the sheet's message."""
    from derivcheck.sheets import SheetError
    from derivcheck.sheets import sheet as find

    try:
        return find(None if name is None else str(name))
    except SheetError as err:
        raise InputError(str(err)) from err


def source(sheet_name: PathLike | None = None, bank: PathLike | None = None) -> str | None:
    """What the grader loads for ``--sheet`` or ``--bank`` (a bank file is a one-file sheet): a
    built-in sheet's id or a path, the one string every worker is given; None: the default sheet."""
    if sheet_name is not None and bank is not None:
        raise InputError("give --sheet or --bank, not both (a bank file is a one-file sheet: --sheet FILE)")
    if bank is not None:
        from derivcheck.sheets import builtin

        path = str(bank)
        return os.path.join(".", path) if path in builtin() else path  # a file that happens to share a sheet's id
    return None if sheet_name is None else find_sheet(sheet_name).spec


# --- derivations and simulations ----------------------------------------------------------

def claim_ids(sheet_name: PathLike | None = None) -> tuple[str, ...]:
    """The claim ids of a sheet (default: the default sheet), in its order."""
    from derivcheck import claims as registry
    from derivcheck.sheets import SheetError

    try:
        return tuple(c.id for c in registry.of(find_sheet(sheet_name)))
    except SheetError as err:
        raise InputError(str(err)) from err


def claims(requested: Sequence[str], sheet_name: PathLike | None = None) -> list[str]:
    """``requested`` checked against the registered claims (any registered claim can be derived and
    verified, named by the sheet or not); when empty, the sheet's claims in its order."""
    from derivcheck import claims as registry

    known = registry.registered()
    unknown = [c for c in requested if c not in known]
    if unknown:
        raise UnknownId(f"unknown claim {unknown[0]!r}; choose from: {', '.join(known)}")
    return list(requested) or list(claim_ids(sheet_name))


def derive(claim_id: str) -> Any:
    """The :class:`~derivcheck.derivations.Derivation` of ``claim_id`` (any registered claim)."""
    from derivcheck import claims as registry

    (claim,) = claims([claim_id])
    return registry.get(claim).derivation


def resolve_device(device: str) -> str:
    """``auto``, ``cpu`` or ``cuda`` as the device simulations will run on (``cpu`` or ``cuda``)."""
    require("sim")
    from derivcheck.simulations.device import resolve_device as resolve

    try:
        return resolve(device).type
    except ValueError as err:
        raise InputError(str(err)) from err


def verify(claim_id: str, *, seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Any:
    """Run the simulation of ``claim_id`` (any registered claim); its frozen
    :class:`~derivcheck.simulations.Verification`."""
    require("sim")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must lie in (0, 1), not {alpha}")
    (claim,) = claims([claim_id])
    from derivcheck import claims as registry

    return registry.get(claim).verify(seed=seed, device=device, alpha=alpha)


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
                 log: Callable[[str], None], progress: bool = True,
                 sheet_name: PathLike | None = None) -> dict[str, Any]:
    """Build the solution PDF (or only its .tex) of a sheet (default: the default sheet); the
    builder's summary."""
    require("report")
    from derivcheck.report.pdf import ReportError, build

    chosen = find_sheet(sheet_name)
    try:
        return build(output, seed=seed, device=device, fresh=fresh, tex_only=tex_only, log=log, progress=progress,
                     sheet=chosen)
    except ReportError as err:
        raise InputError(str(err)) from err


# --- grading ------------------------------------------------------------------------------

def load_bank(bank: PathLike | None = None, *, sheet: PathLike | None = None) -> dict[str, Any]:
    """The questions of the sheet ``sheet`` or the bank file ``bank`` (default: the default
    sheet), by question id."""
    return _load(source(sheet, bank))


def _load(resolved: str | None) -> dict[str, Any]:
    """The bank :func:`source` resolved to."""
    from derivcheck.grading.bank import BankError, load
    from derivcheck.grading.errors import printable

    try:
        return load(resolved)
    except BankError as err:
        raise InputError(printable(str(err), keep_newlines=False)) from err


def questions(bank: PathLike | None = None, *, sheet: PathLike | None = None) -> list[dict[str, Any]]:
    """The description of every question of the sheet (``questions --json``)."""
    return [q.describe() for q in load_bank(bank, sheet=sheet).values()]


def limits(timeout: float) -> Any:
    """The grading limits for ``timeout`` seconds per answer."""
    from derivcheck.grading.limits import Limits

    if not timeout > 0:
        raise InputError(f"the timeout must be positive, not {timeout}")
    return Limits(seconds=timeout)


def check(question_id: str, answer: str, *, bank: PathLike | None = None, sheet: PathLike | None = None,
          timeout: float = 5.0) -> dict[str, Any]:
    """Grade one answer: the ``check --json`` record.

    The answer is graded by ``grade``'s own task (:func:`~derivcheck.grading.tasks.check_task`) in a
    sandboxed worker, so both give one record. An incorrect answer to a question with a
    simulation is re-stated at a simulated configuration from the stored verification record;
    when that record is missing it is computed here, outside the sandbox, once (``sim`` extra),
    and the task run again, as ``grade`` computes it before its workers start.
    """
    from derivcheck.grading.sandbox import run_one
    from derivcheck.grading.tasks import check_task, outcome

    bank_path = source(sheet, bank)
    known = _load(bank_path)
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


def _mistake_namer(bank_path: str | None) -> Callable[[str, str], str]:
    """A mistake's human name in the sheet's words for students (its code when the sheet names none)."""
    from derivcheck.report.wording import UNNAMED, mistake_name

    chosen = find_sheet(bank_path)

    def name(question: str, code: str) -> str:
        words = mistake_name(question, code, chosen)
        return code if words == UNNAMED else words[0]

    return name


def grade(submissions: PathLike, output: PathLike, *, bank: PathLike | None = None, sheet: PathLike | None = None,
          gradescope: PathLike | None = None, workers: int = 2, timeout: float = 5.0,
          progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Grade a CSV of answers to a sheet's questions into ``output``; the number of rows per verdict."""
    from derivcheck.grading.batch import BatchError, grade_csv

    bank_path = source(sheet, bank)
    _load(bank_path)
    grading_limits = limits(timeout)
    try:
        return grade_csv(submissions, output, bank=bank_path, workers=workers, limits=grading_limits,
                         gradescope=gradescope, progress=progress, mistake_name=_mistake_namer(bank_path))
    except BatchError as err:
        raise InputError(str(err)) from err
