r"""Verification that a = sqrt(3/d) gives unit output variance under uniform weights (sheet 9,
Problem 1.2), against PyTorch's own uniform He initialiser.

Per d, at level alpha / (3 * number of d) each (Bonferroni):

1. *Reference* (exact): ``kaiming_uniform_(W, nonlinearity="linear")`` draws U(-b, b) with
   b = gain sqrt(3 / fan_in), gain 1. For M iid entries, max |W_ij| / b has the law u^M on [0, 1],
   so the claimed bound a(d) is rejected when max |W| > a(d) (impossible under the claim) or
   (max |W| / a(d))^M < alpha/2 (two-sided, exact). Power against a wrong bound a' when the truth
   is a: 1 - (a'/a)^M for a' < a, min(1, (a'/a)^M alpha/2) for a' > a.
2. *Unit variance*: the layer sampled at the claimed a(d) (``uniform_variance``'s sampler) with
   the claim Var[y] = 1: both tests of ``sheet9_layer``. Power against a wrong a' is the power of
   the claim's test when the layer runs at a' (Var[y] grows as a'^2 and is 1 at the derived a).
"""
from __future__ import annotations

import math

import sympy as sp
import torch

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import d as d_sym

from .chi2_test import combined_power
from .device import generator, substream
from .registry import verifier
from .sheet9_layer import layer_check, summarize
from .uniform_variance import sample
from .verification import Measurement, Outcome, Run

DIMENSIONS: tuple[int, ...] = (64, 256, 1024)
DRAWS = 1 << 20
#: Rows of the weight matrix kaiming_uniform_ fills per d.
ROWS = 256


def max_test(weight: torch.Tensor, bound: float, alpha: float, wrong: dict[str, float], truth: float) -> dict:
    """The exact two-sided test of the bound of iid U(-b, b) entries from max |W| (docstring)."""
    m = weight.numel()
    top = float(weight.abs().max())
    if bound < top <= bound * (1 + 2 * torch.finfo(weight.dtype).eps):
        top = bound  # the entry rounded up to the weight's dtype, not beyond the bound
    cdf = (top / bound) ** m if top <= bound else 1.0
    p = 0.0 if top > bound else min(1.0, 2 * min(cdf, 1 - cdf))
    lower = top
    upper = top / (alpha / 2) ** (1 / m)

    def power(claimed: float) -> float:
        log_ratio = m * math.log(claimed / truth)  # log (a'/a)^M
        if log_ratio < 0:
            return -math.expm1(log_ratio)
        return math.exp(min(0.0, log_ratio + math.log(alpha / 2)))

    return {"test": "max |W| of kaiming_uniform_(linear)", "prediction": bound, "estimate": top,
            "interval": (lower, upper), "p_value": p, "alpha": alpha, "passed": p > alpha, "samples": m,
            "power": {k: power(v) for k, v in wrong.items()}}


@verifier
def verify(run: Run, *, draws: int = DRAWS, dimensions: tuple[int, ...] = DIMENSIONS,
           claimed: sp.Expr | None = None) -> Outcome:
    """Both checks at every d; ``claimed`` replaces the derived a(d) (the derived one is the truth)."""
    dev, seed = run.device, run.seed
    derivation = derive("uniform_bound")
    true_of = sp.lambdify(d_sym, derivation.result, "math")
    bound_of = sp.lambdify(d_sym, derivation.result if claimed is None else claimed, "math")
    wrong_of = {k: sp.lambdify(d_sym, v, "math") for k, v in derivation.mistakes.items()}
    level = run.alpha / (3 * len(dimensions))
    unit, reference, total = [], [], 0
    for dim in dimensions:
        bound, truth = bound_of(dim), true_of(dim)
        wrong = {k: fn(dim) for k, fn in wrong_of.items()}
        weight = torch.empty(ROWS, dim, device=dev)
        torch.nn.init.kaiming_uniform_(weight, nonlinearity="linear", generator=generator(
            substream(seed, "kaiming_uniform", dim), dev))
        reference.append({"d": dim, **max_test(weight, bound, level, wrong, truth)})
        sums = sample(draws // dim, dim, bound, generator(substream(seed, "unit", dim), dev), dev)
        # claim Var[y] = 1 at the claimed bound; the truth there is (bound/truth)^2; at a wrong a'
        # the claim 1 is off by (a/a')^2 in the units of the sampled layer
        rec = layer_check(sums, prediction=1.0, truth=(bound / truth) ** 2,
                          wrong={k: (bound / v) ** 2 for k, v in wrong.items()}, alpha=level)
        unit.append({"d": dim, "a": bound, **rec})
        total += sums.draws + weight.numel()
    measurements = tuple(Measurement(at={"d": u["d"]}, quantity="Var[y]", estimate=u["estimate"],
                                     interval=u["interval"], prediction=1.0, scales_as=2.0, target=1.0) for u in unit)
    outcome = summarize(unit, run.alpha, total, measurements, details={"kaiming_uniform": reference})
    outcome.passed = outcome.passed and all(r["passed"] for r in reference)
    outcome.power = {k: combined_power([v, *(r["power"][k] for r in reference)]) for k, v in outcome.power.items()}
    outcome.p_value = min(1.0, 3 * len(dimensions) * min(r["p_value"] for r in unit + reference))
    return outcome
