"""Labels set aside only when recognised as naming what the question asks (grading/labels.py).

Accepted: labels in the question's own words (plain, LaTeX, Unicode), equation sides that are the
asked quantity as line 0 of a derivation would name it, subscripts the question itself explains.
Traps: labels that name another quantity, another unit, a part of the asked count, another
derivative or moment, arithmetic on the quantity, or a subscript that gives a scalar another meaning:
never correct (the label is kept, so the answer is read with it: invalid, or solved: incorrect).
"""
from __future__ import annotations

import pytest

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check
from derivcheck.grading.labels import asking, question_words, recognised

BANKS = {name: load(name) for name in ("sheet8", "sheet9")}


def verdict(sheet: str, qid: str, answer: str) -> str:
    return check(BANKS[sheet][qid], answer, evidence=False)["verdict"]


ACCEPTED = [
    ("sheet9", "p1.variance", "The variance is d a^2/3"),
    ("sheet9", "p1.variance", "Variance: \\frac{d a^2}{3}"),
    ("sheet9", "p1.variance", "\\operatorname{Var}(y) = \\frac{d a^2}{3}"),
    ("sheet9", "p1.variance", "Var(y) = d·a²/3"),
    ("sheet9", "p1.variance", "Since the z_i are independent, d a^2/3"),
    ("sheet8", "p4.forward_mults", "n L K^2 multiplications"),
    ("sheet8", "p4.forward_mults", "nLK^2 \\text{ multiplications}"),
    ("sheet8", "p4.inference_memory", "L K^2 (weights) + 2 n K (activations)"),
    ("sheet9", "p4.weights", "C_in C_out k^2 weights"),
    ("sheet9", "p4.training_mults", "Multiplications: 3 n H W C_in C_out k^2"),
    ("sheet9", "p3.sigmoid_derivative", "ds/dt = s(1 - s)"),
    ("sheet9", "p3.sigmoid_derivative", "\\frac{d\\sigma}{dt} = s(1-s)"),
    ("sheet9", "p3.gradient", "\\frac{\\partial L}{\\partial t} = s - y"),
    ("sheet8", "p2.variance", "d \\sigma_w^2/2"),
    ("sheet8", "p2.variance", "d σ_w²/2"),
    ("sheet9", "p2.layer_variance", "d sigma^2/(2 p_{keep})"),
    ("sheet9", "p2.sigma", "sigma = sqrt(2(1 - q_{drop})/d)"),
    ("sheet9", "p4.forward_mults", "n H_{out} W_{out} C_in C_out k^2"),
]


@pytest.mark.parametrize("sheet,qid,answer", ACCEPTED)
def test_recognised_labels_stay_accepted(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) == "correct"


TRAPS = [
    ("sheet9", "p1.variance", "The mean is d a^2/3"),        # another moment named in words
    ("sheet9", "p1.variance", "Standard deviation: d a^2/3"),
    ("sheet9", "p1.variance", "d a^2/3 \\text{ std}"),
    ("sheet9", "p1.variance", "Lower bound: d a^2/3"),       # a bound of it, not it
    ("sheet9", "p1.variance", "\\mathrm{Std}[y] = \\frac{d a^2}{3}"),
    ("sheet9", "p1.variance", "2 Var[y] = d a^2/3"),         # arithmetic on the quantity
    ("sheet9", "p1.variance", "Var[y]^2 = d a^2/3"),
    ("sheet9", "p1.variance", "E[y^2]/2 = d a^2/3"),
    ("sheet9", "p1.variance", "d a^2/3 = Var[w_1]"),         # another quantity named on the right
    ("sheet9", "p1.variance", "As a is the width, d a^2/3"),  # a leading reason in words the question lacks
    ("sheet8", "p3.gradient", "dL/dz = z - y"),              # another derivative
    ("sheet8", "p3.gradient", "L = z - y"),                  # a name of the question, not the asked one
    ("sheet9", "p3.gradient", "\\frac{\\partial L}{\\partial s} = s - y"),
    ("sheet9", "p4.forward_mults", "n H W C_in C_out k^2 FLOPs"),   # another unit
    ("sheet9", "p4.forward_mults", "n H W C_in C_out k^2 \\text{ bytes}"),
    ("sheet9", "p4.training_mults", "3 n H W C_in C_out k^2 (backward)"),  # a part of the asked count
    ("sheet9", "p4.training_mults", "Forward pass: 3 n H W C_in C_out k^2"),
    ("sheet9", "p4.weights", "C_in C_out k^2 (weights + grads)"),
    ("sheet8", "p2.variance", "d sigma_z^2/2"),              # sigma of z ~ N(0, 1)
    ("sheet8", "p2.variance", "\\frac{d \\sigma_{x}^2}{2}"),
    ("sheet9", "p2.layer_variance", "d σ^2/(2 p_{drop})"),  # p is the keep probability
    ("sheet9", "p2.sigma", "sqrt(2(1 - q_{keep})/d)"),      # q is the drop probability
    ("sheet9", "p2.sigma", "sigma_w^2 = sqrt(2(1-q)/d)"),   # solved: sigma = (2(1-q)/d)^(1/4)
    ("sheet9", "p1.bound", "width = sqrt(3/d)"),
]


