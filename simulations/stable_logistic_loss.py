r"""Floating-point verification of the stable logistic loss (sheet 9, Problem 3.3).

For labels y in {0, 1} and logits t over |t| <= 10^4 (a symmetric geometric grid from 1e-6 to
1e4, zero, and random draws of several scales), in float32 and float64, the derived
L = max(t, 0) - t y + log(1 + e^{-|t|}) (evaluated from the SymPy result in the tensor's dtype) must
be finite and equal to ``F.binary_cross_entropy_with_logits`` within ``ULP_TOLERANCE`` units in
the last place of max(|L|, |t|, 1): the loss's own spacing where it is large; the spacing of t where
t is larger (|dL/dt| <= 1, so an ulp of t moves L by up to an ulp of t: max(t, 0) - t y cancels to
that resolution); an absolute ulp of 1 where both are small (the sheet's log(1 + e^{-|t|}) is not
log1p). The formula as
written (-y log sigma(t) - (1 - y) log(1 - sigma(t)), with ``torch.sigmoid``) is evaluated too:
``naive_nonfinite`` counts where it gives inf or NaN, and the derived loss must be finite at every
one of those points. The derivation's mistakes (the unstable form (1 - y) t + log(1 + e^{-t}), and
log(1 + e^{-t}) alone) go through the same comparison and must be rejected. Exact check: nothing
random decides the verdict.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import t as t_sym
from derivcheck.derivations.sheet9_model import y as y_sym

from .device import generator, substream
from .registry import verifier
from .verification import Measurement, Outcome, Run, exact_check

ULP_TOLERANCE = 16.0
DTYPES = (torch.float32, torch.float64)
LIMIT = 1e4


def _maximum(*args: torch.Tensor | float) -> torch.Tensor:
    """max of tensors and numbers, elementwise (SymPy's Max)."""
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    out = tensors[0]
    for a in args:
        out = torch.maximum(out, a if isinstance(a, torch.Tensor) else torch.full_like(out, a))
    return out


def torch_function(expr: sp.Expr) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The formula as a function of (t, y) tensors, in their dtype."""
    return sp.lambdify((t_sym, y_sym), expr, modules=[{"exp": torch.exp, "log": torch.log, "abs": torch.abs,
                                                        "Max": _maximum}])


def logits(seed: int, dtype: torch.dtype, dev: torch.device) -> torch.Tensor:
    """+-(1e-6 .. 1e4) geometrically, 0, and random draws at scales 1, 30, 1e3, 1e4 (clipped to 1e4)."""
    grid = torch.logspace(-6, 4, 401, dtype=torch.float64, device=dev)
    gen = generator(substream(seed, "logits"), dev)
    draws = torch.cat([scale * torch.randn(512, generator=gen, device=dev, dtype=torch.float64)
                       for scale in (1.0, 30.0, 1e3, 1e4)]).clamp(-LIMIT, LIMIT)
    return torch.cat([-grid, torch.zeros(1, dtype=torch.float64, device=dev), grid, draws]).to(dtype)


def ulp_error(value: torch.Tensor, reference: torch.Tensor, t: torch.Tensor) -> float:
    """max |value - reference| in units of the spacing of max(|reference|, |t|, 1) in their dtype;
    inf if any value is not finite."""
    a, b, u = (v.detach().cpu().numpy() for v in (value, reference, t))
    if not np.isfinite(a).all():
        return float("inf")
    scale = np.spacing(np.maximum(np.maximum(np.abs(b), np.abs(u)), np.ones_like(b)))
    return float((np.abs(a.astype(np.float64) - b) / scale).max())


def measure(point: float, label: float, dev: torch.device) -> Measurement:
    """binary_cross_entropy_with_logits at (t, y) in float64, with its ulp band."""
    t = torch.tensor(point, dtype=torch.float64, device=dev)
    value = float(F.binary_cross_entropy_with_logits(t, torch.tensor(label, dtype=torch.float64, device=dev)))
    band = ULP_TOLERANCE * float(np.spacing(max(abs(value), abs(point), 1.0)))
    return Measurement(at={"t": point, "y": label}, quantity="binary_cross_entropy_with_logits", estimate=value,
                       interval=(value - band, value + band), prediction=value)


@verifier
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """The derived (or a ``claimed``) loss and each mistake against binary_cross_entropy_with_logits."""
    derivation = derive("stable_logistic_loss")
    formulas = {"derived": derivation.result if claimed is None else claimed, **derivation.mistakes}
    functions = {name: torch_function(expr) for name, expr in formulas.items()}
    deviations: dict[str, list[float]] = {name: [] for name in formulas}
    cases, samples, finite_where_naive_fails = [], 0, True
    for dtype in DTYPES:
        t = logits(run.seed, dtype, run.device)
        for label in (0.0, 1.0):
            y = torch.full_like(t, label)
            reference = F.binary_cross_entropy_with_logits(t, y, reduction="none")
            s = torch.sigmoid(t)
            naive = -y * torch.log(s) - (1 - y) * torch.log(1 - s)
            broken = ~torch.isfinite(naive)
            row = {"dtype": str(dtype).removeprefix("torch."), "y": label, "naive_nonfinite": int(broken.sum())}
            for name, f in functions.items():
                value = f(t, y)
                deviations[name].append(ulp_error(value, reference, t))
                row[name] = deviations[name][-1]
            derived_value = functions["derived"](t, y)
            finite_where_naive_fails = finite_where_naive_fails and bool(torch.isfinite(derived_value[broken]).all())
            cases.append(row)
            samples += t.numel()
    measurements = tuple(measure(point, label, run.device) for point, label in ((-3.0, 1.0), (2.0, 0.0), (-50.0, 0.0)))
    outcome = exact_check(prediction=0.0, estimate=max(deviations["derived"]), deviations=deviations.pop("derived"),
                          tolerance=ULP_TOLERANCE, wrong=deviations, samples=samples, measurements=measurements,
                          details={"unit": "ulps of max(|L|, |t|, 1)", "limit": LIMIT, "cases": cases,
                                   "finite_where_naive_fails": finite_where_naive_fails})
    outcome.passed = outcome.passed and finite_where_naive_fails
    return outcome
