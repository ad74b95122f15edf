"""Rules of the reading language (issue 21), each with cases of its own: how a line or an answer is
read, and what is refused. Verdicts come from the grader; readings from grading/working.py."""
from __future__ import annotations

import pytest
import sympy as sp

from derivcheck.grading.bank import load
from derivcheck.grading.errors import AnswerError
from derivcheck.grading.grader import check
from derivcheck.grading.mistakes import applied_to_whole
from derivcheck.grading.normalize import scalar_subscripts, to_plain
from derivcheck.grading.reader import parse_answer
from derivcheck.grading.sentences import leading_words
from derivcheck.grading.symbolic import Vocabulary, symbol_for
from derivcheck.grading.vocabulary import read_functions
from derivcheck.grading.working import read_line


@pytest.fixture(scope="module")
def bank() -> dict:
    return load(None)


def verdicts(record: dict) -> str:
    return " ".join(s["verdict"] for s in record["steps"])


# --- a function without brackets in plain text ---------------------------------------------------

@pytest.mark.parametrize("typed, plain", [
    ("log z_i", "log(z_i)"), ("exp x_k / 2", "exp(x_k) / 2"), ("sqrt 2 / sqrt d", "sqrt(2) / sqrt(d)"),
    ("log exp x", "log exp(x)"), ("log(z)", "log(z)"), ("ln d + 1", "ln(d) + 1"),
    ("log sum_k exp(x_k - m) - 1", "log(sum_k exp(x_k - m)) - 1"), ("exp x_i/sum_k exp x_k", "exp(x_i)/sum_k exp(x_k)"),
    ("log sum_k", "log sum_k"),
])
def test_a_function_takes_the_name_after_it(typed: str, plain: str) -> None:
    got, where, _ = to_plain(typed)
    assert got.replace(" ", "") == plain.replace(" ", "")
    assert where is not None and len(where) == len(got)


def test_bare_log_before_a_sum_in_latex_typed_text(bank: dict) -> None:
    record = check(bank["p3.gradient"], "dL/dx_j\n= d/dx_j (-x_y + log \\sum_{k} e^{x_k})\n= z_j - y_j", evidence=False)
    assert verdicts(record) == "start ok ok"


def test_bare_log_in_working(bank: dict) -> None:
    record = check(bank["p3.gradient"], "dL/dx_j\n= -sum_i y_i d/dx_j log z_i\n= -sum_i y_i (delta_ij - z_j)\n"
                                        "= z_j - y_j", evidence=False)
    assert verdicts(record) == "start ok ok ok"


# --- derivatives as quotients ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["-∂ log z_c / ∂x_j", "-d(log(z_c))/dx_j", "- d log(z_c)/dx_j"])
def test_a_leibniz_quotient_of_a_bracket_or_call(bank: dict, text: str) -> None:
    expr = read_line(bank["p3.gradient"].model, text).expr
    assert isinstance(-expr, sp.Derivative) and (-expr).variables[0].indices[0] == sp.Symbol("j", integer=True)


def test_d_times_a_bracket_is_no_derivative_without_a_differential(bank: dict) -> None:
    expr = read_line(bank["p2.variance"].model, "d(sigma^2)/2").expr
    assert not expr.atoms(sp.Derivative)


# --- sums over a family's entries --------------------------------------------------------------

def test_sum_of_a_bare_family(bank: dict) -> None:
    model = bank["p3.gradient"].model
    expr = read_line(model, "exp(x_j)/sum(exp(x))").expr
    assert sp.sstr(expr) == "exp(x[j])/Sum(exp(x[i]), (i, 1, d))"
    record = check(bank["p3.gradient"], "dL/dx_j\n= -x_y + log(sum(exp(x)))\n= -x_c + log(sum(exp(x)))",
                   evidence=False)
    assert verdicts(record) == "start wrong ok"  # the loss itself, not its gradient


# --- plus-minus -------------------------------------------------------------------------------

@pytest.mark.parametrize("line", ["σ = ±√(2/d)", "\\sigma = \\pm\\sqrt{2/d}", "sigma = +- sqrt(2/d)", "±√(2/d) = σ"])
def test_plus_minus_as_the_sign_of_a_side(bank: dict, line: str) -> None:
    record = check(bank["p2.sigma"], f"sigma^2 = 2/d\n{line}\nsigma = sqrt(2/d)", evidence=False)
    assert verdicts(record) == "start ok ok"


@pytest.mark.parametrize("line", ["σ = 1 ± √(2/d)", "σ ± 1 = 2"])
def test_plus_minus_inside_a_side_is_refused(bank: dict, line: str) -> None:
    with pytest.raises(AnswerError, match="±"):
        read_line(bank["p2.sigma"].model, line, equation=True)


