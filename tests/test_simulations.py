"""Every verification passes under its default seed and 20 others, and rejects the wrong formulas.

Power is demonstrated by running the same check code with each wrong formula in place of the
derived one and asserting it fails, beside the power each check computes for itself.
"""
import numpy as np
import pytest
import sympy as sp
from scipy.stats import kstest

from derivcheck.derivations import claim_ids, derive
from derivcheck.derivations.symbols import d, sigma
from derivcheck.simulations import relu_variance as rv
from derivcheck.simulations import verify
from derivcheck.simulations.chi2_test import RectifiedChiSquare

CLAIM_IDS = claim_ids()
OTHER_SEEDS = tuple(range(1, 21))  # besides the default seed 0

MONTE_CARLO = ("relu_variance", "he_sigma")


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


@pytest.mark.parametrize("claim", MONTE_CARLO)
def test_alpha_is_the_stated_level(default_checks, claim):
    assert default_checks[claim].alpha == 1e-6
    assert all(c["alpha"] <= 1e-6 for c in default_checks[claim].details["configs"])
    assert sum(c["alpha"] for c in default_checks[claim].details["configs"]) == pytest.approx(1e-6)


@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("claim", CLAIM_IDS)
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


def test_stated_power_matches_observed_rejections():
    """At a small size where power is moderate, the computed power predicts the rejection rate."""
    dim, sig, draws, alpha = 16, 0.7, 1 << 10, 0.05
    claimed = 1.06 * d * sigma**2 / 2
    runs = [verify("relu_variance", seed=s, device="cpu", draws=draws, configs=((dim, sig),), alpha=alpha,
                      claimed=claimed) for s in range(300)]
    observed = np.mean([not r.passed for r in runs])
    from derivcheck.simulations.chi2_test import ScaleTest

    stated = ScaleTest(RectifiedChiSquare(draws // dim * dim), alpha).power(1.06)
    assert abs(observed - stated) < 4 * np.sqrt(stated * (1 - stated) / 300) + 0.01


def test_exact_checks_reject_wrong_formulas(default_checks):
    """Deterministic checks run the wrong formulas through the same comparison: all rejected."""
    for claim in CLAIM_IDS:
        if claim in MONTE_CARLO:
            continue
        assert default_checks[claim].alpha == 0.0
        assert set(default_checks[claim].power.values()) == {1.0}


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
