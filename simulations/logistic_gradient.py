r"""Autograd verification of dL/dt = s - y for the logistic loss (sheet 9, Problem 3.2).

For labels y in {0, 1} and float64 logits, the gradient of
``F.binary_cross_entropy_with_logits(t, y, reduction="sum")`` by autograd is compared with the
derived formula at s = sigma(t) (from the SymPy result); each mistake goes through the same
comparison and must be rejected. Exact check up to float64 rounding (``TOLERANCE``, absolute:
the gradient lies in [-1, 1]).
"""
from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import s as s_sym
from derivcheck.derivations.sheet9_model import y as y_sym

from .registry import verifier
from .sigmoid_derivative import logits
from .vectorize import tensor_function
from .verification import Measurement, Outcome, Run, exact_check

TOLERANCE = 1e-15


def measure(point: float, label: float, dev: torch.device) -> Measurement:
    """Autograd's dL/dt at t = ``point`` for the label, at the s = sigma(t) an answer is evaluated at."""
    t = torch.tensor(point, dtype=torch.float64, device=dev, requires_grad=True)
    y = torch.tensor(label, dtype=torch.float64, device=dev)
    (grad,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(t, y), t)
    value, s = float(grad), float(torch.sigmoid(t.detach()))
    return Measurement(at={"t": point, "s": s, "y": label}, quantity="dL/dt by autograd", estimate=value,
                       interval=(value - TOLERANCE, value + TOLERANCE), prediction=s - label)


@verifier
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """max |autograd - formula| over both labels for the derived (or ``claimed``) gradient and each mistake."""
    derivation = derive("logistic_gradient")
    formulas = {"derived": derivation.result if claimed is None else claimed, **derivation.mistakes}
    functions = {name: tensor_function(expr, [s_sym, y_sym]) for name, expr in formulas.items()}
    deviations: dict[str, list[float]] = {name: [] for name in formulas}
    cases, samples = [], 0
    for label in (0.0, 1.0):
        t = logits(run.seed, run.device).requires_grad_()
        y = torch.full_like(t, label)
        (grad,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(t, y, reduction="sum"), t)
        s = torch.sigmoid(t.detach())
        with torch.no_grad():
            for name, f in functions.items():
                deviations[name].append(float((f(s, y) - grad).abs().max()))
        cases.append({"y": label, "max_abs_error": deviations["derived"][-1]})
        samples += t.numel()
    measurements = tuple(measure(point, label, run.device) for point in (1.5, -0.8) for label in (1.0, 0.0))
    return exact_check(prediction=0.0, estimate=max(deviations["derived"]), deviations=deviations.pop("derived"),
                       tolerance=TOLERANCE, wrong=deviations, samples=samples, measurements=measurements,
                       details={"unit": "max |autograd - formula|", "cases": cases})