def test_plus_minus_of_a_wrong_value_is_wrong(bank: dict) -> None:
    record = check(bank["p2.sigma"], "sigma^2 = 2/d\nsigma = ±sqrt(1/d)", evidence=False)
    assert verdicts(record) == "start wrong"


# --- integrals against the normal density ---------------------------------------------------------

@pytest.mark.parametrize("line", [
    "d sigma^2 \\int_0^\\infty z^2 \\frac{1}{\\sqrt{2\\pi}} e^{-z^2/2}\\,dz",
    "d sigma^2 \\int_{0}^{\\infty} \\frac{e^{-u^2/2}}{\\sqrt{2\\pi}} u^2 \\, \\mathrm{d}u",
    "d σ² ∫_0^∞ z² φ(z) dz",
    "d sigma^2 int_0^oo t^2 exp(-t^2/2)/sqrt(2 pi) dt",
    "d sigma^2 \\int_{-\\infty}^{\\infty} \\max(z,0)^2 \\phi(z) dz",
])
def test_integral_against_the_density_is_an_expectation(bank: dict, line: str) -> None:
    record = check(bank["p2.variance"], f"Var[y]\n= {line}\n= d sigma^2/2", evidence=False)
    assert verdicts(record) == "start ok ok"


def test_integral_over_the_whole_line_is_the_missing_half(bank: dict) -> None:
    record = check(bank["p2.variance"], "Var[y]\n= d sigma^2 E[x_1^2]\n"
                                        "= d sigma^2 \\int_{-\\infty}^{\\infty} z^2 \\phi(z) dz", evidence=False)
    assert verdicts(record) == "start ok wrong"
    assert "missing_relu_half" in record["steps"][2]["diagnoses"]


@pytest.mark.parametrize("line", ["∫_0^∞ z^2 dz", "int z^2 phi(z) dz", "int_0^oo z^2 phi(z)", "∫_0^∞ z^2 exp(-z^2) dz"])
def test_other_integrals_are_refused(bank: dict, line: str) -> None:
    with pytest.raises(AnswerError, match="integral"):
        read_line(bank["p2.variance"].model, line)


# --- mistakes named by form ---------------------------------------------------------------------

def test_softmax_entry_differentiated_as_its_own_variable(bank: dict) -> None:
    for wrong in ("-sum_i (y_i / z_i) delta_ij", "-y_j / z_j"):
        record = check(bank["p3.gradient"], f"dL/dx_j\n= -sum_i (y_i / z_i) dz_i/dx_j\n= {wrong}", evidence=False)
        assert verdicts(record) == "start ok wrong"
        assert record["steps"][2]["diagnoses"] == ["missing_chain_rule"]
    record = check(bank["p3.gradient"], "dL/dx_j\n= -sum_i y_i d/dx_j log(z_i)\n= -sum_i y_i delta_ij / z_i",
                   evidence=False)
    assert record["steps"][2]["diagnoses"] == ["missing_chain_rule"]


def test_the_right_jacobian_is_not_named(bank: dict) -> None:
    record = check(bank["p3.gradient"], "dL/dx_j\n= -sum_i (y_i / z_i) dz_i/dx_j\n"
                                        "= -sum_i (y_i / z_i) z_i (delta_ij - z_j)", evidence=False)
    assert verdicts(record) == "start ok ok"


@pytest.mark.parametrize("before, after, whole", [
    ("d σ^2/2", "d σ^2 / 2 · 2", True), ("d sigma^2/2", "2 d sigma^2/2", True), ("E[y^2]", "2 (E[y^2])", True),
    ("E[y^2]", "E[y^2] + 1", True), ("d sigma^2 E[x^2]", "d sigma^2 E[z^2]", False),
    ("sigma^2/2", "d sigma^2/2", False), ("sum_i E[w_i^2] E[x_i^2]", "sum_i E[w_i^2] E[z_i^2]", False),
])
def test_a_change_to_the_whole_line(before: str, after: str, whole: bool) -> None:
    assert applied_to_whole(before, after) is whole


def test_a_stray_factor_is_not_a_known_mistake(bank: dict) -> None:
    stray = check(bank["p2.variance"], "Var[y]\n= d sigma^2/2\n= d sigma^2/2 * 2", evidence=False)
    assert verdicts(stray) == "start ok wrong" and stray["steps"][2]["diagnoses"] == []
    step = check(bank["p2.variance"], "Var[y]\n= d sigma^2 E[x_1^2]\n= d sigma^2 E[z_1^2]", evidence=False)
    assert step["steps"][2]["diagnoses"] == ["missing_relu_half"]


