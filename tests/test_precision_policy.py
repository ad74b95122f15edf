"""The comparison engine's precision policy, as properties (issues 19, 21 and 18).

- The double-precision first pass never changes a verdict: with it and without it (mpmath at every
  point) the same pairs are equal or different, and it never says "equal" where mpmath says
  "different" (it cannot: float64 alone never decides "equal").
- Exactness before numbers: a factor 1 + 10^-k (k past the 30-digit tolerance) is a difference.
- Tolerances are relative to the values compared (10^-k x against 2 10^-k x for any k); constants
  are exact (E against sinh(1) + cosh(1)).
- Vector answers are sampled on the stability check's wide probes.
- Feedback: differing values print differently; finite values past float64 are never inf.
- Lines of working use the same policy (``same_number``).
"""
import signal
import time

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from derivcheck.grading import equivalence as eq
from derivcheck.grading.equivalence import Domain, OutOfTime, budget, decide, fmt, fmt_pair, same_number, show

x = sp.Symbol("x", real=True)
d = sp.Symbol("d", positive=True)
DOMAIN = Domain({x: "real", d: "positive"})
GROUP = {"proven": "equal", "numeric": "equal", "counterexample": "different"}
FEW = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

atoms = st.sampled_from([x, d, sp.Integer(2), sp.Rational(1, 3), sp.pi, sp.E])
unary = st.sampled_from([sp.exp, sp.log, sp.sqrt, sp.sin, sp.cos, sp.tanh, lambda e: e**2, lambda e: 1 / (1 + e**2)])
binary = st.sampled_from([sp.Add, sp.Mul, lambda a, b: a - b, lambda a, b: a / (1 + b**2)])
expressions = st.recursive(atoms, lambda inner: st.one_of(st.builds(lambda f, a: f(a), unary, inner),
                                                          st.builds(lambda f, a, b: f(a, b), binary, inner, inner)),
                           max_leaves=3)
#: What a student does to an expression: rewrites that keep it, and changes of every size.
edits = st.sampled_from([
    lambda e: e, lambda e: sp.expand(e), lambda e: (3 * e) / 3, lambda e: e + sp.log(d) - sp.log(d),
    lambda e: e * (1 + sp.Rational(1, 10**6)), lambda e: e + sp.Rational(1, 10**12), lambda e: -e,
    lambda e: e + x - x**2 / x, lambda e: 2 * e, lambda e: e + sp.exp(-x**2) / 10**20,
])


@FEW
@given(expressions, edits)
def test_double_precision_pass_never_changes_a_verdict(expr, edit):
    student = edit(expr)
    if not expr.free_symbols:
        expr = expr + x  # a question has variables
        student = student + x
    try:
        with budget(5):  # a pathological draw is skipped, never left to run for minutes
            fast = eq._decide(student, expr, DOMAIN, prove_seconds=0.2, fast=True)
            slow = eq._decide(student, expr, DOMAIN, prove_seconds=0.2, fast=False)
    except OutOfTime:
        assume(False)
    if slow.status == "counterexample":
        assert fast.status == "counterexample", (student, expr, fast, slow)
    if fast.status in ("proven", "numeric"):
        assert slow.status in ("proven", "numeric", "undecided"), (student, expr, fast, slow)
    if slow.status in GROUP and fast.status in GROUP:
        assert GROUP[fast.status] == GROUP[slow.status], (student, expr, fast, slow)


@FEW
@given(st.integers(31, 80), st.sampled_from([x**2, sp.exp(x), d / 2, sp.log(1 + d), sp.sin(x) + 2]))
def test_exact_difference_below_the_tolerance_is_a_difference(k, expr):
    decision = decide(expr * (1 + sp.Rational(1, 10**k)), expr, DOMAIN)
    assert decision.status == "counterexample", decision
    decision = decide(expr + sp.Rational(1, 10**k), expr, DOMAIN)
    assert decision.status == "counterexample", decision


@FEW
@given(st.integers(-320, 320), st.sampled_from([sp.Integer(2), sp.Rational(3, 2), 1 + sp.Rational(1, 10**9)]))
def test_tolerance_is_relative_to_the_values(k, factor):
    scale = sp.Integer(10) ** k
    assert decide(factor * scale * x, scale * x, DOMAIN).status == "counterexample"
    assert decide(scale * x * factor / factor, scale * x, DOMAIN).equivalent


def test_constants_are_exact():
    assert decide(sp.E + 0 * x, sp.sinh(1) + sp.cosh(1) + 0 * x, DOMAIN).equivalent
    assert decide(sp.E, sp.sinh(1) + sp.cosh(1), Domain({})).status in ("proven", "numeric")
    assert decide(4 * sp.atan(1) + x, sp.pi + x, DOMAIN).equivalent
    apart = decide(sp.E + sp.Rational(1, 10**40) + x, sp.E + x, DOMAIN)
    assert apart.status == "counterexample"


