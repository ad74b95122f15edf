"""The gradebook: one row per student from ``grade``'s results CSV.

``grade`` writes one row per answer (student, question, verdict, score, ...). A course's gradebook
wants one row per student: the id, the total, each question's score in the bank's order, and the
questions a person must look at (undecided answers and those the grader flagged for review).
When a student answered a question more than once, the last row counts (a resubmission).
Cells are written as ``grade`` writes them: one that a spreadsheet would read as a formula gets a
leading ``'``.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from .batch import BatchError, _restore, neutralise

#: The columns before the per-question scores, and the one after them.
LEADING = ("student_id", "total", "max_total", "answered")
TRAILING = ("review",)


def read_results(results_csv: str | Path) -> list[dict[str, str]]:
    """The rows of a results CSV written by ``grade`` (formula guards removed)."""
    try:
        with open(results_csv, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in ("student_id", "question", "score", "verdict") if c not in (reader.fieldnames or [])]
            if missing:
                raise BatchError(f"{results_csv}: not a results CSV of `derivcheck grade` (no {', '.join(missing)} "
                                 "column)")
            return [{k: _restore(v or "") for k, v in row.items() if k is not None} for row in reader]
    except OSError as err:
        raise BatchError(f"{results_csv}: cannot read ({err.strerror or err})") from None


def gradebook(rows: Iterable[dict[str, str]], questions: Sequence[str]) -> list[dict[str, str]]:
    """One row per student, in order of first appearance: the id, the total of the question
    scores, the most a student can score (one point per question), how many questions were
    answered, each question's score (empty when not answered) and the questions to review
    (``;``-separated).

    A question not in ``questions`` (e.g. of another bank) gets its own column after them.
    """
    latest: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows:
        latest.setdefault(row["student_id"], {})[row["question"]] = row
    columns = list(questions) + sorted({q for answers in latest.values() for q in answers} - set(questions))
    book = []
    for student, answers in latest.items():
        scores = {q: _score(answers[q]) for q in columns if q in answers}
        review = [q for q in columns if q in answers and _needs_review(answers[q])]
        book.append({"student_id": student, "total": _points(sum(scores.values())), "max_total": str(len(questions)),
                     "answered": str(len(scores)),
                     **{q: _points(scores[q]) if q in scores else "" for q in columns},
                     "review": ";".join(review)})
    return book


def write(results_csv: str | Path, output: str | Path, questions: Sequence[str]) -> int:
    """Write the gradebook of ``results_csv`` to ``output``; the number of students."""
    book = gradebook(read_results(results_csv), questions)
    columns = list(book[0]) if book else [*LEADING, *questions, *TRAILING]  # every row has the same keys
    try:
        with open(output, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            for row in book:
                writer.writerow([neutralise(row[c]) for c in columns])
    except OSError as err:
        raise BatchError(f"{output}: cannot write ({err.strerror or err})") from None
    return len(book)


def _score(row: dict[str, str]) -> float:
    try:
        return float(row.get("score") or 0)
    except ValueError:
        return 0.0


def _needs_review(row: dict[str, str]) -> bool:
    return row.get("verdict") == "undecided" or bool(row.get("review"))


def _points(value: float) -> str:
    return f"{value:g}"
