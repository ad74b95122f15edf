"""The exact tests behind the Monte Carlo checks: levels, intervals, power, the null law."""
import numpy as np
import pytest
from scipy.stats import chi2, kstest

from derivcheck.simulations.chi2_test import ChiSquare, ProductLaw, RectifiedChiSquare, ScaleTest, combined_power


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
    assert combined_power([0.9, 0.5]) == pytest.approx(0.95)
    assert combined_power([]) == 0.0


def full_mixture_cdf(t: float, draws: int) -> tuple[float, float]:
    """(cdf, sf) of chi^2_{Binomial(draws, 1/2)} summed over every k = 0..draws (k = 0 a point mass at 0)."""
    from scipy.stats import binom

    k = np.arange(1, draws + 1)
    w = binom.pmf(k, draws, 0.5)
    p0 = binom.pmf(0, draws, 0.5)
    return p0 + float(np.dot(w, chi2.cdf(t, k))), float(np.dot(w, chi2.sf(t, k)))


OPERATING_TAIL = 1e-6 / 24  # alpha / 2 over 3 tests and 4 configurations


@pytest.mark.parametrize("draws", [256, 4096, 1 << 16])
def test_rectified_tails_match_the_full_mixture(draws):
    """Both tails at the operating tail probability, against the untruncated mixture sum."""
    law = RectifiedChiSquare(draws)
    lo, hi = law.quantiles(OPERATING_TAIL)
    assert law.cdf(lo) == pytest.approx(OPERATING_TAIL, rel=1e-9)
    assert law.sf(hi) == pytest.approx(OPERATING_TAIL, rel=1e-9)
    assert full_mixture_cdf(lo, draws)[0] == pytest.approx(OPERATING_TAIL, rel=1e-8)
    assert full_mixture_cdf(hi, draws)[1] == pytest.approx(OPERATING_TAIL, rel=1e-8)


def product_tails_by_the_other_factor(t: float, dof: int, draws: int) -> tuple[float, float]:
    """(cdf, sf) of A B by adaptive quadrature over A's chi-square density with B's full-mixture cdf:
    the other order of integration than ``ProductLaw``."""
    from scipy.integrate import quad

    centre, sd = dof, np.sqrt(2 * dof)
    span = (max(0.0, centre - 15 * sd), centre + 15 * sd)
    lower = quad(lambda a: chi2.pdf(a, dof) * full_mixture_cdf(t / a, draws)[0], *span,
                 epsabs=0, epsrel=1e-11, limit=400)[0]
    upper = quad(lambda a: chi2.pdf(a, dof) * full_mixture_cdf(t / a, draws)[1], *span,
                 epsabs=0, epsrel=1e-11, limit=400)[0]
    return lower, upper


@pytest.mark.parametrize("dof, draws", [(256, 256), (4096, 4096), (512, 2048)])
def test_product_law_tails_match_the_other_order_of_integration(dof, draws):
    law = ProductLaw(ChiSquare(dof), RectifiedChiSquare(draws))
    lo, hi = law.quantiles(OPERATING_TAIL)
    assert law.cdf(lo) == pytest.approx(OPERATING_TAIL, rel=1e-9)
    assert law.sf(hi) == pytest.approx(OPERATING_TAIL, rel=1e-9)
    lower, _ = product_tails_by_the_other_factor(lo, dof, draws)
    _, upper = product_tails_by_the_other_factor(hi, dof, draws)
    assert lower == pytest.approx(OPERATING_TAIL, rel=1e-7)
    assert upper == pytest.approx(OPERATING_TAIL, rel=1e-7)


def test_product_law_moments_and_sampling():
    """Mean and variance in closed form; the cdf against 20,000 simulated products (KS, level 1e-4)."""
    rng = np.random.default_rng(3)
    m = 256
    prod = rng.chisquare(m, 20_000) * (np.maximum(rng.standard_normal((20_000, m)), 0) ** 2).sum(1)
    law = ProductLaw(ChiSquare(m), RectifiedChiSquare(m))
    assert prod.mean() == pytest.approx(law.mean, rel=0.01)
    assert prod.var() == pytest.approx(law.variance, rel=0.05)
    assert kstest(prod, np.vectorize(law.cdf)).pvalue > 1e-4


@pytest.mark.parametrize("law", [ChiSquare(4096), RectifiedChiSquare(4096),
                                 ProductLaw(ChiSquare(4096), RectifiedChiSquare(4096))])
def test_p_value_is_two_sided_on_the_right_scale(law):
    """p(s * t) under scale s equals p(t) under scale 1 (a p-value on an inverted scale does not),
    and both tails reach the level."""
    test = ScaleTest(law, 1e-3)
    lo, hi = test.quantiles
    assert test.p_value(2.5 * lo, 2.5) == pytest.approx(1e-3, rel=1e-6)
    assert test.p_value(2.5 * hi, 2.5) == pytest.approx(1e-3, rel=1e-6)
    assert test.p_value(0.9 * lo, 1.0) < 1e-3 and test.p_value(1.1 * hi, 1.0) < 1e-3
