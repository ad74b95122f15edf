"""The reading tables' two questions to the grader: an answer's verdict and a derivation's line verdicts
(``banks``, both built-in sheets' banks, is the session fixture of ``conftest.py``)."""
from __future__ import annotations

from derivcheck.grading.grader import check


def verdict(banks: dict, where: str, text: str) -> str:
    """The verdict of ``text`` to the question ``where`` (``"sheet9:p3.gradient"``)."""
    sheet, question = where.split(":")
    return check(banks[sheet][question], text, evidence=False)["verdict"]


def steps(banks: dict[str, dict], sheet: str, qid: str, working: str) -> list[str]:
    """The verdict of each line of ``working`` to ``qid`` of ``sheet``."""
    record = check(banks[sheet][qid], working, evidence=False)
    return [s["verdict"] for s in record["steps"]]
