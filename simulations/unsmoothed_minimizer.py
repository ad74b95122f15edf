"""Gradient descent on unsmoothed cross-entropy never stops improving (Problem 3.3).

Plain gradient descent on ``F.cross_entropy(x, y)`` from x = 0: at checkpoints 10, 100, 1000 and
``STEPS`` steps the loss must be positive and strictly decreasing and the gap x_y - max_{j != y} x_j
strictly increasing (it grows like log t). A claimed finite minimiser g* is refuted as soon as the
iterate passes g* with the loss still decreasing; the derivation's ``finite_minimizer`` mistake
(the smoothed gap carried over) is run at eps = 0.1 and 0.01 and must be refuted at both.
"""
from __future__ import annotations

import itertools
import math

import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.symbols import d as d_sym
from derivcheck.derivations.symbols import eps as eps_sym

from .registry import verifier
from .verification import Measurement, Outcome, Run

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


CARRIED_OVER_EPS = (0.1, 0.01)


@verifier
def verify(run: Run) -> Outcome:
    """Check the loss keeps falling and the gap keeps growing; refute finite candidates."""
    derivation = derive("unsmoothed_minimizer")
    traces = {dim: descend(dim, run.device) for dim in DIMENSIONS}
    ok = all(
        all(t["loss"] > 0 and t["grad_norm"] > 0 for t in trace)
        and all(b["loss"] < a["loss"] and b["gap"] > a["gap"] for a, b in itertools.pairwise(trace))
        for trace in traces.values())
    power = {}
    for name, expr in derivation.mistakes.items():
        finite = sp.lambdify((d_sym, eps_sym), expr, "math")
        power[name] = float(all(trace[-1]["gap"] > finite(dim, e) for dim, trace in traces.items()
                                for e in CARRIED_OVER_EPS))
    last = traces[DIMENSIONS[-1]]
    measurements = tuple(
        Measurement(at={"d": dim}, quantity=f"the gap after {trace[-1]['step']} gradient steps (still growing)",
                    estimate=trace[-1]["gap"], interval=(trace[-1]["gap"], math.inf), prediction=math.inf)
        for dim, trace in traces.items())
    return Outcome(passed=ok and derivation.result == sp.oo, prediction=math.inf, estimate=last[-1]["gap"],
                   interval=(last[0]["gap"], math.inf), p_value=1.0 if ok else 0.0, alpha=0.0, samples=0,
                   power=power, measurements=measurements,
                   details={"traces": traces, "carried_over_eps": CARRIED_OVER_EPS,
                            "note": "interval: the gap is at least the first checkpoint's and unbounded"})