@FEW
@given(st.integers(1, 9))
def test_counterexample_values_never_print_equal(k):
    """A relative gap of 10^-(k+5): never two equal printed values, never inf."""
    decision = decide(x * (1 + sp.Rational(1, 10 ** (k + 5))) + 1, x + 1, DOMAIN, prove_seconds=0)
    assert decision.status == "counterexample"
    ce = decision.counterexample
    if ce.get("at"):
        answer, reference = fmt_pair(ce["answer_value"], ce["reference_value"])
        assert answer != reference
        assert "inf" not in answer + reference


@FEW
@given(st.integers(309, 100_000), st.integers(1, 9))
def test_finite_values_past_float64_are_never_inf(exponent, mantissa):
    value = mpmath.mpf(mantissa) * mpmath.mpf(10) ** exponent
    shown = show(value)
    assert isinstance(shown, str) and "inf" not in fmt(shown)
    assert f"10^{exponent}" in fmt(shown)
    tiny = show(1 / value)
    assert isinstance(tiny, str) and fmt(tiny) != "0"


def test_vector_answers_are_sampled_on_wide_probes():
    from derivcheck.grading.bank import load
    from derivcheck.grading.grader import check

    bank = load()
    right = "exp(x[i]-max(x))/sum(exp(x-max(x)))"
    assert check(bank["p3.stable_softmax"], right)["verdict"] == "correct"
    for extra in ("floor(abs(x[i])/1000)", "floor(max(x)/5000)"):
        record = check(bank["p3.stable_softmax"], f"{right} + {extra}")
        assert record["verdict"] == "incorrect", record


@FEW
@given(st.integers(31, 90))
def test_lines_use_the_same_policy(k):
    """``same_number`` (lines) and ``decide`` (answers) agree on the same numbers; a gap below
    the tolerance that persists as the precision rises is a difference (seen down to about
    10^-(2 DIGITS - 10) relative)."""
    base = sp.log(2) + sp.sqrt(3)
    assert same_number(base, sp.log(2) + sp.sqrt(3))
    assert same_number(sp.E, sp.sinh(1) + sp.cosh(1))
    assert not same_number(base + sp.exp(-sp.Integer(k)), base)
    assert not same_number(sp.Integer(10) ** -k, 2 * sp.Integer(10) ** -k)
    assert not same_number(base * (1 + sp.Rational(1, 10**k)), base)


def test_memo_shares_decisions_between_spellings():
    eq._DECIDED.clear()
    first = decide(d * x**2 / 2, x**2 * d / 2 + 0, DOMAIN)
    again = decide(x**2 * d / 2, d * x**2 / 2, DOMAIN)
    assert first.equivalent and again.equivalent
    assert len([k for k in eq._DECIDED if k[0] == d * x**2 / 2]) == 1  # one tree, one decision


def test_nested_budget_keeps_the_outer_one():
    if signal.getitimer(signal.ITIMER_PROF)[0] > 0:
        pytest.skip("a budget is already running")
    with pytest.raises(OutOfTime):
        _inner_budget_then_spin(0.3)
    assert signal.getitimer(signal.ITIMER_PROF)[0] == 0


@FEW
@given(st.integers(-2000, 2000), st.integers(6, 60), st.integers(1, 9))
def test_differing_values_are_shown_with_the_digits_to_differ(exponent, gap, mantissa):
    """Any two values apart by 10^-gap relative (up to the 60 digits the comparison sees) are held
    and printed so that they differ, at any magnitude."""
    with mpmath.workdps(80):
        a = mpmath.mpf(mantissa) * mpmath.mpf(10) ** exponent
        b = a * (1 + mpmath.mpf(10) ** -gap)
    shown = eq.show_pair(a, b)
    assert shown[0] != shown[1]
    printed = fmt_pair(*shown)
    assert printed[0] != printed[1]
    assert "inf" not in "".join(str(v) for v in shown)


def _inner_budget_then_spin(outer: float) -> None:
    """A short inner budget inside an outer one, then CPU work past the outer one."""
    with budget(outer):
        with budget(30):
            pass
        start = time.process_time()
        while time.process_time() - start < 5:
            sum(range(1000))


@FEW
@given(st.integers(-10**6, 10**6), st.integers(1, 10**6))
def test_rational_guess_finds_the_rational(p, q):
    from derivcheck.grading.mistakes import _simple_rational

    assert _simple_rational(p / q) == sp.Rational(p, q)


@FEW
@given(st.integers(2, 10**6))
def test_constant_ratio_is_named_and_a_varying_one_is_not(k):
    from derivcheck.grading.mistakes import constant

    ratio = sp.Rational(k + 1, k)
    assert constant(ratio * (x**2 + d) / (x**2 + d), DOMAIN) == ratio
    assert not eq.varies(ratio + 0 * x, DOMAIN)
    assert eq.varies(ratio * x, DOMAIN)
    assert constant(ratio * x, DOMAIN) is None
