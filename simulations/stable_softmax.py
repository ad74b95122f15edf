"""Floating-point verification of the max-shifted softmax (Problem 3.1).

Logits with entries >= 1000, <= -1000, of both signs, and moderate, in float32 and float64: the
derived formula z_i = e^{x_i - m} / sum_k e^{x_k - m} (evaluated from the SymPy result with the
derivation's own shift m = max_k x_k, ``extras["shift"]``, never supplied here) must be finite and
equal to ``torch.softmax`` within ``ULP_TOLERANCE`` units in the last place of each value
everywhere (the small entries included). The plain formula (``not_stable``) overflows to inf / inf = NaN on the large
inputs, and shifting only the numerator (``inconsistent_shift``) is wrong; both are run through
the same comparison, which must reject them. Exact check: nothing random decides the verdict.
"""
from __future__ import annotations

import numpy as np
import sympy as sp
import torch

from derivcheck.derivations import derive
from derivcheck.derivations.symbols import m, x

from .device import generator, substream
from .registry import verifier
from .vectorize import tensor_function
from .verification import Outcome, Run, exact_check

ULP_TOLERANCE = 16.0
RANGES: tuple[tuple[float, float], ...] = ((1000, 2000), (-2000, -1000), (-1500, 1500), (-3, 3))
DTYPES = (torch.float32, torch.float64)
DIMENSIONS = (10, 50)
BATCH = 256


def ulp_distance(value: torch.Tensor, reference: torch.Tensor) -> float:
    """max |value - reference| in units in the last place of the reference (inf if non-finite)."""
    a, b = value.detach().cpu().numpy(), reference.detach().cpu().numpy()
    if not np.isfinite(a).all():
        return float("inf")
    return float((np.abs(a - b) / np.spacing(np.abs(b))).max())


@verifier(random=True)
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """Compare the derived (or a ``claimed``), plain and inconsistent formulas with torch.softmax."""
    seed, dev = run.seed, run.device
    derivation = derive("stable_softmax")
    formulas = {"derived": derivation.result if claimed is None else claimed, **derivation.mistakes}
    functions = {name: tensor_function(expr, [x, m]) for name, expr in formulas.items()}
    shift_of = tensor_function(derivation.extras["shift"], [x])
    deviations: dict[str, list[float]] = {name: [] for name in formulas}
    cases, samples = [], 0
    for dtype in DTYPES:
        for dim in DIMENSIONS:
            for lo, hi in RANGES:
                gen = generator(substream(seed, str(dtype), dim, lo), dev)
                logits = torch.rand(BATCH, dim, generator=gen, device=dev, dtype=dtype) * (hi - lo) + lo
                reference = torch.softmax(logits, dim=-1)
                shift = shift_of(logits)
                row = {"dtype": str(dtype).removeprefix("torch."), "d": dim, "range": [lo, hi],
                       "mean_draw": float(logits.double().mean())}
                for name, f in functions.items():
                    deviations[name].append(ulp_distance(f(logits, shift), reference))
                    row[name] = deviations[name][-1]
                cases.append(row)
                samples += logits.numel()
    return exact_check(prediction=0.0, estimate=max(deviations["derived"]),
                       deviations=deviations.pop("derived"), tolerance=ULP_TOLERANCE,
                       wrong=deviations, samples=samples, details={"unit": "ulps", "cases": cases})