@pytest.mark.parametrize("sheet,qid,answer", TRAPS)
def test_unrecognised_labels_are_never_correct(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) in ("invalid", "incorrect")


def test_recognition_in_the_questions_own_words() -> None:
    q = BANKS["sheet9"]["p4.training_mults"]
    words, pairs = question_words(q)
    assert {"multiplication", "forward", "backward", "gradient"} <= words
    assert ("forward", "backward") in pairs
    with asking(q):
        assert recognised("multiplications in total")
        assert not recognised("forward")                          # one part of "forward and backward"
        assert recognised("forward and backward")
        assert recognised("forward", "nHWk^2 (forward) + 2nHWk^2 (backward)")
        assert not recognised("FLOPs") and not recognised("additions")
    assert recognised("FLOPs")  # no question held: the reader's own rules decide


@pytest.mark.parametrize("where, text, expected", [
    ("sheet8:p2.sigma", "The variance is sqrt(2/d)", "invalid"),
    ("sheet8:p2.sigma", "sqrt(2/d) (the variance)", "invalid"),
    ("sheet8:p2.sigma", "the variance of the weights is sqrt(2/d)", "invalid"),
    ("sheet9:p1.bound", "the variance is sqrt(3/d)", "invalid"),
    ("sheet8:p2.sigma", "The standard deviation is sqrt(2/d)", "correct"),
    ("sheet8:p2.sigma", "The required standard deviation is sqrt(2/d)", "correct"),
    ("sheet9:p1.bound", "The bound is sqrt(3/d)", "correct"),
    ("sheet8:p2.variance", "The variance is d sigma^2/2", "correct"),
])
def test_a_quantity_noun_in_a_label_names_the_unknown(where: str, text: str, expected: str) -> None:
    """In an equation question a label's quantity noun must name the unknown (the words before its
    name in the prompt): the variance is another quantity of the prompt."""
    assert verdict(*where.split(":"), text) == expected


@pytest.mark.parametrize("sheet, qid, working, line0", [
    ("sheet9", "p1.variance", "Std[y]\n= d a^2/3", "invalid"),
    ("sheet9", "p1.variance", "sigma_y\n= d a^2/3", "invalid"),
    ("sheet8", "p3.gradient", "dL/dz_j\n= z_j - y_j", "invalid"),
    ("sheet9", "p4.weights", "bytes\n= C_in C_out k^2", "invalid"),
    ("sheet9", "p4.forward_mults", "flops_fwd\n= n H W C_in C_out k^2", "invalid"),
    ("sheet9", "p4.forward_mults", "mults_fwd\n= n H W C_in C_out k^2", "start"),
    ("sheet9", "p4.weights", "num_weights\n= C_in C_out k^2", "start"),
    ("sheet8", "p4.forward_mults", "M\n= n L K^2", "start"),
    ("sheet8", "p3.smoothing_gap", "the gap\n= log(1 + d (1 - eps)/eps)", "start"),
    ("sheet9", "p1.variance", "\\operatorname{Var}(y)\n= d a^2/3", "start"),
    ("sheet8", "p4.forward_mults", "M_{\\mathrm{fwd}}\n= n L K^2", "start"),
    ("sheet8", "p4.training_memory", "S_{\\text{train}}\n= L K^2 + n L K", "start"),
    ("sheet9", "p4.weights", "C_params\n= C_out C_in k^2", "start"),
])
def test_line_zero_names_the_asked_quantity_or_is_refused(sheet: str, qid: str, working: str, line0: str) -> None:
    """Line 0 that cannot be read stands for the asked quantity only when it names it in the
    question's words (or is a symbol of one or two letters); otherwise it is invalid."""
    from derivcheck.grading.bank import load
    from derivcheck.grading.grader import check

    record = check(load(sheet)[qid], working, evidence=False)
    assert record["steps"][0]["verdict"] == line0


@pytest.mark.parametrize("sheet, qid, answer, expected", [
    ("sheet9", "p1.variance", "d a^2/3 ≈ 7 for d = 1, a = 1", "invalid"),
    ("sheet8", "p2.sigma", "sqrt(2/d) ≈ 1.41 for d = 100", "invalid"),
    ("sheet9", "p1.variance", "d a^2/3 \\approx 12 \\text{ for } d = 3, a = 1", "invalid"),
    ("sheet9", "p1.variance", "d a^2/3 ≈ 0.33 for d = 1, a = 1", "correct"),
    ("sheet8", "p2.sigma", "sqrt(2/d) ≈ 0.141 for d = 100", "correct"),
    ("sheet8", "p3.smoothing_gap", "log(1 + d(1-eps)/eps) ≈ 4.51 for d = 10, eps = 0.1", "correct"),
])
def test_a_numeric_example_must_be_the_answers_value(sheet: str, qid: str, answer: str, expected: str) -> None:
    """An example value at given names that is not the answer's there states a second answer."""
    assert verdict(sheet, qid, answer) == expected