# --- words around an answer -----------------------------------------------------------------------

@pytest.mark.parametrize("q, answer", [
    ("p2.variance", "The variance is d sigma^2 / 2."), ("p2.variance", "Answer: dσ²/2"),
    ("p4.forward_mults", "We get nLK^2 multiplications"), ("p4.training_memory", "so LK^2 + nLK"),
    ("p2.variance", "≈ dσ²/2"), ("p2.variance", "= d sigma^2/2"),
    ("p2.variance", "\\frac{d\\sigma_w^2}{2}"), ("p2.variance", "d σ_w² / 2"), ("p2.sigma", "\\sigma_w = \\sqrt{2/d}"),
])
def test_introduced_and_labelled_answers(bank: dict, q: str, answer: str) -> None:
    assert check(bank[q], answer, evidence=False)["verdict"] == "correct"


@pytest.mark.parametrize("q, answer", [
    ("p2.variance", "The variance is not d sigma^2 / 2"), ("p2.variance", "It is only d sigma^2/2"),
    ("p2.variance", "approximately: d sigma^2/4"), ("p2.variance", "d is sigma^2/2"),
    ("p2.variance", "d sigma_d^2/2"), ("p2.variance", "The answer is d^2 sigma^2/2"),
])
def test_introductions_never_make_a_wrong_or_hedged_answer_correct(bank: dict, q: str, answer: str) -> None:
    assert check(bank[q], answer, evidence=False)["verdict"] != "correct"


def test_leading_words_rule() -> None:
    assert leading_words("The variance is d sigma^2/2", {"d", "sigma"}) == ("d sigma^2/2", "The variance is")
    assert leading_words("d is 2", {"d"}) is None
    assert leading_words("it is not 2", set()) is None
    assert leading_words("d sigma^2/2", {"d", "sigma"}) is None


def test_scalar_subscripts_rule() -> None:
    assert scalar_subscripts("\\sigma_w^2", {"sigma", "d"}, {"sigma", "d"}) == ("\\sigma ^2", ["\\sigma_w"])
    assert scalar_subscripts("sigma_d", {"sigma", "d"}, {"sigma", "d"}) is None  # d is a name: not a label
    assert scalar_subscripts("sigma^2", {"sigma"}, {"sigma"}) is None
    assert scalar_subscripts("z_c - y_j", set(), {"z", "y"}) is None  # entries of vectors are no labels


def test_labelled_parameter_in_working(bank: dict) -> None:
    record = check(bank["p2.variance"], "Var[y]\n= d \\sigma_w^2 E[x_1^2]\n= d \\sigma_w^2 / 2", evidence=False)
    assert verdicts(record) == "start ok ok"
    with pytest.raises(AnswerError):
        read_line(bank["p2.variance"].model, "sigma_i^2")  # an index is no label


# --- asides and vectors written by their entries ---------------------------------------------------

@pytest.mark.parametrize("q, answer, verdict", [
    ("p2.variance", "d σ^2 / 2 (since E[ReLU(z)^2] = 1/2)", "correct"),
    ("p2.variance", "d sigma^2 (by symmetry of z)", "incorrect"),
    ("p4.forward_mults", "n L K^2 (as each layer costs n K^2)", "correct"),
    ("p3.gradient", "(z_1 - y_1, ..., z_d - y_d)", "correct"),
    ("p3.gradient", "\\left(z_1 - y_1, \\ldots, z_d - y_d\\right)", "correct"),
    ("p3.gradient", "(y_1 - z_1, …, y_d - z_d)", "incorrect"),
    ("p3.gradient", "(z_1 - y_1, ..., z_d - y_1)", "invalid"),
])
def test_asides_and_entry_tuples(bank: dict, q: str, answer: str, verdict: str) -> None:
    assert check(bank[q], answer, evidence=False)["verdict"] == verdict


def test_a_bracketed_justification_after_quad_or_a_reason_word(bank: dict) -> None:
    record = check(bank["p2.variance"], "Var[y]\n= \\mathbb{E}[y^2] \\quad (\\mathbb{E}[y] = 0)\n"
                                        "= d sigma^2 E[x_1^2] (by independence)\n= d sigma^2/2", evidence=False)
    assert verdicts(record) == "start ok ok ok"
    assert record["steps"][1]["reason"] == "(\\mathbb{E}[y] = 0)"


