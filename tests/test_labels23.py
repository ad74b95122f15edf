"""Labels that name another quantity of the question or another derivative (grading/labels.py).

* Order: a label holding derivative-order marks (primes, ``^{(n)}``, ``\\prime``, dots) names the
  asked quantity only when its order is the asked one: ``s'(t)`` for ds/dt, never ``s''`` nor ``L'(t)``
  where L(t) itself is asked.
* Other quantities: a word the prompt says only after a negation (``no bias``, ``bias-free``) or one
  that describes another of its quantities, beside a name or a number (``L layers``, ``width K``,
  ``keep probability p``, ``stride-1``), never names the asked one; the prompt's opening words
  (``The optimal gap x_y - x_j``) and the unknown's nouns (``bound a``) still do.
"""
from __future__ import annotations

import pytest

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check
from derivcheck.grading.labels import _label_order

BANKS = {name: load(name) for name in ("sheet8", "sheet9")}


def verdict(sheet: str, qid: str, answer: str) -> str:
    return check(BANKS[sheet][qid], answer, evidence=False)["verdict"]


@pytest.mark.parametrize("label,order", [
    ("σ''(t)", 2), ("s'(t)", 1), ("\\sigma^{(2)}(t)", 2), ("\\sigma^{\\prime\\prime}(t)", 2), ("σ″(t)", 2),
    ("σ′′(t)", 2), ("σ‴", 3), ("L'(t)", 1), ("\\ddot\\sigma", 2), ("\\dot s", 1),
    ("dL/dt", None), ("the network's output", None), ("Var[y]", None),
])
def test_order_marks_are_counted(label: str, order: int | None) -> None:
    assert _label_order(label) == order


ORDER_ACCEPTED = [
    ("sheet9", "p3.sigmoid_derivative", "s'(t) = s - s^2"),
    ("sheet9", "p3.sigmoid_derivative", "σ′(t) = s(1-s)"),
    ("sheet9", "p3.sigmoid_derivative", "\\sigma^{\\prime}(t) = s(1-s)"),
    ("sheet9", "p3.gradient", "L'(t) = s - y"),
    ("sheet9", "p3.stable_loss", "L(t) = max(t,0) - ty + log(1+e^{-|t|})"),
]

ORDER_TRAPS = [
    ("sheet9", "p3.sigmoid_derivative", "s'' = s(1-s)"),                 # the second derivative
    ("sheet9", "p3.sigmoid_derivative", "sigma''(t) = s - s^2"),
    ("sheet9", "p3.sigmoid_derivative", "\\sigma^{\\prime\\prime}(t) = s - s^2"),
    ("sheet9", "p3.gradient", "L'''(t) = s - y"),
    ("sheet9", "p3.stable_loss", "L'(t) = max(t,0) - ty + log(1+e^{-|t|})"),  # L(t) itself is asked
]


@pytest.mark.parametrize("sheet,qid,answer", ORDER_ACCEPTED)
def test_a_label_of_the_asked_order_is_set_aside(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) == "correct"


@pytest.mark.parametrize("sheet,qid,answer", ORDER_TRAPS)
def test_a_label_of_another_order_is_never_correct(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) != "correct"


OTHER_ACCEPTED = [
    ("sheet8", "p4.forward_mults", "forward multiplications = nLK^2"),
    ("sheet8", "p4.forward_mults", "Multiplications: n L K^2"),
    ("sheet9", "p4.forward_mults", "forward pass multiplications: n H W C_in C_out k^2"),
    ("sheet9", "p4.weights", "C_in C_out k^2 weights"),
    ("sheet9", "p4.weights", "stored numbers = C_in C_out k^2"),
    ("sheet8", "p3.smoothing_gap", "optimal gap = log(1 + d(1-eps)/eps)"),  # the opening words
    ("sheet8", "p2.sigma", "std = sqrt(2/d)"),
    ("sheet9", "p1.bound", "bound = sqrt(3/d)"),                          # the unknown's noun
    ("sheet9", "p2.layer_variance", "variance = d sigma^2/(2p)"),
    ("sheet9", "p2.variance", "Var[h_i] = x_i^2(1-p)/p"),
    ("sheet8", "p3.unsmoothed_gap", "the gap is infinite"),
]

