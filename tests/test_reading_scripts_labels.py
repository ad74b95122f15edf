"""Two rules of the one reader (issue 21): a run of Unicode superscripts is one exponent or upper
limit, as a run of subscripts is one subscript; a LaTeX text box of words after the last term is a
label as the same words typed plainly are, and words that change the quantity stay refused."""
from __future__ import annotations

import pytest

from derivcheck.grading.grader import check


@pytest.mark.parametrize("sheet, q, answer, verdict", [
    ("sheet9", "p1.variance", "d a²/3", "correct"),
    ("sheet9", "p1.variance", "d a³/3", "incorrect"),
    ("sheet9", "p1.variance", "d·a^2·3⁻¹", "correct"),          # a run: ⁻¹ is the exponent -1
    ("sheet9", "p1.variance", "d·a^2·3⁻²", "incorrect"),
    ("sheet8", "p2.variance", "d σ²/2", "correct"),
    ("sheet8", "p2.variance", "2⁻¹ d σ²", "correct"),
    ("sheet8", "p4.forward_mults", "n L K¹⁰", "incorrect"),       # ¹⁰ is ten, not 1 times 0
    # a text box of words after the last term: a label, as typed plainly
    ("sheet8", "p4.forward_mults", "L \\cdot n \\cdot K^2 \\text{ multiplications}", "correct"),
    ("sheet8", "p4.inference_memory", "LK^{2} + 2nK \\text{ numbers}", "correct"),
    ("sheet9", "p4.weights", "k^2 C_{\\text{in}} C_{\\text{out}} \\mathrm{weights}", "correct"),
    ("sheet8", "p4.forward_mults", "2nLK^2 \\text{ multiplications}", "incorrect"),
    # words that change the quantity are never a label, in a box or not
    ("sheet8", "p4.forward_mults", "nLK^2 \\text{ per layer}", "invalid"),
    ("sheet8", "p4.forward_mults", "nK^2 \\text{ squared}", "invalid"),
    ("sheet8", "p4.forward_mults", "nLK^2 \\text{ times two}", "invalid"),
])
def test_scripts_and_text_labels(banks: dict, sheet: str, q: str, answer: str, verdict: str) -> None:
    assert check(banks[sheet][q], answer, evidence=False)["verdict"] == verdict


@pytest.mark.parametrize("steps, expected", [
    (["Var[y]", "= d · ∫₋ₐᵃ w² · 1/(2a) dw", "= d a^2/3"], ["start", "ok", "ok"]),
    (["Var[y]", "= d · ∫₋ₐᵃ w² dw", "= d a^2/3"], ["start", "wrong", "wrong"]),   # the density forgotten
])
def test_unicode_integral_limits(banks: dict, steps: list[str], expected: list[str]) -> None:
    record = check(banks["sheet9"]["p1.variance"], "\n".join(steps), evidence=False)
    assert [s["verdict"] for s in record["steps"]] == expected


@pytest.mark.parametrize("q, answer, verdict", [
    # a decimal value at given values of the names illustrates the answer; it defines nothing
    ("p3.smoothing_gap", "log(1+d(1-eps)/eps) ≈ 4.51 for d = 10, eps = 0.1", "correct"),
    ("p3.smoothing_gap", "log(1 + d(1 − ε)/ε) ≈ 4.51 for d = 10, ε = 0.1", "correct"),
    ("p3.smoothing_gap", "\\log\\left(1 + \\frac{d(1-\\varepsilon)}{\\varepsilon}\\right) \\approx 4.51"
     " \\text{ for } d=10,\\ \\varepsilon=0.1", "correct"),
    ("p2.variance", "σ²d/2 ≈ 0.5 for d = 64, σ = 1/8", "correct"),
    ("p2.variance", "d sigma^2/2 ≈ 0.5 for d = 64 and sigma = 1/8", "correct"),
    # the answer itself is still judged: a wrong one stays wrong with its example
    ("p2.variance", "σ²d ≈ 1 for d = 64, σ = 1/8", "incorrect"),
    ("p3.smoothing_gap", "log(d(1-eps)/eps) ≈ 4.50 for d = 10, eps = 0.1", "incorrect"),
])
def test_a_numeric_example_is_set_aside(banks: dict, q: str, answer: str, verdict: str) -> None:
    assert check(banks["sheet8"][q], answer, evidence=False)["verdict"] == verdict



@pytest.mark.parametrize("answer, verdict", [
    # a bracket of mathematics after a space is a factor, never a remark: the sheet's functions and
    # any call are mathematics (this was a false correct: s - y (1 - sigmoid(t)) read as s - y)
    ("s - y (1 - sigmoid(t))", "incorrect"), ("s - y (sigmoid(t))", "incorrect"),
    ("s - y (1 - \\sigma(t))", "incorrect"), ("s - y (softplus(t))", "incorrect"), ("s - y (1 - foo(t))", "invalid"),
    # a bracket of words still explains
    ("s - y (the usual logistic gradient)", "correct"),
])
def test_a_bracket_of_mathematics_is_never_a_remark(banks: dict, answer: str, verdict: str) -> None:
    assert check(banks["sheet9"]["p3.gradient"], answer, evidence=False)["verdict"] == verdict


@pytest.mark.parametrize("answer", ["s - y (negated)", "s - y (sign flipped)", "s - y (reversed)",
                                    "s - y (the opposite)", "s - y (reciprocal)"])
def test_a_remark_that_turns_the_answer_around_is_never_set_aside(banks: dict, answer: str) -> None:
    """Found by a red team: "(negated)" was set aside, so a TA's y - s was graded as s - y."""
    assert check(banks["sheet9"]["p3.gradient"], answer, evidence=False)["verdict"] != "correct"
