r"""Verification that sigma = sqrt(2 (1 - q) / d) keeps Var[y] = 1 in training with
``F.dropout(x, q)`` (sheet 9, Problem 2.3).

At each (d, q) the layer of ``dropout_layer_variance`` is sampled with the DROP probability q
passed to ``F.dropout`` as PyTorch takes it, and the weights at the claimed sigma(d, q); the claim
is Var[y] = 1 (both tests of ``sheet9_layer``, level alpha / (2 * configurations)). Power against
a wrong sigma' is the power of the claim's test when the layer runs at sigma' (Var[y] grows as
sigma'^2 and is 1 at the derived sigma).
"""
from __future__ import annotations

import sympy as sp

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import d as d_sym
from derivcheck.derivations.sheet9_model import q as q_sym

from .device import substream
from .dropout_layer_variance import sample
from .registry import verifier
from .sheet9_layer import layer_check, summarize
from .verification import Measurement, Outcome, Run

#: (d, q) configurations: q != 1/2.
CONFIGS: tuple[tuple[int, float], ...] = ((64, 0.2), (256, 0.7), (1024, 0.1))
DRAWS = 1 << 20


@verifier
def verify(run: Run, *, draws: int = DRAWS, configs: tuple[tuple[int, float], ...] = CONFIGS,
           claimed: sp.Expr | None = None) -> Outcome:
    """Var[y] = 1 at the claimed sigma(d, q) for every configuration."""
    derivation = derive("dropout_sigma")
    args = (d_sym, q_sym)
    true_of = sp.lambdify(args, derivation.result, "math")
    sigma_of = sp.lambdify(args, derivation.result if claimed is None else claimed, "math")
    wrong_of = {k: sp.lambdify(args, v, "math") for k, v in derivation.mistakes.items()}
    records, total = [], 0
    for dim, drop in configs:
        sigma, truth = sigma_of(dim, drop), true_of(dim, drop)
        sums = sample(draws // dim, dim, sigma, 1 - drop, substream(run.seed, "dropout_sigma", dim, drop), run.device)
        rec = layer_check(sums, prediction=1.0, truth=(sigma / truth) ** 2,
                          wrong={k: (sigma / fn(dim, drop)) ** 2 for k, fn in wrong_of.items()},
                          alpha=run.alpha / (2 * len(configs)))
        records.append({"d": dim, "q": drop, "sigma": sigma, **rec})
        total += sums.draws
    measurements = tuple(Measurement(at={"d": r["d"], "q": r["q"]}, quantity="Var[y]", estimate=r["estimate"],
                                     interval=r["interval"], prediction=1.0, scales_as=2.0, target=1.0)
                         for r in records)
    return summarize(records, run.alpha, total, measurements, details={"convention": "F.dropout(x, p=q)"})
