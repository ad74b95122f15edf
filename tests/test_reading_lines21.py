"""Issue 21, rules of the line reader (grading/working.py, normalize.py, symbolic.py): what students
write in derivations, each rule with spellings of its own and the traps that must stay refused."""
from __future__ import annotations

import pytest
import sympy as sp

from derivcheck.grading.bank import load
from derivcheck.grading.errors import AnswerError
from derivcheck.grading.grader import check
from derivcheck.grading.reader import parse_answer
from derivcheck.grading.symbolic import Vocabulary, symbol_for
from derivcheck.grading.working import polynomial_degree, read_line


@pytest.fixture(scope="module")
def sheet9() -> dict:
    return load("sheet9")


@pytest.fixture(scope="module")
def sheet8() -> dict:
    return load("sheet8")


def verdicts(record: dict) -> list[str]:
    return [s["verdict"] for s in record["steps"]]


# --- 1. definite integrals of a polynomial in a bound variable ------------------------------------

@pytest.mark.parametrize("line", [
    "= d \\int_{-a}^{a} \\frac{v^2}{2a}\\,dv",
    "= \\frac{d}{2a}\\int_{-a}^{a} t^{2}\\, \\mathrm{d}t",
    "= d (1/(2a)) ∫_{-a}^{a} s² ds",
    "= d a^2 int_0^1 u^2 du",
    "= d int_{-a}^{a} (w^2 + a w)/(2a) dw",        # w: a family's letter, bound here
    "= d a^2/5 * int_{-1}^{1} (u^2 + 1/2) du",
])
def test_polynomial_integral_is_integrated_exactly(sheet9: dict, line: str) -> None:
    record = check(sheet9["p1.variance"], f"Var[y]\n{line}\n= d a^2/3", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


@pytest.mark.parametrize("line", [
    "= d \\int_{-a}^{a} \\frac{v^2}{a}\\,dv",        # the density's 1/(2a) halved
    "= d a^2 int_{-1}^{1} u^2 du",                  # no 1/2: twice the value
    "= d int_0^a w^3 dw",
])
def test_polynomial_integral_of_a_wrong_value_is_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p1.variance"], f"Var[y]\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


@pytest.mark.parametrize("line", [
    "d int_{-a}^{a} exp(v) dv",            # not a polynomial
    "d int_{-a}^{a} 1/v dv",
    "d int_{-a}^{a} sqrt(v) dv",
    "d int_{-a}^{a} v^2 du",               # the integrand does not use the differential's variable
    "d int_{-a}^{oo} v^2 dv",              # an infinite bound
    "d int_{-a}^{v} v^2 dv",               # a bound that uses the variable
    "d int_{-a}^{a} v^100 dv",             # past the degree bound
    "d int_{-a}^{a} v^2",                  # no differential
])
def test_other_integrals_stay_refused(sheet9: dict, line: str) -> None:
    with pytest.raises(AnswerError):
        read_line(sheet9["p1.variance"].model, line)


def test_polynomial_degree_is_bounded_without_expanding() -> None:
    u, a = sp.symbols("u a")
    assert polynomial_degree(a * (u + 1) ** 3 * u + a, u) == 4
    assert polynomial_degree(sp.exp(u), u) is None
    assert polynomial_degree(1 / u, u) is None
    assert polynomial_degree(((u + 1) ** 20) ** 2, u) is None   # degree 40 > 24
    assert polynomial_degree(sp.exp(a) * u, u) == 1


# --- 2. letters typed together before a subscript ------------------------------------------------

def _vocab(*names: str) -> Vocabulary:
    return Vocabulary(symbols={n: symbol_for(n, "positive_integer") for n in names})


_CONV = ("n", "H", "W", "C_in", "C_out", "k")


@pytest.mark.parametrize("typed, factors", [
    ("nHWC_{in}C_{out}k^2", "n*H*W*C_in*C_out*k**2"),
    ("3nWHC_{out}C_{in}k^2", "3*n*H*W*C_in*C_out*k**2"),
    ("HC_{in}^2", "H*C_in**2"),                      # the power takes the last piece, as in nLK^2
    ("kC_{in}", "k*C_in"),
    ("nH W C_{in}", "n*H*W*C_in"),
])
def test_letters_typed_together_before_a_subscript(typed: str, factors: str) -> None:
    vocab = _vocab(*_CONV)
    expected = sp.sympify(factors, locals={n: vocab.symbols[n] for n in _CONV})
    assert sp.simplify(parse_answer(typed, vocab).expr - expected) == 0


@pytest.mark.parametrize("typed, names", [
    ("abC_{in}", ("a", "b", "ab", "C_in")),           # a b C_in or ab C_in: two splits, refused
    ("nxC_{in}", ("n", "C_in")),                      # x is no name: no split
    ("nC_{mid}", ("n", "C_in")),                      # C_mid is no name
    ("aab_{in}", ("a", "b", "ab", "b_in", "ab_in")),  # a ab_in or a a b_in: two splits
])
def test_letters_typed_together_that_do_not_split_once_stay_unknown(typed: str, names: tuple[str, ...]) -> None:
    with pytest.raises(AnswerError):
        parse_answer(typed, _vocab(*names))


def test_a_plain_name_that_splits_two_ways_is_refused() -> None:
    with pytest.raises(AnswerError):
        parse_answer("abc", _vocab("a", "b", "c", "ab"))
    assert str(parse_answer("nLK^2", _vocab("n", "L", "K")).expr) == "K**2*L*n"


def test_a_function_or_known_name_is_never_split() -> None:
    vocab = _vocab("e", "x", "p", "x_in")
    assert parse_answer("exp(x_{in})", vocab).expr == sp.exp(vocab.symbols["x_in"])
    with pytest.raises(AnswerError):
        parse_answer("exp_{in}", vocab)


def test_letters_typed_together_in_working(sheet9: dict) -> None:
    record = check(sheet9["p4.forward_mults"], "mults\n= n H W C_in C_out k^2\n= nHWC_{in}C_{out}k^2\n"
                   "= HWnC_{out}C_{in}k^2\n= 2nHWC_{in}C_{out}k^2", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok", "ok", "wrong"]


def test_letters_typed_together_on_sheet8(sheet8: dict) -> None:
    record = check(sheet8["p4.forward_mults"], "nLK^2", evidence=False)
    assert record["verdict"] == "correct"


# --- 3. what a Leibniz operator applies to --------------------------------------------------------

@pytest.mark.parametrize("line", [
    "= d/dt 1/(1 + exp(-t))",
    "= \\frac{d}{dt}\\frac{1}{1+e^{-t}}",
    "= \\frac{\\mathrm{d}}{\\mathrm{d}t} \\left(1 + e^{-t}\\right)^{-1}",
    "= ∂/∂t 1/(1 + e^(-t))",
    "= d/dt 2/(1 + exp(-t)) - d/dt 1/(1 + exp(-t))",     # each operator up to the next top-level -
    "= d/dt (1 + exp(-t))^(-1)",                            # a bracket with its power
    "= d/dt sigmoid(t)",                                     # a function's call
])
def test_leibniz_operator_reaches_the_term_after_it(sheet9: dict, line: str) -> None:
    record = check(sheet9["p3.sigmoid_derivative"], f"ds/dt\n{line}\n= e^(-t)/(1 + e^(-t))^2", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


@pytest.mark.parametrize("line", [
    "= d/dt (1) / (1 + exp(-t))",          # the operator takes the bracket right after it only: 0
    "= d/dt 1/(1 + exp(-t)) + 1/(1 + exp(-t))",   # the second term is not differentiated
    "= d/dt 1/(1 + exp(t))",
])
def test_leibniz_operator_reach_keeps_wrong_lines_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p3.sigmoid_derivative"], f"ds/dt\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


@pytest.mark.parametrize("line", [
    "= -∑_i y_i ∂log z_i/∂x_j",
    "= -sum_i y_i dlog(z_i)/dx_j",
    "= -sum_{i=1}^{d} y_i d log z_i / d x_j",
    "= -\\sum_i y_i \\frac{\\partial \\log z_i}{\\partial x_j}",
])
def test_leibniz_numerator_holding_a_function(sheet8: dict, line: str) -> None:
    record = check(sheet8["p3.gradient"], f"dL/dx_j\n{line}\n= z_j - y_j", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


def test_glued_function_numerator_only_as_a_whole_quotient(sheet8: dict) -> None:
    model = sheet8["p3.gradient"].model
    with pytest.raises(AnswerError):
        read_line(model, "dlog z_i")                 # no differential: one unknown name, not d*log(z_i)
    with pytest.raises(AnswerError):
        read_line(model, "dlog z_i/dq")              # q is nothing to differentiate by
    record = check(sheet8["p3.gradient"], "dL/dx_j\n= -sum_i y_i ∂exp z_i/∂x_j", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


# --- 4, 5. a prime on a defined name, a derivative by a defined name ------------------------------

@pytest.mark.parametrize("line", [
    "= -y s'/s + (1-y) s'/(1-s)",
    "= (-y/s + (1 - y)/(1 - s)) s′",          # Unicode's prime
    "= (dL/ds)(ds/dt)",
    "= \\frac{\\partial L}{\\partial s}\\,\\frac{\\partial s}{\\partial t}",
    "= (dL/ds) s'",
    "= d/ds (-y log(s) - (1-y) log(1-s)) * ds/dt",
])
def test_prime_and_derivative_by_a_defined_name(sheet9: dict, line: str) -> None:
    record = check(sheet9["p3.gradient"], f"dL/dt\n{line}\n= s - y", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


@pytest.mark.parametrize("line", [
    "= y s'/s + (1-y) s'/(1-s)",               # a sign lost
    "= dL/ds",                                 # the inner factor ds/dt dropped
    "= (dL/ds) / s'",
])
def test_derivative_by_a_defined_name_keeps_wrong_lines_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p3.gradient"], f"dL/dt\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


@pytest.mark.parametrize("line", [
    "L'",            # L depends on t and y: which derivative is not written
    "t'",            # a prime on a parameter
    "s''",           # a second prime
    "(dL/ds)(dt/ds)",  # t is what s depends on: t as a function of s is not written
])
def test_primes_and_derivatives_that_stay_refused(sheet9: dict, line: str) -> None:
    with pytest.raises(AnswerError):
        read_line(sheet9["p3.gradient"].model, line)


def test_derivative_by_a_name_defined_beside_the_model(sheet9: dict) -> None:
    """u = 1 + e^{-t} made a definition of the model (as a line's own definition is): d/du (1/u)
    is -1/u^2, and the chain rule's product is sigma'(t)."""
    import dataclasses

    from derivcheck.grading.model import Definition
    from derivcheck.grading.working import written_out

    base = sheet9["p3.sigmoid_derivative"].model
    model = dataclasses.replace(base, definitions=(*base.definitions, Definition("u", None, "1 + e^{-t}")))
    t = base.parameters["t"]
    sigma_prime = sp.exp(-t) / (1 + sp.exp(-t)) ** 2
    for line in ("d/du (1/u) * du/dt", "\\frac{d}{du}\\left(\\frac{1}{u}\\right)\\frac{du}{dt}", "-u^(-2) du/dt"):
        expr = written_out(model, read_line(model, line).expr).doit()
        assert sp.simplify(expr - sigma_prime) == 0
    assert read_line(model, "d/du 1/u").expr == -1 / sp.Symbol("u") ** 2
    with pytest.raises(AnswerError):
        read_line(model, "ds/du")     # s = sigmoid(t) is not written as a function of u


# --- 6. sums with explicit limits over indices of their own ---------------------------------------

@pytest.mark.parametrize("line", [
    "= \\sum_{b=1}^{n}\\sum_{o=1}^{C_{out}} H W \\cdot C_{in} k^2",
    "= \\sum_{b=1}^{n}\\sum_{o=1}^{C_{out}}\\sum_{r=1}^{H}\\sum_{c=1}^{W} C_{in}k^2",
    "= sum_{b=1}^{n} sum_{o=1}^{C_out} H W C_in k^2",
    "= ∑_{o=1}^{C_{out}} ∑_{c=1}^{C_{in}} n H W k^2",
    "= sum_{b=0}^{n-1} H W C_{in} C_{out} k^2",
    "= n H W C_{in} C_{out} k^2 (2/(k^2 (k^2+1))) sum_{q=1}^{k^2} q",   # a polynomial summand, closed form
])
def test_sums_over_their_own_indices(sheet9: dict, line: str) -> None:
    record = check(sheet9["p4.forward_mults"], f"mults\n{line}", evidence=False)
    assert verdicts(record) == ["start", "ok"]


@pytest.mark.parametrize("line", [
    "= \\sum_{b=1}^{n}\\sum_{o=1}^{C_{out}}\\sum_{r=1}^{H}\\sum_{c=1}^{W} C_{in}k",
    "= \\sum_{b=1}^{n} b H W C_{in} C_{out} k^2",          # the summand uses its index
    "= sum_{b=1}^{n+1} H W C_{in} C_{out} k^2",
])
def test_sums_over_their_own_indices_keep_wrong_lines_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p4.forward_mults"], f"mults\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


def test_own_index_sum_closed_forms() -> None:
    from derivcheck.grading.working import own_index_sum

    k, n, a = sp.Symbol("k", integer=True), sp.Symbol("n", positive=True, integer=True), sp.Symbol("a")
    assert own_index_sum(a, k, sp.Integer(1), n) == a * n
    assert sp.simplify(own_index_sum(k ** 2, k, sp.Integer(1), n) - n * (n + 1) * (2 * n + 1) / 6) == 0
    assert own_index_sum(sp.exp(k), k, sp.Integer(1), n) is None      # not a polynomial: kept as a Sum
    assert own_index_sum(k ** 30, k, sp.Integer(1), n) is None        # past the degree bound
    assert own_index_sum(sp.IndexedBase("w")[k], k, sp.Integer(1), n) is None


# --- 7. a norm inside an expectation; the probability of an atom ---------------------------------

@pytest.mark.parametrize("line", [
    "= E[sigma^2 ||x||^2]",
    "= sigma^2 E[ ||x||^2 ]",
    "= E[σ² ‖x‖²]",
    "= \\mathbb{E}\\left[\\sigma^2 \\|x\\|^2\\right]",
])
def test_norm_inside_an_expectation(sheet8: dict, line: str) -> None:
    record = check(sheet8["p2.variance"], f"Var[y]\n= d sigma^2 E[x_1^2]\n{line}", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


def test_a_norm_is_never_two_absolute_values(sheet8: dict) -> None:
    record = check(sheet8["p2.variance"], "Var[y]\n= d sigma^2 E[x_1^2]\n= E[sigma^2 ||x||]", evidence=False)
    assert verdicts(record)[2] != "ok"


@pytest.mark.parametrize("line", [
    "= P(m_i = 1) · x_i/p + P(m_i = 0) · 0",
    "= P(m_i = 1) x_i/p",
    "= \\Pr(m_i = 1)\\, \\frac{x_i}{p}",
    "= (1 - P(m_i = 0)) x_i / p",
    "= P(m_i != 0) x_i/p",
    "= (1 - P(m_i != 1)) x_i / p",
])
def test_probability_of_an_atom(sheet9: dict, line: str) -> None:
    record = check(sheet9["p2.mean"], f"E[h_i]\n{line}\n= x_i", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


@pytest.mark.parametrize("line", [
    "= P(m_i = 0) x_i/p",                 # the drop probability
    "= P(m_i = 1) x_i",                   # the 1/p rescaling dropped
    "= P(m_i != 1) x_i / p",
])
def test_probability_of_an_atom_keeps_wrong_lines_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p2.mean"], f"E[h_i]\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


@pytest.mark.parametrize("line", ["E(m_i = 1) x_i/p", "Var(m_i = 1)", "E[m_i = 1 | m_i]"])
def test_expectation_of_an_event_is_refused(sheet9: dict, line: str) -> None:
    with pytest.raises(AnswerError, match="not an event"):
        read_line(sheet9["p2.mean"].model, line)


def test_no_interpreter_message_escapes_a_line(sheet9: dict) -> None:
    """Whatever a line holds, its note never carries Python's own error text."""
    lines = ["= P(m_i = 1) · x_i/p + P(m_i = 0) · 0", "= P(P(m_i = 1) = 1) x_i", "= P(m_i = 1)^2 x_i/p",
             "= E[m_i x_i | m_i = 1] P(m_i = 1)/p", "= P(m_i = 1 | m_i = 1) x_i/p"]
    record = check(sheet9["p2.mean"], "E[h_i]\n" + "\n".join(lines), evidence=False)
    for step in record["steps"]:
        note = step.get("note") or ""
        assert "object has no attribute" not in note and "Error" not in note and "NoneType" not in note, note


def test_splitting_a_long_run_of_letters_is_bounded() -> None:
    """Names a, aa, aaa: a run of 23 a's then c has no split, found without trying each of the
    exponentially many prefixes; a run that splits several ways is refused."""
    from derivcheck.grading.symbolic import Builder

    builder = Builder(_vocab("a", "aa", "aaa", "b"), "")
    assert builder._covers("a" * 23 + "c") == []
    assert len(builder._covers("a" * 24)) == 2
    with pytest.raises(AnswerError):
        parse_answer("a" * 20, _vocab("a", "aa", "aaa", "b"))


# --- round 2, 1. the elementwise product ⊙ --------------------------------------------------------

@pytest.mark.parametrize("answer, verdict", [
    ("z ⊙ (1 − z) − y", "incorrect"),            # a product, read entry by entry: wrong, never invalid
    ("z \\odot 1 - y", "correct"),
    ("(z - y) ⊙ 1", "correct"),
    ("\\mathbf{1} \\odot z - y", "correct"),
    ("z \\odot z - y", "incorrect"),
])
def test_elementwise_product_is_a_product(sheet8: dict, answer: str, verdict: str) -> None:
    assert check(sheet8["p3.gradient"], answer, evidence=False)["verdict"] == verdict


def test_elementwise_product_in_working(sheet8: dict) -> None:
    record = check(sheet8["p3.gradient"], "dL/dx_j\n= z_j ⊙ 1 - y_j\n= z_j \\odot z_j - y_j", evidence=False)
    assert verdicts(record) == ["start", "ok", "wrong"]


def test_elementwise_product_needs_two_operands(sheet8: dict) -> None:
    for answer in ("⊙ z - y", "z ⊙ - y ⊙", "z \\odot\\odot y"):
        assert check(sheet8["p3.gradient"], answer, evidence=False)["verdict"] == "invalid"


# --- round 2, 2. a function written bare inside its own bracket -----------------------------------

def _logistic(**kinds: str) -> Vocabulary:
    from derivcheck.grading.vocabulary import read_functions

    table = {"name": "sigmoid", "args": ["t"], "definition": "1/(1 + exp(-t))", "latex": "\\sigma"}
    return Vocabulary(symbols={n: symbol_for(n, k) for n, k in kinds.items()}, functions=read_functions([table]))


@pytest.mark.parametrize("text, expected", [
    ("σ(1 − σ)", "s*(1 - s)"),
    ("\\sigma\\left(1-\\sigma\\right)", "s*(1 - s)"),
    ("sigmoid(1 - sigmoid)", "s*(1 - s)"),
    ("σ(σ)", "s**2"),                              # σ's value, squared: σ(σ) is no application
    ("σ(1 - σ)^2", "s*(1 - s)**2"),                # the power takes the bracket, as in pi (2r)^2
    ("2σ(1 - σ) - σ", "2*s*(1 - s) - s"),
    ("σ(1 - t)", "1/(1 + exp(t - 1))"),            # a genuine application stays one
    ("σ(1 - σ(t))", "1/(1 + exp(s - 1))"),         # the bracket holds a call, not the bare name
    ("σ(t)(1 - σ(t))", "s*(1 - s)"),
])
def test_a_function_bare_inside_its_own_bracket_is_a_product(text: str, expected: str) -> None:
    t = symbol_for("t", "real")
    s = 1 / (1 + sp.exp(-t))
    got = parse_answer(text, _logistic(t="real")).expr
    assert sp.simplify(got - sp.sympify(expected, locals={"s": s, "t": t})) == 0, text


@pytest.mark.parametrize("text", [
    "σ(1 - σ)",        # σ's variable t is no name of this question: σ bare has no value
    "σ(1 - σ, t)",     # two arguments: no product
])
def test_a_function_bare_inside_without_a_value_is_refused(text: str) -> None:
    with pytest.raises(AnswerError):
        parse_answer(text, _logistic(x="real"))


@pytest.mark.parametrize("answer, verdict", [
    ("σ(1 − σ)", "correct"), ("\\sigma(1-\\sigma)", "correct"), ("σ(1 + σ)", "incorrect"),
    ("σ(σ - 1)", "incorrect"), ("σ(1 - t)", "incorrect"), ("(1 - σ)σ(1 - σ)", "incorrect"),
])
def test_a_function_bare_inside_graded(sheet9: dict, answer: str, verdict: str) -> None:
    assert check(sheet9["p3.sigmoid_derivative"], answer, evidence=False)["verdict"] == verdict


def test_a_function_bare_inside_in_working(sheet9: dict) -> None:
    record = check(sheet9["p3.sigmoid_derivative"], "ds/dt\n= σ(t)(1 - σ(t))\n= \\sigma(1-\\sigma)\n= σ(1 - σ)^2",
                   evidence=False)
    assert verdicts(record) == ["start", "ok", "ok", "wrong"]


# --- round 2, 6. a run of Unicode subscripts is one subscript -------------------------------------

@pytest.mark.parametrize("typed, factors", [
    ("n·H·W·Cᵢₙ·Cₒᵤₜ·k²", "n*H*W*C_in*C_out*k**2"),
    ("Cₒᵤₜ Cᵢₙ k²", "C_in*C_out*k**2"),
    ("kCᵢₙ", "k*C_in"),                          # letters typed together before it, as with C_{in}
    ("3 nHWCᵢₙCₒᵤₜk^2", "3*n*H*W*C_in*C_out*k**2"),
])
def test_unicode_subscript_run(typed: str, factors: str) -> None:
    vocab = _vocab(*_CONV)
    expected = sp.sympify(factors, locals={n: vocab.symbols[n] for n in _CONV})
    assert sp.simplify(parse_answer(typed, vocab).expr - expected) == 0


@pytest.mark.parametrize("typed", [
    "Cᵢₙₖ",          # one subscript ink: no such name, never C_in times k
    "Cᵢ Cₒ k²",      # C_i, C_o: no such names
    "Cᵢₙₙ",
])
def test_unicode_subscript_run_that_names_nothing_is_refused(typed: str) -> None:
    with pytest.raises(AnswerError):
        parse_answer(typed, _vocab(*_CONV))


def test_unicode_subscripts_graded(sheet9: dict) -> None:
    assert check(sheet9["p1.glorot"], "√(6/(nᵢₙ+nₒᵤₜ))", evidence=False)["verdict"] == "correct"
    assert check(sheet9["p1.glorot"], "√(6/(nᵢₙ·nₒᵤₜ))", evidence=False)["verdict"] == "incorrect"
    assert check(sheet9["p4.weights"], "Cₒᵤₜ·Cᵢₙ·k²", evidence=False)["verdict"] == "correct"
    record = check(sheet9["p4.forward_mults"], "mults\n= n H W Cᵢₙ Cₒᵤₜ k²\n= 2nHWCᵢₙCₒᵤₜk²", evidence=False)
    assert verdicts(record) == ["start", "ok", "wrong"]


# --- round 2, 5. letters typed together around plain subscripts -----------------------------------

@pytest.mark.parametrize("typed, factors", [
    ("nHWC_inC_outk^2", "n*H*W*C_in*C_out*k**2"),
    ("6nHWC_inC_outk^2", "6*n*H*W*C_in*C_out*k**2"),
    ("3nHWC_outC_ink", "3*n*H*W*C_in*C_out*k"),
    ("C_inC_outk^2", "C_in*C_out*k**2"),
    ("kC_in + C_outH", "k*C_in + C_out*H"),
    ("2C_in", "2*C_in"),                              # after a number, the name as typed
    ("C_{in}C_outk", "C_in*C_out*k"),                 # a braced subscript beside a plain one
])
def test_plain_subscript_runs_split_into_names(typed: str, factors: str) -> None:
    vocab = _vocab(*_CONV)
    expected = sp.sympify(factors, locals={n: vocab.symbols[n] for n in _CONV})
    assert sp.simplify(parse_answer(typed, vocab).expr - expected) == 0


@pytest.mark.parametrize("typed, names", [
    ("C_inC_midk", _CONV),                            # C_mid is no name: no split
    ("nHWC_inC_outq", _CONV),                         # q is no name
    ("a_bcd", ("a_b", "cd", "a_bc", "d")),            # a_b cd or a_bc d: two splits, refused
    ("C_inC", _CONV),                                 # C alone is no name
])
def test_plain_subscript_runs_that_do_not_split_once_are_refused(typed: str, names: tuple[str, ...]) -> None:
    with pytest.raises(AnswerError):
        parse_answer(typed, _vocab(*names))


def test_plain_subscript_runs_graded(sheet9: dict) -> None:
    for answer, verdict in (("3nHWC_inC_outk^2", "correct"), ("nHWC_inC_outk^2 + 2nHWC_outC_ink^2", "correct"),
                            ("6nHWC_inC_outk^2", "incorrect"), ("3nHWC_inC_outk", "incorrect")):
        assert check(sheet9["p4.training_mults"], answer, evidence=False)["verdict"] == verdict, answer
    assert check(sheet9["p1.glorot"], "sqrt(12/(2n_in+2n_out))", evidence=False)["verdict"] == "correct"
    record = check(sheet9["p4.forward_mults"], "mults\n= n H W C_in C_out k^2\n= HWnC_outC_ink^2\n= 2nHWC_inC_outk²",
                   evidence=False)
    assert verdicts(record) == ["start", "ok", "ok", "wrong"]


def test_splitting_a_plain_subscript_run_is_bounded() -> None:
    from derivcheck.grading.normalize import braced_names, name_covers

    assert name_covers("a_b" * 200 + "c", ("a_b", "a_ba_b", "c_d")) == []
    assert len(name_covers("a_b" * 30, ("a_b", "a_ba_b"))) == 2
    assert braced_names(("a_b", "c_d"), "x" + "a_b" * 40) == "x" + "a_b" * 40    # too long: as typed


# --- round 2, 7. braces under and over a term -----------------------------------------------------

@pytest.mark.parametrize("answer, verdict", [
    ("\\underbrace{nLK^2}_{\\text{fwd}} + \\underbrace{2nLK^2}_{\\text{bwd}}", "correct"),
    ("\\overbrace{nLK^2}^{\\text{forward}} + 2\\,\\underbrace{nLK^2}_\\text{backward}", "correct"),
    ("\\underbrace{3nLK^2}_{\\partial/\\partial W,\\ \\partial/\\partial x}", "correct"),
    ("\\underbrace{nLK^2}_{\\text{fwd}} + \\underbrace{nLK^2}_{\\text{bwd}}", "incorrect"),
    ("\\underbrace{nLK^2}_{3nLK^2}", "incorrect"),            # the label is never a term
    ("\\underbrace{nLK^2}_{\\text{fwd}", "invalid"),           # unbalanced
    ("\\underbrace{nLK^2} + \\underbrace{2nLK^2}", "correct"),  # no label at all
])
def test_brace_labels_are_dropped(sheet8: dict, answer: str, verdict: str) -> None:
    assert check(sheet8["p4.training_mults"], answer, evidence=False)["verdict"] == verdict


def test_brace_labels_in_working(sheet8: dict, sheet9: dict) -> None:
    record = check(sheet8["p4.training_memory"], "mem\n= \\underbrace{LK^2}_{\\text{weights}} + \\sum_{l=1}^{L} nK\n"
                   "= \\underbrace{LK^2}_{\\text{weights}} + \\overbrace{nK}^{\\text{activations}}", evidence=False)
    assert verdicts(record) == ["start", "ok", "wrong"]
    record = check(sheet9["p4.training_mults"], "mults\n= \\underbrace{nHWC_{in}C_{out}k^2}_{\\text{forward}} + "
                   "2\\,\\underbrace{nHWC_{in}C_{out}k^2}_{\\partial/\\partial W,\\ \\partial/\\partial x}",
                   evidence=False)
    assert verdicts(record) == ["start", "ok"]


# --- round 2, 8. a big operator without its index or brackets ------------------------------------

@pytest.mark.parametrize("answer, verdict", [
    ("e^(x_i - max x) / Σ_k e^(x_k - max x)", "correct"),
    ("exp(x_i - max x)/sum_k exp(x_k - max x)", "correct"),
    ("exp(x_i - max   x) / sum_k exp(x_k - max x)", "correct"),
    ("e^{x_i - \\max x} / \\sum_k e^{x_k - \\max x}", "correct"),
    ("exp(x_i - min x)/sum_k exp(x_k - min x)", "incorrect"),     # the smallest entry: overflows
    ("exp(x_i - max x)/sum x", "incorrect"),
    ("exp(x_i - max x)/sum_k exp(x_k)", "incorrect"),
    ("exp(x_i - max)/sum_k exp(x_k - max)", "invalid"),          # max of nothing
])
def test_bare_big_operator_over_a_vector(sheet8: dict, answer: str, verdict: str) -> None:
    assert check(sheet8["p3.stable_softmax"], answer, evidence=False)["verdict"] == verdict


def test_bare_big_operator_reads_as_its_call() -> None:
    from derivcheck.grading.normalize import to_plain

    assert to_plain("x_i - max x")[0].replace(" ", "") == "x_i-max(x)"
    assert to_plain("x_i - min x_j + sum y")[0].replace(" ", "") == "x_i-min(x_j)+sum(y)"
    assert to_plain("max_j x_j")[0].replace(" ", "") == "max_jx_j"     # with its index: the big operator
    assert to_plain("max(t, 0)")[0].replace(" ", "") == "max(t,0)"


# --- round 2, 4. an integral in words -------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "= d * integral from -a to a of w^2/(2a) dw",
    "= d * integral of v^2/(2a) dv from -a to a",
    "= d/(2a) ∫ from −a to a of w² dw",
    "= (d/(2a)) int from -a to a of u^2 du",
    "= d integral from -a to a of (w^2 + 2 a w)/(2a) dw",
])
def test_integral_in_words(sheet9: dict, line: str) -> None:
    record = check(sheet9["p1.variance"], f"Var[y]\n{line}\n= d a^2/3", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


@pytest.mark.parametrize("line", [
    "= d * integral from 0 to a of w^2/(2a) dw",        # half the range
    "= d * integral of w^2/a dw from -a to a",
])
def test_integral_in_words_keeps_wrong_lines_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p1.variance"], f"Var[y]\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


@pytest.mark.parametrize("line", [
    "d * integral from -a to a of w^2/(2a)",             # no differential
    "d * integral from -a to oo of w^2 dw",             # an infinite bound, no normal density
    "d * integral of exp(w) dw from -a to a",           # not a polynomial
    "d * integral from -a of w^2 dw",                   # no upper bound
])
def test_integral_in_words_refused(sheet9: dict, line: str) -> None:
    with pytest.raises(AnswerError):
        read_line(sheet9["p1.variance"].model, line)


def test_integral_in_words_against_the_normal_density(sheet8: dict) -> None:
    record = check(sheet8["p2.variance"], "Var[y]\n= d sigma^2 E[relu(z_1)^2]\n"
                   "= d sigma^2 integral from 0 to oo of z^2 phi(z) dz\n"
                   "= d sigma^2 integral from -oo to oo of z^2 phi(z) dz", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok", "wrong"]


# --- round 2, 3. an evaluation bracket [F]_a^b -----------------------------------------------------

@pytest.mark.parametrize("line", [
    "= d \\frac{1}{2a}\\left[\\frac{w^3}{3}\\right]_{-a}^{a}",
    "= d \\left[\\frac{w^3}{6a}\\right]_{-a}^{a}",
    "= d [w^3/(6a)]_{-a}^{a}",
    "= d\\Big[ \\frac{v^3}{6a} \\Big]_{-a}^{a}",        # any dummy letter
    "= d [u^3/(6a)]_(-a)^a",
    "= d \\left[\\frac{w^3}{6a}\\right]^{a}_{-a}",       # the limits in the other order
    "= \\frac{d}{2a} \\left[ \\frac{w^3}{3} + a w \\right]_{-a}^{a} - d a",
])
def test_evaluation_bracket(sheet9: dict, line: str) -> None:
    record = check(sheet9["p1.variance"], f"Var[y]\n{line}\n= d a^2/3", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


@pytest.mark.parametrize("line", [
    "= d [w^3/(6a)]_0^a",                               # half the range
    "= d [w^3/(6a)]_{a}^{-a}",                          # the limits swapped: the sign
    "= d \\left[\\frac{w^2}{4a}\\right]_{-a}^{a}",     # an even antiderivative: 0
])
def test_evaluation_bracket_keeps_wrong_lines_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p1.variance"], f"Var[y]\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


@pytest.mark.parametrize("line", [
    "d [w^3 v/(6a)]_{-a}^{a}",          # two names it could bind
    "d [a^3/(6a)]_{-a}^{a}",            # no name to bind
    "d [aw^3/(6a^2)]_{-a}^{a}",         # a run of letters: a w, or one name aw?
    "d [w^3/(6a)]_{-a}",                # one limit only
    "d [w^300]_{0}^{10^300}",           # bounded after the limit is put in
])
def test_evaluation_bracket_refused(sheet9: dict, line: str) -> None:
    with pytest.raises(AnswerError):
        read_line(sheet9["p1.variance"].model, line)


def test_evaluation_bracket_in_an_answer_and_an_entry(sheet8: dict, sheet9: dict) -> None:
    assert check(sheet9["p1.variance"], "d [w^3/(6a)]_{-a}^{a}", evidence=False)["verdict"] == "correct"
    assert check(sheet9["p1.variance"], "d \\left[\\frac{w^3}{3a}\\right]_{-a}^{a}",
                 evidence=False)["verdict"] == "incorrect"
    # a bracket with an index below it binds nothing: the entry of a vector expression, to a power
    assert check(sheet8["p3.gradient"], "[z - y]_i^1", evidence=False)["verdict"] == "correct"
    record = check(sheet8["p2.variance"], "Var[y]\n= d sigma^2 E[relu(z_1)^2]\n= d sigma^2 E[z_1^2]_0^1",
                   evidence=False)
    assert verdicts(record)[2] != "ok"        # an operator's bracket is never an evaluation


# --- round 2, 9. a sum over a finite set of numbers -----------------------------------------------

@pytest.mark.parametrize("line", [
    "= \\sum_{m \\in \\{0,1\\}} P(m_i = m)\\,\\frac{m\\,x_i}{p}",
    "= sum_{m ∈ {0, 1}} P(m_i = m) m x_i/p",
    "= Σ_{v∈{0,1}} P(m_i = v) · v x_i / p",
    "= \\sum_{u \\in \\{1, 0\\}} \\Pr(m_i = u) \\frac{u x_i}{p}",
    "= \\sum_{m \\in \\{0,1,2\\}} P(m_i = m) m x_i/p",         # no mass at 2: the same value
])
def test_sum_over_a_finite_set(sheet9: dict, line: str) -> None:
    record = check(sheet9["p2.mean"], f"E[h_i]\n{line}\n= x_i", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


@pytest.mark.parametrize("line", [
    "= \\sum_{m \\in \\{0,1\\}} P(m_i = m)\\,\\frac{x_i}{p}",  # the factor m dropped
    "= \\sum_{m \\in \\{1\\}} P(m_i = m) m x_i",               # the 1/p dropped
    "= \\sum_{m \\in \\{0,1\\}} P(m_i = 1 - m) m x_i / p",
])
def test_sum_over_a_finite_set_keeps_wrong_lines_wrong(sheet9: dict, line: str) -> None:
    record = check(sheet9["p2.mean"], f"E[h_i]\n{line}", evidence=False)
    assert verdicts(record) == ["start", "wrong"]


@pytest.mark.parametrize("line", [
    "\\sum_{m \\in \\{0,1\\}} P(m_i = m) mx_i/p",       # m hidden in a run of letters
    "\\sum_{i \\in \\{0,1\\}} P(m_i = 1) x_i/p",        # an index of the question
    "\\sum_{p \\in \\{0,1\\}} P(m_i = p) p x_i",        # a parameter of the question
    "\\max_{m \\in \\{0,1\\}} P(m_i = m) m x_i/p",      # only a sum is read
    "\\sum_{m \\in \\{0,1,1\\}} P(m_i = m) m x_i/p",    # an element twice
    "\\sum_{m \\in \\{0,a\\}} P(m_i = m) m x_i/p",      # not a number
    "\\sum_{m \\in \\{" + ",".join(str(k) for k in range(17)) + "\\}} m",   # more than 16 numbers
    "\\sum_{m \\in \\{0,1\\}}^{2} m",                   # a set and a limit
])
def test_sum_over_a_finite_set_refused(sheet9: dict, line: str) -> None:
    with pytest.raises(AnswerError):
        read_line(sheet9["p2.mean"].model, line)


def test_sum_over_a_finite_set_is_bounded(sheet9: dict) -> None:
    with pytest.raises(AnswerError):
        read_line(sheet9["p2.mean"].model, "\\sum_{m \\in \\{0, 10^500\\}} m x_i")
    with pytest.raises(AnswerError):
        read_line(sheet9["p2.mean"].model, "\\sum_{m \\in \\{0, 10^9\\}} x_i^(m^40)")
