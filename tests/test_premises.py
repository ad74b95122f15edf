"""The working before a final statement is judged (grading/premises.py): a false equation, or
quantities in words that do not make up the final statement, keep a right final statement from
being graded correct; true working keeps it correct. The cases are this file's own, on both sheets,
with every link the reader knows (``,``, ``;``, ``so``, ``hence``, ``therefore``, ``thus``, ``which
gives``, ``=>``, ``:``, ``and``, ``Since ...,``, ``\\quad``), plain and LaTeX."""
from __future__ import annotations

import pytest

from derivcheck.grading.grader import check
from derivcheck.grading.labels import asking
from derivcheck.grading.premises import claims, refuted, worded
from derivcheck.grading.steps import is_derivation

#: A false statement before a right final one: (question, answer, the false statement named).
FALSE = [
    ("sheet8:p2.sigma", "d sigma^2/3 = 1; sigma = sqrt(2/d)", "d sigma^2/3 = 1"),
    ("sheet8:p2.sigma", "Var[y] = 2 d sigma^2, thus sigma = sqrt(2/d)", "Var[y] = 2 d sigma^2"),
    ("sheet8:p2.sigma", r"\sigma^2 = \frac{1}{d}, \quad \sigma = \sqrt{2/d}", r"\sigma^2 = \frac{1}{d}"),
    ("sheet8:p2.variance", "Var[w_i] = 2 sigma^2, therefore Var[y] = d sigma^2/2", "Var[w_i] = 2 sigma^2"),
    ("sheet8:p2.variance", "E[w_i^2] = sigma^2/2, so d sigma^2/2", "E[w_i^2] = sigma^2/2"),
    ("sheet8:p3.smoothing_gap", "yhat_j = eps, so x_y - x_j = log((1 - eps + eps/d)/(eps/d))", "yhat_j = eps"),
    ("sheet9:p1.variance", "E[w_i] = a/2, so Var[y] = d a^2/3", "E[w_i] = a/2"),
    ("sheet9:p1.glorot", "Var[w_i] = a^2/6 = 2/(n_in + n_out), hence a = sqrt(6/(n_in+n_out))", "a^2/6"),
    ("sheet9:p1.bound", r"\frac{d a^2}{4} = 1, \text{ hence } a = \sqrt{3/d}", r"\frac{d a^2}{4} = 1"),
    ("sheet9:p1.bound", "Since d a^2/2 = 1, a = sqrt(3/d)", "d a^2/2 = 1"),
    ("sheet9:p1.bound", "d a^2/12 = 1 and so a = sqrt(3/d)", "d a^2/12 = 1"),
    ("sheet9:p2.mean", "E[m_i] = 1/p, which gives E[h_i] = x_i", "E[m_i] = 1/p"),
    ("sheet9:p2.layer_variance", "E[h_i^2] = 1/p^2, so Var[y] = d sigma^2/(2p)", "E[h_i^2] = 1/p^2"),
    ("sheet9:p2.sigma", "d sigma^2/2 = 1, so sigma = sqrt(2(1-q)/d)", "d sigma^2/2 = 1"),
    ("sheet9:p3.gradient", "ds/dt = s^2, hence dL/dt = s - y", "ds/dt = s^2"),
    ("sheet9:p3.sigmoid_derivative", "σ(-t) = σ(t), so σ'(t) = σ(t)(1-σ(t))", "σ(-t) = σ(t)"),
]

#: Working that cannot be judged, or quantities in words that do not make up the final statement.
UNJUDGED = [
    ("sheet8:p4.training_mults", "forward 2nLK^2, backward 2nLK^2: 3nLK^2"),  # neither their sum nor product
    ("sheet9:p4.training_mults", "forward n H W C_in C_out k^2 and backward the same: 3 n H W C_in C_out k^2"),
    ("sheet9:p4.weights", "C_in k per filter, times C_out filters: C_out C_in k^2"),  # k is written: no count
    ("sheet9:p1.variance", "Var[w_i] = a^2/4 for each of d terms: d a^2/3"),
    ("sheet8:p3.gradient", "dL/dz_i = y_i/z_i, so z_j - y_j"),
    ("sheet9:p1.variance", "d a^2/3, since E[w_i^2] = a^2/6"),  # a false reason is never set aside
    ("sheet9:p1.variance", "d a^2/3 because it is halved twice over the d inputs"),  # d alone is not d a^2/3
]

