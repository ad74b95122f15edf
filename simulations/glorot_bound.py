r"""Verification of Glorot's bound a = sqrt(6 / (n_in + n_out)) against ``xavier_uniform_``
(sheet 9, Problem 1.3).

For each weight shape (n_out, n_in), ``torch.nn.init.xavier_uniform_`` fills W with entries
U(-b, b); the claimed bound a(n_in, n_out) is tested on those entries, at level
alpha / (2 * shapes) per test (Bonferroni), and ``calculate_gain("linear")`` must be exactly 1:

1. *Kolmogorov-Smirnov* (exact): W / a against U(-1, 1), ``scipy.stats.kstest(method="exact")``.
   Power against a' when the truth is a, by the Dvoretzky-Kiefer-Wolfowitz inequality: the two
   laws differ by Delta = |a' - a| / (2 max(a, a')) in sup norm, so the test rejects unless the
   empirical cdf strays from the true one by Delta - c (c the test's critical value):
   power >= 1 - 2 exp(-2 M (Delta - c)^2).
2. *The maximum* (exact): max |W| / a has the law u^M on [0, 1] under the claim
   (``uniform_bound.max_test``), which also gives the measurement (an exact interval for the bound).
"""
from __future__ import annotations

import math

import sympy as sp
import torch
from scipy.stats import kstest, kstwo

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import n_in as n_in_sym
from derivcheck.derivations.sheet9_model import n_out as n_out_sym

from .chi2_test import combined_power
from .device import generator, substream
from .registry import verifier
from .uniform_bound import max_test
from .verification import Measurement, Outcome, Run

#: (n_out, n_in) weight shapes: at most 10,000 entries each (the exact KS law).
SHAPES: tuple[tuple[int, int], ...] = ((32, 64), (100, 50), (10, 784), (96, 96))


def ks_check(weight: torch.Tensor, bound: float, truth: float, wrong: dict[str, float], alpha: float) -> dict:
    """The exact KS test of W / bound ~ U(-1, 1) with the DKW lower bound of its power."""
    values = (weight.double().flatten().cpu() / bound).numpy()
    m = values.size
    result = kstest(values, "uniform", args=(-1.0, 2.0), method="exact")
    critical = float(kstwo.isf(alpha, m))

    def power(claimed: float) -> float:
        gap = abs(claimed - truth) / (2 * max(claimed, truth))
        return 0.0 if gap <= critical else max(0.0, 1 - 2 * math.exp(-2 * m * (gap - critical) ** 2))

    return {"test": "KS of xavier_uniform_ against U(-a, a)", "statistic": float(result.statistic),
            "critical": critical, "p_value": float(result.pvalue), "alpha": alpha,
            "passed": float(result.pvalue) > alpha, "samples": m, "power": {k: power(v) for k, v in wrong.items()}}


@verifier
def verify(run: Run, *, shapes: tuple[tuple[int, int], ...] = SHAPES, claimed: sp.Expr | None = None) -> Outcome:
    """Both tests on every shape; ``claimed`` replaces the derived bound (the derived one is the truth)."""
    dev = run.device
    derivation = derive("glorot_bound")
    args = (n_in_sym, n_out_sym)
    true_of = sp.lambdify(args, derivation.result, "math")
    bound_of = sp.lambdify(args, derivation.result if claimed is None else claimed, "math")
    wrong_of = {k: sp.lambdify(args, v, "math") for k, v in derivation.mistakes.items()}
    level = run.alpha / (2 * len(shapes))
    records, total = [], 0
    for rows, cols in shapes:
        fan_in, fan_out = cols, rows
        bound, truth = bound_of(fan_in, fan_out), true_of(fan_in, fan_out)
        wrong = {k: fn(fan_in, fan_out) for k, fn in wrong_of.items()}
        weight = torch.empty(rows, cols, device=dev)
        torch.nn.init.xavier_uniform_(weight, generator=generator(substream(run.seed, "xavier", rows, cols), dev))
        ks = ks_check(weight, bound, truth, wrong, level)
        top = max_test(weight, bound, level, wrong, truth)
        records.append({"n_in": fan_in, "n_out": fan_out, "prediction": bound, "estimate": top["estimate"],
                        "interval": top["interval"], "passed": ks["passed"] and top["passed"],
                        "p_value": min(ks["p_value"], top["p_value"]), "ks": ks, "max": top,
                        "power": {k: combined_power([ks["power"][k], top["power"][k]]) for k in wrong}})
        total += weight.numel()
    gain = torch.nn.init.calculate_gain("linear")
    head = records[0]
    measurements = tuple(Measurement(at={"n_in": r["n_in"], "n_out": r["n_out"]},
                                     quantity="xavier_uniform_ bound (from max |W|)", estimate=r["estimate"],
                                     interval=r["interval"], prediction=r["prediction"]) for r in records)
    return Outcome(passed=all(r["passed"] for r in records) and gain == 1.0, prediction=head["prediction"],
                   estimate=head["estimate"], interval=head["interval"],
                   p_value=min(1.0, 2 * len(shapes) * min(r["p_value"] for r in records)), alpha=run.alpha,
                   samples=total, power={k: combined_power([r["power"][k] for r in records]) for k in head["power"]},
                   measurements=measurements, details={"shapes": records, "calculate_gain_linear": gain})
