r"""Shared checks of sheet 9's random layers (uniform weights, inverted dropout).

Every layer of the sheet has the form y = sum_i g_i u_i with the g_i standard normal times a known
scale and independent of the u_i (z_i ~ N(0, 1) against uniform weights; w_i ~ N(0, sigma^2)
against dropped-out features). Given u, y ~ N(0, S) with S = scale^2 sum_i u_i^2, so for N sampled
layers (y_j, S_j):

1. *y given u* (exact): Q = sum_j y_j^2 / S_j ~ chi^2_{N'} (N' layers with S_j > 0), tested at
   level alpha_k with the exact two-sided chi-square test (``chi2_test.ScaleTest``);
2. *the claim* Var[y] = E[S] = f: the studentized mean of the S_j, z = (mean(S) - f) / se,
   se^2 = sample variance / N, two-sided at the same level. The S_j are iid with all moments
   finite; the studentized mean's one-sided tails are off the normal ones by the Edgeworth term
   skew(S) (2 z^2 + 1) phi(z) / (6 sqrt(N)), which is even in z and so cancels between the two
   tails: the two-sided level is alpha up to O(1/N). That O(1/N) term grows like z^6 phi(z) / N
   with the skewness squared and the excess kurtosis of S: at the z ~ 5.3 of these Bonferroni
   levels it is not negligible against alpha (a rough bound: tens of percent of alpha for the
   dropout layer at d = 64, N = 2^14), so this test is calibrated, not exact; the slow test
   ``test_false_alarm_rate_is_calibrated`` measures its false-alarm rate at alpha = 0.05. The
   one-sided term, relative to alpha, is reported per configuration (``one_sided_edgeworth``) as
   the scale of what cancels. Power
   against a claim f' when the truth is f: P(|N(delta, 1)| > z_{alpha/2}), delta = (f' - f) / se.

Also the inverted-dropout counts of Problem 2.1: ``F.dropout`` outputs 0 or c_i = x_i / keep per
entry, so the number K_i of kept entries among N rows is Binomial(N, keep) exactly; a claimed
E[h_i] = f fixes keep = f / c_i and a claimed Var[h_i] = g fixes keep (1 - keep) = g / c_i^2. The
exact central binomial test (p = 2 min(P(K <= k), P(K >= k))) decides; its power is computed from
the binomial law.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from scipy.stats import binom, norm

from .chi2_test import ChiSquare, ScaleTest, combined_power
from .verification import Measurement, Outcome

#: Random numbers per chunk of sampled layers.
CHUNK = 1 << 20


@dataclass(frozen=True)
class Sums:
    """Sums over N sampled layers: sum S_j, sum S_j^2, sum S_j^3 (central, for the skewness),
    Q = sum_j y_j^2 / S_j over the N' layers with S_j > 0, and sum y_j^2."""

    samples: int
    s_sum: float
    s_square_sum: float
    q_sum: float
    informative: int
    y_square_sum: float
    draws: int
    skewness: float = 0.0


def collect(samples: int, dim: int, draw: Callable[[int], tuple[torch.Tensor, torch.Tensor]]) -> Sums:
    """Call ``draw(rows) -> (y, S)`` chunk by chunk until ``samples`` layers are formed."""
    rows = max(1, CHUNK // dim)
    s_parts, q_sum, y2, informative = [], 0.0, 0.0, 0
    for start in range(0, samples, rows):
        y, s = draw(min(rows, samples - start))
        y, s = y.double(), s.double()
        keep = s > 0
        q_sum += float((y[keep].square() / s[keep]).sum())
        informative += int(keep.sum())
        y2 += float(y.square().sum())
        s_parts.append(s.cpu())
    s_all = torch.cat(s_parts)
    mean = float(s_all.mean())
    centred = s_all - mean
    var = float(centred.square().mean())
    skew = float(centred.pow(3).mean()) / var**1.5 if var > 0 else 0.0
    return Sums(samples, float(s_all.sum()), float(s_all.square().sum()), q_sum, informative, y2,
                draws=2 * samples * dim, skewness=skew)


def edgeworth_bound(sums: Sums, alpha: float) -> float:
    """The first Edgeworth term of the studentized mean's two-sided tail at level ``alpha``,
    relative to alpha: |skew| (2 z^2 + 1) phi(z) / (6 sqrt(N)) * 2 / alpha (z = z_{alpha/2})."""
    z = float(norm.isf(alpha / 2))
    return abs(sums.skewness) * (2 * z * z + 1) * float(norm.pdf(z)) / (6 * math.sqrt(sums.samples)) * 2 / alpha


def normal_power(claimed: float, truth: float, se: float, alpha: float) -> float:
    """P(|N(delta, 1)| > z_{alpha/2}) with delta = (claimed - truth) / se."""
    z = float(norm.isf(alpha / 2))
    delta = (claimed - truth) / se
    return float(norm.sf(z - delta) + norm.cdf(-z - delta))


def layer_check(sums: Sums, *, prediction: float, truth: float, wrong: dict[str, float], alpha: float) -> dict:
    """The two tests of one configuration (module docstring), each at level ``alpha``."""
    n = sums.samples
    mean = sums.s_sum / n
    variance = max(0.0, sums.s_square_sum / n - mean * mean) * n / (n - 1)
    se = math.sqrt(variance / n)
    z = float(norm.isf(alpha / 2))
    p_claim = float(2 * norm.sf(abs(mean - prediction) / se)) if se > 0 else float(mean == prediction)
    given = ScaleTest(ChiSquare(sums.informative), alpha)
    p_given = given.p_value(sums.q_sum, 1.0)
    # the power and the estimate's spread scale with the truth (S_j ~ truth * a fixed law)
    se_truth = se * truth / mean if mean > 0 else se
    return {"prediction": prediction, "estimate": mean, "interval": (mean - z * se, mean + z * se),
            "p_value": min(p_claim, p_given), "p_claim": p_claim, "p_given_u": p_given, "alpha": alpha,
            "passed": p_claim > alpha and p_given > alpha, "samples": n, "se": se,
            "plain_estimate": sums.y_square_sum / n, "one_sided_edgeworth": edgeworth_bound(sums, alpha),
            "power": {k: normal_power(v, truth, se_truth, alpha) for k, v in wrong.items()}}


def summarize(records: list[dict], alpha: float, samples: int, measurements: tuple[Measurement, ...],
              details: dict | None = None) -> Outcome:
    """One outcome from Bonferroni-combined configurations; the headline is the first."""
    head = records[0]
    p = min(1.0, 2 * len(records) * min(r["p_value"] for r in records))
    return Outcome(passed=all(r["passed"] for r in records), prediction=head["prediction"],
                   estimate=head["estimate"], interval=head["interval"], p_value=p, alpha=alpha, samples=samples,
                   power={k: combined_power([r["power"][k] for r in records]) for k in head["power"]},
                   measurements=measurements, details={"configs": records, **(details or {})})


@contextmanager
def seeded(seed: int, device: torch.device) -> Iterator[None]:
    """PyTorch's global generator seeded with ``seed`` inside, restored after (``F.dropout`` takes
    no generator)."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


# --- inverted dropout counts (Problem 2.1) -------------------------------------------------------

def binomial_p(count: int, rows: int, keep: float) -> float:
    """The exact central two-sided p-value of ``count`` kept among ``rows`` at keep probability ``keep``."""
    if not 0.0 <= keep <= 1.0 or math.isnan(keep):
        return 0.0
    return float(min(1.0, 2 * min(binom.cdf(count, rows, keep), binom.sf(count - 1, rows, keep))))


def binomial_power(rows: int, claimed: float, truth: float, alpha: float) -> float:
    """P(the central test rejects keep = ``claimed``) when K ~ Binomial(rows, truth)."""
    if not 0.0 <= claimed <= 1.0 or math.isnan(claimed):
        return 1.0
    lo = int(binom.ppf(alpha / 2, rows, claimed))       # smallest k with cdf(k) >= alpha/2
    hi = int(binom.isf(alpha / 2, rows, claimed))       # sf(hi) <= alpha/2
    # reject k with cdf(k) <= alpha/2 (k < lo, and k = lo when cdf(lo) == alpha/2 exactly) or sf(k-1) <= alpha/2
    reject_low = binom.cdf(lo - 1, rows, truth)
    reject_high = binom.sf(hi, rows, truth)
    return float(min(1.0, reject_low + reject_high))


def keep_from_variance(variance: float, value: float) -> list[float]:
    """The keep probabilities k with value^2 k (1 - k) = variance (0, 1 or 2 roots in [0, 1])."""
    r = variance / (value * value)
    disc = 1 - 4 * r
    if disc < 0 or not math.isfinite(disc):
        return []
    roots = {(1 - math.sqrt(disc)) / 2, (1 + math.sqrt(disc)) / 2}
    return sorted(k for k in roots if 0 <= k <= 1)