#: True working before a right final statement: still correct.
TRUE = [
    ("sheet8:p2.sigma", "d sigma^2/2 = 1; sigma = sqrt(2/d)"),
    ("sheet8:p2.sigma", r"Var[y] = d sigma^2/2 = 1, therefore sigma = \sqrt{2/d}"),
    ("sheet8:p2.sigma", r"\sigma^2 = \frac{2}{d}, \quad \sigma = \sqrt{2/d}"),
    ("sheet8:p2.variance", r"\mathbb{E}[w_i^2] = \sigma^2, \text{ so } \operatorname{Var}[y] = \frac{d\sigma^2}{2}"),
    ("sheet8:p4.training_mults", "forward nLK^2 and backward 2nLK^2: 3nLK^2"),  # their sum
    ("sheet8:p4.forward_mults", "nK^2 for each layer, so nLK^2"),  # L layers, said in words
    ("sheet9:p1.variance", "E[w_i^2] = a^2/3, hence Var[y] = d a^2/3"),
    ("sheet9:p1.variance", "the w_i are independent, so Var[y] = d a^2/3"),  # a name in a sentence
    ("sheet9:p1.variance", "by independence of the weights, so Var[y] = d a^2/3"),  # words alone
    ("sheet9:p1.glorot", "Var[w_i] = a^2/3 = 2/(n_in + n_out), so a = sqrt(6/(n_in + n_out))"),
    ("sheet9:p1.bound", "As Var[y] = d a^2/3 = 1, a = sqrt(3/d)"),  # the question's condition
    ("sheet9:p1.bound", "d a^2/3 = 1 and so a = sqrt(3/d)"),
    ("sheet9:p2.mean", "E[m_i] = p, which gives E[h_i] = x_i"),
    ("sheet9:p2.sigma", "Var[y] = d sigma^2/(2(1-q)) = 1, so sigma = sqrt(2(1-q)/d)"),
    ("sheet9:p3.gradient", "ds/dt = s(1-s), so dL/dt = s - y"),
    ("sheet9:p3.sigmoid_derivative", "σ(t) = 1/(1+e^{-t}), so σ'(t) = σ(t)(1-σ(t))"),
    ("sheet9:p4.weights", "C_in k^2 per filter, times C_out filters: C_out C_in k^2"),  # their product
    ("sheet8:p2.variance", "d sigma^2/2, because half of the z_i are set to 0 by the ReLU"),  # 0 counts nothing
    ("sheet9:p1.variance", "d a^2/3, since E[w_i^2] = a^2/3"),  # a true equation in a reason
    # a bound is no value nor a quantity of the final statement: set aside, as in a reason
    ("sheet8:p3.stable_softmax", "x_j - max_k x_k <= 0, so softmax(x)_j = exp(x_j - max(x))/sum_k exp(x_k - max(x))"),
    ("sheet8:p3.stable_softmax", r"z_j = \frac{e^{x_j - \max_k x_k}}{\sum_l e^{x_l - \max_k x_k}}, \text{since } "
                                 r"x_j - \max_k x_k \leq 0"),
    ("sheet9:p3.stable_loss", r"since e^{-|t|} \le 1, L = max(t, 0) - t y + log(1 + exp(-|t|))"),
    # mathematics a sentence speaks of that is no quantity of the question's: words
    ("sheet8:p2.variance", "ReLU zeroes E[z^2] on one half of the line, so d sigma^2/2"),
    ("sheet9:p2.mean", "E[h_i] = x_i as the mask of unit i is Bernoulli(p)"),
]


def _check(banks: dict, where: str, answer: str) -> dict:
    sheet, qid = where.split(":")
    return check(banks[sheet][qid], answer, evidence=False)


@pytest.mark.parametrize("where, answer, said", FALSE)
def test_a_false_statement_before_the_final_one_is_named(banks, where, answer, said):
    out = _check(banks, where, answer)
    assert out["verdict"] != "correct" and out["score"] == 0.0, out
    assert "is wrong" in out["feedback"] and said in out["feedback"], out["feedback"]


@pytest.mark.parametrize("where, answer", UNJUDGED)
def test_working_that_cannot_be_judged_is_never_correct(banks, where, answer):
    out = _check(banks, where, answer)
    assert out["verdict"] != "correct" and out["score"] == 0.0, out


@pytest.mark.parametrize("where, answer", TRUE)
def test_true_working_keeps_a_right_answer_correct(banks, where, answer):
    out = _check(banks, where, answer)
    assert out["verdict"] == "correct", out


