"""Rules of the answer reader added in round 4 of issue 21: what stands beside an answer is checked
against the question before it is set aside (grading/reader.py ``beside``), each rule with cases of
its own in both directions, on both sheets: a label that names another quantity, a reason that states
a false equation or an operation still to apply, a definition that gives a sheet variable another
meaning, an alternative in a hedge, an equation of two unequal answers, the direction of an
infinity, a numeric example or a value at a point that the answer does not have."""
from __future__ import annotations

import pytest
from reading import verdict

from derivcheck.grading.sentences import alters, definitions, label_phrase, says_infinite

# --- 1. a label of the answer names what the question asks -----------------------------------------

@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3 as the standard deviation"),
    ("sheet9:p1.variance", "d a^2/3 as Std[y]"),
    ("sheet9:p1.variance", "d a^2/3 (i.e. the std)"),
    ("sheet9:p1.variance", "d a^2/3 (the variance of one term)"),
    ("sheet9:p1.variance", "d a^2/3 (as the standard deviation)"),
    ("sheet9:p1.bound", "sqrt(3/d) as a^2"),
    ("sheet8:p2.sigma", "sqrt(2/d) as the variance"),
    ("sheet8:p2.sigma", "\\sqrt{2/d} \\text{ as } \\sigma^2"),
    # own cases: other questions, other wordings
    ("sheet9:p2.variance", "x_i^2 (1-p)/p, i.e. the standard deviation of h_i"),
    ("sheet9:p2.variance", "x_i^2 (1-p)/p as E[h_i]"),
    ("sheet8:p2.variance", "d sigma^2/2 (mean of y)"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p) (because it is the std of y)"),
    ("sheet9:p3.sigmoid_derivative", "s(1 - s) as the second derivative"),
])
def test_a_label_of_another_quantity_is_no_answer(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) in {"invalid", "incorrect"}


