"""The asked quantity as the prompt writes it, with its indices renamed (grading/labels.py:
``_reindexed``): "Write z_i = softmax(x)_i ..." is answered by ``z_j = ...`` and ``softmax(x)_j = ...``
when the value gives that entry, and "The optimal gap x_y - x_j" by ``x_y - x_k = ...``; a label
that names one entry while the value gives another, or makes two entries one, is not the asked
quantity. The cases are this file's own."""
from __future__ import annotations

import pytest

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check


@pytest.fixture(scope="module")
def sheet8() -> dict:
    return load("sheet8")


@pytest.mark.parametrize("answer, verdict", [
    ("z_j = exp(x_j - max(x))/sum_k exp(x_k - max(x))", "correct"),
    ("softmax(x)_i = exp(x_i - max(x))/sum_k exp(x_k - max(x))", "correct"),
    (r"\mathrm{softmax}(x)_{k} = \frac{e^{x_k - \max_j x_j}}{\sum_l e^{x_l - \max_j x_j}}", "correct"),
    ("softmax(x)_j = exp(x_j - min(x))/sum_k exp(x_k - min(x))", "incorrect"),  # the value decides
    ("z_j = exp(x_i - max(x))/sum_k exp(x_k - max(x))", "invalid"),  # names entry j, gives entry i
    ("s_j = exp(x_j - max(x))/sum_k exp(x_k - max(x))", "invalid"),  # another name
])
def test_the_prompts_notation_with_its_index_renamed(sheet8: dict, answer: str, verdict: str) -> None:
    assert check(sheet8["p3.stable_softmax"], answer, evidence=False)["verdict"] == verdict


@pytest.mark.parametrize("answer, verdict", [
    ("x_y - x_k = infinity", "correct"),
    ("x_c - x_k = oo", "invalid"),  # y, the label's entry, is no index letter to rename
    ("x_y - x_y = infinity", "invalid"),  # the prompt's two entries made one
    ("x_y - x_k = log(d)", "incorrect"),
])
def test_the_gap_with_its_other_entry_renamed(sheet8: dict, answer: str, verdict: str) -> None:
    assert check(sheet8["p3.unsmoothed_gap"], answer, evidence=False)["verdict"] == verdict


# --- red team 5's traps: each a false correct of this round's first rules, now refused --------------

@pytest.fixture(scope="module")
def banks(sheet8: dict) -> dict:
    return {"sheet8": sheet8, "sheet9": load("sheet9")}


def _verdict(banks: dict, where: str, answer: str) -> str:
    """The verdict of ``answer`` to the question ``where`` (``sheet:question``)."""
    sheet, q = where.split(":")
    return check(banks[sheet][q], answer, evidence=False)["verdict"]


