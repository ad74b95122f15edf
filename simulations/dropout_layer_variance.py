r"""Monte Carlo verification of Var[y] = d sigma^2 / (2p) for y = w^T h, h = F.dropout(ReLU(z))
(sheet 9, Problem 2.2).

The model is sampled in full: z_i ~ N(0, 1), x = ReLU(z), h = ``F.dropout(x, 1 - p)`` (PyTorch
takes the drop probability), w_i ~ N(0, sigma^2), y = w . h. Given h, y ~ N(0, S) with
S = sigma^2 sum_i h_i^2, so the two tests of ``sheet9_layer`` apply at each (d, sigma, p), each
at level alpha / (2 * configurations).
"""
from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import d as d_sym
from derivcheck.derivations.sheet9_model import p as p_sym
from derivcheck.derivations.sheet9_model import sigma as sigma_sym

from .device import generator, substream
from .registry import verifier
from .sheet9_layer import Sums, collect, layer_check, seeded, summarize
from .verification import Measurement, Outcome, Run

#: (d, sigma, keep) configurations: sigma != 1 and keep != 1/2.
CONFIGS: tuple[tuple[int, float, float], ...] = ((64, 0.5, 0.8), (256, 1.7, 0.3), (1024, 0.1, 0.9))
DRAWS = 1 << 20


def sample(samples: int, dim: int, sigma: float, keep: float, seed: int, dev: torch.device) -> Sums:
    """N layers (y, S): z ~ N(0, 1), h = F.dropout(ReLU(z), 1 - keep), w ~ N(0, sigma^2), y = w . h."""
    gen = generator(substream(seed, "weights"), dev)

    def draw(rows: int) -> tuple[torch.Tensor, torch.Tensor]:
        h = F.dropout(torch.relu(torch.randn(rows, dim, device=dev)), p=1 - keep, training=True)
        w = torch.randn(rows, dim, generator=gen, device=dev).mul_(sigma)
        return torch.linalg.vecdot(w, h), sigma**2 * torch.linalg.vecdot(h, h)

    with seeded(substream(seed, "inputs"), dev):
        return collect(samples, dim, draw)


@verifier
def verify(run: Run, *, draws: int = DRAWS, configs: tuple[tuple[int, float, float], ...] = CONFIGS,
           claimed: sp.Expr | None = None) -> Outcome:
    """Both tests at every configuration; ``claimed`` replaces the derived formula."""
    derivation = derive("dropout_layer_variance")
    args = (d_sym, sigma_sym, p_sym)
    f = sp.lambdify(args, derivation.result, "math")
    g = sp.lambdify(args, derivation.result if claimed is None else claimed, "math")
    wrong = {k: sp.lambdify(args, v, "math") for k, v in derivation.mistakes.items()}
    records, total = [], 0
    for dim, sigma, keep in configs:
        sums = sample(draws // dim, dim, sigma, keep, substream(run.seed, "dropout_layer", dim, sigma, keep),
                      run.device)
        rec = layer_check(sums, prediction=g(dim, sigma, keep), truth=f(dim, sigma, keep),
                          wrong={k: fn(dim, sigma, keep) for k, fn in wrong.items()},
                          alpha=run.alpha / (2 * len(configs)))
        records.append({"d": dim, "sigma": sigma, "p": keep, **rec})
        total += sums.draws
    measurements = tuple(Measurement(at={"d": r["d"], "sigma": r["sigma"], "p": r["p"]}, quantity="Var[y]",
                                     estimate=r["estimate"], interval=r["interval"], prediction=r["prediction"])
                         for r in records)
    return summarize(records, run.alpha, total, measurements, details={"convention": "F.dropout(x, p=1 - keep)"})
