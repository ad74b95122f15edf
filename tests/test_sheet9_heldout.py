"""Sheet 9 held-out set (issue 25's acceptance standard): answers and derivations written by hand,
with the verdicts a TA gives, before derivcheck was run on them (tests/data/heldout9_*.jsonl:
``{"q", "a", "expect"}`` and ``{"q", "steps", "expect_lines"}``, line 0's verdict ``start``).

Only what must hold whatever else fails is asserted here: no answer whose expected verdict is
``incorrect`` or ``invalid`` is graded ``correct``, and no line expected ``wrong`` is judged ``ok``.
Verdicts that are merely different (a right answer refused, a right line unreadable) are measured
by ``python tests/test_sheet9_heldout.py`` (prints the table and every miss), not asserted.

Measured untuned on the first run (branch w-red9 on main f9c83bc, ``derivcheck.api.check``):
answers 165/186, 2 false correct (below), 4 right answers incorrect (written in t: s and t are
sampled as independent), 10 right answers invalid (sigma(t) an unknown function, sentences);
lines 60/73, 0 wrong lines judged ok, 8/57 right lines unreadable (E[...] in Problem 2.1's model,
sigma(t)), 3 right lines wrong (2 after an unreadable line, 1 by the s-t independence).
After that run, PROBES_NOT_CORRECT: 6 more false correct of two classes (below).
After the precision rules of tests/test_precision.py (a tie looked at with the digits of the exact
constants, the exact difference valued alone, landmark and centre points): answers 181/186, 0
false correct; lines 73/73; no probe correct (the strict xfail of ``+ exp(-1000)`` inside the
logarithm is gone).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check as grade

DATA = Path(__file__).parent / "data"
SHEET = "sheet9"
_BANK: dict[str, Any] = {}


def check(question: str, text: str) -> dict[str, Any]:
    """The record ``check --json`` gives (graded in process: tests/test_one_judge.py holds every
    surface to the same record, and the sandbox's overhead is a third of this file's time)."""
    if not _BANK:
        _BANK.update(load(SHEET))
    return grade(_BANK[question], text, evidence=False)

# False correct found on the first run: each is the sheet's named mistake "log(1 + e^{-t}) alone,
# not stable" (an exp with a positive argument for t << 0, resp. t >> 0); equal to L(t) as real
# functions, refused by the question, which asks that exp never receive a positive argument.
KNOWN_FALSE_CORRECT: dict[tuple[str, str], str] = {}  # both found on the first run are refused now (stability)


# Probes written after the first run, aimed at the class found there (an unstable form of the
# logistic loss, equal to L(t) as a real function) and at issue 21's exactness rule (an exact
# non-zero difference far below the numeric tolerance). Kept apart from the held-out files.
# s(1-s) + exp(-1000 t^2) differs from s(1-s) by more than the tolerance only for |t| < 0.3: found
# now on every install, at the landmark t = 0 and by valuing the exact difference alone
# (tests/test_precision.py checks it under several salts).
PROBES_NOT_CORRECT = [
    ("p3.stable_loss", r"-y \log\frac{1}{1+e^{-t}} - (1-y)\log\left(1 - \frac{1}{1+e^{-t}}\right)", ""),
    ("p3.stable_loss", r"t - t y + log(1 + exp(-t))", ""),
    ("p3.stable_loss", r"-log(exp(y t)/(1 + exp(t)))", ""),
    ("p3.stable_loss", r"log(exp(-t y) + exp(t - t y))", ""),
    ("p3.stable_loss", r"max(t, 0) - t y + log(1 + exp(-|t|)) + exp(-1000)", ""),
    ("p3.stable_loss", r"max(t, 0) - t y + log(1 + exp(-abs(t)) + exp(-1000))", ""),
    ("p3.stable_loss", r"max(t,0) - t y + log(1 + exp(-|t|) + exp(-1000))", ""),
    ("p3.sigmoid_derivative", r"s(1-s) + exp(-1000 t^2)", ""),
    ("p3.stable_loss", r"max(t, 0) - t y + log(1 + exp(-|t|)) + exp(-100)", ""),
    ("p1.variance", r"d a^2/3 + exp(-1000)", ""),
    ("p1.variance", r"d a^2 (1 + 10^{-40})/3", ""),
    ("p3.gradient", r"s - y + exp(-1000)", ""),
    ("p2.layer_variance", r"\frac{(d\sigma)^2}{2p}", ""),
    # the loss in names the model defines (s = sigmoid(t), L): its exponentials are hidden, so its
    # stability cannot be checked (sealed set 14 found the first as a false correct)
    ("p3.stable_loss", r"-y log(s) - (1-y) log(1-s)", ""),
    ("p3.stable_loss", r"L", ""),
    ("p3.stable_loss", r"L(t)", ""),
]


def _probe_params() -> list[Any]:
    return [pytest.param(q, a, marks=[pytest.mark.xfail(strict=True, reason=f"false correct: {r}")] if r else [],
                         id=f"{q}:{a}") for q, a, r in PROBES_NOT_CORRECT]


@pytest.mark.parametrize("question, answer", _probe_params())
def test_a_probe_is_never_correct(question: str, answer: str) -> None:
    record = check(question, answer)
    assert record["verdict"] != "correct", record


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
    record = check(question, answer)
    assert record["verdict"] != "correct", record


@pytest.mark.parametrize("row", [row for row in DERIVATIONS if "wrong" in row["expect_lines"]],
                         ids=lambda row: f"{row['q']}:{row['steps'][1]}")
def test_a_wrong_line_is_never_ok(row: dict[str, Any]) -> None:
    result = check(row["q"], "\n".join(row["steps"]))
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
        got = check(row["q"], row["a"])["verdict"]
        right += got == row["expect"]
        false_correct += got == "correct" != row["expect"]
        if got != row["expect"]:
            print(f"answer  {row['q']} | {row['a']} | expected {row['expect']}, got {got}")
    lines = lines_right = wrong_ok = unreadable = 0
    for row in DERIVATIONS:
        steps = check(row["q"], "\n".join(row["steps"])).get("steps") or []
        for index, expected in enumerate(row["expect_lines"][1:], start=1):
            verdict: str | None = steps[index]["verdict"] if index < len(steps) else None
            lines += 1
            lines_right += verdict == expected
            wrong_ok += expected == "wrong" and verdict == "ok"
            unreadable += expected == "ok" and verdict == "invalid"
            if verdict != expected:
                print(f"line    {row['q']} {index} | {row['steps'][index]} | expected {expected}, got {verdict}")
    print(f"answers {right}/{len(ANSWERS)}, false correct {false_correct}; lines {lines_right}/{lines}, "
          f"wrong judged ok {wrong_ok}, right lines unreadable {unreadable}", file=sys.stderr)


if __name__ == "__main__":
    main()
