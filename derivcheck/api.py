"""The Python API: ``from derivcheck import check, derive, verify, questions, grade``.

>>> from derivcheck import check
>>> result = check("p4.forward_mults", "n*L*K^2")
>>> result.verdict
'correct'

Each function runs the same code as the command of the same name. Unknown ids raise
:class:`~derivcheck.errors.UnknownId` (a ``KeyError`` and a ``ValueError``) naming the known ones;
unusable input raises :class:`~derivcheck.errors.InputError` (a ``ValueError``); a missing
optional extra raises :class:`~derivcheck.extras.MissingExtra` (an ``ImportError``).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import engine
from .result import CheckResult

if TYPE_CHECKING:
    from derivcheck.derivations import Derivation
    from derivcheck.simulations import Verification


def check(question_id: str, answer: str, *, sheet: str | Path | None = None, bank: str | Path | None = None,
          timeout: float = 5.0) -> CheckResult:
    """Grade ``answer`` (plain text or LaTeX) to the question ``question_id`` of ``sheet`` (a
    built-in sheet's id or a sheet folder's path) or of the bank file ``bank`` (default: the
    default sheet), giving up after ``timeout`` seconds (verdict ``undecided``)."""
    return CheckResult.from_record(engine.check(question_id, answer, bank=bank, sheet=sheet, timeout=timeout))


def derive(claim_id: str) -> Derivation:
    """The SymPy derivation of ``claim_id`` (any registered claim): statement, numbered steps,
    result (displays in a notebook)."""
    return engine.derive(claim_id)


def verify(claim_id: str, *, seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Verification:
    """Check ``claim_id`` (any registered claim) by simulation (needs the ``sim`` extra); the result has ``.passed`` and
    ``.to_dict()``. ``alpha`` bounds the false-alarm rate of a Monte Carlo check."""
    return engine.verify(claim_id, seed=seed, device=device, alpha=alpha)


def questions(bank: str | Path | None = None, *, sheet: str | Path | None = None) -> list[dict[str, Any]]:
    """The questions of ``sheet`` or of the bank file ``bank`` (default: the default sheet) as
    ``questions --json`` lists them."""
    return engine.questions(bank, sheet=sheet)


def grade(submissions: str | Path, output: str | Path, *, sheet: str | Path | None = None,
          bank: str | Path | None = None, gradescope: str | Path | None = None, workers: int = 2,
          timeout: float = 5.0) -> dict[str, Any]:
    """Grade the CSV ``submissions`` (``student_id,question,answer``) to the questions of ``sheet``
    or ``bank`` into ``output``; the number of rows per verdict. ``gradescope`` names a directory
    for Gradescope's ``results.json`` files."""
    return engine.grade(submissions, output, bank=bank, sheet=sheet, gradescope=gradescope, workers=workers,
                        timeout=timeout)


__all__ = ["CheckResult", "check", "derive", "grade", "questions", "verify"]