@pytest.mark.parametrize("q, answer, verdict", [
    ("p2.sigma", "sqrt(2/d) ≈ 0.14 for d = 100", "correct"),
    ("p2.sigma", "\\sqrt{2/d} \\approx 0.14", "correct"),
    ("p2.sigma", "1/sqrt(d) ≈ 0.1 for d = 100", "incorrect"),
    ("p2.variance", "Var[y] ≈ dσ²/2", "correct"),
])
def test_a_numeric_approximation_is_an_illustration(bank: dict, q: str, answer: str, verdict: str) -> None:
    assert check(bank[q], answer, evidence=False)["verdict"] == verdict


# --- read21: notation classes of sheets 8 and 9 (each rule, with cases of its own) ---------------

def _vocab(**kinds: str) -> Vocabulary:
    return Vocabulary(symbols={name: symbol_for(name, kind) for name, kind in kinds.items()})


_DA = {"d": "positive_integer", "a": "positive"}


def _read(text: str, **kinds: str) -> sp.Expr:
    return parse_answer(text, _vocab(**(kinds or _DA))).expr


@pytest.mark.parametrize("typed, plain", [
    ("max(t,0) - t y + log(1+exp(-|t|))", "max(t,0)-ty+log(1+exp(-abs(t)))"),
    ("\\log(1+e^{-\\lvert t\\rvert})", "log(1+e^(-abs(t)))"), ("e^{-\\left|t\\right|}", "e^(-abs(t))"),
    ("|x - |y||", "abs(x-abs(y))"), ("E[y | z > 0]", "E[y|z>0]"), ("||x||^2", "||x||^2"),
])
def test_absolute_value_bars(typed: str, plain: str) -> None:
    """A bar where an operand may start opens |...|, a bar after an operand closes it; any other bar
    is a condition; a double bar (a norm) is never abs(abs(.))."""
    got, where, _ = to_plain(typed)
    assert got.replace(" ", "") == plain
    assert where is None or len(where) == len(got)


@pytest.mark.parametrize("typed, plain", [
    ("σ′(t) = s(1-s)", "(d/dtsigma(t))=s(1-s)"), ("\\sigma^{\\prime}(t)", "(d/dtsigma(t))"),
    ("\\sigma'(t)", "(d/dtsigma(t))"), ("L'(t)", "(dL/dt)"), ("exp'(x)", "(d/dxexp(x))"), ("s'", "s'"),
    ("dσ/dt", "(d/dtsigma(t))"), ("\\frac{d\\sigma}{dt}", "((d/dtsigma(t)))"), ("dL/dt", "dL/dt"),
    ("d σ²/2", "dsigma^2/2"),
])
def test_a_prime_is_the_derivative_at_the_written_variable(typed: str, plain: str) -> None:
    """f'(t) of a function (vocabulary or a Greek letter) is d/dt f(t); of any other name, dL/dt
    (L(t) is L, never L times t); a prime without its variable stays unread."""
    assert to_plain(typed)[0].replace(" ", "") == plain


@pytest.mark.parametrize("typed, plain", [
    ("\\max\\{t, 0\\}", "max(t,0)"), ("\\log\\sigma(t)", "log(sigma(t))"), ("log sigma(t) + 1", "log(sigma(t))+1"),
    ("\\log x (1+x)", "log(x)(1+x)"),
    ("\\mathbb{E}_{z\\sim\\mathcal{N}(0,1)}[z^2]", "E_z[z^2]"), ("E_{z ∼ N(0,1)}[z^2]", "E_z[z^2]"),
    ("E[z^2 1_{z>0}]", "E[z^21(z>0)]"), ("\\mathbb{1}_{z > 0}", "1(z>0)"), ("x_{1} + 1_{k}", "x_1+1_k"),
])
def test_function_operands(typed: str, plain: str) -> None:
    assert to_plain(typed)[0].replace(" ", "") == plain


@pytest.mark.parametrize("typed, plain", [
    ("-y/s (ds/dt)", "-y/s*(ds/dt)"), ("s(1-s)", "s(1-s)"), ("log (x)", "log(x)"), ("d/dt (1+x)", "d/dt(1+x)"),
    ("E (y)", "E(y)"),
])
def test_a_spaced_bracket_multiplies_the_quotient_before_it(typed: str, plain: str) -> None:
    assert to_plain(typed)[0].replace(" ", "") == plain


def test_spaced_bracket_in_working() -> None:
    a, d = symbol_for("a", "positive"), symbol_for("d", "positive_integer")
    assert _read("a/d (a + 1)") == a * (a + 1) / d
    assert _read("a/d(a + 1)") == a / (d * (a + 1))  # typed together: one factor, as before


