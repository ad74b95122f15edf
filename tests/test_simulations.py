"""Every verification passes under its default seed and 20 others, and rejects the wrong formulas.

Power is demonstrated by running the same check code with each wrong formula in place of the
derived one and asserting it fails, beside the power each check computes for itself.
"""
import numpy as np
import pytest
import sympy as sp
from scipy.stats import kstest

from derivcheck import claims
from derivcheck.derivations import derive
from derivcheck.derivations.symbols import d, sigma
from derivcheck.simulations import relu_variance as rv
from derivcheck.simulations import verify
from derivcheck.simulations.chi2_test import RectifiedChiSquare

CLAIM_IDS = tuple(c.id for c in claims.of())
OTHER_SEEDS = tuple(range(1, 21))  # besides the default seed 0

#: Checks whose inputs are random (seeded, ``@verifier(random=True)``); the others are deterministic
#: (samples 0, alpha 0).
RANDOM = tuple(c.id for c in claims.of() if c.random)


@pytest.fixture(scope="module")
def default_checks():
    return {claim: verify(claim, seed=0, device="cpu") for claim in CLAIM_IDS}


@pytest.mark.parametrize("claim", CLAIM_IDS)
def test_passes_with_default_seed(default_checks, claim):
    check = default_checks[claim]
    assert check.passed, check.to_dict()
    record = check.to_dict()
    for key in ("id", "passed", "prediction", "estimate", "interval", "p_value", "alpha", "samples",
                "seconds", "power"):
        assert key in record
    assert record["power"], "every check names the wrong formulas it can reject"


@pytest.mark.parametrize("claim", CLAIM_IDS)
def test_power_against_every_named_wrong_formula(default_checks, claim):
    """Contract: power >= 0.999 against every wrong formula of the question's table."""
    assert all(p >= 0.999 for p in default_checks[claim].power.values()), default_checks[claim].power


@pytest.mark.parametrize("claim", CLAIM_IDS)
def test_alpha_is_the_stated_level(default_checks, claim):
    """A statistical check: Bonferroni, the levels of every test (claim, both factors, kaiming
    reference) sum to alpha. An exact one: alpha 0, every wrong formula refuted (power 1)."""
    check = default_checks[claim]
    if check.check != "statistical":
        assert check.alpha == 0.0 and set(check.power.values()) == {1.0}
        return
    assert check.alpha == 1e-6
    configs = check.details["configs"]
    levels = [c["alpha"] for c in configs] + [f["alpha"] for c in configs for f in c.get("factors", ())]
    assert all(a <= 1e-6 for a in levels)
    assert sum(levels) == pytest.approx(1e-6)


def test_the_weights_have_standard_deviation_sigma():
    """The sampled model's weights: mean square sigma^2 (not sigma^4, not sigma), an exact
    chi-square interval at level 1e-9 on 2^20 draws (+-1.2%)."""
    import torch
    from scipy.stats import chi2

    from derivcheck.simulations.relu_layer import sample_layer, sample_weights

    gen = torch.Generator().manual_seed(7)
    for std in (0.5, 1.7):
        w = sample_weights(1 << 10, 1 << 10, std, gen, torch.device("cpu")).double()
        k = w.numel()
        lo, hi = chi2.ppf(5e-10, k) / k, chi2.isf(5e-10, k) / k
        assert lo < float(w.square().mean()) / std**2 < hi
        assert abs(float(w.mean())) < 6 * std / np.sqrt(k)
    sums = sample_layer(1 << 12, 64, 0.5, gen, torch.device("cpu"))
    assert sums.draws == 2 * (1 << 12) * 64 and sums.informative == 1 << 12
    assert sums.weights / ((1 << 12) * 64) == pytest.approx(0.25, rel=0.02)
    assert sums.rectified / (1 << 12) == pytest.approx(32, rel=0.02)
    assert sums.normalized / (1 << 12) == pytest.approx(0.25, rel=0.1)


@pytest.mark.parametrize("wrong", [d * sigma**4 / 2, d * sigma / 2, sigma**2 / 2,
                                   d * sigma**2 / 2 * (1 + sp.Rational(1, 50))])
def test_relu_variance_fails_a_sigma_or_d_mistake_in_the_claim(wrong):
    """The sampled model refutes the sigma-as-std mistake (d sigma^4 / 2), the dropped d and 2%."""
    assert not verify("relu_variance", seed=11, device="cpu", claimed=wrong).passed


@pytest.mark.parametrize("claim", CLAIM_IDS)
def test_random_checks_honour_the_seed_and_deterministic_ones_say_so(default_checks, claim):
    """A random check draws other inputs under another seed; a deterministic one uses none."""
    check = default_checks[claim]
    if claim in RANDOM:
        assert check.samples > 0
        again = verify(claim, seed=1, device="cpu")
        assert again.details != check.details or again.estimate != check.estimate
    else:
        assert check.samples == 0 and check.alpha == 0.0


@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("claim", RANDOM)
def test_passes_under_other_seeds(claim, seed):
    assert verify(claim, seed=seed, device="cpu").passed


@pytest.mark.parametrize("mistake", sorted(derive("relu_variance").mistakes))
def test_relu_variance_check_rejects_each_mistake(mistake):
    wrong = derive("relu_variance").mistakes[mistake]
    assert not verify("relu_variance", seed=3, device="cpu", claimed=wrong).passed