@pytest.mark.parametrize("where, answer, verdict", [
    # a renamed index: only index letters, to one the value gives free, never the label's y
    ("sheet8:p3.smoothing_gap", "x_j - x_y = log(1 + d(1-eps)/eps)", "invalid"),
    ("sheet8:p3.smoothing_gap", "x_k - x_j = log(1 + d(1-eps)/eps)", "invalid"),
    ("sheet8:p3.unsmoothed_gap", "x_{j} - x_{y} = \\infty", "invalid"),
    ("sheet8:p3.stable_softmax", "z_j = exp(x_i - max(x))/sum_j exp(x_j - max(x))", "invalid"),
    ("sheet8:p3.stable_softmax", "z_i = softmax(x)_j = exp(x_j - max(x))/sum_k exp(x_k - max(x))", "invalid"),
    # an order sign hides no equation, and a bound is judged where it can be valued
    ("sheet8:p2.variance", "Var[y] = d sigma^2/2 since E[relu(z)^2] = 1/4 ≤ 1", "invalid"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) since Var[y] = d sigma^2/4 = 1 > 0", "invalid"),
    ("sheet8:p2.variance", "E[relu(z)^2] = 1/4 >= 0, so Var[y] = d sigma^2/2", "invalid"),
    ("sheet8:p2.variance", "d sigma^2/2 since Var[y] <= d sigma^2/4", "invalid"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) since sigma != sqrt(2/d)", "invalid"),
    ("sheet8:p2.variance", "d sigma^2/2 since Var[y] <= d sigma^2", "correct"),
    ("sheet9:p1.variance", "Var[y] = d a^2/3 since Var[w_i] = a^2/3 > 0", "correct"),
    # a copula between two pieces of mathematics is an equation
    ("sheet8:p2.variance", "Var[y] = d sigma^2/2 because E[w_i^2] is sigma", "invalid"),
    ("sheet8:p2.variance", "Var[y] = d sigma^2/2 because E[w_i^2] is sigma^2", "correct"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) because E[relu(z)^2] is 1", "invalid"),
    # a bare decimal must be a value the answer takes somewhere in the question's domain
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) ≈ 2.0", "invalid"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) ≈ -0.14", "invalid"),
    ("sheet8:p2.variance", "d sigma^2/2 ≈ -1", "invalid"),
    ("sheet9:p3.sigmoid_derivative", "s(1-s) ≈ 0.3", "invalid"),
    ("sheet8:p4.forward_mults", "nLK^2 ≈ 0.5", "invalid"),
    ("sheet8:p3.smoothing_gap", "log(1 + d(1-eps)/eps) ≈ -2.3", "invalid"),
    ("sheet8:p3.unsmoothed_gap", "oo ≈ 100", "invalid"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) ≈ 0.14", "correct"),
    ("sheet9:p3.sigmoid_derivative", "s(1-s) ≈ 0.2", "correct"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) ≈ 0.1414 (d=100)", "correct"),  # given values in brackets
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) ≈ 0.1 (d=100)", "invalid"),
])
def test_red_team_five(banks: dict, where: str, answer: str, verdict: str) -> None:
    assert _verdict(banks, where, answer) == verdict


@pytest.mark.parametrize("where, answer, verdict", [
    # a unit word after a value whose last term is a run of names (nLK numbers)
    ("sheet8:p4.training_memory", "LK^2 + nLK \\text{ numbers}", "correct"),
    ("sheet8:p4.training_memory", "LK^2 + nLK numbers", "correct"),
    ("sheet8:p4.training_memory", "LK^2 + nLK layers", "invalid"),  # another quantity's word
    ("sheet8:p4.training_memory", "LK^2 + nK numbers", "incorrect"),
    # a closing definition of a name by words alone, with or without "where", = or :
    ("sheet9:p2.layer_variance", "Var(y) = d*sigma^2/(2*p), p = keep prob", "correct"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p); p: keep probability", "correct"),
    ("sheet9:p2.layer_variance", "Var(y) = d*sigma^2/(2*p), where p = keep prob", "correct"),
    ("sheet9:p2.layer_variance", "Var(y) = d*sigma^2/(2*p), p = drop prob", "invalid"),
    ("sheet9:p2.layer_variance", "Var(y) = d*sigma^2/(2*p), where p = drop prob", "invalid"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p), d = number of layers", "invalid"),
    ("sheet9:p2.layer_variance", "d sigma^2/p, p = keep prob", "incorrect"),
])
def test_words_beside_the_answer(banks: dict, where: str, answer: str, verdict: str) -> None:
    assert _verdict(banks, where, answer) == verdict


@pytest.mark.parametrize("where, answer, verdict", [
    # red team 6: a copula's negation is a bound; a moment is mathematics, no word
    ("sheet8:p2.variance", "Var[y] = d sigma^2/2 because E[x_i^2] is not 1/2", "invalid"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) because Var[y] is d sigma^2", "invalid"),
    ("sheet9:p1.bound", "a = sqrt(3/d) because Var[w_i] is a^2/12", "invalid"),
    ("sheet9:p1.variance", "Var[y] = d a^2/3 because Var[w_i] is a^2/3", "correct"),
    # a decimal the answer takes only between two integers' values, or just past its largest value
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) ≈ 1.2", "invalid"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) ≈ 1.48", "invalid"),
    ("sheet8:p2.sigma", "sqrt(2/d) ≈ 1.41", "correct"),  # d = 1
    ("sheet8:p4.forward_mults", "nLK^2 ≈ 1.0", "correct"),  # n = L = K = 1
    ("sheet9:p3.sigmoid_derivative", "s(1-s) ≈ -0.2", "invalid"),  # s stays in (0, 1), even at a landmark
    ("sheet9:p2.variance", "x_i^2 (1-p)/p ≈ -0.5", "invalid"),
    # an index in brackets is the value's entry too
    ("sheet8:p3.stable_softmax", "z_j = exp(x[i] - max(x))/sum(exp(x - max(x)))", "invalid"),
    ("sheet8:p3.stable_softmax", "z_j = exp(x[j] - max(x))/sum(exp(x - max(x)))", "correct"),
])
def test_red_team_six(banks: dict, where: str, answer: str, verdict: str) -> None:
    assert _verdict(banks, where, answer) == verdict


