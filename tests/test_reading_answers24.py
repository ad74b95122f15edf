"""Rules of the answer reader added in round 5 of issue 21 (grading/reader.py, grading/premises.py),
each with cases of its own in both directions: a numeric example after an equation answer is the
value of the equation's valued side and is checked as a plain answer's is; a value the student denies
with ``not`` is no second answer."""
from __future__ import annotations

import pytest
from reading import verdict

from derivcheck.grading.reader import rejected_value

# --- 1. a numeric example after an equation answer is checked ---------------------------------------

@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.bound", "a = sqrt(3/d) ≈ 0.3 for d = 100"),
    ("sheet9:p1.bound", "a = sqrt(3/d) ≈ 0.5 at d = 100"),
    ("sheet9:p1.bound", "a = sqrt(3/d) ≈ 0.3 for d = 3"),
    ("sheet9:p1.bound", "a^2 = 3/d ≈ 0.3 for d = 100"),
    ("sheet9:p1.bound", "sqrt(3/d) = a ≈ 0.3 for d = 100"),
    ("sheet9:p1.bound", "a = \\sqrt{3/d} \\approx 0.5 \\text{ when } d = 100"),
    ("sheet8:p2.sigma", "sigma^2 = 2/d ≈ 0.2 for d = 100"),
    ("sheet8:p2.sigma", "\\sigma = \\sqrt{2/d} \\approx 0.02 \\text{ for } d = 100"),
    ("sheet8:p2.sigma", "σ = √(2/d) ≈ 0.2 for d = 10"),
    ("sheet9:p1.glorot", "a = sqrt(6/(n_in+n_out)) ≈ 0.5 for n_in = n_out = 100"),
    ("sheet9:p1.glorot", "a = sqrt(6/(n_in+n_out)) ≈ 0.5 for n_in = 100, n_out = 100"),
])
def test_a_wrong_example_after_an_equation_is_a_second_answer(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.bound", "a = sqrt(3/d) ≈ 0.17 for d = 100"),
    ("sheet9:p1.bound", "a = sqrt(3/d) ≈ 0.17 at d = 100"),
    ("sheet9:p1.bound", "a^2 = 3/d ≈ 0.03 for d = 100"),
    ("sheet9:p1.bound", "a = \\sqrt{3/d} \\approx 0.17 \\text{ when } d = 100"),
    ("sheet8:p2.sigma", "sigma^2 = 2/d ≈ 0.02 for d = 100"),
    ("sheet8:p2.sigma", "\\sigma = \\sqrt{2/d} \\approx 0.14 \\text{ for } d = 100"),
    ("sheet9:p1.glorot", "a = sqrt(6/(n_in+n_out)) ≈ 0.17 for n_in = 100, n_out = 100"),
])
def test_a_right_example_after_an_equation_stands(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


# --- 2. a value denied with "not" is no second answer ------------------------------------------------

@pytest.mark.parametrize("where, text, want", [
    ("sheet9:p1.variance", "Var[y] = d a^2/3 (not d a^2/12)", "correct"),
    ("sheet9:p1.variance", "d a^2/3 (not d a^2/12)", "correct"),
    ("sheet9:p3.gradient", "not y - s but s - y", "correct"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) (He init), not sqrt(1/d) like Xavier", "correct"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d); not sqrt(1/d) as in LeCun init", "correct"),
    ("sheet9:p1.bound", "a = sqrt(3/d) (not a = sqrt(1/d))", "correct"),
    # the value kept is the answer decided: a wrong one stays wrong
    ("sheet9:p1.variance", "d a^2/12 (not d a^2/3)", "incorrect"),
    ("sheet9:p3.gradient", "not s - y but y - s", "incorrect"),
    ("sheet8:p2.sigma", "sigma = sqrt(1/d) (He init), not sqrt(2/d) like Xavier", "incorrect"),
    ("sheet9:p1.bound", "a = sqrt(1/d) (not a = sqrt(3/d))", "incorrect"),
    ("sheet9:p1.variance", "not d a^2/3 but d a^2/12", "incorrect"),
])
def test_a_denied_value_is_no_second_answer(banks: dict, where: str, text: str, want: str) -> None:
    assert verdict(banks, where, text) == want