def test_relu_variance_check_rejects_a_subtle_error():
    """1% off is far outside the interval width (about 0.5%): stated power and actual rejection agree."""
    check = verify("relu_variance", seed=0, device="cpu", claimed=0.99 * d * sigma**2 / 2)
    assert not check.passed


@pytest.mark.parametrize("mistake", sorted(derive("he_sigma").mistakes))
def test_he_sigma_check_rejects_each_mistake(mistake):
    assert not verify("he_sigma", seed=5, device="cpu", claimed=derive("he_sigma").mistakes[mistake]).passed


def test_he_depth_profile_is_stable_and_lecun_vanishes(default_checks):
    profile = default_checks["he_sigma"].details["depth_profile"]
    assert 0.25 < profile["he"][-1] / profile["he"][0] < 4
    assert profile["lecun"][-1] / profile["lecun"][0] < 1e-4


def test_false_alarm_rate_is_calibrated_quick():
    """Under the right formula the exact test's p-values are Uniform(0, 1) (KS, level 1e-4)."""
    p_values = []
    dim, sig = 16, 0.7
    for seed in range(200):
        rec = verify("relu_variance", seed=seed, device="cpu", draws=1 << 12, configs=((dim, sig),))
        p_values.append(rec.details["configs"][0]["p_value"])
    assert kstest(p_values, "uniform").pvalue > 1e-4
    assert sum(p < 0.05 for p in p_values) <= 22  # Binomial(200, 0.05): P(> 22) < 1e-3


@pytest.mark.slow
def test_false_alarm_rate_is_calibrated_full_size():
    """1,000 seeds at the default size: p-values uniform; rejections at alpha = 0.01 consistent."""
    p_values = [verify("relu_variance", seed=s, device="cpu", configs=(rv.CONFIGS[0],)).details["configs"][0]["p_value"]
                for s in range(1000)]
    assert kstest(p_values, "uniform").pvalue > 1e-4
    assert sum(p < 0.01 for p in p_values) <= 22  # Binomial(1000, 0.01): P(> 22) < 1e-3


# one ratio on each side of 1 every run; the two farther ones in the slow tier
@pytest.mark.parametrize("ratio", [pytest.param(0.7, marks=pytest.mark.slow), 0.8, 1.2,
                                   pytest.param(1.4, marks=pytest.mark.slow)])
def test_stated_power_matches_observed_rejections(ratio):
    """At a small size where power is moderate, the computed power predicts the rejection rate of
    a formula off by ``ratio``, on both sides of 1 (two-sided binomial test, level 1e-3)."""
    from scipy.stats import binomtest

    from derivcheck.simulations.chi2_test import ChiSquare, ProductLaw, ScaleTest

    dim, sig, draws, alpha, runs = 16, 0.7, 1 << 8, 0.05, 300
    claimed = ratio * d * sigma**2 / 2
    observed = sum(not verify("relu_variance", seed=s, device="cpu", draws=draws, configs=((dim, sig),),
                              alpha=3 * alpha, claimed=claimed).details["configs"][0]["claim_passed"]
                   for s in range(runs))
    m = draws // dim * dim
    stated = ScaleTest(ProductLaw(ChiSquare(m), RectifiedChiSquare(m)), alpha).power(ratio)
    assert 0.15 < stated < 0.9
    assert binomtest(observed, runs, stated).pvalue > 1e-3, (observed, stated)


def test_sweep_counts_match_formulas_exactly(default_checks):
    for claim in ("forward_mults", "training_mults", "inference_memory", "training_memory"):
        rows = default_checks[claim].details["sweep"]
        assert len(rows) == 27 and all(r["measured"] == r["predicted"] for r in rows)


def test_vectorized_formula_is_the_derived_one():
    import torch

    from derivcheck.derivations.symbols import m, x
    from derivcheck.simulations.vectorize import tensor_function

    f = tensor_function(derive("stable_softmax").result, [x, m])
    logits = torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64)
    assert torch.allclose(f(logits, logits.amax(-1, keepdim=True)), torch.softmax(logits, -1))
    assert isinstance(derive("stable_softmax").result, sp.Expr)  # a SymPy object, not a string


def test_unsmoothed_growth_law_rejects_bounded_or_slower_gaps():
    """The log-linear law check refutes a gap converging to a finite value, and one growing by a
    constant other than log 10 per decade (5% slow), while the true law passes."""
    import math

    from derivcheck.simulations.unsmoothed_minimizer import CHECKPOINTS, growth

    def trace(gap, loss):
        return [{"step": t, "gap": gap(t), "loss": loss(t), "grad_norm": 1.0, "grad_matches": True}
                for t in CHECKPOINTS]

    assert growth(trace(lambda t: math.log(t) + 0.7, lambda t: 0.5 / t))["log_linear"]
    assert not growth(trace(lambda t: 12 - 1 / t, lambda t: 0.5 / t))["log_linear"]
    assert not growth(trace(lambda t: 0.95 * math.log(t) + 0.7, lambda t: 0.5 / t))["log_linear"]
    assert not growth(trace(lambda t: math.log(t) + 0.7, lambda t: 0.5 / t + 1e-3))["log_linear"]
