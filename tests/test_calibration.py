"""Calibration of the exact tests, with two wrong p-values the tests must catch.

The statistics are simulated here with NumPy (independently of the check's torch sampler): for
R repetitions of N layers of width d, W = sum w^2 (sigma = 1), T = sum ReLU(z)^2, and the p-value
of each under the law the check uses. Under the truth, rejections at level a must fall in the
lower and in the upper tail each with probability a / 2 (two-sided binomial tests, level 1e-4).
Two mutants show the tests can fail: a p-value that ignores the binomial mixing of T (chi^2 with
the fixed M / 2 degrees of freedom) and a one-sided p-value (2 x the upper tail only).
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest, chi2

from derivcheck.simulations.chi2_test import ChiSquare, ProductLaw, RectifiedChiSquare, ScaleTest

REPS, N, DIM, LEVEL = 10_000, 16, 16, 0.05
M = N * DIM


@pytest.fixture(scope="module")
def statistics() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2026)
    w = rng.standard_normal((REPS, M))
    z = rng.standard_normal((REPS, M))
    return np.square(w).sum(1), np.square(np.maximum(z, 0)).sum(1)


class FixedDof(ChiSquare):
    """chi^2 with M / 2 degrees of freedom as a density (for the mutant below)."""

    def pdf(self, u: np.ndarray) -> np.ndarray:
        return chi2.pdf(u, self.dof)


def p_value_mixing_ignored(law, statistic: float, scale: float) -> float:
    """Mutant: T taken as chi^2 with M / 2 degrees of freedom (the binomial mixing dropped)."""
    if isinstance(law, RectifiedChiSquare):
        law = ChiSquare(law.draws / 2)
    elif isinstance(law, ProductLaw):
        law = ProductLaw(law.first, FixedDof(law.second.draws / 2))
    return ScaleTest(law, 1.0).p_value(statistic, scale)


def p_value_one_sided(law, statistic: float, scale: float) -> float:
    """Mutant: twice the upper tail only."""
    return min(1.0, 2 * law.sf(statistic / scale))


def p_value_exact(law, statistic: float, scale: float) -> float:
    return ScaleTest(law, 1.0).p_value(statistic, scale)


def tails_calibrated(p_value, law, stats: np.ndarray) -> bool:
    """Lower- and upper-tail rejections at LEVEL, each against Binomial(REPS, LEVEL / 2)."""
    median = law.mean  # the side of the statistic: below or above the law's centre
    lower = upper = 0
    for s in stats:
        if p_value(law, s, 1.0) <= LEVEL:
            if s < median:
                lower += 1
            else:
                upper += 1
    return all(binomtest(c, len(stats), LEVEL / 2).pvalue > 1e-4 for c in (lower, upper))


def laws_and_statistics(statistics):
    w, t = statistics
    return {"chi2 (W)": (ChiSquare(M), w), "rectified (T)": (RectifiedChiSquare(M), t),
            "product (W T)": (ProductLaw(ChiSquare(M), RectifiedChiSquare(M)), w * t)}


@pytest.mark.parametrize("which", ["chi2 (W)", "rectified (T)", "product (W T)"])
def test_both_tails_are_calibrated(statistics, which):
    law, stats = laws_and_statistics(statistics)[which]
    assert tails_calibrated(p_value_exact, law, stats)


@pytest.mark.parametrize("which", ["rectified (T)", "product (W T)"])
def test_calibration_catches_a_p_value_that_ignores_the_mixing(statistics, which):
    law, stats = laws_and_statistics(statistics)[which]
    assert not tails_calibrated(p_value_mixing_ignored, law, stats)


@pytest.mark.parametrize("which", ["chi2 (W)", "rectified (T)", "product (W T)"])
def test_calibration_catches_a_one_sided_p_value(statistics, which):
    law, stats = laws_and_statistics(statistics)[which]
    assert not tails_calibrated(p_value_one_sided, law, stats)
