"""Rules of the answer reader added in round 5 of issue 21 (grading/reader.py, grading/premises.py),
each with cases of its own in both directions: a numeric example after an equation answer is the
value of the equation's valued side and is checked as a plain answer's is."""
from __future__ import annotations

import pytest
from reading import verdict

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
