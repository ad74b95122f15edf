"""Sheet 9's claims: derived results against independent references, the mistakes the sheet
lists, and the verifiers (PyTorch) passing on the derived results and rejecting every mistake,
with power >= 0.999 at alpha 1e-6 at their full sizes."""
import math

import mpmath
import pytest
import sympy as sp

from derivcheck.derivations import derive
from derivcheck.simulations.registry import verify

CLAIMS = ("uniform_variance", "uniform_bound", "glorot_bound", "dropout_mean", "dropout_variance",
          "dropout_layer_variance", "dropout_sigma", "sigmoid_derivative", "logistic_gradient",
          "stable_logistic_loss", "conv_forward_mults", "conv_training_mults", "conv_weights")
RANDOM = ("uniform_variance", "uniform_bound", "dropout_mean", "dropout_variance", "dropout_layer_variance",
          "dropout_sigma", "glorot_bound")

d, n_in, n_out, n, H, W, C_in, C_out, k = sp.symbols("d n_in n_out n H W C_in C_out k", integer=True, positive=True)
a, sigma, p, q, s = sp.symbols("a sigma p q s", positive=True)
x_i, y, t = sp.symbols("x_i y t", real=True)

# The sheet's reference answers and its list of common mistakes, typed here (the code derives them).
EXPECTED = {
    "uniform_variance": (d * a**2 / 3, {"width_formula": d * a**2 / 12}),
    "uniform_bound": (sp.sqrt(3 / d), {"bound_as_std": sp.sqrt(1 / d)}),
    "glorot_bound": (sp.sqrt(6 / (n_in + n_out)), {}),
    "dropout_mean": (x_i, {}),
    "dropout_variance": (x_i**2 * (1 - p) / p, {"missing_inverse_keep": x_i**2 * p * (1 - p)}),
    "dropout_layer_variance": (d * sigma**2 / (2 * p), {"keep_drop_swapped": d * sigma**2 / (2 * (1 - p))}),
    "dropout_sigma": (sp.sqrt(2 * (1 - q) / d), {}),
    "sigmoid_derivative": (s * (1 - s), {"chain_rule_dropped": s}),
    "logistic_gradient": (s - y, {"sign_flipped": y - s}),
    "stable_logistic_loss": (sp.Max(t, 0) - t * y + sp.log(1 + sp.exp(-sp.Abs(t))),
                             {"label_term_dropped": sp.log(1 + sp.exp(-t))}),
    "conv_forward_mults": (n * H * W * C_out * C_in * k**2, {"kernel_not_squared": n * H * W * C_out * C_in * k,
                                                             "counted_flops": 2 * n * H * W * C_out * C_in * k**2}),
    "conv_training_mults": (3 * n * H * W * C_out * C_in * k**2,
                            {"missing_backward_conv": 2 * n * H * W * C_out * C_in * k**2}),
    "conv_weights": (C_out * C_in * k**2, {"kernel_not_squared": C_out * C_in * k}),
}


