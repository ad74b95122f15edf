"""Rules of the answer reader added for issue 21, each with cases of its own and the traps that
must stay invalid or wrong: remarks beside an answer (grading/sentences.py ``remarks``,
``modifies``), a chain marker opening the answer, the asked quantity named on the right of an
equation (grading/reader.py ``quantity_label``), sentences that claim finiteness (``says_finite``),
and log1p / expm1 in the one vocabulary of functions."""
from __future__ import annotations

import pytest
import sympy as sp
from reading import verdict

from derivcheck.grading.grader import check
from derivcheck.grading.reader import quantity_label
from derivcheck.grading.sentences import modifies, remarks, says_finite, says_infinite

# --- 1. remarks that explain are set aside; remarks that modify are kept (invalid) -------------

@pytest.mark.parametrize("where, text", [
    ("sheet9:p4.weights", "k^2 C_in C_out (bias not counted)"),
    ("sheet9:p4.weights", "C_in*C_out*k^2   (without any bias term)"),
    ("sheet9:p4.weights", "k² C_out C_in (no bias parameters)"),
    ("sheet9:p4.weights", "C_{in} C_{out} k^2 \\quad \\text{(no bias)}"),
    ("sheet9:p2.mean", "x_i (inverted dropout is unbiased)"),
    ("sheet9:p2.mean", "x_i  (the 1/p rescaling cancels the keep probability)"),
    ("sheet9:p1.glorot", "sqrt(6/(n_in + n_out)) (what torch.nn.init.xavier_uniform_ uses)"),
    ("sheet9:p1.glorot", "\\sqrt{\\frac{6}{n_{in}+n_{out}}} \\quad \\text{(Glorot and Bengio, 2010)}"),
    ("sheet8:p3.unsmoothed_gap", "oo (the softmax never reaches a one-hot vector)"),
    ("sheet8:p3.unsmoothed_gap", "\\infty \\quad \\text{(the loss decreases forever)}"),
    ("sheet8:p4.forward_mults", "n L K^2 (L matrix products of n x K by K x K)"),
    ("sheet9:p1.bound", "a = sqrt(3/d)   (from Var(w) = a^2/3 and d Var(w) = 1)"),
    ("sheet9:p1.glorot", "sqrt(6/(n_in+n_out)), which is what PyTorch's Xavier initialiser draws from"),
    ("sheet8:p3.gradient", "softmax(x) - y, i.e. the prediction error of the network"),
    ("sheet8:p3.gradient", "p - y, i.e. the error signal at the logits"),
    ("sheet8:p3.unsmoothed_gap", "oo (no finite minimiser)"),
    ("sheet8:p4.training_memory", "LK^2 + nLK (all activations stored for the backward pass)"),
    ("sheet9:p4.weights", "C_in*C_out*k**2  # no bias"),
    ("sheet9:p3.stable_loss", "max(t,0) - ty + log(1+exp(-|t|)) (exp never gets a positive argument)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (weights only)"),
    ("sheet9:p2.mean", "x_i (inverted dropout divides by the keep probability)"),
    ("sheet8:p4.training_mults", "3 n L K^2 multiplications in total"),
    ("sheet8:p3.unsmoothed_gap", "infinite (the gap grows without end)"),
    ("sheet8:p3.unsmoothed_gap", "no finite minimiser (the loss only tends to 0)"),
])
def test_an_explaining_remark_is_set_aside(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


@pytest.mark.parametrize("where, text", [
    # a remark that changes, scopes or hedges the quantity: the answer is never read without it
    ("sheet9:p4.weights", "C_in C_out k^2 (squared)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (per layer)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (times 2)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (for one layer)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (not squared)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (upper bound)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (an upper bound)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (it is only a lower bound)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (the count for a single channel)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (no bias, per layer)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (no square root)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (without the factor 2)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (with bias)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (one layer)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (roughly, if bias is ignored)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (or plus C_out with bias)"),
    ("sheet9:p4.weights", "C_in C_out k^2, per output channel"),
    ("sheet9:p4.weights", "C_in C_out k^2, roughly the weights"),
    ("sheet9:p4.weights", "C_in C_out k^2 \\quad \\text{(twice that with bias)}"),
    ("sheet9:p4.weights", "C_in C_out k^2 (the real count is twice this)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (this is not right)"),
    ("sheet8:p2.variance", "d sigma^2/2 (the variance is not d sigma^2/2)"),
    ("sheet8:p2.variance", "d sigma^2/2 (half the inputs are zeroed, so the answer is halved)"),
    ("sheet8:p2.variance", "d sigma^2/2 (then halve again)"),
    ("sheet8:p2.variance", "d sigma^2/2 (then multiply by d)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (need to add C_out)"),
    ("sheet8:p3.gradient", "p - y, i.e. predicted probabilities minus the one-hot label, times 2"),
    ("sheet8:p2.variance", "d sigma^2/2 (log of it)"),
    ("sheet8:p2.variance", "d sigma^2/2 (exp)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (+ C_out bias)"),
    ("sheet9:p4.weights", "C_in*C_out*k**2  # per layer"),
    ("sheet9:p4.weights", "C_in*C_out*k**2  # squared"),
    ("sheet9:p4.weights", "C_in C_out k^2 (before pruning)"),
    ("sheet8:p2.variance", "d sigma^2/2 (as d → ∞)"),
    ("sheet8:p2.variance", "d sigma^2/2 (for each output)"),
    ("sheet8:p4.forward_mults", "n L K^2 (for every layer)"),
    ("sheet8:p3.gradient", "p - y, i.e. twice the error"),
    ("sheet8:p3.unsmoothed_gap", "+oo (finite)"),
    ("sheet8:p3.unsmoothed_gap", "there is no minimiser, the gap is finite"),
    ("sheet8:p3.unsmoothed_gap", "infinite (the gap is bounded in practice)"),
    ("sheet8:p3.unsmoothed_gap", "oo, it stays finite"),
    ("sheet8:p3.unsmoothed_gap", "\\infty (not really)"),
    ("sheet8:p4.training_memory", "LK^2 + nLK (all layers)"),
])
def test_a_modifying_remark_is_kept(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


@pytest.mark.parametrize("where, text", [
    # the remark is set aside, the answer before it is still judged: wrong stays wrong
    ("sheet9:p4.weights", "C_in k^2 (no bias)"),
    ("sheet9:p2.mean", "x_i/p (unbiased, so no rescaling at test time)"),
    ("sheet9:p1.glorot", "sqrt(2/(n_in + n_out)) (same as xavier_uniform_ with gain 1)"),
    ("sheet8:p3.gradient", "y - p, i.e. predicted probabilities minus the one-hot label"),
    ("sheet8:p4.forward_mults", "n K^2 (one n×K by K×K matmul per layer)"),
    ("sheet8:p4.forward_mults", "2 n L K^2 (multiply and add)"),
])
def test_a_wrong_answer_with_a_remark_stays_wrong(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "incorrect"


@pytest.mark.parametrize("remark, modifying", [
    ("no bias", False), ("unbiased, so no rescaling at test time", False), ("the loss only tends to 0", False),
    ("same as xavier_uniform_ with gain 1", False), ("one n×K by K×K matmul per layer", False),
    ("from d a^2/3 = 1", False), ("i.e. predicted probabilities minus the one-hot label", False),
    ("no finite minimiser", False), ("all activations kept for backprop", False), ("He initialisation", False),
    ("squared", True), ("per layer", True), ("times 2", True), ("for one layer", True), ("not squared", True),
    ("upper bound", True), ("approximately", True), ("in total", True), ("the count for one layer", True),
    ("which is per example", True), ("no square root", True), ("no bias, per layer", True), ("finite", True),
    ("two layers", True), ("correct if d is even", True), ("i.e. half the variance", True),
    ("matmuls only", False), ("multiply and add", False), ("prediction minus target", False),
    ("ReLU keeps half", False), ("units of y squared", False), ("prediction minus target squared", True),
    ("need to add C_out", True), ("half of it", True),
    ("keep half", True), ("then multiply by d", True), ("the variance is not d a^2/3", True), ("total", True),
])
def test_modifies_is_a_rule_of_the_opening_word(remark: str, modifying: bool) -> None:
    assert modifies(remark, {"d", "a", "n", "K", "L"}) is modifying


def test_remarks_leave_the_answer_and_need_one() -> None:
    assert remarks("C_in C_out k^2 (no bias)", {"C_in", "C_out", "k"}) == ("C_in C_out k^2", ["(no bias)"])
    assert remarks("(no bias)", set()) is None  # nothing left to be the answer
    assert remarks("f(no bias)", set()) is None  # a bracket right after a name is an argument
    assert remarks("d a^2/12, so the variance is d a^2/3", {"d", "a"}) is None  # a chain, not a remark
    assert remarks("exp(x_i - m)/S, m = max_j x_j", {"x"}) is None  # a definition, not a remark


# --- 2. a chain marker with nothing before it ----------------------------------------------------

@pytest.mark.parametrize("text", [
    "so the variance is d sigma^2/2", "Thus: d σ²/2.", "Hence, Var[y] = d\\sigma^2/2", "∴ \\frac{d\\sigma^2}{2}",
    "\\Rightarrow d sigma^2/2", "⟹ Var(y) = dσ²/2", "=> d*sigma**2/2", "Therefore d sigma^2 / 2",
    "Answer => d sigma^2/2", "→ d σ^2 / 2", "-> d sigma^2/2", "$\\Rightarrow \\frac{d\\sigma^2}{2}$",
    "Var(y) = d sigma^2 E[x^2] --> d sigma^2/2",
])
def test_a_leading_marker_opens_the_answer(banks: dict, text: str) -> None:
    assert verdict(banks, "sheet8:p2.variance", text) == "correct"


@pytest.mark.parametrize("text, expected", [
    ("=> d sigma^2", "incorrect"),               # the answer after the marker is still judged
    ("hence Var[y] = d sigma^2/4", "incorrect"),
    ("so d sigma^2/2 =>", "invalid"),            # a marker with nothing after it: no answer
    ("d sigma^2/2 therefore", "invalid"),
    ("=>", "invalid"), ("so", "invalid"), ("d sigma^2/2 ->", "invalid"),
    ("so not d sigma^2/2", "invalid"),           # a negation after the marker stays
    ("hence approximately d sigma^2/2", "correct"),  # a hedge is set aside (test_reading_answers22.py)
    ("so the answer is twice d sigma^2/2", "incorrect"),  # read as 2 (d sigma^2/2): wrong
])
def test_leading_marker_traps(banks: dict, text: str, expected: str) -> None:
    assert verdict(banks, "sheet8:p2.variance", text) == expected


# --- 3. the asked quantity named on the right of an equation -----------------------------------

@pytest.mark.parametrize("where, text", [
    ("sheet9:p2.variance", "x_i^2 (1-p)/p = Var[h_i]"),
    ("sheet9:p2.variance", "\\frac{x_i^2(1-p)}{p} = \\operatorname{Var}(h_i)"),
    ("sheet9:p2.variance", "x_i^2/p - x_i^2 = \\mathrm{Var}\\left[h_i\\right]"),
    ("sheet8:p2.variance", "d σ²/2 = Var(y)"),
    ("sheet8:p2.variance", "\\frac{d\\sigma^2}{2} = \\mathbb{V}\\mathrm{ar}[y]"),
    ("sheet9:p3.gradient", "s - y = dL/dt"),
    ("sheet9:p3.gradient", "s - y = \\frac{\\partial L}{\\partial t}"),
    ("sheet9:p3.sigmoid_derivative", "s(1 - s) = dσ/dt"),
])
def test_a_label_on_the_right_is_dropped(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


@pytest.mark.parametrize("where, text, expected", [
    ("sheet9:p2.variance", "x_i^2 (1-p)/p = Var[h_i]^2", "invalid"),     # a formula of the label: no label
    ("sheet9:p2.variance", "x_i^2 (1-p)/p = 2 Var[h_i]", "invalid"),
    ("sheet9:p2.variance", "x_i^2 (1-p)/p = Var[h_i]/2", "invalid"),
    ("sheet9:p2.variance", "x_i^2 (1-p)/p = Var[h_i] + 1", "invalid"),
    ("sheet9:p2.variance", "x_i^2 (1-p)/p = not the variance", "invalid"),
    ("sheet9:p2.variance", "x_i^2 (1-p)/p = twice", "invalid"),
    ("sheet9:p2.variance", "0 = Var[h_i] - x_i^2 (1-p)/p", "invalid"),
    ("sheet9:p2.variance", "x_i^2/p = Var[h_i]", "incorrect"),            # the label goes, the value is judged
    ("sheet8:p2.variance", "d σ² = Var(y)", "incorrect"),
    ("sheet9:p2.variance", "not = x_i^2 (1-p)/p", "invalid"),            # a denial is no label on the left either
    ("sheet8:p2.variance", "half of Var(y) = d sigma^2/2", "invalid"),
    ("sheet8:p2.variance", "d sigma^2/2 = Var(2y)", "invalid"),
    ("sheet9:p3.gradient", "s - y = 2 dL/dt", "invalid"),
    ("sheet9:p3.gradient", "s - y = dL/dt + 1", "invalid"),
    ("sheet9:p3.gradient", "s - y = dL/dt^2", "invalid"),
    ("sheet9:p3.gradient", "y - s = dL/dt", "incorrect"),
])
def test_label_traps(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


@pytest.mark.parametrize("side, label", [
    ("Var[h_i]", True), ("Var(y)", True), ("E[y^2 | x]", True), ("sigma_h", True), (" Var [h_i] ", True),
    ("Var[h_i]^2", False), ("2 Var[h_i]", False), ("Var[h_i] + 1", False), ("Var[h](x)", False),
    ("twice(y)", False), ("not", False), ("approximately", False), ("", False), ("Var(2y)", False),
    ("E[y/2]", False), ("Var(-y)", False), ("Var(x_1)", True), ("E[y_{12}^2]", True),
])
def test_quantity_label(side: str, label: bool) -> None:
    assert quantity_label(side) is label


# --- 4. sentences that claim finiteness are definite, wrong claims -------------------------------

@pytest.mark.parametrize("text", [
    "there is a finite minimiser", "not infinite", "the gap is finite", "it stays bounded", "It isn't infinite.",
    "The optimal gap is finite.", "a minimizer exists", "the loss has a minimum", "it is not unbounded",
    "finite", "the optimum is attained", "the gap converges",
])
def test_a_claim_of_finiteness_is_incorrect(banks: dict, text: str) -> None:
    assert says_finite(text)
    assert verdict(banks, "sheet8:p3.unsmoothed_gap", text) == "incorrect"


@pytest.mark.parametrize("text", [
    "there is no finite minimiser", "no minimiser exists", "the gap is unbounded", "goes to +infinity",
    "\\infty (no finite minimiser)", "it is infinite", "a minimiser does not exist", "the gap diverges",
])
def test_a_claim_of_infinity_stays_correct(banks: dict, text: str) -> None:
    assert not says_finite(text)
    assert verdict(banks, "sheet8:p3.unsmoothed_gap", text) == "correct"


@pytest.mark.parametrize("text", [
    "banana", "finite or infinite", "finite if d > 2", "bounded below",
    "it is bounded but large", "the loss converges but the gap diverges", "words words words",
    "infinite (not really)", "infinite (finite)", "unbounded (approximately)",
])
def test_no_definite_claim_stays_invalid(banks: dict, text: str) -> None:
    assert not says_finite(text)
    assert verdict(banks, "sheet8:p3.unsmoothed_gap", text) == "invalid"


def test_a_contradiction_is_never_infinite() -> None:
    for text in ("there is no minimiser the gap is finite", "it isn t infinite", "no finite minimiser but finite"):
        assert not says_infinite(text)


def test_finiteness_only_where_words_spell_infinity(banks: dict) -> None:
    assert verdict(banks, "sheet8:p2.variance", "the variance is finite") == "invalid"


# --- 5. log1p and expm1 -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "max(t,0) - t*y + log1p(exp(-abs(t)))", "max(t, 0) - ty + log1p(e^{-|t|})",
    "\\max(t,0) - yt + \\operatorname{log1p}\\left(e^{-|t|}\\right)",
    "max(t,0) - t*y + log(expm1(-abs(t)) + 2)",
])
def test_log1p_expm1_read_and_pass_the_stability_check(banks: dict, text: str) -> None:
    assert verdict(banks, "sheet9:p3.stable_loss", text) == "correct"


@pytest.mark.parametrize("text", [
    "log1p(exp(t)) - t*y",               # equal, but exp overflows for large t: not stable
    "log1p(exp(-t)) + t - t*y",          # overflows for t << 0
])
def test_log1p_of_an_overflowing_exp_is_not_stable(banks: dict, text: str) -> None:
    record = check(banks["sheet9"]["p3.stable_loss"], text, evidence=False)
    assert record["verdict"] == "incorrect" and "not_stable" in record["diagnoses"]


def test_log1p_expm1_values() -> None:
    from derivcheck.grading.vocabulary import FUNCTION

    x = sp.Symbol("x")
    assert FUNCTION["log1p"].sympy(x) == sp.log(1 + x)
    assert FUNCTION["expm1"].sympy(x) == sp.exp(x) - 1
    assert abs(float(FUNCTION["log1p"].mp(1e-20)) - 1e-20) < 1e-35
    assert abs(float(FUNCTION["expm1"].np(1e-20)) - 1e-20) < 1e-35


@pytest.mark.parametrize("text", [
    "C_in C_out k^2 (" + "no bias, " * 200,          # an unclosed bracket of words: read in linear time
    "C_in C_out k^2 (" + "ab + " * 300,
])
def test_long_remarks_are_refused_not_backtracked(banks: dict, text: str) -> None:
    assert verdict(banks, "sheet9:p4.weights", text) == "invalid"


def test_many_explaining_remarks_are_all_set_aside(banks: dict) -> None:
    assert verdict(banks, "sheet9:p4.weights", "C_in C_out k^2" + " (no bias)" * 150) == "correct"
