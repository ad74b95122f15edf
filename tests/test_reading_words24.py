"""Rules of the answer reader added in round 5 of issue 21 (grading/sentences.py): mathematics said in
words (``times``, ``over``, ``divided by``, ``squared``, ``cubed``, ``the square root of``, ``sqrt of``)
with the usual spoken precedence, a name's copula in words (``a equals ...``, ``sigma is equal to
...``), and ``I got`` as an introduction; each rule with cases in both directions."""
from __future__ import annotations

import pytest
from reading import verdict

from derivcheck.grading.sentences import spoken_formula

# --- 1. mathematics in words ------------------------------------------------------------------------


@pytest.mark.parametrize("text, symbols", [
    ("d times sigma squared over 2", "(d)*((sigma)^2)/(2)"),       # squared first, then left to right
    ("sigma squared times d over 2", "((sigma)^2)*(d)/(2)"),
    ("sqrt of 2 over d", "sqrt((2)/(d))"),                          # a root takes everything after it
    ("a = the square root of 3/d", "a = sqrt((3/d))"),             # in a statement, a written quotient too
    ("d a squared over 3", "(d (a)^2)/(3)"),                        # squared: the last factor side by side
    ("d a^2 divided by 3", "(d a^2)/(3)"),
])
def test_a_formula_in_words_reads_with_spoken_precedence(text: str, symbols: str) -> None:
    found = spoken_formula(text)
    assert found is not None and found[0] == symbols


@pytest.mark.parametrize("text", [
    "square root of 2/d",            # bare: sqrt(2)/d or sqrt(2/d)?
    "d sigma^2/2 squared",           # which part is squared?
    "x over 2 d",                    # x/(2d) or x d/2?
    "d times sigma squared plus 1",  # no sum is read
    "sigma squared d",               # no operation joins them
    "d a^2/3 (should be d a^2/12)",  # no word of an operation
    "times d",
])
def test_an_ambiguous_formula_in_words_is_not_read(text: str) -> None:
    assert spoken_formula(text) is None


@pytest.mark.parametrize("where, text, expected", [
    ("sheet8:p2.variance", "The variance is d times sigma squared over 2", "correct"),
    ("sheet8:p2.sigma", "sigma should be sqrt of 2 over d", "correct"),
    ("sheet9:p1.bound", "a equals the square root of 3/d", "correct"),
    ("sheet9:p1.variance", "I got d a^2/3.", "correct"),
    # own cases: other wordings, other questions
    ("sheet8:p2.sigma", "sigma is equal to the square root of 2 over d", "correct"),
    ("sheet9:p1.bound", "a should be the square root of 3 over d", "correct"),
    ("sheet9:p1.variance", "we get d times a squared over 3", "correct"),
    ("sheet8:p2.variance", "sigma squared times d divided by 2", "correct"),
    ("sheet8:p2.sigma", "sigma is sqrt(2/d)", "correct"),
    # wrong values in words are read and decided
    ("sheet8:p2.variance", "d times sigma squared over 4", "incorrect"),
    ("sheet8:p2.variance", "d times sigma over 2", "incorrect"),
    ("sheet8:p2.sigma", "sigma equals sqrt of 1 over d", "incorrect"),
    ("sheet9:p1.bound", "a equals the square root of 6/d", "incorrect"),
    ("sheet9:p1.variance", "the answer is d a squared over 12", "incorrect"),
    ("sheet9:p1.variance", "I got d a^2/12", "incorrect"),
    # stays unread: a correction, a negation, ambiguous words
    ("sheet9:p1.variance", "d a^2/3 (should be d a^2/12)", "invalid"),
    ("sheet8:p2.sigma", "sigma is not sqrt(2/d)", "invalid"),
    ("sheet8:p2.sigma", "square root of 2/d", "invalid"),
    ("sheet8:p2.variance", "d sigma^2/2 squared", "invalid"),
    ("sheet8:p2.variance", "d times sigma squared plus 1", "invalid"),
    ("sheet8:p2.sigma", "sigma is at most sqrt(2/d)", "invalid"),
    ("sheet8:p2.sigma", "sigma should not be sqrt of 2 over d", "invalid"),
    ("sheet8:p2.variance", "not d times sigma squared over 2", "invalid"),
    ("sheet8:p2.variance", "d times sigma squared over 2 per layer", "invalid"),
    ("sheet8:p2.variance", "d times sigma squared over 2 or d sigma^2", "invalid"),
    ("sheet9:p1.bound", "a equals the square root of 3/d squared", "invalid"),
    ("sheet8:p2.sigma", "d should be sqrt of 2 over sigma", "invalid"),
])
def test_answers_in_words(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- 4. softplus, a library function, read as its definition ----------------------------------------

def test_softplus_is_its_definition() -> None:
    import math

    import sympy as sp

    from derivcheck.grading.vocabulary import FUNCTION

    record = FUNCTION["softplus"]
    x = sp.Symbol("x")
    assert sp.simplify(record.sympy(x) - sp.log(1 + sp.exp(x))) == 0
    for u in (-30.0, -1.0, 0.0, 2.5, 30.0):
        assert math.isclose(float(record.mp(u)), math.log1p(math.exp(u)), rel_tol=1e-12)
        assert math.isclose(float(record.np(u)), math.log1p(math.exp(u)), rel_tol=1e-12)
    assert float(record.np(1000.0)) == 1000.0  # float64's softplus never overflows


@pytest.mark.parametrize("where, text, expected", [
    ("sheet9:p3.stable_loss", "softplus(t) - t*y", "incorrect"),        # the value, but exp(t) as defined overflows
    ("sheet9:p3.stable_loss", "softplus(t) + t*y", "incorrect"),        # another value
    ("sheet9:p3.stable_loss", "max(t,0) - t*y + log(1+exp(-abs(t)))", "correct"),
    ("sheet9:p3.sigmoid_derivative", "softplus(t)", "incorrect"),
])
def test_softplus_answers(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected


# --- 3. usual abbreviations in a definition in words ------------------------------------------------

def test_abbreviations_read_as_their_words() -> None:
    from derivcheck.grading.sentences import definitions

    assert definitions("d sigma^2/(2p), p = keep prob", {"p", "d", "sigma"}) == [("p", ["keep", "probability"])]
    assert definitions("x (sigma the weight std)", {"sigma"}) == [("sigma", ["weight", "standard", "deviation"])]


@pytest.mark.parametrize("where, text, expected", [
    ("sheet9:p2.layer_variance", "d*sigma^2/(2*p), where p is the keep prob", "correct"),
    ("sheet9:p2.layer_variance", "d*sigma^2/(2*p) (p = keep prob)", "correct"),
    ("sheet9:p2.layer_variance", "d*sigma^2/(2*p) (d = num inputs)", "correct"),
    ("sheet9:p2.layer_variance", "d*sigma^2/(2*p) (sigma = weight std)", "correct"),
    # an abbreviation of the wrong words is still the wrong definition
    ("sheet9:p2.layer_variance", "d*sigma^2/(2*p), where p is the drop prob", "invalid"),
    ("sheet9:p2.layer_variance", "d*sigma^2/(2*p) (sigma = weight var)", "invalid"),
    ("sheet9:p2.layer_variance", "d*sigma^2/(2*p) (d = num layers)", "invalid"),
])
def test_definitions_with_abbreviations(banks: dict, where: str, text: str, expected: str) -> None:
    assert verdict(banks, where, text) == expected
