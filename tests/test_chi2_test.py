"""The exact tests behind the Monte Carlo checks: levels, intervals, power, the null law."""
import numpy as np
import pytest
from scipy.stats import chi2, kstest

from derivcheck.simulations.chi2_test import ChiSquare, RectifiedChiSquare, ScaleTest, combined_power


@pytest.mark.parametrize("law", [ChiSquare(50), ChiSquare(10_000), RectifiedChiSquare(4096)])
def test_power_at_the_truth_is_alpha(law):
    test = ScaleTest(law, 1e-3)
    assert test.power(1.0) == pytest.approx(1e-3, rel=1e-6)
    lo, hi = test.quantiles
    assert law.cdf(lo) == pytest.approx(5e-4, rel=1e-6) and law.sf(hi) == pytest.approx(5e-4, rel=1e-6)


def test_power_grows_with_the_error():
    test = ScaleTest(RectifiedChiSquare(1 << 20), 1e-6)
    powers = [test.power(s) for s in (1.001, 1.003, 1.006, 1.02)]
    assert powers == sorted(powers) and powers[-1] > 0.9999


def test_interval_inverts_the_test():
    test = ScaleTest(ChiSquare(200), 0.01)
    t = 180.0
    lo, hi = test.interval(t)
    assert test.p_value(t, lo) == pytest.approx(0.01, rel=1e-6)
    assert test.p_value(t, hi) == pytest.approx(0.01, rel=1e-6)
    assert test.p_value(t, (lo + hi) / 2) > 0.01


def test_rectified_law_matches_sampling():
    """The null law of sum ReLU(z)^2 against 4,000 simulated sums (KS test, level 1e-4)."""
    rng = np.random.default_rng(1)
    draws = 400
    sums = (np.maximum(rng.standard_normal((4000, draws)), 0) ** 2).sum(axis=1)
    law = RectifiedChiSquare(draws)
    assert sums.mean() == pytest.approx(law.mean, rel=0.01)
    assert sums.var() == pytest.approx(law.variance, rel=0.1)
    assert kstest(sums, np.vectorize(law.cdf)).pvalue > 1e-4


def test_chi_square_law_is_scipy():
    assert ChiSquare(7).cdf(5.0) == pytest.approx(chi2.cdf(5.0, 7))


def test_combined_power():
    assert combined_power([0.5, 0.5]) == pytest.approx(0.75)
    assert combined_power([]) == 0.0
