"""Rules of the answer reader added in round 3 of issue 21, each with cases of its own and the traps
that must stay invalid or wrong: a remark is set aside only when it is recognisably one that leaves
the value alone (grading/sentences.py ``explains``)."""
from __future__ import annotations

import pytest
from reading import verdict

from derivcheck.grading.sentences import explains

# --- 1. the set-aside rule is positive -------------------------------------------------------------

@pytest.mark.parametrize("where, text", [
    # a citation, a gloss of a convention, a property claim, a sentence of its own
    ("sheet9:p3.gradient", "s - y (Bishop 2006)"),
    ("sheet9:p3.gradient", "s - y \\quad \\text{(Bishop, 2006)}"),
    ("sheet8:p2.sigma", "sqrt(2/d) (Kaiming He et al., 2015)"),
    ("sheet8:p3.smoothing_gap", "log(1 + d(1 - eps)/eps) (natural logarithm)"),
    ("sheet9:p3.gradient", "s - y (negative when the prediction undershoots)"),
    ("sheet9:p3.gradient", "s - y (zero when s = y)"),
    ("sheet9:p3.sigmoid_derivative", "s(1 - s) \\quad \\text{(maximal } 1/4 \\text{ at } t = 0\\text{)}"),
    ("sheet9:p3.sigmoid_derivative", "s(1-s) (largest at t = 0, where it is 1/4)"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p) (at p = 1 it is the He value d sigma^2/2)"),
    ("sheet8:p3.unsmoothed_gap", "infinity (L \\to 0 only in the limit)"),
    ("sheet9:p3.gradient", "s - y (the sigmoid's derivative cancels)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (bias not included)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (biases excluded)"),
    ("sheet8:p2.variance", "d sigma^2/2 (by the law of total variance)"),
    ("sheet8:p2.variance", "d sigma^2/2 (matches the simulation)"),
    ("sheet8:p2.variance", "d sigma^2/2 (checked numerically)"),
    ("sheet9:p2.variance", "x_i^2 (1-p)/p (Bernoulli variance)"),
])
def test_a_recognised_remark_is_set_aside(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


@pytest.mark.parametrize("where, text", [
    # an adjective or participle of an operation, a manner, a unit or base: it may change the value
    ("sheet9:p3.gradient", "s - y (inverted)"),
    ("sheet9:p3.gradient", "s - y (the other way round)"),
    ("sheet9:p3.gradient", "s - y (mirrored)"),
    ("sheet9:p3.gradient", "s - y \\quad \\text{(complemented)}"),
    ("sheet9:p3.gradient", "s - y (upside down)"),
    ("sheet9:p3.gradient", "s - y (vice versa)"),
    ("sheet9:p3.gradient", "s - y (the answer is inverted)"),
    ("sheet9:p3.gradient", "s - y (labels inverted)"),
    ("sheet9:p3.gradient", "s - y (inverted labels)"),
    ("sheet9:p3.gradient", "s - y (normalised)"),
    ("sheet9:p3.gradient", "s - y (negative)"),
    ("sheet9:p3.gradient", "s - y (zero)"),
    ("sheet9:p3.gradient", "s - y (positive, inverted)"),
    ("sheet9:p3.gradient", "s - y (for t = 0 it is halved)"),
    ("sheet9:p3.gradient", "s - y (He et al., negated)"),
    ("sheet8:p3.smoothing_gap", "log(1 + d(1 - eps)/eps) (log base 2)"),
    ("sheet8:p3.smoothing_gap", "log(1 + d(1 - eps)/eps) (in bits)"),
    ("sheet8:p3.smoothing_gap", "log(1 + d(1 - eps)/eps) (natural log, doubled)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (bias included)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (in bytes)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (depthwise)"),
    ("sheet8:p2.variance", "d sigma^2/2 (d -> oo)"),
    ("sheet8:p2.variance", "d sigma^2/2 (positive if squared)"),
    ("sheet8:p2.variance", "d sigma^2/2 (by 2)"),
    ("sheet8:p2.variance", "d sigma^2/2 (by d)"),
    ("sheet8:p2.variance", "d sigma^2/2 (gets halved)"),
    ("sheet8:p2.variance", "d sigma^2/2 (depends on the convention)"),
])
def test_an_unrecognised_remark_leaves_the_answer_unread(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


@pytest.mark.parametrize("remark, explaining", [
    ("He et al.", True), ("unbiased", True), ("activations freed after use", True), ("no bias", True),
    ("inverted dropout is unbiased", True), ("units of y squared", True), ("forward nLK^2, backward 2nLK^2", True),
    ("inverted", False), ("other way round", False), ("transposed", False), ("y inverted", False),
    ("take the reciprocal", False), ("this is mirrored", False),
])
def test_explains_is_positive(remark: str, explaining: bool) -> None:
    assert explains(remark, {"n", "L", "K", "y"}) is explaining


# --- 2. a hedge around an exact answer is set aside; the value decides ------------------------------

@pytest.mark.parametrize("where, text, expected", [
    ("sheet8:p4.training_memory", "approximately L K^2 + n L K", "correct"),
    ("sheet8:p4.training_memory", "The memory is about LK^2 + nLK.", "correct"),
    ("sheet8:p3.smoothing_gap", "\\log\\frac{1 - \\epsilon + \\epsilon/d}{\\epsilon/d} \\quad \\text{(not 100% sure)}",
     "correct"),
    ("sheet9:p4.weights", "I think C_in C_out k^2", "correct"),
    ("sheet9:p4.weights", "C_in C_out k^2 (unsure)", "correct"),
    ("sheet9:p4.weights", "C_in C_out k^2 -- probably", "correct"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d), I believe", "correct"),
    ("sheet8:p3.unsmoothed_gap", "oo (maybe)", "correct"),
    ("sheet8:p2.variance", "approximately: d sigma^2/2", "correct"),
    # a hedged wrong value is wrong
    ("sheet9:p4.weights", "probably C_in C_out k", "incorrect"),
    ("sheet8:p4.training_memory", "roughly L K^2 + n K, but I'm not sure", "incorrect"),
    ("sheet8:p3.unsmoothed_gap", "probably finite", "incorrect"),
    ("sheet8:p3.unsmoothed_gap", "the gap is maybe finite", "incorrect"),
    # bounds, alternatives, decimals and an approximate infinity are no hedges
    ("sheet8:p4.training_memory", "at most LK^2 + nLK", "invalid"),
    ("sheet8:p4.training_memory", "up to LK^2 + nLK", "invalid"),
    ("sheet8:p4.training_memory", "LK^2 + nLK or 2LK^2 + LnK, not sure", "invalid"),
    ("sheet8:p2.sigma", "roughly 0.14", "invalid"),
    ("sheet8:p3.unsmoothed_gap", "unbounded (approximately)", "invalid"),
    ("sheet9:p4.weights", "C_in C_out k^2 (roughly, if bias is ignored)", "invalid"),
])
def test_a_hedge_is_set_aside_and_the_value_decides(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- 3. one operation said in words, read only where the reading is unique --------------------------

@pytest.mark.parametrize("where, text, expected", [
    ("sheet8:p2.variance", "Half of d\\sigma^2", "correct"),
    ("sheet8:p2.variance", "one half of d σ²", "correct"),
    ("sheet8:p2.variance", "a quarter of 2 d sigma^2", "correct"),
    ("sheet8:p2.variance", "double d sigma^2/4", "correct"),
    ("sheet8:p2.sigma", "the square root of \\frac{2}{d}", "correct"),
    ("sheet8:p2.variance", "(sigma sqrt(d/2)) squared", "correct"),
    ("sheet8:p4.forward_mults", "half of 2nLK^2", "correct"),
    ("sheet8:p2.variance", "a third of d sigma^2", "incorrect"),    # read, and wrong
    ("sheet8:p4.forward_mults", "twice nLK^2", "incorrect"),
    # traps: no operand, words as operand, a sum (where does the factor go?), a root or power of a formula
    ("sheet8:p2.variance", "half", "invalid"),
    ("sheet8:p2.variance", "half of the units", "invalid"),
    ("sheet8:p2.variance", "half of d sigma^2 + sigma", "invalid"),
    ("sheet8:p2.variance", "half of d sigma^2 per layer", "invalid"),
    ("sheet8:p2.variance", "not half of d sigma^2", "invalid"),
    ("sheet8:p2.sigma", "square root of 2/d", "invalid"),
    ("sheet8:p2.variance", "d sigma^2/2 squared", "invalid"),
])
def test_arithmetic_in_words(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- 4. sentences around the answer -----------------------------------------------------------------

@pytest.mark.parametrize("where, text, expected", [
    # a modal verb states the value
    ("sheet8:p2.sigma", "\\sigma must be \\sqrt{2/d}", "correct"),
    ("sheet8:p2.variance", "Var[y] should be d sigma^2/2", "correct"),
    ("sheet8:p2.sigma", "sigma should be 2/d", "incorrect"),
    ("sheet8:p2.sigma", "sigma should not be sqrt(2/d)", "invalid"),
    # working before a colon or "so": the last value is the answer
    ("sheet8:p4.forward_mults", "per layer n K^2; over L layers: n L K^2", "correct"),
    ("sheet9:p4.forward_mults", "k^2 C_in per output, n H W C_out outputs: n H W C_out C_in", "incorrect"),
    ("sheet8:p4.forward_mults", "n K^2 for one layer, hence n L K^2 overall", "correct"),
    ("sheet8:p4.forward_mults", "nK^2 per layer, so nK^2 in total", "incorrect"),
    ("sheet8:p4.forward_mults", "nLK^2: per layer", "invalid"),
    ("sheet8:p2.sigma", "The required standard deviation is sqrt(2/d)", "correct"),
    ("sheet8:p2.variance", "The final answer is d sigma^2/2", "correct"),
    ("sheet8:p2.variance", "d sigma^2/2 (ReLU: half)", "invalid"),
    # a relative clause with a limit of its own is a remark, never the end of a chain
    ("sheet9:p2.variance", "x_i^2 (1 - p)/p, which diverges when p \\to 0", "correct"),
    ("sheet9:p2.variance", "x_i^2 (1 - p)/p, which goes to 0 as p -> 1", "correct"),
    ("sheet9:p2.variance", "x_i^2/p, which blows up as p -> 0", "incorrect"),
    ("sheet9:p2.variance", "x_i^2 (1 - p)/p, which is halved", "invalid"),
    # a reason in a LaTeX text box that holds mathematics
    ("sheet8:p2.variance", "\\frac{d \\sigma^2}{2} \\quad \\text{because } E[z^2] \\text{ is halved by ReLU}",
     "correct"),
    ("sheet8:p2.variance", "d \\sigma^2 \\quad \\text{since only half of the } z_i \\text{ survive}", "incorrect"),
])
def test_sentences_around_the_answer(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- 5. sentences of finiteness, both ways ------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("the optimal gap is not finite", "correct"),
    ("The gap isn't bounded.", "correct"),
    ("x_y − x_j → ∞", "correct"),
    ("$x_y - x_j \\to +\\infty$", "correct"),
    ("\\lim_{x_y - x_j \\to \\infty} L = 0 \\text{, hence the gap is unbounded}", "correct"),
    ("\\text{there exists a finite minimiser}", "incorrect"),
    ("The loss has a minimum, at x_y - x_j = log(d - 1).", "incorrect"),
    ("the minimum is attained where softmax(x) = y", "incorrect"),
    ("no, it is bounded", "incorrect"),
    ("it is not unbounded", "incorrect"),
    ("not infinite", "incorrect"),
    # no definite claim, or a claim of another quantity
    ("The minimum is attained at x = y, but the gap is infinite.", "invalid"),
    ("the minimiser is not finite or finite", "invalid"),
    ("the gap is not finite but bounded", "invalid"),
    ("the minimum is not attained at x = y", "invalid"),
    ("L \\to \\infty", "invalid"),
    ("x_y - x_j \\to 0", "invalid"),
])
def test_finiteness_sentences(banks: dict, text: str, expected: str) -> None:
    assert verdict(banks, "sheet8:p3.unsmoothed_gap", text) == expected


# --- 6. doubled braces outside LaTeX are a template, read by no reading ------------------------------

@pytest.mark.parametrize("where, text, expected", [
    ("sheet9:p1.bound", "{{7*7}}", "invalid"),
    ("sheet8:p2.variance", "{{d sigma^2/2}}", "invalid"),     # also not under the question's model
    ("sheet9:p4.weights", "{{ C_in C_out k^2 }}", "invalid"),
    ("sheet8:p2.variance", "d sigma^{{2}}/2", "correct"),     # an exponent's group
    ("sheet9:p1.bound", "\\sqrt{{3}/{d}}", "correct"),        # LaTeX
    ("sheet8:p2.variance", "{d sigma^2}/2", "correct"),
])
def test_doubled_braces_outside_latex(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- red team: an operation said in words around a right value never leaves it correct -------------

@pytest.mark.parametrize("text", [
    "s - y (since it is inverted)", "s - y (by inverting it)", "s - y (where y is inverted)",
    "s - y, where y is inverted", "s - y (which is then inverted)", "The inverted gradient is s - y",
    "The negative gradient is s - y", "Minus the gradient is s - y", "The reciprocal is s - y",
    "The gradient squared is s - y", "Half the gradient is s - y", "the gradient should be negated: s - y",
    "y - s: s - y", "s - y, which should be negated", "s - y reversed", "s - y \\quad \\text{inverted}",
    # a sentence that gives the answer a value of its own, or speaks of the asked quantity with an operation
    "s - y (the gradient has the opposite sign)", "s - y (the real answer is 1/(s - y))",
    "s - y (the derivative is y - s)", "s - y (gradient descent uses the negative)", "s - y, which is y - s + 0",
    # a function or a reduction named alone applies it
    "s - y (abs)", "s - y (max)", "s - y (sum)", "s - y (absolute value)", "s - y (mean)",
    # a gloss is recognised by what it says; any spelling of the remark
    "s - y, i.e. the other way round", "s - y, i.e. upside down", "s - y (e.g. mirrored)", "s - y (namely its inverse)",
    "s − y (INVERTED)", "s - y [inverted]", "s - y; inverted", "$s - y$ (inverted)", "`s - y`  # inverted",
    "s - y \\quad (\\text{inverted})", "s - y (round the other way)",
    # an introduction is made of an introduction's words
    "The other way round it is s - y", "The upside-down gradient is s - y",
])
def test_an_operation_in_words_is_never_set_aside(banks: dict, text: str) -> None:
    assert verdict(banks, "sheet9:p3.gradient", text) != "correct"


@pytest.mark.parametrize("where, text, expected", [
    ("sheet8:p2.sigma", "math.sqrt(2/d)", "correct"),
    ("sheet8:p2.sigma", "np.sqrt(2)/np.sqrt(d)", "correct"),
    ("sheet8:p3.smoothing_gap", "np.log((d*(1-eps) + eps)/eps)", "correct"),
    ("sheet9:p2.sigma", "torch.sqrt(2*(1 - q)/d)", "correct"),
    ("sheet8:p2.sigma", "np.sqrt(1/d)", "incorrect"),
    ("sheet8:p2.sigma", "os.sqrt(2/d)", "invalid"),
    ("sheet8:p2.sigma", "np.sqrt(2/d).item()", "invalid"),
])
def test_a_library_prefix_before_a_function_is_the_function(banks: dict, where: str, text: str, expected: str) -> None:
    """``np.log``, ``math.sqrt``, ``torch.exp``: the library's prefix before a function every answer may
    use is that function; any other dotted name stays unreadable."""
    assert verdict(banks, where, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("It is not infinite, it converges to log(d-1)", "incorrect"),
    ("finite, equal to log(d - 1)", "incorrect"),
    ("the gap is finite: log(d-1)", "incorrect"),
    ("not finite, it grows without bound", "correct"),
    ("finite, or maybe infinite", "invalid"),
    ("infinite, not log(d-1)", "invalid"),
])
def test_a_claim_of_finiteness_with_its_value(banks: dict, text: str, expected: str) -> None:
    """A claim that the gap is finite followed by the value it claims is a finite (wrong) answer; a
    value after a denial or an alternative is no such claim."""
    assert verdict(banks, "sheet8:p3.unsmoothed_gap", text) == expected
