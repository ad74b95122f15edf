r"""Problem 1.0: PyTorch basics, each fact shown by a value this run computes.

Tensors against NumPy arrays (default dtypes, shared memory), devices, and autograd on a scalar
x = 2: y = x^2 + x gives dy/dx = 2x + 1 = 5; a second ``backward()`` through z = 2x without zeroing
adds dz/dx = 2, so ``x.grad`` reads 7; after ``x.grad.zero_()`` a fresh backward gives 5 again.
Under ``torch.no_grad()`` (and after ``.detach()``) results do not require gradients. The
derivatives autograd must match are derived by SymPy from the same functions.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch

X0 = 2


def run(device: str = "auto") -> dict[str, Any]:
    """The values of the basics demonstration as plain JSON data."""
    import sympy as sp

    from ..device import resolve_device

    start = time.perf_counter()
    dev = resolve_device(device)
    s = sp.Symbol("x")
    y_expr, z_expr = s**2 + s, 2 * s
    dy, dz = sp.diff(y_expr, s), sp.diff(z_expr, s)
    functions = {"y": (y_expr, dy), "z": (z_expr, dz)}

    def fn(expr: sp.Expr) -> Any:
        return sp.lambdify(s, expr, modules=[{"exp": torch.exp}])

    array = np.array([1.0, 2.0, 3.0])
    shared = torch.from_numpy(array)
    array[0] = 10.0  # the tensor sees the change: same memory

    x = torch.tensor(float(X0), requires_grad=True, device=dev)
    fn(y_expr)(x).backward()
    assert x.grad is not None
    first = float(x.grad)
    fn(z_expr)(x).backward()
    accumulated = float(x.grad)
    x.grad.zero_()
    zeroed = float(x.grad)
    fn(y_expr)(x).backward()
    again = float(x.grad)
    tracked = fn(y_expr)(x)
    with torch.no_grad():
        untracked = fn(y_expr)(x)
    return {
        "x": X0,
        "functions": {k: {"latex": sp.latex(f), "derivative_latex": sp.latex(d), "derivative_at_x": int(d.subs(s, X0))}
                      for k, (f, d) in functions.items()},
        "default_dtype": {"torch": str(torch.tensor([1.0, 2.0]).dtype).removeprefix("torch."),
                          "numpy": str(array.dtype)},
        "from_numpy_shares_memory": float(shared[0]) == 10.0,
        "device": dev.type, "cuda_available": torch.cuda.is_available(),
        "grad_first": first, "grad_after_second_backward": accumulated, "grad_after_zero": zeroed,
        "grad_after_fresh_backward": again,
        "requires_grad": {"tracked": tracked.requires_grad, "under_no_grad": untracked.requires_grad,
                          "detached": tracked.detach().requires_grad},
        "seconds": round(time.perf_counter() - start, 3),
    }