@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3 as the variance of y"),
    ("sheet9:p2.variance", "x_i^2 (1-p)/p (Bernoulli variance)"),
    ("sheet8:p2.sigma", "sqrt(2/d) (standard deviation, not variance)"),
    ("sheet9:p1.variance", "d a^2/3 (the variance, not the std)"),
    ("sheet9:p3.sigmoid_derivative", "s(1 - s), i.e. the derivative of the logistic"),
    ("sheet9:p1.bound", "sqrt(3/d) as a"),
])
def test_a_label_of_the_asked_quantity_is_set_aside(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


@pytest.mark.parametrize("remark, label", [
    ("(i.e. the std)", "the std"), ("as Std[y]", "Std[y]"), ("(the variance of one term)", "the variance of one term"),
    ("(standard deviation, not variance)", "standard deviation"), ("(because it is the std)", "the std"),
    ("(weights + activations)", None), ("as d -> oo", None), ("as expected", None), ("(natural log)", None),
    ("(dropout scales the second moment by 1/p)", None), ("i.e. the prediction error", None),
])
def test_label_phrase(remark: str, label: str | None) -> None:
    found = label_phrase(remark, {"a", "d", "y", "p"})
    assert (found[0] if found else None) == label


# --- 2. a reason that states an equation must be true ------------------------------------------------

@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3, since Var[y] = d a^2/12"),
    ("sheet9:p1.variance", "As Var[w_i] = a^2/12, Var[y] = d a^2/3"),
    ("sheet9:p1.variance", "Using Var[w_i] = a^2, Var[y] = d a^2/3"),
    ("sheet9:p1.variance", "d a^2/3 because Var[y] = 2 d a^2/3"),
    # own cases
    ("sheet8:p2.variance", "d sigma^2/2 (since E[ReLU(z_i)^2] = 1/4)"),
    ("sheet8:p2.variance", "d sigma^2/2, because Var[w_i] = sigma"),
    ("sheet9:p2.mean", "x_i, since E[m_i] = 1 - p"),
    ("sheet9:p1.bound", "sqrt(3/d) (from d a^2/12 = 1)"),
    ("sheet9:p2.variance", "x_i^2 (1-p)/p \\quad \\text{since } \\operatorname{Var}[m_i] = p^2"),
])
def test_a_false_reason_leaves_the_answer_unread(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3, since Var[w_i] = a^2/3"),
    ("sheet9:p1.variance", "As Var(w_i) = a^2/3, Var(y) = d a^2/3"),
    ("sheet8:p2.variance", "d sigma^2/2 (since E[ReLU(z_i)^2] = 1/2)"),
    ("sheet9:p2.mean", "x_i, since E[m_i] = p"),
    ("sheet9:p1.bound", "sqrt(3/d) (from d a^2/3 = 1)"),
    ("sheet9:p1.variance", "d a^2/3 because we have Var[w_i] = a^2/3 for each i"),
])
def test_a_true_reason_is_set_aside(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


# --- 3. a reason or a hedge that says the answer still changes ----------------------------------------

@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3, since it must still be halved"),
    ("sheet9:p1.variance", "d a^2/3 because we then divide by 2"),
    ("sheet9:p1.variance", "d a^2/3 since this is for one of the d terms"),
    ("sheet9:p1.variance", "d a^2/3, since we divide that by d"),
    ("sheet9:p1.variance", "d a^2/3 (via halving)"),
    ("sheet9:p1.variance", "d a^2/3 (could be d a^2/12)"),
    ("sheet9:p1.variance", "d a^2/3 (simplified, exact is d a^2/12)"),
    ("sheet9:p1.variance", "d a^2/3 (see correction below: d a^2/12)"),
    ("sheet9:p1.variance", "d a^2/3 (mistake: should be d a^2/12)"),
    ("sheet9:p1.variance", "d a^2/3 (the 3 should be 12)"),
    ("sheet9:p1.variance", "d a^2/3 (needs the 1/4 from the width)"),
    ("sheet9:p1.variance", "d a^2/3 (substitute a = a/2)"),
    ("sheet9:p1.variance", "d a^2/3 (using a^2 in place of a)"),
    # own cases
    ("sheet8:p4.forward_mults", "n L K^2 (might need a factor 2 for the adds)"),
    ("sheet9:p4.weights", "C_in C_out k^2, because we still add C_out"),
    ("sheet9:p3.gradient", "s - y (actually y - s)"),
    ("sheet8:p2.sigma", "sqrt(2/d) (missing a factor 1/2)"),
    ("sheet9:p2.mean", "x_i (would be x_i/p without inverting)"),
])
def test_an_alternative_or_a_pending_step_leaves_the_answer_unread(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3 (not sure)"),
    ("sheet8:p2.variance", "d \\sigma^2/2 \\quad \\text{because half of the } z_i \\text{ are zeroed}"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p), since only a fraction p of the h_i survive"),
])
def test_a_plain_hedge_or_reason_stays_set_aside(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


@pytest.mark.parametrize("reason, altering", [
    ("it must still be halved", True), ("we then divide by 2", True), ("we divide that by d", True),
    ("a^2 in place of a", True), ("half of the z_i are zeroed", False), ("Var(w_i) = a^2/3", False),
    ("the w_i are independent", False),
])
def test_alters(reason: str, altering: bool) -> None:
    assert alters(reason, {"a", "d", "z_i", "w_i"}) is altering


# --- 4. a definition of a sheet variable agrees with the sheet -----------------------------------------

@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3, where d is the number of layers"),
    ("sheet9:p2.sigma", "sqrt(2(1-q)/d) where q is the keep probability"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p) where p is the drop probability"),
    ("sheet9:p1.variance", "d a^2/3 (d the depth)"),
    ("sheet9:p1.variance", "d a^2/3 (where a is the std)"),
    ("sheet9:p1.variance", "d a^2/3 (where a is the width)"),
    ("sheet9:p1.variance", "d a^2/3 using a as the width"),
    ("sheet9:p1.variance", "d a^2/3 given that a is the std"),
    ("sheet8:p3.gradient", "z - y (z the target, y the prediction)"),
    ("sheet8:p3.gradient", "p - y (p the one-hot target)"),
    ("sheet8:p3.gradient", "z_j - y_j (j the label)"),
    ("sheet8:p2.sigma", "sqrt(2/d) (d the depth)"),
    # own cases
    ("sheet8:p4.forward_mults", "n L K^2, where n is the number of layers"),
    ("sheet9:p4.weights", "C_in C_out k^2 (k the number of channels)"),
    ("sheet9:p3.gradient", "s - y, where y is the prediction"),
])
def test_a_definition_of_another_meaning_leaves_the_answer_unread(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3, where d is the number of inputs"),
    ("sheet9:p1.variance", "d a^2/3 (for d inputs)"),
    ("sheet9:p1.variance", "d a^2/3, where a is the bound"),
    ("sheet8:p3.gradient", "z - y (z the prediction, y the target)"),
    ("sheet8:p4.forward_mults", "n L K^2, where L is the number of layers"),
    ("sheet9:p2.sigma", "sqrt(2(1-q)/d), where q is the drop probability"),
    ("sheet9:p3.gradient", "s - y, where y is the label"),
])
def test_a_definition_that_agrees_is_harmless(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


def test_definitions_are_found_in_words_only() -> None:
    names = {"a", "d", "m", "x_j"}
    assert definitions("d a^2/3 (d the depth)", names) == [("d", ["depth"])]
    assert definitions("d a^2/3, where d is the number of layers", names) == [("d", ["layers"])]
    assert definitions("exp(x_i - m)/sum_k exp(x_k - m), where m = max_j x_j", names) == []


# --- 5. an equation of two answers -------------------------------------------------------------------

@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/12 = d a^2/3"),
    ("sheet9:p1.variance", "d a^2 = d a^2/3"),
    ("sheet9:p1.variance", "d a^2/12 ≈ d a^2/3"),
    ("sheet9:p1.variance", "\\boxed{\\frac{d a^2}{12}} = \\frac{d a^2}{3}"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) = 2/sqrt(d)"),
    ("sheet9:p3.gradient", "y - s = s - y"),
    ("sheet8:p4.training_mults", "2 n L K^2 = 3 n L K^2"),
])
def test_an_equation_of_unequal_sides_is_no_answer(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) in {"invalid", "incorrect"}