@pytest.mark.parametrize("where, answer, verdict", [
    # blind sets 16 and 17 (measured once, then tuned): mathematics in words inside a prefix or a root
    ("sheet8:p2.variance", "half of d sigma squared", "correct"),
    ("sheet9:p1.variance", "a third of d a squared", "correct"),
    ("sheet8:p2.sigma", "the square root of 2 over d", "correct"),
    ("sheet8:p2.sigma", "the square root of 1 over d", "incorrect"),
    ("sheet8:p2.sigma", "square root of 2/d", "invalid"),  # sqrt(2)/d or sqrt(2/d)?
    # a contracted "it is", a hedge set aside as ever
    ("sheet8:p3.gradient", "I think it's z - y", "correct"),
    ("sheet9:p3.sigmoid_derivative", "I think it's s", "incorrect"),
    # a modal said of a subject of its own is no step still to take; of the answer it is
    ("sheet8:p4.training_memory", "L K^2 + L n K, since every layer's input must be kept for the backward pass",
     "correct"),
    ("sheet8:p2.variance", "d sigma^2 because the variance must be halved", "invalid"),
    ("sheet8:p2.variance", "d sigma^2 because halving must follow", "invalid"),
    # a remark after a dash, one word in a bracket beside a wrong value
    ("sheet8:p2.sigma", "\\sigma = \\sqrt{\\frac{2}{d}} — He initialisation", "correct"),
    ("sheet8:p2.sigma", "1/sqrt(d) (LeCun)", "incorrect"),
    # working that gives the answer in words
    ("sheet8:p2.sigma", "Setting d sigma^2 = 1 gives sigma = 1/sqrt(d)", "incorrect"),
    ("sheet9:p1.bound", "Setting the variance to one gives a = √3/√d.", "correct"),
    ("sheet8:p2.sigma", "Setting d sigma^2 = 1 gives sigma = sqrt(2/d)", "invalid"),  # false working
    # what a remark leaves out is no label of the count the prompt asks for
    ("sheet9:p4.forward_mults", "n H W C_in C_out k^2 (padded zeros excluded)", "invalid"),
    ("sheet9:p4.forward_mults", "n H W C_in C_out k^2 (padded zeros included)", "correct"),
])
def test_blind_sets_sixteen_and_seventeen(banks: dict, where: str, answer: str, verdict: str) -> None:
    assert _verdict(banks, where, answer) == verdict


@pytest.mark.parametrize("answer, verdict", [
    ("The mistake gives d a^2/3", "invalid"),  # no method, no mathematics: not working
    ("Independence gives Var[y] = d a^2/3", "correct"),
    ("Var[w_i] = a^2/12 gives Var[y] = d a^2/3", "incorrect"),  # false working: a one-line derivation's
])
def test_working_that_gives_the_answer(banks: dict, answer: str, verdict: str) -> None:
    assert check(banks["sheet9"]["p1.variance"], answer, evidence=False)["verdict"] == verdict


