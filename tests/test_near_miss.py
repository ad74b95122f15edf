"""Near-miss formulas the exact checks must reject: each pins its check's tolerance.

A formula off by a small relative ``delta``, a few times the tolerance at the largest value the
check faces, must fail; a tolerance loosened 1000x lets it pass, so these tests fail for such a
change.
"""
import pytest
import sympy as sp

from derivcheck.derivations import derive
from derivcheck.simulations import verify

NEAR_MISSES = {
    "stable_softmax": 1e-14,  # 45-90 float64 ulps of each value; the tolerance is 16
    "softmax_ce_gradient": 4e-12,  # the largest |z - y| is near 1 (a label of small probability): 4e-12 > 1e-12
    "smoothing_gap": 2e-11,  # 1.5e-10 at the largest gap, log 1901 = 7.55; the tolerance is 1e-10
    "forward_mults": 1e-6,  # integer counts, tolerance 0
}


@pytest.mark.parametrize("claim", sorted(NEAR_MISSES))
def test_exact_check_rejects_a_near_miss(claim):
    result = derive(claim).result
    assert verify(claim, seed=0, device="cpu").passed
    assert not verify(claim, seed=0, device="cpu", claimed=result * (1 + sp.Float(NEAR_MISSES[claim]))).passed