@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3 = \\frac{d a^2}{3}"),
    ("sheet8:p2.sigma", "sigma = sqrt(2/d) = sqrt(2)/sqrt(d)"),
    ("sheet9:p3.gradient", "s - y = sigma(t) - y"),
    ("sheet8:p4.training_mults", "n L K^2 + 2 n L K^2 = 3 n L K^2"),
])
def test_an_equation_of_equal_sides_stays_right(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


# --- 6. the direction of an infinity ------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "minus infinity", "negative infinity", "the gap goes to minus infinity", "x_j - x_y -> oo",
    "infinite is wrong", "infinite only with label smoothing", "unbounded? I think it's 0",
    "the gap x_j - x_y is infinite", "-oo", "it diverges to negative infinity", "x_y - x_j \\to -\\infty",
])
def test_an_infinity_of_the_other_direction_or_a_denied_one_is_not_right(banks: dict, text: str) -> None:
    assert verdict(banks, "sheet8:p3.unsmoothed_gap", text) in {"invalid", "incorrect"}


@pytest.mark.parametrize("text", [
    "infinite", "+oo", "the gap is unbounded", "x_y - x_j \\to \\infty", "x_j - x_y \\to -\\infty",
    "There is no finite minimiser: the loss only tends to 0 as x_y - x_j goes to infinity.",
    "the gap grows without bound, it is infinite",
])
def test_an_infinity_of_the_asked_direction_is_right(banks: dict, text: str) -> None:
    assert verdict(banks, "sheet8:p3.unsmoothed_gap", text) == "correct"


def test_says_infinite_refuses_a_sign_a_denial_or_a_value() -> None:
    assert not says_infinite("minus infinity")
    assert not says_infinite("infinite is wrong")
    assert not says_infinite("unbounded i think its 0")
    assert says_infinite("the loss only tends to 0 as the gap goes to infinity")


# --- 7. numeric examples and values at a point ---------------------------------------------------------