@pytest.mark.parametrize("where, answer", [
    ("sheet8:p2.sigma", "d sigma^2 = 1, so sigma = sqrt(1/d)"),  # both wrong: graded on the final statement
    ("sheet9:p1.variance", "Var[w_i] = a^2/12, so Var[y] = d a^2/12"),
    ("sheet9:p4.forward_mults", "k^2 C_in per output value, times n H W C_out outputs: n H W C_out C_in"),
])
def test_a_wrong_final_statement_is_incorrect_whatever_its_working(banks, where, answer):
    assert _check(banks, where, answer)["verdict"] == "incorrect"


def test_the_false_statement_is_shown_with_the_point_where_its_sides_differ(banks):
    out = _check(banks, "sheet9:p1.bound", "d a^2/6 = 1, so a = sqrt(3/d)")
    assert "At d = 2 'd a^2/6' is 0.5 and '1' is 1 (with a at its derived value)" in out["feedback"]


def test_claims_split_working_at_its_links_and_drop_the_words_that_open_them():
    assert claims("We have d a^2/3 = 1") == ["d a^2/3 = 1"]
    assert claims("Setting Var[y] = 1 and Var[w_i] = a^2/3") == ["Var[y] = 1", "Var[w_i] = a^2/3"]
    assert claims(r"\text{since } E[y] = 0; x = 2") == ["E[y] = 0", "x = 2"]
    assert claims("f(a, b) = 1") == ["f(a, b) = 1"]  # a comma inside brackets separates nothing


def test_premises_are_judged_only_while_an_answer_to_a_question_is_read(banks):
    assert refuted(["d a^2/12 = 1"], "a = sqrt(3/d)") is None  # no question asked: nothing to judge
    with asking(banks["sheet9"]["p1.bound"]):
        found = refuted(["d a^2/12 = 1"], "a = sqrt(3/d)")
        assert found is not None and "d a^2/12 = 1" in str(found)
        assert refuted(["d a^2/3 = 1"], "a = sqrt(3/d)") is None


def test_worded_working_on_one_line_is_read_as_an_answer_not_as_a_derivation():
    assert worded(["d a^2/12 = 1 and "]) and worded(["We have d a^2/12 = 1"])
    assert not worded(["d a^2/12 = 1 "])
    assert not is_derivation("d a^2/12 = 1 and so a = sqrt(3/d)", True)
    assert is_derivation("d a^2/12 = 1 so a = sqrt(3/d)", True)


@pytest.mark.parametrize("working, verdict", [
    ("Var[y] = 1\nd a^2/12 = 1, so a = sqrt(3/d)", "incorrect"),
    ("Var[y] = 1\nd a^2/3 = 1, so a = sqrt(3/d)", "correct"),
])
def test_a_derivation_line_joining_statements_is_judged_link_by_link(banks, working, verdict):
    assert _check(banks, "sheet9:p1.bound", working)["verdict"] == verdict


@pytest.mark.parametrize("qid, text, verdict", [
    ("p1.variance", "Var[w_i] = a^2/3 for all i, so Var[y] = d a^2/3", "correct"),
    ("p1.variance", "d a^2/3 because Var[w_i] = a^2/3 for every i", "correct"),
    ("p1.variance", "Var[w_i] = a^2/12 for each i, so Var[y] = d a^2/3", "invalid"),
    ("p2.mean", "E[m_i] = p for all i, hence E[h_i] = x_i", "correct"),
    ("p2.mean", "E[m_i] = 1 - p for all i, hence E[h_i] = x_i", "invalid"),
])
def test_a_scope_closing_an_equation_says_where_it_holds(banks, qid, text, verdict):
    """``for each i`` after an equation of the working is its scope, not a word of its sides."""
    assert _check(banks, f"sheet9:{qid}", text)["verdict"] == verdict


@pytest.mark.parametrize("text, verdict", [
    ("Each layer costs nK^2, so in total nLK^2.", "correct"),
    ("K^2 per layer per example, so nLK^2", "correct"),
    ("Each layer costs K^2, so in total nLK^2.", "invalid"),  # one unit said, two names missing
    ("K^2 per layer, so nLK^2", "invalid"),
])
def test_a_count_said_in_words_is_one_name_per_unit(banks, text, verdict):
    """``per layer`` / ``each layer`` stands for one factor of the final statement, never two."""
    assert _check(banks, "sheet8:p4.forward_mults", text)["verdict"] == verdict
