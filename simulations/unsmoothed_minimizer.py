"""Gradient descent on unsmoothed cross-entropy never stops improving (Problem 3.3).

Plain gradient descent on ``F.cross_entropy(x, y)`` from x = 0: at checkpoints 10, 100, 1000 and
``STEPS`` steps the loss must be positive and strictly decreasing and the gap x_y - max_{j != y} x_j
strictly increasing (it grows like log t). A claimed finite minimiser g* is refuted as soon as the
iterate passes g* with the loss still decreasing; the check is run against the smoothed gap at
eps = 0.1 and 0.01 (the answers a student might carry over), which must be refuted.
"""
from __future__ import annotations

import math
import time

import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.symbols import d as d_sym
from derivcheck.derivations.symbols import eps as eps_sym

from .verification import Check
from .device import resolve_device

DIMENSIONS = (2, 10)
CHECKPOINTS = (10, 100, 1000, 5000)
LEARNING_RATE = 1.0


def descend(dim: int, dev: torch.device) -> list[dict]:
    """Gradient descent from 0 with label 0; the loss and gap at each checkpoint."""
    x = torch.zeros(dim, dtype=torch.float64, device=dev, requires_grad=True)
    target = torch.zeros(1, dtype=torch.long, device=dev)
    trace = []
    for step in range(1, CHECKPOINTS[-1] + 1):
        loss = F.cross_entropy(x[None], target)
        (grad,) = torch.autograd.grad(loss, x)
        with torch.no_grad():
            x -= LEARNING_RATE * grad
        if step in CHECKPOINTS:
            x_now = x.detach()
            gap = float(x_now[0] - x_now[1:].max())
            trace.append({"step": step, "loss": float(F.cross_entropy(x_now[None], target)), "gap": gap,
                          "grad_norm": float(grad.norm())})
    return trace


def verify(seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Check:
    """Check the loss keeps falling and the gap keeps growing; refute finite candidates."""
    start = time.perf_counter()
    dev = resolve_device(device)
    derivation = derive("unsmoothed_minimizer")
    smoothed = sp.lambdify((d_sym, eps_sym), derive("smoothing_gap").result, "math")
    traces = {dim: descend(dim, dev) for dim in DIMENSIONS}
    ok = all(
        all(t["loss"] > 0 and t["grad_norm"] > 0 for t in trace)
        and all(b["loss"] < a["loss"] and b["gap"] > a["gap"] for a, b in zip(trace, trace[1:]))
        for trace in traces.values())
    candidates = {f"finite_gap_eps_{e}": e for e in (0.1, 0.01)}
    power = {name: float(all(trace[-1]["gap"] > smoothed(dim, e) for dim, trace in traces.items()))
             for name, e in candidates.items()}
    last = traces[DIMENSIONS[-1]]
    return Check(id="unsmoothed_minimizer", passed=ok and derivation.result == sp.oo,
                 prediction=math.inf, estimate=last[-1]["gap"],
                 interval=(last[0]["gap"], math.inf), p_value=1.0 if ok else 0.0, alpha=0.0,
                 samples=0, seconds=time.perf_counter() - start, power=power,
                 details={"traces": traces, "device": dev.type,
                          "note": "interval: the gap is at least the first checkpoint's and unbounded"})
