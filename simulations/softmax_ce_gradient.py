"""Autograd verification of dL/dx = z - y for softmax cross-entropy (Problem 3.2).

On random float64 batches the gradient of ``F.cross_entropy(x, labels, reduction="sum")`` is
compared with the derived z - y (evaluated from the SymPy result), and with
``label_smoothing=eps`` against z - y_hat, y_hat = (1 - eps) y + eps/d (the same result, the
target being y_hat), the smoothed target evaluated from the derivation's own expression
(``extras["smoothed_target"]``), never rebuilt here. The derivation's mistake, the sign-flipped
y - z, goes through the same comparison and must be rejected. Exact check up to float64 rounding (``TOLERANCE``).
"""
from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.softmax_ce_gradient import z
from derivcheck.derivations.symbols import d as d_sym
from derivcheck.derivations.symbols import eps as eps_sym
from derivcheck.derivations.symbols import y

from .device import generator, substream
from .registry import verifier
from .vectorize import tensor_function
from .verification import Outcome, Run, exact_check

TOLERANCE = 1e-12
DIMENSIONS = (2, 5, 10, 100)
SMOOTHING = (0.0, 0.1, 0.3)
BATCH = 64


@verifier(random=True)
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """Compare autograd with the derived (or a ``claimed``) gradient for several d and eps."""
    seed, dev = run.seed, run.device
    derivation = derive("softmax_ce_gradient")
    formulas = {"derived": derivation.result if claimed is None else claimed, **derivation.mistakes}
    functions = {name: tensor_function(expr, [z, y]) for name, expr in formulas.items()}
    smoothed = tensor_function(derivation.extras["smoothed_target"], [y, eps_sym, d_sym])
    deviations: dict[str, list[float]] = {name: [] for name in formulas}
    cases, samples = [], 0
    for dim in DIMENSIONS:
        for eps in SMOOTHING:
            gen = generator(substream(seed, dim, eps), dev)
            logits = (3 * torch.randn(BATCH, dim, generator=gen, device=dev, dtype=torch.float64)).requires_grad_()
            labels = torch.randint(dim, (BATCH,), generator=gen, device=dev)
            (grad,) = torch.autograd.grad(F.cross_entropy(logits, labels, reduction="sum", label_smoothing=eps),
                                          logits)
            target = smoothed(F.one_hot(labels, dim).double(), eps, dim)
            probs = torch.softmax(logits.detach(), dim=-1)
            for name, f in functions.items():
                deviations[name].append(float((f(probs, target) - grad).abs().max()))
            cases.append({"d": dim, "eps": eps, "max_abs_error": deviations["derived"][-1],
                          "mean_draw": float(logits.detach().mean()) + float(labels.double().mean())})
            samples += logits.numel()
    worst = max(deviations["derived"])
    return exact_check(prediction=0.0, estimate=worst, deviations=deviations.pop("derived"),
                       tolerance=TOLERANCE, wrong=deviations, samples=samples,
                       details={"unit": "max |autograd - formula|", "cases": cases})