@pytest.mark.parametrize("text", [
    "d a^2 / 3, since Var(w_i) = a^2/3", "As Var(w_i) = a^2/3, Var(y) = d a^2/3", "d a^2/3 because each term is a^2/3",
    "d a^2/3 ≈ 0.33 d a^2", "d a^2/3 \\approx 0.333\\,d a^2", "d a^2/3 ;",
    "The variance needs d a^2/3 units", "d a^2/3, i.e. the width formula", "d a^2/12, so the variance is d a^2/3",
    "d a^2/3,", "**d a^2/3**", "`d*a**2/3`", "$d a^2/3$.", "\\boxed{\\frac{da^2}{3}}", "\\frac{d a^2}{3}\\,.",
    "Var(y) = d a^2/3, where a is the bound", "d a^2/3 (for all d)", "d a^2/3, exact for every a and d.",
])
def test_words_and_approximations_around_a_right_answer(text: str) -> None:
    a, d = symbol_for("a", "positive"), symbol_for("d", "positive_integer")
    assert sp.simplify(_read(text) - d * a**2 / 3) == 0


@pytest.mark.parametrize("text, factor", [
    ("d a^2, since each term is a^2/3", 1), ("d a^2/12 \\approx 0.08 d a^2", sp.Rational(1, 12)),
    ("d a^2/3 \\approx 0.33 d a^2 \\approx 0.333 d a^2", sp.Rational(1, 3)),
    ("Var[y] ≈ 0.333 d a^2", sp.Rational(333, 1000)),
])
def test_a_reason_or_approximation_is_never_the_answer(text: str, factor: sp.Expr) -> None:
    a, d = symbol_for("a", "positive"), symbol_for("d", "positive_integer")
    assert sp.simplify(_read(text) - factor * d * a**2) == 0


@pytest.mark.parametrize("text", [
    "d a^2/12, Var = d a^2/3", "twice d a^2/6 + a", "d a^2/3 squared", "d a^2/3 per layer", "half of 2 d a^2/3 - a",
    "d a^2/3 (not squared)", "d a^2/3 where a is half the bound", "d a^2/3 where a is not the bound",
])
def test_ambiguous_or_quantity_changing_words_are_refused(text: str) -> None:
    with pytest.raises(AnswerError):
        _read(text)


@pytest.mark.parametrize("q, answer, verdict", [
    ("p4.training_memory", "LK^2 + nLK (weights + activations)", "correct"),
    ("p4.training_memory", "LK^2 + nK (weights + activations)", "incorrect"),
    ("p4.forward_mults", "The forward pass needs nLK^2 multiplications.", "correct"),
    ("p3.stable_softmax", "exp(x_i - max(x))/sum_k exp(x_k - max(x)), since exp(-|x|) <= 1", "correct"),
])
def test_labels_and_reasons_in_graded_answers(bank: dict, q: str, answer: str, verdict: str) -> None:
    assert check(bank[q], answer, evidence=False)["verdict"] == verdict


def _logistic(**kinds: str) -> Vocabulary:
    table = {"name": "sigmoid", "args": ["t"], "definition": "1/(1 + exp(-t))", "latex": "\\sigma"}
    functions = read_functions([table])
    return Vocabulary(symbols={name: symbol_for(name, kind) for name, kind in kinds.items()}, functions=functions)


def test_a_bare_sheet_function_is_its_value_at_its_own_variable() -> None:
    t = symbol_for("t", "real")
    value = 1 / (1 + sp.exp(-t))
    for text in ("σ*(1 - σ)", "\\sigma(t)\\,(1-\\sigma)", "sigma - sigma(t)^2"):
        got = parse_answer(text, _logistic(t="real", s="interval(0,1)")).expr
        assert sp.simplify(got - value * (1 - value)) == 0, text


@pytest.mark.parametrize("text, kinds", [
    ("σ*(1 - σ)", {"x": "real"}),      # σ's variable t is no name of this question
])
def test_a_bare_sheet_function_is_never_guessed(text: str, kinds: dict[str, str]) -> None:
    with pytest.raises(AnswerError):
        parse_answer(text, _logistic(**kinds))


@pytest.mark.parametrize("typed, plain", [
    ("\\log\\Bigl(1+x\\Bigr)", "log(1+x)"), ("\\exp\\bigl(-|t|\\bigr)", "exp(-abs(t))"),
    ("\\max\\Big(t, 0\\Big)", "max(t,0)"),
])
def test_sized_brackets_after_a_function(typed: str, plain: str) -> None:
    assert to_plain(typed)[0].replace(" ", "") == plain
