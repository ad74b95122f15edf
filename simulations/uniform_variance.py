r"""Monte Carlo verification of Var[y] = d a^2 / 3 for y = w^T z, w_i ~ U(-a, a), z_i ~ N(0, 1)
(sheet 9, Problem 1.1).

The model is sampled in full: N layers of d weights drawn by ``torch.nn.init.uniform_(w, -a, a)``
(PyTorch's own uniform initialiser) and d standard normal inputs, y = w . z. Given w,
y ~ N(0, S) with S = sum_i w_i^2, so the two tests of ``sheet9_layer`` apply at each (d, a): y
given w (exact chi-square) and the claim E[S] = f(d, a) (studentized mean), each at level
alpha / (2 * configurations) (Bonferroni). Power against each mistake of the derivation is the
power of the claim's test with the derived formula as the truth.
"""
from __future__ import annotations

import sympy as sp
import torch

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import a as a_sym
from derivcheck.derivations.sheet9_model import d as d_sym

from .device import generator, substream
from .registry import verifier
from .sheet9_layer import Sums, collect, layer_check, summarize
from .verification import Measurement, Outcome, Run

#: (d, a) configurations; a != 1 so that a and a^2 differ.
CONFIGS: tuple[tuple[int, float], ...] = ((64, 0.5), (256, 2.0), (1024, 0.1))
#: Weights drawn per configuration (as many inputs again).
DRAWS = 1 << 20
TESTS = 2


def sample(samples: int, dim: int, bound: float, gen: torch.Generator, dev: torch.device) -> Sums:
    """N layers: (y, S) with w ~ uniform_(-bound, bound), z ~ N(0, 1), y = w . z, S = |w|^2."""
    def draw(rows: int) -> tuple[torch.Tensor, torch.Tensor]:
        w = torch.nn.init.uniform_(torch.empty(rows, dim, device=dev), -bound, bound, generator=gen)
        z = torch.randn(rows, dim, generator=gen, device=dev)
        return torch.linalg.vecdot(w, z), torch.linalg.vecdot(w, w)

    return collect(samples, dim, draw)


@verifier
def verify(run: Run, *, draws: int = DRAWS, configs: tuple[tuple[int, float], ...] = CONFIGS,
           claimed: sp.Expr | None = None) -> Outcome:
    """Both tests at every configuration; ``claimed`` replaces the derived formula (power is
    always computed with the derived formula as the truth)."""
    derivation = derive("uniform_variance")
    f = sp.lambdify((d_sym, a_sym), derivation.result, "math")
    g = sp.lambdify((d_sym, a_sym), derivation.result if claimed is None else claimed, "math")
    wrong = {k: sp.lambdify((d_sym, a_sym), v, "math") for k, v in derivation.mistakes.items()}
    records, total = [], 0
    for dim, bound in configs:
        sums = sample(draws // dim, dim, bound, generator(substream(run.seed, "uniform", dim, bound), run.device),
                      run.device)
        rec = layer_check(sums, prediction=g(dim, bound), truth=f(dim, bound),
                          wrong={k: fn(dim, bound) for k, fn in wrong.items()},
                          alpha=run.alpha / (TESTS * len(configs)))
        records.append({"d": dim, "a": bound, **rec})
        total += sums.draws
    measurements = tuple(Measurement(at={"d": r["d"], "a": r["a"]}, quantity="Var[y]", estimate=r["estimate"],
                                     interval=r["interval"], prediction=r["prediction"]) for r in records)
    return summarize(records, run.alpha, total, measurements)