@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3 (or d a^2/12)"),
    ("sheet9:p1.variance", "d a^2/3 (could be d a^2/12)"),
    ("sheet9:p1.variance", "d a^2/3 (not d a^2/3)"),  # denies the answer itself
    ("sheet9:p1.variance", "d a^2/3 (not halved)"),  # an operation, not a value
    ("sheet9:p1.variance", "d a^2/3 (not 2)"),
    ("sheet9:p1.variance", "d a^2/3, not d a^2/12 but maybe d a^2/12"),
    ("sheet9:p1.variance", "d a^2/12 (not d a^2/3) or d a^2/3"),
])
def test_an_offered_or_unclear_alternative_stays_invalid(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


def test_rejected_value_splits_the_answer_from_the_denied_value() -> None:
    assert rejected_value("d a^2/3 (not d a^2/12)") == ("d a^2/3", "d a^2/12")
    assert rejected_value("sqrt(2/d), not sqrt(1/d) like Xavier") == ("sqrt(2/d)", "sqrt(1/d)")
    assert rejected_value("not y - s but s - y") == ("s - y", "y - s")
    assert rejected_value("d a^2/3 (or d a^2/12)") is None
    assert rejected_value("(not d a^2/12)") is None


# --- 3. a premise restated as the answer, a consequence after it, a count per unit --------------------

@pytest.mark.parametrize("where, text, want", [
    ("sheet8:p2.sigma", "sigma^2 = 2/d, i.e. sigma = sqrt(2/d)", "correct"),
    ("sheet8:p2.sigma", "sigma^2 = 2/d, that is sqrt(2/d)", "correct"),
    ("sheet9:p1.bound", "a = (3/d)^(1/2), so that d a^2/3 = 1", "correct"),
    ("sheet8:p4.forward_mults", "Each layer costs nK^2, so in total nLK^2.", "correct"),
    ("sheet8:p4.forward_mults", "nK^2 per layer, so in total nLK^2.", "correct"),
    # a false premise or consequence: no answer; a wrong answer: wrong whatever follows
    ("sheet8:p2.sigma", "sigma^2 = 1/d, i.e. sigma = sqrt(2/d)", "invalid"),
    ("sheet9:p1.bound", "a = (3/d)^(1/2), so that d a^2/12 = 1", "invalid"),
    ("sheet8:p4.forward_mults", "Each layer costs 2nK^2, so in total nLK^2.", "invalid"),
    ("sheet8:p2.sigma", "sigma^2 = 2/d, i.e. sigma = sqrt(1/d)", "incorrect"),
    ("sheet9:p1.bound", "a = sqrt(1/d), so that d a^2/3 = 1", "incorrect"),
    ("sheet8:p4.forward_mults", "Each layer costs nK^2, so in total 2nLK^2.", "incorrect"),
    ("sheet9:p1.variance", "d a^2/3 (i.e. the std)", "invalid"),
])
def test_working_around_the_answer_is_checked(banks: dict, where: str, text: str, want: str) -> None:
    assert verdict(banks, where, text) == want


# --- 4. a wrong value beside a remark that explains it is wrong -------------------------------------

@pytest.mark.parametrize("where, text, want", [
    ("sheet8:p2.variance", "d*sigma^2*(1/2-1/(2*pi))  (variance of relu(z) is 1/2-1/2pi)", "incorrect"),
    ("sheet9:p1.variance", "Var[y] = d (a^2/12)   (variance of a uniform is (b-a)^2/12)", "incorrect"),
    ("sheet8:p4.forward_mults", "2 n L K^2 FLOPs", "incorrect"),
    # a right value beside a remark the reader does not set aside is not made correct
    ("sheet9:p1.variance", "Var[y] = d a^2/3   (variance of a uniform is (b-a)^2/12)", "invalid"),
    ("sheet8:p4.forward_mults", "n L K^2 FLOPs", "invalid"),
    # an operation, an alternative or a hedge beside a wrong value: no explanation
    ("sheet9:p1.variance", "d a^2/12 (times 4)", "invalid"),
    ("sheet9:p1.variance", "d a^2/12 (or d a^2/3)", "invalid"),
    ("sheet9:p1.variance", "d a^2/12 (could be d a^2/3)", "invalid"),
    ("sheet9:p1.variance", "d a^2/12 (before the factor 4)", "invalid"),
    ("sheet9:p1.variance", "d a^2/3 (halved)", "invalid"),
    # no remark: maths in a bracket, words with no value
    ("sheet8:p3.gradient", "sum_i y_i (z_j - delta_ij)", "correct"),
    ("sheet8:p3.smoothing_gap", "I don't know", "invalid"),
])
def test_a_wrong_value_beside_an_explaining_remark_is_wrong(banks: dict, where: str, text: str, want: str) -> None:
    assert verdict(banks, where, text) == want


# --- 5. a closing scope over the answer's own indices ------------------------------------------------

@pytest.mark.parametrize("where, text, want", [
    ("sheet8:p3.gradient", "∂L/∂x_j = z_j − y_j for every j", "correct"),
    ("sheet8:p3.gradient", "z_j − y_j for all j", "correct"),
    ("sheet8:p3.gradient", "∂L/∂x_j = y_j − z_j for every j", "incorrect"),
    ("sheet9:p1.variance", "d a^2/3 for each i", "invalid"),  # an index the answer does not hold
])
def test_a_closing_scope_over_the_answers_indices_is_where_it_holds(banks: dict, where: str, text: str,
                                                                     want: str) -> None:
    assert verdict(banks, where, text) == want
