r"""Verification that sigma = sqrt(2/d) gives unit output variance, against PyTorch's He init.

Four exact tests per d, at level alpha / (4 * number of d) each (Bonferroni):

1. *Reference*: ``torch.nn.init.kaiming_normal_(W, nonlinearity="relu")`` draws the entries of a
   d_out x d weight with some standard deviation s; sum_ij W_ij^2 ~ s^2 chi^2_{d_out d}, so the
   exact chi-square test of s = sigma(d) checks the derived sigma against PyTorch's, independently of
   the variance derivation (``calculate_gain('relu') / sqrt(d)`` is compared exactly too).
2. *Unit variance*: the layer sampled at the claimed sigma(d) (``relu_layer``: w ~ N(0, sigma(d)^2),
   z ~ N(0, 1), y formed) and the three tests of ``relu_variance`` with the claim Var[y] = 1: the
   product W T, y given z, and the inputs' factor E[S] = 1 / sigma(d)^2. Power against a wrong
   sigma' is that of the product test when the layer runs at sigma' (Var[y] grows as sigma'^2 and
   is 1 at the derived sigma).

A deep ReLU network with sigma = sqrt(2/d) at every layer keeps the second moment of its
pre-activations (reported as ``depth_profile``; LeCun's 1/sqrt(d) halves it at every layer).
"""
from __future__ import annotations

import math
from collections.abc import Callable

import sympy as sp
import torch

from derivcheck.derivations import derive
from derivcheck.derivations.separation import separating_first
from derivcheck.derivations.symbols import d as d_sym

from .chi2_test import ChiSquare, ScaleTest
from .device import generator, substream
from .registry import verifier
from .relu_layer import sample_layer
from .relu_variance import DRAWS, TESTS, layer_check, summarize
from .verification import Measurement, Outcome, Run

DIMENSIONS: tuple[int, ...] = (64, 256, 1024, 4096)
#: Rows of the weight matrix drawn by kaiming_normal_ per dimension (d_out).
ROWS = 1024


def kaiming_weight_test(dim: int, sigma: float, wrong: dict[str, float], alpha: float,
                        gen: torch.Generator, dev: torch.device, truth: float | None = None) -> dict:
    """Exact chi-square test that kaiming_normal_'s weights have standard deviation ``sigma``;
    power against each wrong standard deviation when the truth is ``truth`` (default ``sigma``)."""
    truth = sigma if truth is None else truth
    weight = torch.empty(ROWS, dim, device=dev)
    torch.nn.init.kaiming_normal_(weight, mode="fan_in", nonlinearity="relu", generator=gen)
    statistic = float(weight.double().square().sum())
    test = ScaleTest(ChiSquare(weight.numel()), alpha)
    lo, hi = test.interval(statistic)
    p = test.p_value(statistic, sigma**2)
    return {"test": "kaiming_normal_ std", "d": dim, "prediction": sigma,
            "estimate": math.sqrt(statistic / weight.numel()), "interval": (math.sqrt(lo), math.sqrt(hi)),
            "p_value": p, "alpha": alpha, "passed": p > alpha, "samples": weight.numel(),
            "power": {k: test.power(v**2, truth**2) for k, v in wrong.items()}}


def depth_profile(sigma_of_d: Callable[[int], float], depth: int = 20, width: int = 512, batch: int = 512,
                  seed: int = 0, dev: torch.device | None = None) -> list[float]:
    """Mean square of the pre-activations of each layer of a deep ReLU MLP with N(0, sigma(width)^2) weights."""
    gen = generator(seed, dev or torch.device("cpu"))
    h = torch.randn(batch, width, generator=gen, device=dev)
    profile = [float(h.square().mean())]
    for _ in range(depth):
        weight = torch.randn(width, width, generator=gen, device=dev) * sigma_of_d(width)
        h = torch.relu(h) @ weight.T
        profile.append(float(h.square().mean()))
    return profile


@verifier(random=True)
def verify(run: Run, *, draws: int = DRAWS, dimensions: tuple[int, ...] = DIMENSIONS,
           claimed: sp.Expr | None = None) -> Outcome:
    """Test sigma(d) against kaiming_normal_ and Var[y](sigma(d)) = 1 at every d.

    ``claimed`` replaces the derived sigma(d) by another expression in d; power is computed with
    the derived formula as truth.
    """
    dev, seed = run.device, run.seed
    derivation = derive("he_sigma")
    dimensions = tuple(separating_first(derivation, dimensions, at=lambda dim: {"d": dim}))
    true_sigma_of = sp.lambdify(d_sym, derivation.result, "math")
    sigma_of = sp.lambdify(d_sym, derivation.result if claimed is None else claimed, "math")
    wrong_sigma = {k: sp.lambdify(d_sym, v, "math") for k, v in derivation.mistakes.items()}
    level = run.alpha / ((TESTS + 1) * len(dimensions))
    unit, reference, total = [], [], 0
    for dim in dimensions:
        sigma, true_sigma = sigma_of(dim), true_sigma_of(dim)
        wrong = {k: f(dim) for k, f in wrong_sigma.items()}
        reference.append(kaiming_weight_test(dim, sigma, wrong, level,
                                             generator(substream(seed, "kaiming", dim), dev), dev,
                                             truth=true_sigma))
        n = draws // dim
        sums = sample_layer(n, dim, sigma, generator(substream(seed, "unit", dim), dev), dev)
        # Claimed Var[y] = 1 at sigma; the truth there is (sigma / true_sigma)^2, and at a wrong
        # sigma' it would be (sigma' / true_sigma)^2: the claim 1 is then off by (true_sigma / sigma')^2.
        rec = layer_check(sums, sigma=sigma, prediction=1.0, truth=(sigma / true_sigma) ** 2,
                          wrong={k: (sigma / v) ** 2 for k, v in wrong.items()}, alpha=level)
        unit.append({"test": "Var[y] at sigma(d)", "d": dim, "sigma": sigma, "samples": n, **rec})
        total += sums.draws + ROWS * dim
    gain = torch.nn.init.calculate_gain("relu")
    gain_ok = math.isclose(gain, float(sp.sqrt(d_sym) * derivation.result), rel_tol=1e-15)
    he = depth_profile(sigma_of, seed=substream(seed, "depth"), dev=dev)
    lecun = depth_profile(wrong_sigma["lecun_scale"], seed=substream(seed, "depth"), dev=dev)
    # An answer sigma' is a weight scale: Var[y] grows as sigma'^2, and the question asks for 1.
    measurements = tuple(Measurement(at={"d": u["d"]}, quantity="Var[y]", estimate=u["estimate"],
                                     interval=u["interval"], prediction=1.0, scales_as=2.0, target=1.0)
                         for u in unit)
    outcome = summarize(unit + reference, run.alpha, total, measurements, details={
        "calculate_gain_relu": gain, "gain_matches": gain_ok, "depth_profile": {"he": he, "lecun": lecun}})
    outcome.passed = outcome.passed and gain_ok
    head = unit[0]
    outcome.prediction, outcome.estimate, outcome.interval = head["prediction"], head["estimate"], head["interval"]
    return outcome
