"""Issue 21, rules of the line reader (grading/working.py, normalize.py, symbolic.py): what students
write in derivations, each rule with spellings of its own and the traps that must stay refused."""
from __future__ import annotations

import pytest
import sympy as sp

from derivcheck.grading.bank import load
from derivcheck.grading.errors import AnswerError
from derivcheck.grading.grader import check
from derivcheck.grading.working import polynomial_degree, read_line


@pytest.fixture(scope="module")
def sheet9() -> dict:
    return load("sheet9")


@pytest.fixture(scope="module")
def sheet8() -> dict:
    return load("sheet8")


def verdicts(record: dict) -> list[str]:
    return [s["verdict"] for s in record["steps"]]


# --- 1. definite integrals of a polynomial in a bound variable ------------------------------------

@pytest.mark.parametrize("line", [
    "= d \\int_{-a}^{a} \\frac{v^2}{2a}\\,dv",
    "= \\frac{d}{2a}\\int_{-a}^{a} t^{2}\\, \\mathrm{d}t",
    "= d (1/(2a)) ∫_{-a}^{a} s² ds",
    "= d a^2 int_0^1 u^2 du",
    "= d int_{-a}^{a} (w^2 + a w)/(2a) dw",        # w: a family's letter, bound here
    "= d a^2/5 * int_{-1}^{1} (u^2 + 1/2) du",
])
def test_polynomial_integral_is_integrated_exactly(sheet9: dict, line: str) -> None:
    record = check(sheet9["p1.variance"], f"Var[y]\n{line}\n= d a^2/3", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


@pytest.mark.parametrize("line", [
    "= d \\int_{-a}^{a} \\frac{v^2}{a}\\,dv",        # the density's 1/(2a) halved
    "= d a^2 int_{-1}^{1} u^2 du",                  # no 1/2: twice the value
    "= d int_0^a w^3 dw",
])
def test_polynomial_integral_of_a_wrong_value_is_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p1.variance"], f"Var[y]\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


@pytest.mark.parametrize("line", [
    "d int_{-a}^{a} exp(v) dv",            # not a polynomial
    "d int_{-a}^{a} 1/v dv",
    "d int_{-a}^{a} sqrt(v) dv",
    "d int_{-a}^{a} v^2 du",               # the integrand does not use the differential's variable
    "d int_{-a}^{oo} v^2 dv",              # an infinite bound
    "d int_{-a}^{v} v^2 dv",               # a bound that uses the variable
    "d int_{-a}^{a} v^100 dv",             # past the degree bound
    "d int_{-a}^{a} v^2",                  # no differential
])
def test_other_integrals_stay_refused(sheet9: dict, line: str) -> None:
    with pytest.raises(AnswerError):
        read_line(sheet9["p1.variance"].model, line)


def test_polynomial_degree_is_bounded_without_expanding() -> None:
    u, a = sp.symbols("u a")
    assert polynomial_degree(a * (u + 1) ** 3 * u + a, u) == 4
    assert polynomial_degree(sp.exp(u), u) is None
    assert polynomial_degree(1 / u, u) is None
    assert polynomial_degree(((u + 1) ** 20) ** 2, u) is None   # degree 40 > 24
    assert polynomial_degree(sp.exp(a) * u, u) == 1
