"""Working lines of issue 21 (derivations): equation questions read under the model the sheet
states, a keep probability and a sigmoid named by the models, definitions written beside a line,
and bracketed remarks set apart from bracketed factors. Each case is written here (other spellings,
LaTeX and Unicode variants), with traps that must stay wrong or invalid."""
from __future__ import annotations

import pytest

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check


@pytest.fixture(scope="module")
def banks() -> dict[str, dict]:
    return {"sheet8": load("sheet8"), "sheet9": load("sheet9")}


def steps(banks: dict[str, dict], sheet: str, qid: str, working: str) -> list[str]:
    record = check(banks[sheet][qid], working, evidence=False)
    return [s["verdict"] for s in record["steps"]]


# --- 1. an equation question's line 0 is read under the model, never solved as a label ----------

GLOROT = [
    # Var[w_i] is a^2/3 under U(-a, a): every equivalent equation for a is right
    ("Var(w_i) = 2/(n_in + n_out)\n(2a)^2/12 = 2/(n_in + n_out)\na^2 = 6/(n_in + n_out)\na = sqrt(6/(n_in + n_out))",
     ["start", "ok", "ok", "ok"]),
    ("\\operatorname{Var}[w_j] = \\frac{2}{n_{in} + n_{out}}\n\\frac{a^2}{3} = \\frac{2}{n_{in}+n_{out}}\n"
     "a = \\sqrt{\\frac{6}{n_{in}+n_{out}}}", ["start", "ok", "ok"]),
    ("E[w_1^2] = 2/(n_in + n_out)\n3a^2 = 18/(n_in + n_out)", ["start", "ok"]),
    # traps: the width-a formula and the standard deviation read as the bound stay wrong
    ("Var[w_i] = 2/(n_in + n_out)\na^2/12 = 2/(n_in + n_out)", ["start", "wrong"]),
    ("Var[w_i] = 2/(n_in + n_out)\na = sqrt(2/(n_in + n_out))", ["start", "wrong"]),
    ("Var[w_i] = 2/(n_in + n_out)\na^2/3 = 2/(n_in + n_out)\na = 2/(n_in + n_out)", ["start", "ok", "wrong"]),
]


@pytest.mark.parametrize("working,expected", GLOROT)
def test_glorot_working_is_read_under_its_uniform_model(banks, working, expected) -> None:
    assert steps(banks, "sheet9", "p1.glorot", working) == expected


UNREAD_LEFT = [
    # a left side that reads nowhere is refused, never dropped as a label (which would make the
    # right side the unknown's value: sigma = 1)
    ("sheet9", "p2.sigma", "variance = 1\nd sigma^2/(2(1 - q)) = 1\nsigma = sqrt(2(1-q)/d)", ["start", "ok", "ok"]),
    ("sheet9", "p2.sigma", "Var[y] = 1\nd sigma^2/(2(1-q)) = 1\nstd = sqrt(2(1-q)/d)", ["start", "ok", "invalid"]),
    ("sheet8", "p2.sigma", "variance = 1\nd sigma^2/2 = 1\nsigma = sqrt(2/d)", ["start", "ok", "ok"]),
    ("sheet9", "p1.glorot", "bound = 2/(n_in + n_out)\na^2/3 = 2/(n_in + n_out)", ["start", "ok"]),
    # the trap: a wrong equation after such a line 0 is still wrong (judged against the asked a)
    ("sheet9", "p1.glorot", "bound = 2/(n_in + n_out)\na^2/12 = 2/(n_in + n_out)", ["start", "wrong"]),
]


@pytest.mark.parametrize("sheet,qid,working,expected", UNREAD_LEFT)
def test_an_unreadable_left_side_is_never_a_label(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected
