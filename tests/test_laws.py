"""Laws as a protocol (issue 24, item 5): each law's moments against sympy.stats, its sampler against
its moments, models with uniform and Bernoulli laws checked line by line, bad laws refused when
the bank loads, scalar derivatives through a law's parameter, and functions a sheet defines."""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
import sympy.stats as st

from derivcheck.grading.bank import BankError, parse_bank
from derivcheck.grading.grader import check
from derivcheck.grading.laws import LAW_CLASSES, Bernoulli, Law, LawError, Normal, Uniform, parse_law
from derivcheck.grading.vocabulary import FunctionError, read_functions, typeset

a, sigma = sp.symbols("a sigma", positive=True)
mu = sp.Symbol("mu", real=True)
p = sp.Symbol("p", real=True)
MOMENTS = range(7)


def _same(x: sp.Expr, y: sp.Expr) -> bool:
    """Equal exactly (a zero simplified difference), or to 40 digits where SymPy's forms differ
    (erfc against erf of a shifted normal)."""
    difference = sp.simplify(sp.expand(x - y))
    return difference == 0 or abs(sp.N(difference, 50)) < sp.Float("1e-40")


# (our law, the same law in sympy.stats)
CASES = [
    (Normal(sp.Integer(0), sigma ** 2), st.Normal("X", 0, sigma)),
    (Normal(sp.Integer(1), sp.Integer(4)), st.Normal("X", 1, 2)),
    (Normal(sp.Rational(-1, 2), sp.Rational(9, 4)), st.Normal("X", sp.Rational(-1, 2), sp.Rational(3, 2))),
    (Uniform(-a, a), st.Uniform("X", -a, a)),
    (Uniform(sp.Integer(-1), sp.Integer(3)), st.Uniform("X", -1, 3)),
    (Uniform(sp.Integer(0), sp.Integer(1)), st.Uniform("X", 0, 1)),
    (Bernoulli(sp.Rational(3, 10)), st.Bernoulli("X", sp.Rational(3, 10))),
]


@pytest.mark.parametrize("law, X", CASES, ids=[str(c[0]) for c in CASES])
def test_moments_match_sympy_stats(law: Law, X: sp.Expr):
    for k in MOMENTS:
        assert _same(law.moment(k), st.E(X ** k)), (law, k)
    assert _same(law.mean, st.E(X)) and _same(law.variance, st.variance(X))


#: Values for the symbolic parameters, where the half-line moments are integrated numerically.
VALUES = {sigma: sp.Rational(3, 2), a: sp.Integer(2)}


def _half_line(X: sp.Expr, k: int, positive: bool) -> mpmath.mpf:
    """E[X^k 1{X > 0}] (or 1{X < 0}) by quadrature of sympy.stats' density at 40 digits, or by
    summing its mass function: independent of the closed forms under test."""
    density = st.density(X)
    if hasattr(density, "dict"):  # a finite law: its mass function
        mass = density.dict.items()
        return sum(mpmath.mpf(sp.Rational(q)) * v ** k for v, q in mass if (v > 0 if positive else v < 0))
    x = sp.Symbol("x", real=True)
    support = X.pspace.domain.set.xreplace(VALUES)
    lo, hi = (sp.Max(support.inf, 0), support.sup) if positive else (support.inf, sp.Min(support.sup, 0))
    if lo >= hi:
        return mpmath.mpf(0)
    f = sp.lambdify(x, x ** k * density(x).xreplace(VALUES), "mpmath")
    ends = [mpmath.mpf(sp.Rational(e)) if e.is_finite else (mpmath.inf if e > 0 else -mpmath.inf) for e in (lo, hi)]
    with mpmath.workdps(40):
        return mpmath.quad(f, ends)


@pytest.mark.parametrize("law, X", CASES, ids=[str(c[0]) for c in CASES])
def test_half_line_moments_match_integrals_of_the_density(law: Law, X: sp.Expr):
    for k in range(5):
        for positive, ours in ((True, law.positive_moment(k)), (False, law.negative_moment(k))):
            with mpmath.workdps(40):
                value = mpmath.mpf(sp.N(ours.xreplace(VALUES), 40))
                reference = _half_line(X, k, positive)
                assert abs(value - reference) <= mpmath.mpf(10) ** -25 * (1 + abs(reference)), (law, k, positive)
    density = st.density(X)
    assert law.zero_mass == (density.dict.get(sp.Integer(0), 0) if hasattr(density, "dict") else 0)


def test_symbolic_bernoulli_and_uniform_moments():
    """Derived in the parameters, as a formula: E[m^k] = p, E[w^2] = a^2/3, E[ReLU(w)^2] = a^2/6."""
    assert [Bernoulli(p).moment(k) for k in range(4)] == [1, p, p, p]
    assert Bernoulli(p).zero_mass == 1 - p and Bernoulli(p).positive_moment(0) == p
    assert Uniform(-a, a).moment(2) == a ** 2 / 3 and Uniform(-a, a).positive_moment(2) == a ** 2 / 6
    b = sp.Symbol("b", real=True)
    assert sp.simplify(Uniform(a, b).moment(2) - (a ** 2 + a * b + b ** 2) / 3) == 0


def test_symmetry_is_proven_not_assumed():
    assert Normal(0, sigma ** 2).symmetric and Uniform(-a, a).symmetric
    assert not Normal(mu, 1).symmetric and not Uniform(0, a).symmetric and not Bernoulli(p).symmetric
    # E[ReLU(w)^2] is half of E[w^2] for a symmetric law only
    lopsided = Uniform(-a, 2 * a)
    assert lopsided.positive_moment(2) == sp.Rational(8, 9) * a ** 2
    assert lopsided.positive_moment(2) != lopsided.moment(2) / 2


ALPHA = 1e-6
DRAWS = 200_000


def _sampler_rejects(law: Law, draws: np.ndarray, ks=(1, 2, 3, 4)) -> bool:
    """A z-test of each sample moment mean(X^k) against E[X^k] (its variance E[X^2k] - E[X^k]^2),
    Bonferroni over the moments: false-alarm rate at most ALPHA."""
    z = math.sqrt(2) * float(sp.erfinv(1 - sp.Float(ALPHA) / len(ks)))
    for k in ks:
        m, m2 = float(law.moment(k)), float(law.moment(2 * k))
        se = math.sqrt((m2 - m * m) / len(draws))
        if abs(np.mean(draws ** k) - m) > z * se:
            return True
    return False


NUMERIC = [Normal(sp.Rational(1, 2), sp.Rational(9, 4)), Uniform(sp.Integer(-1), sp.Integer(3)),
           Bernoulli(sp.Rational(3, 10))]


@pytest.mark.parametrize("law", NUMERIC, ids=str)
def test_sampler_agrees_with_the_moments(law: Law):
    """Fixed seed, stated alpha (1e-6 per law over four moments)."""
    assert not _sampler_rejects(law, law.sample(np.random.default_rng(2024), DRAWS))


def test_the_sampler_test_has_power():
    """The same test rejects samplers of a neighbouring law: it would catch a wrong sampler."""
    rng = np.random.default_rng(7)
    assert _sampler_rejects(Normal(sp.Rational(1, 2), sp.Rational(9, 4)), 0.5 + 1.4 * rng.standard_normal(DRAWS))
    assert _sampler_rejects(Uniform(sp.Integer(-1), sp.Integer(3)), -1 + 3.9 * rng.random(DRAWS))
    assert _sampler_rejects(Bernoulli(sp.Rational(3, 10)), (rng.random(DRAWS) < 0.31).astype(float))


def test_symbolic_parameters_take_values_when_sampled():
    draws = Uniform(-a, a).sample(np.random.default_rng(1), 10_000, {a: 2})
    assert draws.min() >= -2 and draws.max() <= 2 and draws.min() < -1.9
    with pytest.raises(Exception, match="without values"):
        Uniform(-a, a).sample(np.random.default_rng(1), 10)


def test_parameters_are_numbers_or_sympy_never_parsed_text():
    """A law converts ints, fractions and floats itself; a text (even a harmless one) is refused
    rather than handed to ``sympify``."""
    from fractions import Fraction
    assert Normal(0, Fraction(1, 3)).args == (sp.Integer(0), sp.Rational(1, 3))
    assert Uniform(-1, 1).variance == sp.Rational(1, 3)
    for bad in ("1", "__import__('os')", True, [1]):
        with pytest.raises(LawError):
            Bernoulli(bad)


def test_every_law_is_one_class_with_its_names_and_prints_itself():
    read = {"0": sp.Integer(0), "1": sp.Integer(1), "-a": -a, "a": a, "p": p, "sigma^2": sigma ** 2}.__getitem__
    assert parse_law("uniform(-a, a)", read) == Uniform(-a, a)
    assert parse_law("bernoulli(p)", read) == Bernoulli(p)
    assert parse_law("N(0, sigma^2)", read) == Normal(0, sigma ** 2)
    assert str(Uniform(-a, a)) == "uniform(-a, a)" and str(Normal(0, sigma ** 2)) == "normal(0, sigma^2)"
    assert Uniform(-a, a).latex() == r"\mathcal{U}\left(- a, a\right)"
    assert Bernoulli(p).latex() == r"\operatorname{Bernoulli}\left(p\right)"
    assert {c.__name__ for c in LAW_CLASSES} >= {"Normal", "Uniform", "Bernoulli"}
    with pytest.raises(LawError, match="unknown law"):
        parse_law("cauchy(0, 1)", read)
    with pytest.raises(LawError, match=r"written uniform\(a, b\)"):
        parse_law("uniform(a)", read)


# --- models with these laws, checked line by line ---------------------------------------------

DROPOUT = '''
[[question]]
id = "dropout.variance"
prompt = "Var[y] for y = sum_i m_i w_i, m_i ~ Bernoulli(p), w_i ~ U(-a, a)"
variables = { d = "positive_integer", p = "interval(0,1)", a = "positive" }
example = "d p a^2/3"
reference = { formula = "d p a^2/3" }
model = "dropout"

[[question]]
id = "dropout.slope"
prompt = "d Var[y] / da"
variables = { d = "positive_integer", p = "interval(0,1)", a = "positive" }
example = "2 d p a/3"
reference = { formula = "2 d p a/3" }
model = "dropout"

[[question]]
id = "dropout.input"
prompt = "Var[y] for y = sum_i m_i w_i x_i, given the inputs x"
variables = { d = "positive_integer", p = "interval(0,1)", a = "positive" }
example = "p a^2/3"
reference = { formula = "p a^2/3" }
model = "dropout_x"

[[model]]
name = "dropout"
parameters = { d = "positive_integer", p = "interval(0,1)", a = "positive" }
indices = { i = "d", k = "d" }
random = { w = "uniform(-a, a)", m = "bernoulli(p)" }
define = { y = "sum_{i=1}^{d} m_i w_i" }

[[model]]
name = "dropout_x"
parameters = { d = "positive_integer", p = "interval(0,1)", a = "positive" }
indices = { i = "d" }
random = { w = "uniform(-a, a)", m = "bernoulli(p)" }
vectors = { x = "real" }
define = { y = "sum_{i=1}^{d} m_i w_i x_i" }

[[question]]
id = "lopsided.relu"
prompt = "E[ReLU(w)^2] for w ~ U(-a, 2a)"
variables = { a = "positive" }
example = "8 a^2/9"
reference = { formula = "8 a^2/9" }
model = "lopsided"

[[question]]
id = "unit.mean"
prompt = "E[sum_i u_i] for u_i ~ U(0, 1)"
variables = { d = "positive_integer" }
example = "d/2"
reference = { formula = "d/2" }
model = "unit"

[[model]]
name = "lopsided"
parameters = { a = "positive" }
random = { w = "uniform(-a, 2 a)" }

[[model]]
name = "unit"
parameters = { d = "positive_integer" }
indices = { i = "d" }
random = { u = "uniform(0, 1)" }
define = { s = "sum_{i=1}^{d} u_i" }
'''


@pytest.fixture(scope="module")
def dropout():
    return parse_bank(DROPOUT, "dropout.toml")


def _steps(record: dict) -> list[str]:
    return [s["verdict"] for s in record.get("steps", [])]


@pytest.mark.parametrize("qid, answer, steps, verdict", [
    # Bernoulli and uniform together: E[m^2] = p (not p^2), E[w^2] = a^2/3 (not a^2/12)
    ("dropout.variance", "Var[y]\n= E[y^2] - E[y]^2\n= sum_i E[m_i^2] E[w_i^2]\n= d p a^2/3",
     ["start", "ok", "ok", "ok"], "correct"),
    ("dropout.variance", "Var[y]\n= E[y^2]\n= d E[m_1] E[w_1^2]\n= d p a^2/3", ["start", "ok", "ok", "ok"], "correct"),
    ("dropout.variance", "Var[y]\n= E[y^2]\n= sum_i E[m_i]^2 E[w_i^2]\n= d p^2 a^2/3",
     ["start", "ok", "wrong", "ok"], "incorrect"),
    ("dropout.variance", "Var[y]\n= E[y^2]\n= d p E[w_1^2]\n= d p a^2/12", ["start", "ok", "ok", "wrong"], "incorrect"),
    ("dropout.variance", "Var[y]\n= d Var[m_1] Var[w_1]\n= d p (1-p) a^2/3", ["start", "wrong", "ok"], "incorrect"),
    ("dropout.variance", "d p a^2/3", [], "correct"),
    # a deterministic input vector in the model
    ("dropout.input", "Var[y]\n= E[y^2]\n= sum_i E[m_i^2] E[w_i^2] x_i^2\n= p a^2/3 sum_i x_i^2",
     ["start", "ok", "ok", "ok"], None),
    ("dropout.input", "Var[y]\n= E[y^2]\n= sum_i E[m_i]^2 E[w_i^2] x_i^2\n= p^2 a^2/3 sum_i x_i^2",
     ["start", "ok", "wrong", "ok"], None),
    # a scalar derivative through a law's parameter
    ("dropout.slope", "d/da Var[y]\n= d/da (d p a^2/3)\n= 2 d p a/3", ["start", "ok", "ok"], "correct"),
    ("dropout.slope", "d/da Var[y]\n= d p d/da E[w_1^2]\n= 2 d p a/3", ["start", "ok", "ok"], "correct"),
    ("dropout.slope", "d/da Var[y]\n= d p a^2/3\n= 2 d p a/3", ["start", "wrong", "wrong"], "incorrect"),
    # no symmetry assumed: E[ReLU(w)^2] is not E[w^2]/2 for U(-a, 2a)
    ("lopsided.relu", "E[max(w, 0)^2]\n= E[w^2 1{w > 0}]\n= 8 a^2/9", ["start", "ok", "ok"], "correct"),
    ("lopsided.relu", "E[max(w, 0)^2]\n= E[w^2]/2\n= a^2/2", ["start", "wrong", "ok"], "incorrect"),
    ("lopsided.relu", "E[max(w, 0)^2]\n= E[max(-w, 0)^2]\n= a^2/9", ["start", "wrong", "ok"], "incorrect"),
    ("unit.mean", "E[s]\n= sum_i E[u_i]\n= d/2", ["start", "ok", "ok"], "correct"),
    # |m w| = |m| |w|: E|m_1 w_1| = p a/2 by the rules, not by sampling
    ("dropout.variance", "E[|m_1 w_1|]\n= E[|m_1|] E[|w_1|]\n= p a/2", ["start", "ok", "ok"], "incorrect"),
    ("dropout.variance", "E[|m_1 w_1|]\n= p a/3", ["start", "wrong"], "incorrect"),
    # what the rules cannot reduce is sampled from the laws (a paired test on shared draws)
    ("dropout.variance", "E[|w_1 + m_2|]\n= E[|w_1| + |m_2|]", ["start", "wrong"], None),
    ("unit.mean", "E[s]\n= d E[u_1]\n= 0", ["start", "ok", "wrong"], "incorrect"),
])
def test_uniform_and_bernoulli_working_line_by_line(dropout, qid, answer, steps, verdict):
    record = check(dropout[qid], answer)
    assert _steps(record) == steps, record.get("steps")
    if verdict is not None:
        assert record["verdict"] == verdict, record["feedback"]


def test_bernoulli_atoms_count_at_zero(dropout):
    """m ~ Bernoulli(p) has P(m > 0) = p and P(m >= 0) = 1: the value of an indicator at 0 matters."""
    q = dropout["dropout.variance"]
    assert _steps(check(q, "P(m_1 > 0)\n= p")) == ["start", "ok"]
    assert _steps(check(q, "P(m_1 >= 0)\n= 1")) == ["start", "ok"]
    assert _steps(check(q, "P(m_1 >= 0)\n= p")) == ["start", "wrong"]
    assert _steps(check(q, "E[m_1 1{m_1 > 0}]\n= p")) == ["start", "ok"]
    assert _steps(check(q, "E[1{m_1 >= 0}]\n= 1")) == ["start", "ok"]
    assert _steps(check(q, "E[1{m_1 > 0}]\n= p")) == ["start", "ok"]
    assert _steps(check(q, "E[1{m_1 <= 0}]\n= 1 - p")) == ["start", "ok"]
    assert _steps(check(q, "E[1{m_1 < 0}]\n= 0")) == ["start", "ok"]


LAW_BANK = '''
[[question]]
id = "q"
variables = { a = "positive" }
reference = { formula = "a" }
example = "a"
model = "m"

[[model]]
name = "m"
parameters = { a = "positive", p = "PKIND", t = "real" }
random = { w = "LAW" }
define = { y = "w_1" }
'''


@pytest.mark.parametrize("law, kind, message", [
    ("cauchy(0, 1)", "interval(0,1)", r"random w = 'cauchy\(0, 1\)': unknown law 'cauchy' "
                                      r"\(known: normal\(mean, variance\), uniform\(a, b\), bernoulli\(p\)\)"),
    ("uniform(0)", "interval(0,1)", r"the law is written uniform\(a, b\)"),
    ("bernoulli(p, p)", "interval(0,1)", r"the law is written bernoulli\(p\)"),
    ("bernoulli(p)", "positive", r"bernoulli\(p\): needs p <= 1"),
    ("bernoulli(p)", "real", r"needs 0 <= p"),
    ("bernoulli(3/2)", "interval(0,1)", r"needs p <= 1"),
    ("uniform(a, -a)", "interval(0,1)", r"needs a < b"),
    ("uniform(t, 1)", "interval(0,1)", r"needs a < b"),
    ("normal(0, -1)", "interval(0,1)", r"needs a positive variance"),
    ("normal(0, t)", "interval(0,1)", r"needs a positive variance"),
    ("normal(y, 1)", "interval(0,1)", r"may use only the model's parameters \(y is not one\)"),
    ("normal(0, exec(1))", "interval(0,1)", r"cannot read a parameter"),
])
def test_a_bad_law_is_a_bank_error_at_load(law, kind, message):
    with pytest.raises(BankError, match=r"laws\.toml: .*model m: .*" + message):
        parse_bank(LAW_BANK.replace("LAW", law).replace("PKIND", kind), "laws.toml")


@pytest.mark.parametrize("law", ["bernoulli(p)", "uniform(-a, a)", "uniform(p, 1)", "normal(t, a^2)", "N(0, 1)",
                                 "bernoulli(1/2)", "uniform(0, 1)"])
def test_valid_laws_load(law):
    parse_bank(LAW_BANK.replace("LAW", law).replace("PKIND", "interval(0,1)"), "laws.toml")


# --- functions a sheet defines ----------------------------------------------------------------

LOGISTIC = r'''
[[function]]
name = "sigmoid"
args = ["t"]
definition = "1/(1 + exp(-t))"
latex = "\\sigma"

[[function]]
name = "softplus"
args = ["t"]
definition = "log(1 + exp(t))"

[[question]]
id = "q.slope"
prompt = "d/dt softplus(t)"
variables = { t = "real" }
example = "sigmoid(t)"
reference = { formula = "sigmoid(t)" }
mistakes = [ { code = "derivative_of_sigmoid", formula = "sigmoid(t) (1 - sigmoid(t))", feedback = "That is sigma'." } ]
model = "logit"

[[model]]
name = "logit"
parameters = { t = "real" }
define = { L = "softplus(t)" }
'''


@pytest.fixture(scope="module")
def logistic():
    return parse_bank(LOGISTIC, "logistic.toml")


@pytest.mark.parametrize("answer, steps, verdict", [
    ("sigmoid(t)", [], "correct"),
    (r"\sigma(t)", [], "correct"),
    (r"\sigma\left(t\right)", [], "correct"),
    ("1/(1 + exp(-t))", [], "correct"),
    ("exp(t)/(1 + exp(t))", [], "correct"),
    ("sigmoid(-t)", [], "incorrect"),
    ("dL/dt\n= d/dt log(1 + exp(t))\n= exp(t)/(1 + exp(t))\n= \\sigma(t)", ["start", "ok", "ok", "ok"], "correct"),
    ("dL/dt\n= d/dt softplus(t)\n= sigmoid(t)", ["start", "ok", "ok"], "correct"),
    ("dL/dt\n= sigmoid(t)(1 - sigmoid(t))", ["start", "wrong"], "incorrect"),
])
def test_sheet_functions_in_answers_and_working(logistic, answer, steps, verdict):
    record = check(logistic["q.slope"], answer)
    assert record["verdict"] == verdict, record["feedback"]
    assert _steps(record) == steps


def test_a_sheet_function_in_a_mistake_is_diagnosed(logistic):
    record = check(logistic["q.slope"], r"\sigma(t)(1 - \sigma(t))")
    assert record["diagnoses"] == ["derivative_of_sigmoid"]


def test_sheet_functions_typeset_as_their_heads(logistic):
    functions = logistic["q.slope"].vocab.functions
    t = sp.Symbol("t", real=True)
    assert typeset(1 / (1 + sp.exp(-t)), functions) == r"\sigma\left(t\right)"
    assert typeset(sp.log(1 + sp.exp(2 * t)) * (1 - 1 / (1 + sp.exp(-t))), functions) == \
        r"\left(1 - \sigma\left(t\right)\right) \operatorname{softplus}\left(2 t\right)"


