r"""Autograd verification of dsigma/dt = s (1 - s) (sheet 9, Problem 3.1).

On float64 logits (a grid over [-40, 40] and random draws) the derivative computed by autograd,
of ``torch.sigmoid`` and of the sheet's definition 1 / (1 + exp(-t)) written out, is compared with
the derived formula evaluated at s = sigma(t) (from the SymPy result); the derivation's mistakes
go through the same comparison and must be rejected. Exact check up to float64 rounding
(``TOLERANCE``, absolute: the derivative is at most 1/4).
"""
from __future__ import annotations

import sympy as sp
import torch

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import s as s_sym

from .device import generator, substream
from .registry import verifier
from .vectorize import tensor_function
from .verification import Measurement, Outcome, Run, exact_check

TOLERANCE = 1e-15
SAMPLES = 4096


def logits(seed: int, dev: torch.device) -> torch.Tensor:
    """A grid over [-40, 40] and standard normal draws times 5, float64."""
    grid = torch.linspace(-40, 40, 801, dtype=torch.float64, device=dev)
    gen = generator(substream(seed, "logits"), dev)
    return torch.cat([grid, 5 * torch.randn(SAMPLES, generator=gen, device=dev, dtype=torch.float64)])


def measure(point: float, dev: torch.device) -> Measurement:
    """Autograd's dsigma/dt at t = ``point``, at the s = sigma(t) an answer is evaluated at."""
    t = torch.tensor(point, dtype=torch.float64, device=dev, requires_grad=True)
    (grad,) = torch.autograd.grad(torch.sigmoid(t), t)
    value, s = float(grad), float(torch.sigmoid(t.detach()))
    return Measurement(at={"t": point, "s": s}, quantity="dsigma/dt by autograd", estimate=value,
                       interval=(value - TOLERANCE, value + TOLERANCE), prediction=s * (1 - s))


@verifier
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """max |autograd - formula(sigmoid(t))| for the derived (or ``claimed``) formula and each mistake."""
    derivation = derive("sigmoid_derivative")
    formulas = {"derived": derivation.result if claimed is None else claimed, **derivation.mistakes}
    functions = {name: tensor_function(expr, [s_sym]) for name, expr in formulas.items()}
    t = logits(run.seed, run.device).requires_grad_()
    (builtin,) = torch.autograd.grad(torch.sigmoid(t).sum(), t)
    (written,) = torch.autograd.grad((1 / (1 + torch.exp(-t))).sum(), t)
    s = torch.sigmoid(t.detach())
    deviations = {name: [float((f(s) - grad).abs().max()) for grad in (builtin, written)]
                  for name, f in functions.items()}
    worst = max(deviations["derived"])
    measurements = tuple(measure(point, run.device) for point in (3.0, 0.5, -2.0))
    return exact_check(prediction=0.0, estimate=worst, deviations=deviations.pop("derived"), tolerance=TOLERANCE,
                       wrong=deviations, samples=t.numel(), measurements=measurements,
                       details={"unit": "max |autograd - formula|", "range": [-40, 40],
                                "references": ["torch.sigmoid", "1 / (1 + exp(-t))"]})
