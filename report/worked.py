"""Worked examples: student derivations checked line by line, the report's show of what the grader does.

The derivations are a student's working (typed as a student would, one step a line, in LaTeX) and
belong to the sheet: its ``sheet.toml`` lists them as ``[[report.worked]]`` tables (``title``,
``question``, ``lines``). Their verdicts, the lines as read and typeset, and the counterexample of
a wrong line all come from :func:`derivcheck.grading.grader.check` in this run.
"""
from __future__ import annotations

from typing import Any

from derivcheck.sheets import Sheet
from derivcheck.sheets import sheet as find_sheet


def examples(sheet: str | Sheet | None = None) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The sheet's worked examples: (title, question id, the lines as a student typed them)."""
    source = sheet if isinstance(sheet, Sheet) else find_sheet(sheet)
    report = source.data.get("report", {})
    worked = report.get("worked", []) if isinstance(report, dict) else []
    return tuple((str(e["title"]), str(e["question"]), tuple(str(line) for line in e["lines"]))
                 for e in worked if isinstance(e, dict) and {"title", "question", "lines"} <= e.keys())


def checked(sheet: str | Sheet | None = None) -> list[dict[str, Any]]:
    """Each worked example with its ``check --json`` record (steps, verdicts, first wrong line) and
    the ``credit`` weights its score was computed with (the grader's defaults, then the question's)."""
    from derivcheck.grading.derivation import DEFAULT_CREDIT
    from derivcheck.grading.grader import check

    from .bank import bank

    questions = bank(sheet)
    return [{"title": title, "question": qid, "lines": list(lines),
             "record": check(questions[qid], "\n".join(lines), evidence=False),
             "credit": {**DEFAULT_CREDIT, **questions[qid].credit}}
            for title, qid, lines in examples(sheet) if qid in questions]