OTHER_TRAPS = [
    ("sheet9", "p4.weights", "biases: C_in C_out k^2"),                  # "(no bias)"
    ("sheet9", "p4.forward_mults", "strides = n H W C_in C_out k^2"),    # "stride-1"
    ("sheet8", "p4.forward_mults", "n L K^2 widths"),                    # "width K"
    ("sheet8", "p4.forward_mults", "layers: nLK^2"),                     # "L layers"
    ("sheet9", "p2.layer_variance", "probability = d sigma^2/(2p)"),     # "keep probability p"
]


@pytest.mark.parametrize("sheet,qid,answer", OTHER_ACCEPTED)
def test_labels_naming_the_asked_quantity_stay_accepted(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) == "correct"


@pytest.mark.parametrize("sheet,qid,answer", OTHER_TRAPS)
def test_labels_naming_another_quantity_are_never_correct(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) != "correct"


def test_other_words_of_the_prompts() -> None:
    assert {"bia", "stride"} <= BANKS["sheet9"]["p4.forward_mults"].wording.others
    assert {"layer", "width", "minibatch"} <= BANKS["sheet8"]["p4.forward_mults"].wording.others
    assert "gap" not in BANKS["sheet8"]["p3.smoothing_gap"].wording.others
    assert "multiplication" not in BANKS["sheet8"]["p4.forward_mults"].wording.others
    assert BANKS["sheet9"]["p3.sigmoid_derivative"].wording.order == 1
    assert BANKS["sheet9"]["p3.stable_loss"].wording.order == 0


INDEX_ACCEPTED = [
    ("sheet9", "p2.mean", "E[h_i] = x_i"),
    ("sheet9", "p2.mean", "\\mathbb{E}[h_i] = x_i"),
    ("sheet9", "p2.mean", "E[h_i] = E[m_i] x_i/p = x_i"),
    ("sheet9", "p2.variance", "Var(h_i) = x_i^2 (1-p)/p"),
    ("sheet8", "p3.gradient", "dL/dx_j = z_j - y_j"),
    ("sheet8", "p3.gradient", "\\frac{\\partial L}{\\partial x_j} = z_j - y_j"),
    ("sheet8", "p3.stable_softmax", "z_i = \\frac{e^{x_i - \\max_j x_j}}{\\sum_{k=1}^{d} e^{x_k - \\max_j x_j}}"),
    ("sheet8", "p3.smoothing_gap", "x_y - x_j = log(1 + d(1-eps)/eps)"),
    ("sheet9", "p1.variance", "Var[y] = d Var[w_1 z_1] = d a^2/3"),       # no index on the label
]

INDEX_TRAPS = [
    ("sheet9", "p2.mean", "E[h_{j}] = x_{i}"),
    ("sheet9", "p2.variance", "Var[h_3] = x_i^2 (1-p)/p"),
    ("sheet8", "p3.gradient", "\\partial L/\\partial x_k = z_j - y_j"),
    ("sheet8", "p3.gradient", "dL/dx_2 = z_j - y_j"),
]


@pytest.mark.parametrize("sheet,qid,answer", INDEX_ACCEPTED)
def test_a_label_whose_index_is_the_answers_is_set_aside(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) == "correct"


@pytest.mark.parametrize("sheet,qid,answer", INDEX_TRAPS)
def test_a_label_naming_another_entry_is_never_correct(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) != "correct"