def by_name(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every symbol replaced by this module's symbol of the same name."""
    mine = {str(v): v for v in (d, n_in, n_out, n, H, W, C_in, C_out, k, a, sigma, p, q, s, x_i, y, t)}
    return expr.xreplace({sym: mine[sym.name] for sym in expr.free_symbols if sym.name in mine})


@pytest.mark.parametrize("claim", CLAIMS)
def test_result_and_listed_mistakes(claim):
    derivation = derive(claim)
    reference, mistakes = EXPECTED[claim]
    assert sp.simplify(by_name(derivation.result) - reference) == 0
    for code, formula in mistakes.items():
        assert sp.simplify(by_name(derivation.mistakes[code]) - formula) == 0, code
    for code, formula in derivation.mistakes.items():  # every mistake is a different answer
        assert sp.simplify(by_name(formula) - reference) != 0, code
    assert derivation.steps and derivation.statement


def test_stable_loss_equals_the_definition_for_both_labels():
    """Independently of SymPy: mpmath at 60 digits over t in [-50, 50], y in {0, 1}."""
    f = sp.lambdify((t, y), by_name(derive("stable_logistic_loss").result), "mpmath")
    with mpmath.workdps(60):
        for label in (0, 1):
            for u in [mpmath.mpf(v) / 7 for v in range(-350, 351, 13)]:
                s_ = 1 / (1 + mpmath.exp(-u))
                definition = -label * mpmath.log(s_) - (1 - label) * mpmath.log(1 - s_)
                assert abs(f(u, label) - definition) <= mpmath.mpf(10) ** -35 * max(1, abs(definition))


def test_the_unstable_form_is_equal_but_overflows():
    naive = by_name(derive("stable_logistic_loss").mistakes["not_stable"])
    stable = EXPECTED["stable_logistic_loss"][0]
    for label in (0, 1):
        assert sp.simplify((naive - stable).subs({y: label, t: sp.Rational(-7, 3)}).rewrite(sp.exp)) == 0
    with pytest.raises(OverflowError):
        sp.lambdify((t, y), naive, "math")(-1e4, 1.0)
    assert math.isfinite(sp.lambdify((t, y), stable, "math")(-1e4, 1.0))


@pytest.fixture(scope="module")
def verified():
    """Every claim verified once at its full size (seed 0, alpha 1e-6)."""
    return {claim: verify(claim) for claim in CLAIMS}


@pytest.mark.parametrize("claim", CLAIMS)
def test_verifies_with_power_against_every_mistake(verified, claim):
    v = verified[claim]
    assert v.passed, v.details
    assert v.alpha == (1e-6 if claim in RANDOM else 0.0)  # exact checks: nothing random decides
    assert set(v.power) == set(derive(claim).mistakes)
    assert all(power >= 0.999 for power in v.power.values()), dict(v.power)
    assert v.measurements
    if claim in RANDOM:
        assert v.samples > 0 and 0 < v.p_value <= 1


SMALL = {"uniform_variance": {"draws": 1 << 16}, "uniform_bound": {"draws": 1 << 16},
         "dropout_layer_variance": {"draws": 1 << 16}, "dropout_sigma": {"draws": 1 << 16}}


@pytest.mark.parametrize("claim, code", [(c, m) for c in CLAIMS for m in derive(c).mistakes])
def test_each_mistake_fails_verification(claim, code):
    """The mistake put in place of the result fails the same check (at a small size for the sampled layers)."""
    v = verify(claim, claimed=derive(claim).mistakes[code], **SMALL.get(claim, {}))
    assert not v.passed


def test_dropout_uses_the_drop_probability():
    """F.dropout(x, q) drops with probability q: the record states the convention, and a formula
    written with the drop probability in place of the keep probability fails."""
    v = verify("dropout_layer_variance", draws=1 << 16)
    assert v.details["convention"] == "F.dropout(x, p=1 - keep)"
    keep = sp.Symbol("p", positive=True)
    swapped = derive("dropout_layer_variance").result.subs(keep, 1 - keep)
    assert not verify("dropout_layer_variance", draws=1 << 16, claimed=swapped).passed


def test_stable_loss_is_finite_where_the_naive_form_is_not(verified):
    details = verified["stable_logistic_loss"].details
    assert details["finite_where_naive_fails"]
    assert all(case["naive_nonfinite"] > 0 for case in details["cases"])
    assert {case["dtype"] for case in details["cases"]} == {"float32", "float64"}


@pytest.mark.slow
@pytest.mark.parametrize("claim", ["uniform_variance", "dropout_layer_variance"])
def test_false_alarm_rate_is_calibrated(claim):
    """At alpha = 0.05 and 2^17 draws (N >= 128 layers a configuration), 200 seeds reject the derived
    result at most about 5% of the time (Bonferroni: at most alpha; binomial 99.9% band for 200 draws
    at 0.05: 2..22). Measured: 6 and 11 of 200 (at 2^14 draws, N down to 16, 13 and 17: the
    studentized test needs N in the hundreds)."""
    rejected = sum(not verify(claim, seed=seed, alpha=0.05, draws=1 << 17).passed for seed in range(200))
    assert rejected <= 22, rejected
