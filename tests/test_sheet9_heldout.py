"""Sheet 9 held-out set (issue 25's acceptance standard): answers and derivations written by hand,
with the verdicts a TA gives, before derivcheck was run on them (tests/data/heldout9_*.jsonl:
``{"q", "a", "expect"}`` and ``{"q", "steps", "expect_lines"}``, line 0's verdict ``start``).

Only what must hold whatever else fails is asserted here: no answer whose expected verdict is
``incorrect`` or ``invalid`` is graded ``correct``, and no line expected ``wrong`` is judged ``ok``.
Verdicts that are merely different (a right answer refused, a right line unreadable) are measured
by ``python tests/test_sheet9_heldout.py`` (prints the table and every miss), not asserted.

Measured untuned on the first run (branch w-red9 on main f9c83bc, ``derivcheck.api.check``):
answers 165/186, 2 false correct (below); lines 60/73, 0 wrong lines judged ok.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from derivcheck.api import check

DATA = Path(__file__).parent / "data"
SHEET = "sheet9"

# False correct found on the first run: each is the sheet's named mistake "log(1 + e^{-t}) alone,
# not stable" (an exp with a positive argument for t << 0, resp. t >> 0); equal to L(t) as real
# functions, refused by the question, which asks that exp never receive a positive argument.
KNOWN_FALSE_CORRECT = {
    ("p3.stable_loss", "log(1 + e^{-t}) + (1 - y) t"):
        "scalar stable-loss answers are compared only as real functions: exp(-t) overflows for t << 0",
    ("p3.stable_loss", r"\log(1+e^{t}) - yt"):
        "scalar stable-loss answers are compared only as real functions: exp(t) overflows for t >> 0",
}


def _rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]


ANSWERS = _rows("heldout9_answers.jsonl")
DERIVATIONS = _rows("heldout9_derivations.jsonl")


def _answer_params() -> list[Any]:
    params = []
    for row in ANSWERS:
        if row["expect"] == "correct":
            continue
        reason = KNOWN_FALSE_CORRECT.get((row["q"], row["a"]))
        marks = [pytest.mark.xfail(strict=True, reason=f"false correct: {reason}")] if reason else []
        params.append(pytest.param(row["q"], row["a"], marks=marks, id=f"{row['q']}:{row['a']}"))
    return params


@pytest.mark.parametrize("question, answer", _answer_params())
def test_a_wrong_answer_is_never_correct(question: str, answer: str) -> None:
    record = check(question, answer, sheet=SHEET, timeout=10).to_dict()
    assert record["verdict"] != "correct", record


@pytest.mark.parametrize("row", [row for row in DERIVATIONS if "wrong" in row["expect_lines"]],
                         ids=lambda row: f"{row['q']}:{row['steps'][1]}")
def test_a_wrong_line_is_never_ok(row: dict[str, Any]) -> None:
    result = check(row["q"], "\n".join(row["steps"]), sheet=SHEET, timeout=20).to_dict()
    verdicts = [step["verdict"] for step in result.get("steps") or []]
    for index, expected in enumerate(row["expect_lines"]):
        if expected == "wrong" and index < len(verdicts):
            assert verdicts[index] != "ok", (index, row["steps"][index], result["steps"][index])


def test_the_sets_cover_the_sheet() -> None:
    """The set's own size, as issue 25 asks of held-out material: every question, 80 answers, 15 workings."""
    assert len(ANSWERS) >= 80 and len(DERIVATIONS) >= 15
    assert len({row["q"] for row in ANSWERS}) == 13
    assert all(len(row["steps"]) == len(row["expect_lines"]) for row in DERIVATIONS)


def main() -> None:
    """Print answers right, false correct, lines right, wrong lines judged ok, right lines unreadable."""
    right = false_correct = 0
    for row in ANSWERS:
        got = check(row["q"], row["a"], sheet=SHEET, timeout=10).verdict
        right += got == row["expect"]
        false_correct += got == "correct" != row["expect"]
        if got != row["expect"]:
            print(f"answer  {row['q']} | {row['a']} | expected {row['expect']}, got {got}")
    lines = lines_right = wrong_ok = unreadable = 0
    for row in DERIVATIONS:
        steps = check(row["q"], "\n".join(row["steps"]), sheet=SHEET, timeout=20).to_dict().get("steps") or []
        for index, expected in enumerate(row["expect_lines"][1:], start=1):
            got = steps[index]["verdict"] if index < len(steps) else None
            lines += 1
            lines_right += got == expected
            wrong_ok += expected == "wrong" and got == "ok"
            unreadable += expected == "ok" and got == "invalid"
            if got != expected:
                print(f"line    {row['q']} {index} | {row['steps'][index]} | expected {expected}, got {got}")
    print(f"answers {right}/{len(ANSWERS)}, false correct {false_correct}; lines {lines_right}/{lines}, "
          f"wrong judged ok {wrong_ok}, right lines unreadable {unreadable}", file=sys.stderr)


if __name__ == "__main__":
    main()