@pytest.mark.parametrize("label,whole,apart", [
    ("E[h_j]", "E[h_j] = x_i", True),
    ("E[h_2]", "E[h_2] = x_i", True),
    ("E[h_j]", "E[h_j] = x_j", False),
    ("E[h_j]", "\\mathbb{E}[h_{j}] = x_{j}", False),
    ("E[h_i]", "E[h_i] = sum_k x_k/d", False),        # k is bound by the sum
    ("E[h_i]", "E[h_i] = x_i + max_j x_j", False),
    ("E[y]", "E[y] = x_i", False),                     # no index on the label: nothing bound
])
def test_indices_apart(label: str, whole: str, apart: bool) -> None:
    from derivcheck.grading.labels import _indices_apart

    assert _indices_apart(BANKS["sheet9"]["p2.mean"], label, whole) is apart


MOMENT_ACCEPTED = [
    ("sheet9", "p2.mean", "E[m_i x_i/p] = x_i"),          # the mean of a random quantity
    ("sheet9", "p2.mean", "p x_i / p = x_i"),             # working, no moment: valued as before
    ("sheet9", "p1.variance", "Var[w^T z] = d a^2/3"),
    ("sheet9", "p2.layer_variance", "Var(y) = d sigma^2/(2p)"),
]

MOMENT_TRAPS = [
    ("sheet9", "p2.mean", "E[x_i p/p] = x_i"),            # x is fixed: the mean of a constant
    ("sheet9", "p2.mean", "\\mathbb{E}[x_i] = x_i"),
]


@pytest.mark.parametrize("sheet,qid,answer", MOMENT_ACCEPTED)
def test_a_moment_of_a_random_quantity_is_set_aside(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) == "correct"


@pytest.mark.parametrize("sheet,qid,answer", MOMENT_TRAPS)
def test_a_moment_of_parameters_alone_is_never_a_label(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) != "correct"


WORD_NAME_ACCEPTED = [
    ("sheet8", "p4.training_mults", "mults_train = 3nLK^2"),     # a name of words: its words
    ("sheet8", "p4.forward_mults", "mults_fwd = nLK^2"),
    ("sheet8", "p4.training_mults", "nLK^2 (fwd) + 2nLK^2 (bwd)"),  # both parts named, abbreviated
    ("sheet8", "p4.training_mults", "3nLK^2 (fwd + bwd)"),
]

WORD_NAME_TRAPS = [
    ("sheet8", "p4.training_mults", "mults_fwd = 3nLK^2"),       # one part of "forward and backward"
    ("sheet8", "p4.training_mults", "fwd multiplications: 3nLK^2"),
    ("sheet8", "p4.forward_mults", "mults_train = nLK^2"),
    ("sheet8", "p4.inference_memory", "mem_train = LK^2 + 2nK"),
]


@pytest.mark.parametrize("sheet,qid,answer", WORD_NAME_ACCEPTED)
def test_a_name_of_question_words_is_a_label(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) == "correct"


@pytest.mark.parametrize("sheet,qid,answer", WORD_NAME_TRAPS)
def test_an_abbreviated_part_names_a_part(sheet: str, qid: str, answer: str) -> None:
    assert verdict(sheet, qid, answer) != "correct"


@pytest.mark.parametrize("qid, answer, verdict", [
    ("p4.training_memory", "LK^2 + n L K layers", "invalid"),  # the problem's "$L$-layer": L counts layers
    ("p4.training_memory", "LK^2 + n L K examples", "invalid"),  # "on $n$ examples"
    ("p4.inference_memory", "L K^2 + 2 n K widths", "invalid"),  # "width-$K$"
    ("p4.training_memory", "LK^2 + nLK", "correct"),
    ("p4.forward_mults", "n L K^2 multiplications", "correct"),
])
def test_a_noun_the_problem_joins_to_a_name_is_another_quantity(banks, qid, answer, verdict):
    """The problem's texts (``cost of an $L$-layer, width-$K$ network on $n$ examples``) name what
    L, K and n count: those nouns beside a value never name the asked quantity."""
    from derivcheck.grading.grader import check

    assert check(banks["sheet8"][qid], answer, evidence=False)["verdict"] == verdict