@pytest.mark.parametrize("where, answer, verdict", [
    # a remark of words alone that names the answer itself: set aside, the value decides
    ("sheet8:p4.training_memory", "2LK^2 + nLK (official solution)", "correct"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (my final answer)", "correct"),
    ("sheet8:p2.variance", "d sigma^2/2 (the official solution)", "correct"),
    ("sheet8:p2.variance", r"d \sigma^2/2 \quad \text{(model answer)}", "correct"),
    ("sheet8:p4.training_memory", "LK^2 + nLK (official solution)", "correct"),
    ("sheet8:p2.variance", "d sigma^2 (official solution)", "incorrect"),
    # another word, a denial or arithmetic: never set aside (the first two were graded correct before)
    ("sheet8:p4.training_memory", "2LK^2 + nLK (solution / 2)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (result x 2)", "invalid"),
    ("sheet8:p2.variance", "d sigma^2/2 (solution^2)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (it/2)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (twice my answer)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (not my final answer)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (wrong answer)", "invalid"),
    # red team 7: the answer named with a denial, a relation or a superscript, and arithmetic on it before a
    # colon (each was graded correct before)
    ("sheet8:p4.training_memory", "2LK^2 + nLK (no final answer)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK, no final answer", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (answer != this)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (answer >= this)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (solution²)", "invalid"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) (solution²)", "invalid"),
    ("sheet8:p4.training_memory", "Answer/2: 2LK^2 + nLK", "invalid"),
    ("sheet8:p4.training_memory", "Solution x 2: 2LK^2 + nLK", "invalid"),
    ("sheet8:p4.training_memory", "1/answer: 2LK^2 + nLK", "invalid"),
    ("sheet8:p4.training_memory", "Answer or 2x: 2LK^2 + nLK", "invalid"),
    ("sheet8:p4.training_memory", "Final answer: 2LK^2 + nLK", "correct"),
    ("sheet8:p4.training_memory", "Answer to Q2: 2LK^2 + nLK", "correct"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (no bias)", "correct"),
])
def test_a_remark_that_names_the_answer(banks: dict, where: str, answer: str, verdict: str) -> None:
    assert _verdict(banks, where, answer) == verdict


@pytest.mark.parametrize("where, answer, verdict", [
    # a phrasal link opens the answer as "is" does (set 18: "comes out as")
    ("sheet8:p2.variance", "The variance comes out as d σ²/2 since half the pre-activations are zeroed", "correct"),
    ("sheet8:p2.variance", "It works out to d sigma^2/2", "correct"),
    ("sheet8:p2.variance", "The variance turns out to be d sigma^2/2", "correct"),
    ("sheet8:p4.training_mults", "It amounts to 3nLK^2", "correct"),
    ("sheet8:p2.sigma", "The std turns out to be sqrt(2/d)", "correct"),
    ("sheet8:p2.variance", "The variance comes out as d σ²", "incorrect"),
    ("sheet8:p2.variance", "The variance does not come out as d σ²/2", "invalid"),
    ("sheet8:p2.variance", "Half the variance comes out as d σ²/2", "invalid"),
    ("sheet8:p2.variance", "The std comes out as d σ²/2", "invalid"),
    ("sheet8:p2.variance", "The inverse of the variance comes out as d σ²/2", "invalid"),
    ("sheet8:p2.variance", "The variance comes out as d σ²/2 per layer", "invalid"),
    ("sheet8:p4.training_mults", "The forward pass comes to nLK^2", "invalid"),
])
def test_a_phrasal_link_opens_the_answer(banks: dict, where: str, answer: str, verdict: str) -> None:
    assert _verdict(banks, where, answer) == verdict


@pytest.mark.parametrize("where, answer, verdict", [
    # an absence that leaves out a part the question counts and its prompt does not deny (red team 8;
    # each was graded correct before)
    ("sheet8:p4.training_mults", "It comes out as 3 nLK^2 (without the weight gradient)", "invalid"),
    ("sheet8:p4.training_mults", "3nLK^2 (without the backward pass)", "invalid"),
    ("sheet8:p4.training_memory", "2LK^2 + nLK (no weight gradients)", "invalid"),
    # an absence of what the prompt denies, or never counts, or no part at all: set aside
    ("sheet9:p4.weights", "C_out C_in k^2 (no bias)", "correct"),
    ("sheet9:p4.weights", "C_out C_in k^2 (without any bias term)", "correct"),
    ("sheet8:p4.training_mults", "3nLK^2 (no bias)", "correct"),
    ("sheet8:p3.unsmoothed_gap", r"+\infty \text{ (no finite minimiser)}", "correct"),
])
def test_an_absence_of_a_counted_part(banks: dict, where: str, answer: str, verdict: str) -> None:
    assert _verdict(banks, where, answer) == verdict
