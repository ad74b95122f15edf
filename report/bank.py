"""The question bank of a sheet, as the report reads it (one adapter to the grader's loader)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from derivcheck.sheets import Sheet
from derivcheck.sheets import sheet as find_sheet

if TYPE_CHECKING:
    from derivcheck.grading.bank import Question


def bank(sheet: str | Sheet | None = None) -> dict[str, Question]:
    """The questions of ``sheet`` by id (the grader's :func:`~derivcheck.grading.bank.load`: the
    default sheet's bank, or the bank in another sheet's ``sheet.toml``)."""
    from derivcheck.grading.bank import load

    source = sheet if isinstance(sheet, Sheet) else find_sheet(sheet)
    return load(source.spec)