@pytest.mark.parametrize("where, text", [
    ("sheet8:p2.sigma", "sqrt(2/d) ≈ 0.1 for d = 100"),
    ("sheet9:p1.variance", "d a^2/3 ≈ 0.33 d a^2 for d = 1"),
    ("sheet9:p1.variance", "d a^2/3 ≈ 0.5 d a^2"),
    ("sheet9:p1.bound", "a = sqrt(3/d) ≈ 1.5/sqrt(d)"),
    ("sheet9:p2.sigma", "sqrt(2(1-q)/d) (for q = 0.5 this is 2/sqrt(d))"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p) (for p = 1 this is d sigma^2)"),
    ("sheet9:p3.sigmoid_derivative", "s(1-s) (at s = 1/2 this gives 1/2)"),
])
def test_a_value_the_answer_does_not_have_is_a_second_answer(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


@pytest.mark.parametrize("where, text", [
    ("sheet8:p2.sigma", "sqrt(2/d) ≈ 0.14 for d = 100"),
    ("sheet9:p1.variance", "d a^2/3 ≈ 0.333 a^2 for d = 1"),
    ("sheet9:p1.bound", "a = sqrt(3/d) ≈ 1.73/sqrt(d)"),
    ("sheet9:p2.sigma", "sqrt(2(1-q)/d) (for q = 0.5 this is 1/sqrt(d))"),
    ("sheet9:p2.layer_variance", "d sigma^2 / (2p) (for p = 1 this is d sigma^2/2, no dropout)"),
    ("sheet9:p3.sigmoid_derivative", "s(1-s) (at s = 1/2 this gives 1/4)"),
])
def test_a_value_the_answer_has_is_harmless(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


# --- 8. a quantifier over a name the answer does not hold is a scope --------------------------------------

@pytest.mark.parametrize("where, text, expected", [
    ("sheet9:p1.variance", "d a^2/3 (for each i)", "invalid"),
    ("sheet8:p2.variance", "d sigma^2/2 (for every j)", "invalid"),
    ("sheet9:p1.variance", "d a^2/3 (for all d)", "correct"),
    ("sheet9:p3.stable_loss", "max(t, 0) - t y + log(1 + exp(-|t|)), stable for all t", "correct"),
])
def test_a_quantifier_names_the_answers_own_names(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- 9. explanatory remarks in words of the subject, never an operation on the value ------------------

@pytest.mark.parametrize("where, text", [
    ("sheet8:p4.forward_mults", "L n K^2 (one n×K times K×K matmul per layer)"),
    ("sheet8:p4.training_memory", "2 L K^2 + L n K \\quad\\text{(with weight gradients)}"),
    ("sheet9:p2.layer_variance", "\\frac{d \\sigma^2}{2}\\cdot\\frac{1}{p} \\quad \\text{(dropout scales the second "
                                 "moment by } 1/p)"),
    ("sheet9:p3.sigmoid_derivative", "s*(1-s) (chain rule on 1/(1+e^-t))"),
    ("sheet9:p4.forward_mults", "n H W k² C_in C_out multiplications (padded zeros counted)"),
    ("sheet8:p2.variance", "Var[y] = d\\sigma^2/2 \\quad\\text{(half the inputs are zeroed)}"),
    ("sheet8:p4.training_mults", "3*n*L*K^2 (forward, plus grads wrt inputs and weights)"),
    ("sheet8:p4.training_mults", "3 n L K²  — forward once, backward twice"),
    ("sheet8:p4.training_memory", "roughly 2 L K^2 + L n K (weights, their gradients, activations)"),
    ("sheet9:p3.sigmoid_derivative", "sigma(t)*(1 - sigma(t)), the logistic's famous identity"),
    ("sheet9:p4.training_mults", "three times the forward: 3 n H W C_in C_out k^2"),
    # own cases
    ("sheet9:p4.training_mults", "3 n H W C_in C_out k^2 (including the gradients for the input)"),
    ("sheet8:p4.training_memory", "L K^2 + L n K + n K (including the input activation)"),
    ("sheet9:p4.training_mults", "3 n H W C_in C_out k^2 -- forward once, backward twice"),
    ("sheet8:p2.sigma", "sqrt(2/d) (half the units are zeroed by ReLU)"),
    ("sheet9:p2.mean", "x_i (dropout scales the kept entries by 1/p)"),
    ("sheet9:p3.gradient", "s - y, the textbook's famous result"),
])
def test_an_explaining_remark_in_words_of_the_subject_is_set_aside(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "correct"


@pytest.mark.parametrize("where, text", [
    ("sheet9:p1.variance", "d a^2/3 (twice the variance)"),
    ("sheet9:p1.variance", "d a^2/3 (halved)"),
    ("sheet9:p1.variance", "d a^2/3 (divided by 2)"),
    ("sheet9:p1.variance", "d a^2/3 (squared)"),
    ("sheet8:p4.training_mults", "3 n L K^2 (d times 2)"),
    ("sheet8:p4.training_mults", "3 n L K^2 — halved"),
    ("sheet9:p4.weights", "C_in C_out k^2 (bias included)"),
    ("sheet9:p4.weights", "C_in C_out k^2 (with bias)"),
    ("sheet8:p4.training_memory", "L K^2 + L n K (with weight gradients)"),
    ("sheet8:p4.training_mults", "3 n L K^2 (forward, plus twice that)"),
])
def test_an_operation_on_the_value_or_another_scope_is_never_set_aside(banks: dict, where: str, text: str) -> None:
    assert verdict(banks, where, text) == "invalid"


# --- 10. what a derivative is taken by, and a list of what is counted ---------------------------------

@pytest.mark.parametrize("where, text, expected", [
    ("sheet8:p3.gradient", "z - y (w.r.t. the probabilities)", "invalid"),
    ("sheet8:p3.gradient", "z - y (w.r.t. the logits)", "correct"),
    ("sheet9:p3.gradient", "s - y (w.r.t. the logit t)", "correct"),
    ("sheet9:p3.gradient", "s - y (w.r.t. the label)", "invalid"),
    ("sheet9:p4.weights", "C_in C_out k^2 (weights and their gradients)", "invalid"),
    ("sheet8:p4.training_memory", "2 L K^2 + L n K (weights, their gradients, activations)", "correct"),
    ("sheet8:p4.inference_memory", "L K^2 + 2 n K (weights + activations)", "correct"),
    ("sheet8:p4.inference_memory", "L K^2 + 2 n K (weights, gradients, activations)", "invalid"),
])
def test_what_a_remark_says_is_taken_or_counted_is_the_questions(banks: dict, where: str, text: str,
                                                                   expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- 11. a definition by an equation, and a chain in a reason -----------------------------------------

@pytest.mark.parametrize("where, text, expected", [
    ("sheet9:p3.gradient", "s - y (with s = sigma(t))", "correct"),
    ("sheet9:p3.gradient", "s - y (with s = sigma(-t))", "invalid"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p) (where h_i = m_i x_i/p)", "correct"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p) (where h_i = m_i x_i)", "invalid"),
    ("sheet9:p1.bound", "sqrt(3/d) (from Var[y] = d a^2/3 = 1)", "correct"),
    ("sheet9:p1.bound", "sqrt(3/d) (from Var[y] = d a^2/12 = 1)", "invalid"),
    ("sheet9:p4.forward_mults", "n H W C_in C_out k^2 (one k x k x C_in dot product per output)", "correct"),
])
def test_a_definition_or_a_chain_beside_the_answer_must_hold(banks: dict, where: str, text: str,
                                                               expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- 12. words that restate the answer, a moment of a name, a value before its point ------------------

@pytest.mark.parametrize("where, text, expected", [
    ("sheet9:p3.gradient", "s - y (prediction minus label)", "correct"),
    ("sheet8:p3.gradient", "z - y (w.r.t. x)", "correct"),
    ("sheet9:p3.stable_loss", "max(t, 0) - t y + log(1 + exp(-|t|)) (never overflows)", "correct"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p) (reduces to d sigma^2/2 when p = 1)", "correct"),
    ("sheet9:p2.layer_variance", "d sigma^2/(2p) (reduces to d sigma^2 when p = 1)", "invalid"),
    ("sheet9:p1.glorot", "sqrt(6/(n_in + n_out)) ≈ 0.17 for n_in = n_out = 100", "correct"),
    ("sheet9:p1.glorot", "sqrt(6/(n_in + n_out)) ≈ 0.5 for n_in = n_out = 100", "invalid"),
    ("sheet9:p4.weights", "k^2 C_in C_out (k the stride)", "invalid"),
    ("sheet9:p4.weights", "k^2 C_in C_out (k the kernel size)", "correct"),
    ("sheet9:p1.variance", "d a^2/3 (each of the d terms has variance a^2/12)", "invalid"),
    ("sheet9:p1.variance", "d a^2/3 (since each w_i has variance a^2/3)", "correct"),
    ("sheet9:p1.variance", "d a^2/3 (since each w_i has variance a^2/12)", "invalid"),
])
def test_words_that_restate_or_state_a_value_must_agree(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


@pytest.mark.parametrize("where, text, expected", [
    ("sheet9:p1.variance", "\\frac{d a^2}{3} \\quad \\text{(uniform variance } a^2/3)", "correct"),
    ("sheet9:p1.variance", "\\frac{d a^2}{3} \\quad \\text{(uniform variance } a^2/12)", "invalid"),
    ("sheet9:p1.bound", "sqrt(3/d) (since each w_i has variance a^2/3)", "correct"),
    ("sheet8:p2.variance", "d sigma^2/2 (each w_i has variance sigma)", "invalid"),
])
def test_a_moment_said_of_the_model_must_hold(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected
