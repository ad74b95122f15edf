r"""Monte Carlo verification of Var[y] = d sigma^2 / 2 for y = w^T ReLU(z) (Problem 2).

The model is sampled in full (``relu_layer``): N layers of d weights w ~ N(0, sigma^2) and d inputs
z ~ N(0, 1), y = w . ReLU(z). Three exact tests per configuration (d, sigma), each at level
alpha / (3 * number of configurations) (Bonferroni):

1. *The claim*, Var[y] = f(d, sigma): the estimate V = (W / (N d)) (T / N) (mean weight square
   times mean S_j = sum_i ReLU(z_ij)^2) has W T ~ (2 f / d) A B under the claim with A ~ chi^2_{N d},
   B ~ chi^2_{Binomial(N d, 1/2)} independent (``ProductLaw``): an exact two-sided test of f.
2. *y given z*: Q = sum_j y_j^2 / S_j ~ sigma^2 chi^2_N, the test that the formed outputs have
   conditional variance sigma^2 S_j (zero-mean, independent weights of the model's variance).
3. *The inputs' factor*: T = sum_j S_j ~ chi^2_{Binomial(N d, 1/2)} scaled by E[S] = f / sigma^2,
   what the claim implies for the d rectified terms.

Power against each mistake of the derivation is the exact power of test 1 (the statistic W T that
the data drive). Beside the W T estimate each configuration reports the plain estimate mean(y^2)
of the formed outputs with its interval at the same level (``plain``: a normal approximation with
the sample variance of y^2, so asymptotic, and reported, not a test of the verdict; y itself is
tested exactly by test 2, which is part of the verdict). Per random number the W T estimate needs
about (4 d + 30) / 14 times fewer draws than the plain estimate mean(y^2) (see ``benchmarks/``).

Assumed, not measured: the normality of w and z (the shapes of the null laws).

>>> from derivcheck.simulations import verify
>>> verify("relu_variance").passed
True
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import sympy as sp

from derivcheck.derivations import derive
from derivcheck.derivations.separation import separating_first
from derivcheck.derivations.symbols import d as d_sym
from derivcheck.derivations.symbols import sigma as sigma_sym

from .chi2_test import ChiSquare, ProductLaw, RectifiedChiSquare, ScaleTest, combined_power
from .device import generator, resolve_device, substream
from .registry import verifier
from .relu_layer import LayerSums, sample_layer
from .verification import Measurement, Outcome, Run

#: (d, sigma) configurations, the headline first. ``verify`` lists first those where the result and
#: every mistake predict pairwise distinct numbers (``derivations.separation``): at (64, 0.5) the
#: forgotten half (d sigma^2) and sigma read as a variance (d sigma / 2) both predict 16.
CONFIGS: tuple[tuple[int, float], ...] = ((64, 0.25), (256, 0.1), (1024, 1.7), (4096, 0.05))
#: Inputs z drawn per configuration (as many weights again), rounded down to a multiple of d.
DRAWS = 1 << 22
#: Exact tests per configuration: the claim, y given z, the inputs' factor.
TESTS = 3


def formula(expr: sp.Expr) -> Callable[[float, float], float]:
    """A float function of (d, sigma) from a SymPy expression."""
    return sp.lambdify((d_sym, sigma_sym), expr, "math")


def scale_check(*, statistic: float, law: ChiSquare | RectifiedChiSquare | ProductLaw, unit: float, prediction: float,
                wrong: dict[str, float], alpha: float, truth: float | None = None) -> dict:
    """Test E[unit * X] = prediction for X ~ s * law; return the record of one test.

    ``power[name]`` is the probability of rejecting ``wrong[name]`` when the truth is ``truth``
    (by default the prediction itself, i.e. when the derivation is right).
    """
    truth = prediction if truth is None else truth
    test = ScaleTest(law, alpha)
    scale_unit = unit * law.mean  # E[unit * X] when s = 1
    lo, hi = test.interval(statistic)
    p = test.p_value(statistic, prediction / scale_unit)
    return {
        "prediction": prediction, "estimate": unit * statistic,
        "interval": (lo * scale_unit, hi * scale_unit), "p_value": p, "alpha": alpha,
        "passed": p > alpha,
        "power": {name: test.power(value / scale_unit, truth / scale_unit)
                  for name, value in wrong.items()},
        "miss": {name: test.miss(value / scale_unit, truth / scale_unit) for name, value in wrong.items()},
    }


def layer_check(sums: LayerSums, *, sigma: float, prediction: float, wrong: dict[str, float], alpha: float,
                truth: float | None = None) -> dict:
    """The three tests of one sampled configuration (module docstring); the record of the claim's
    test with the two factor tests under ``factors``. ``sigma`` is the model's weight scale."""
    n, dim = sums.samples, sums.dim
    law = ProductLaw(ChiSquare(n * dim), RectifiedChiSquare(n * dim))
    claim = scale_check(statistic=sums.weights * sums.rectified, law=law, unit=1 / (n * n * dim),
                        prediction=prediction, wrong=wrong, alpha=alpha, truth=truth)
    given_z = scale_check(statistic=sums.normalized, law=ChiSquare(sums.informative), unit=1 / sums.informative,
                          prediction=sigma**2, wrong={}, alpha=alpha)
    inputs = scale_check(statistic=sums.rectified, law=RectifiedChiSquare(n * dim), unit=1 / n,
                         prediction=prediction / sigma**2, wrong={}, alpha=alpha)
    factors = [{"test": "E[y^2/S | z] = sigma^2", **given_z}, {"test": "E[S] = Var[y] / sigma^2", **inputs}]
    for f in factors:
        del f["power"], f["miss"]
    return {**claim, "passed": claim["passed"] and all(f["passed"] for f in factors),
            "claim_passed": claim["passed"], "factors": factors, "plain": plain_estimate(sums, alpha)}


def plain_estimate(sums: LayerSums, alpha: float) -> dict:
    """mean(y^2) over the N formed outputs and its (1 - alpha) interval by the normal
    approximation: mean +- z_{alpha/2} sqrt((mean(y^4) - mean(y^2)^2) / N)."""
    from scipy.stats import norm

    n = sums.samples
    mean = sums.squares / n
    spread = math.sqrt(max(0.0, sums.fourth_powers / n - mean**2) / n)
    half = float(norm.isf(alpha / 2)) * spread
    return {"quantity": "mean(y^2)", "estimate": mean, "interval": (mean - half, mean + half),
            "method": "normal approximation (sample variance of y^2)"}


@verifier(random=True)
def verify(run: Run, *, draws: int = DRAWS, configs: tuple[tuple[int, float], ...] = CONFIGS,
           claimed: sp.Expr | None = None) -> Outcome:
    """Run the exact Monte Carlo check at every configuration.

    ``claimed`` replaces the derived formula by another expression in d and sigma (to show that the
    same check rejects a wrong one); power is always computed with the derived formula as truth.
    """
    derivation = derive("relu_variance")
    configs = tuple(separating_first(derivation, configs, at=lambda c: {"d": c[0], "sigma": c[1]}))
    truth = formula(derivation.result)
    predict = formula(derivation.result if claimed is None else claimed)
    mistakes = {name: formula(expr) for name, expr in derivation.mistakes.items()}
    records, total = [], 0
    for dim, sigma in configs:
        n = draws // dim
        sums = sample_layer(n, dim, sigma, generator(substream(run.seed, dim, sigma), run.device), run.device)
        rec = layer_check(sums, sigma=sigma, prediction=predict(dim, sigma),
                          wrong={k: f(dim, sigma) for k, f in mistakes.items()},
                          alpha=run.alpha / (TESTS * len(configs)), truth=truth(dim, sigma))
        records.append({"d": dim, "sigma": sigma, "samples": n, "draws": sums.draws, **rec})
        total += sums.draws
    measurements = tuple(Measurement(at={"d": r["d"], "sigma": r["sigma"]}, quantity="Var[y]",
                                     estimate=r["estimate"], interval=r["interval"], prediction=r["prediction"])
                         for r in records)
    return summarize(records, run.alpha, total, measurements)


def summarize(records: list[dict], alpha: float, samples: int, measurements: tuple[Measurement, ...] = (),
              details: dict | None = None) -> Outcome:
    """One outcome from Bonferroni-combined configurations; the headline is the first."""
    head = records[0]
    names = head["power"].keys()
    p_values = [p for r in records for p in (r["p_value"], *(f["p_value"] for f in r.get("factors", ())))]
    return Outcome(
        passed=all(r["passed"] for r in records), prediction=head["prediction"],
        estimate=head["estimate"], interval=head["interval"],
        p_value=min(1.0, len(p_values) * min(p_values)), alpha=alpha,
        samples=samples, power={k: combined_power([r["power"][k] for r in records]) for k in names},
        measurements=measurements, details={"configs": records, "log10_miss": log10_miss(records, names),
                                            **(details or {})},
    )


def log10_miss(records: list[dict], names: Iterable[str]) -> dict[str, float | None]:
    """log10 of the probability that every configuration accepts each mistake (the product of the
    configurations' miss probabilities): the power is 1 - 10^this, beyond double precision."""
    out: dict[str, float | None] = {}
    for k in names:
        logs = [math.log10(r["miss"][k]) if r["miss"][k] > 0 else -math.inf for r in records if "miss" in r]
        out[k] = sum(logs) if logs else None
    return out


def convergence(dim: int = CONFIGS[0][0], sigma: float = CONFIGS[0][1], seed: int = 0, draws: int = DRAWS,
                checkpoints: int = 16, alpha: float = 1e-6 / (TESTS * len(CONFIGS)),
                device: str = "auto") -> list[dict]:
    """The estimate of Var[y] and its exact (1 - alpha) interval as the samples grow.

    Independent sampled layers at ``checkpoints`` geometrically spaced sample counts (the stream of
    each cut is its own); each row is (samples, draws, estimate, interval, prediction).
    """
    dev = resolve_device(device)
    n_total = draws // dim
    cuts = sorted({max(1, round(n_total ** (k / (checkpoints - 1)))) for k in range(checkpoints)} | {n_total})
    prediction = formula(derive("relu_variance").result)(dim, sigma)
    rows = []
    for n in cuts:
        sums = sample_layer(n, dim, sigma, generator(substream(seed, dim, sigma, n), dev), dev)
        law = ProductLaw(ChiSquare(n * dim), RectifiedChiSquare(n * dim))
        rec = scale_check(statistic=sums.weights * sums.rectified, law=law, unit=1 / (n * n * dim),
                          prediction=prediction, wrong={}, alpha=alpha)
        rows.append({"samples": n, "draws": sums.draws, "estimate": rec["estimate"], "interval": rec["interval"],
                     "prediction": prediction})
    return rows
