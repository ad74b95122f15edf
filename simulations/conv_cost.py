"""Measured cost of a stride-1, 'same'-padded, bias-free ``nn.Conv2d`` (sheet 9, Problem 4).

* Multiplications: ``torch.utils.flop_counter.FlopCounterMode`` counts 2 products per
  multiply-add of the forward convolution and of each backward one (input and weight gradients);
  a count is FLOPs / 2.
* Weights: counted from the module's own parameters, never typed.

Every claim of the problem is checked exactly over :data:`GRID` of (n, C_in, C_out, k, H, W): the
deviations of the derived count and of each mistake from the measurement, as ``exact_check``
takes them.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable

import sympy as sp
import torch
from torch.utils.flop_counter import FlopCounterMode

from derivcheck.derivations.sheet9_model import C_in, C_out, H, W, k, n

from .verification import Measurement, Outcome, exact_check

CPU = torch.device("cpu")
NAMES = ("n", "C_in", "C_out", "k", "H", "W")
SYMBOLS = (n, C_in, C_out, k, H, W)
#: (n, C_in, C_out, k, H, W): odd kernels (PyTorch's 'same' padding is symmetric for them).
GRID: tuple[tuple[int, ...], ...] = tuple(itertools.product((1, 3), (1, 4), (2, 5), (1, 3, 5), (6,), (7, 9)))


def conv(c_in: int, c_out: int, kernel: int, device: torch.device = CPU) -> torch.nn.Conv2d:
    """The sheet's layer: stride 1, 'same' padding, no bias."""
    return torch.nn.Conv2d(c_in, c_out, kernel, stride=1, padding="same", bias=False, device=device)


def flops(batch: int, c_in: int, c_out: int, kernel: int, height: int, width: int, *, train: bool,
          device: torch.device = CPU) -> int:
    """FLOPs FlopCounterMode counts for a forward pass (and, if ``train``, backward with the input's gradient)."""
    layer = conv(c_in, c_out, kernel, device)
    x = torch.randn(batch, c_in, height, width, device=device, requires_grad=train)
    with FlopCounterMode(display=False) as counter:
        if train:
            out = layer(x)
            if out.shape != (*x.shape[:1], c_out, *x.shape[2:]):
                raise AssertionError(f"'same' padding changed the size: {tuple(out.shape)}")
            out.sum().backward()
        else:
            with torch.no_grad():
                layer(x)
    return int(counter.get_total_flops())


def parameters(c_in: int, c_out: int, kernel: int, device: torch.device = CPU) -> int:
    """Numbers held by the layer's parameters."""
    return sum(p.numel() for p in conv(c_in, c_out, kernel, device).parameters())


def grid_check(result: sp.Expr, mistakes: dict[str, sp.Expr], measure: Callable[[dict[str, int]], float],
               quantity: str, *, names: tuple[str, ...] = NAMES, claimed: sp.Expr | None = None,
               details: dict | None = None) -> Outcome:
    """Exact check of ``result`` (or ``claimed``) and of every mistake against ``measure`` over the
    grid (restricted to ``names``); measurements listed largest first."""
    symbols = tuple(s for s in SYMBOLS if s.name in names)
    predict = sp.lambdify(symbols, result if claimed is None else claimed, "math")
    wrong = {key: sp.lambdify(symbols, v, "math") for key, v in mistakes.items()}
    points = sorted({tuple(p[NAMES.index(x)] for x in names) for p in GRID})
    deviations: list[float] = []
    wrong_dev: dict[str, list[float]] = {key: [] for key in wrong}
    rows = []
    for point in points:
        at = dict(zip(names, point, strict=True))
        value = measure(at)
        deviations.append(float(value - predict(*point)))
        for key, fn in wrong.items():
            wrong_dev[key].append(float(value - fn(*point)))
        rows.append({**at, "measured": value, "predicted": predict(*point)})
    rows.sort(key=lambda r: r["measured"])
    head = rows[-1]
    measurements = tuple(Measurement(at={x: r[x] for x in names}, quantity=quantity, estimate=r["measured"],
                                     interval=(r["measured"], r["measured"]), prediction=r["predicted"])
                         for r in reversed(rows))
    return exact_check(prediction=head["predicted"], estimate=head["measured"], deviations=deviations, tolerance=0.0,
                       wrong=wrong_dev, measurements=measurements,
                       details={"grid": rows, **(details or {})})