def test_nested_sheet_functions_cannot_explode(logistic):
    answer = "sigmoid(" * 30 + "t" + ")" * 30
    record = check(logistic["q.slope"], answer)
    assert record["verdict"] in ("invalid", "incorrect")  # read and bounded, never a hang
    doubling = [{"name": "f", "args": ["u"], "definition": "u u + u"}]
    table = read_functions(doubling)
    from derivcheck.grading.parser import parse_plain
    from derivcheck.grading.vocabulary import expanded_size
    nodes, _ = expanded_size([parse_plain("f(f(f(f(f(f(f(f(f(f(f(f(t))))))))))))")], table)
    assert nodes > 4000  # the walk stops past the bound, so the answer is refused as too long


@pytest.mark.parametrize("tables, message", [
    ([{"name": "f", "args": ["t"], "definition": "g(t)"}, {"name": "g", "args": ["t"], "definition": "f(t) + 1"}],
     r"recursive functions \(f -> g -> f\)"),
    ([{"name": "f", "args": ["t"], "definition": "f(t)"}], r"recursive functions \(f -> f\)"),
    ([{"name": "f", "args": ["t"], "definition": "t + y"}], "unknown name 'y'"),
    ([{"name": "f", "args": ["t"], "definition": "open(t)"}], "unknown function 'open'"),
    ([{"name": "f", "args": ["t"], "definition": "t +"}], "definition"),
    ([{"name": "f", "args": ["t"], "definition": "g(t)"}], "unknown function 'g'"),
    ([{"name": "f", "args": ["t"], "definition": "sum(t)"}], "unknown function 'sum'"),
    ([{"name": "E", "args": ["t"], "definition": "t"}], "operator"),
    ([{"name": "f", "args": ["t", "t"], "definition": "t"}], "distinct"),
    ([{"name": "f", "args": [], "definition": "1"}], "distinct"),
    ([{"name": "f", "args": ["t"], "definition": "t", "latex": r"\pi"}], "constant"),
    ([{"name": "f", "args": ["t"], "definition": "t", "latex": r"\frac{1}{2}"}], "one command"),
    ([{"name": "f", "args": ["t"], "definition": "t + 9^9^9"}], "definition"),
    ([{"name": f"f{k}", "args": ["t"], "definition": f"f{k - 1}(t) f{k - 1}(t)" if k else "t"} for k in range(14)],
     "expands to over"),
])
def test_bad_function_definitions_are_refused(tables, message):
    with pytest.raises(FunctionError, match=message):
        read_functions(tables)
    text = "\n".join("[[function]]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in t.items()) for t in tables)
    with pytest.raises(BankError, match=r"fn\.toml: .*" + message):
        parse_bank(text + LOGISTIC.split("[[question]]", 1)[1].join(["\n[[question]]", ""]), "fn.toml")


def _toml(v: object) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\") + '"'


def test_a_function_named_like_a_variable_is_a_bank_error():
    clash = LOGISTIC.replace('variables = { t = "real" }', 'variables = { t = "real", softplus = "positive" }')
    with pytest.raises(BankError, match=r"'softplus' is both a variable of the question and the function softplus"):
        parse_bank(clash, "clash.toml")


def test_a_latex_spelling_gives_way_to_a_variable_of_that_name():
    """A sheet reuses a letter across its problems (sigma the logistic function in one, a standard
    deviation in another): where a question or model names a variable like a function's LaTeX
    spelling (``\\sigma``), the name wins there and the function is called by its own name."""
    both = LOGISTIC.replace('variables = { t = "real" }', 'variables = { t = "real", sigma = "positive" }') \
        .replace('parameters = { t = "real" }', 'parameters = { t = "real", sigma = "positive" }')
    question = parse_bank(both, "both.toml")["q.slope"]
    assert check(question, "sigmoid(t)", evidence=False)["verdict"] == "correct"
    assert check(question, "sigma t", evidence=False)["verdict"] == "incorrect"  # sigma times t
    assert "sigma" not in question.model.functions and "sigmoid" in question.model.functions
    alone = parse_bank(LOGISTIC, "alone.toml")["q.slope"]  # elsewhere sigma(t) is the function
    assert check(alone, "sigma(t)", evidence=False)["verdict"] == "correct"
