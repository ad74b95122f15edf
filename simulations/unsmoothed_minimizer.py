r"""Gradient descent on unsmoothed cross-entropy never stops improving (Problem 3.3).

Plain gradient descent (learning rate 1) on ``F.cross_entropy(x, y)`` from x = 0, label 0, with
checkpoints at every decade t = 10, 100, ..., 10^5. Near the end the logits follow the
log-linear law

    gap(t) = x_y - max_{j != y} x_j = log t + c + o(1),     loss(t) t -> a constant,

(the loss is about (d - 1) e^{-gap}, and d gap / dt = e^{-gap} to first order). Measured: the loss
is positive, strictly falling and loss(t) t settles (the loss goes to 0 like 1/t), and the gap
grows by log(10) per decade, within ``TOLERANCE``, over each of the last ``SETTLED`` decades. A
bounded monotone gap would have increments per decade tending to 0; a constant increment of
log(10) is the law above, which passes every finite g* at t = exp(g* - c). So no finite claim can
pass: the power against the derivation's ``finite_minimizer`` mistake (and any finite value) is 1,
decided by the measured growth, not by how far the run went. Deterministic: ``samples`` 0,
``alpha`` 0.
"""
from __future__ import annotations

import itertools
import math

import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive

from .registry import verifier
from .verification import Measurement, Outcome, Run

DIMENSIONS = (2, 10)
CHECKPOINTS = tuple(10**k for k in range(1, 6))
LEARNING_RATE = 1.0
#: Decades (the last ones) whose gap increment must be log(10) within TOLERANCE (relative).
SETTLED = 2
TOLERANCE = 0.01
CARRIED_OVER_EPS = (0.1, 0.01)


def descend(dims: tuple[int, ...], dev: torch.device) -> dict[int, list[dict]]:
    """Gradient descent from 0 with label 0 for every d in ``dims`` at once; loss, gap and gradient
    norm at each checkpoint. The runs share one tensor, row r holding the d_r logits and -inf
    beyond (softmax gives those entries probability 0: their gradient is 0 and they stay -inf, so
    each row is exactly its own d-dimensional run). The gradient of the cross-entropy is
    softmax(x) - onehot(y) (checked against autograd at every checkpoint)."""
    width = max(dims)
    x = torch.full((len(dims), width), -math.inf, dtype=torch.float64, device=dev)
    for r, dim in enumerate(dims):
        x[r, :dim] = 0
    onehot = torch.zeros_like(x)
    onehot[:, 0] = 1
    target = torch.zeros(1, dtype=torch.long, device=dev)
    traces: dict[int, list[dict]] = {dim: [] for dim in dims}
    for step in range(1, CHECKPOINTS[-1] + 1):
        grad = torch.softmax(x, 1).sub_(onehot)
        x.sub_(grad, alpha=LEARNING_RATE)
        if step in CHECKPOINTS:
            for r, dim in enumerate(dims):
                row = x[r, :dim]
                probe = row.clone().requires_grad_(True)
                loss = F.cross_entropy(probe[None], target)
                (autograd,) = torch.autograd.grad(loss, probe)
                traces[dim].append({
                    "step": step, "loss": float(loss.detach()), "gap": float(row[0] - row[1:].max()),
                    "grad_norm": float(autograd.norm()),
                    "grad_matches": bool(torch.allclose(autograd, torch.softmax(row, 0) - onehot[r, :dim],
                                                        rtol=1e-12, atol=1e-300))})
    return traces


def growth(trace: list[dict]) -> dict:
    """Gap increments per decade and loss * t at each checkpoint, and whether they follow the
    log-linear law over the last :data:`SETTLED` decades."""
    per_decade = [b["gap"] - a["gap"] for a, b in itertools.pairwise(trace)]
    loss_t = [t["loss"] * t["step"] for t in trace]
    settled = per_decade[-SETTLED:]
    law = all(abs(g / math.log(10) - 1) < TOLERANCE for g in settled) and \
        abs(loss_t[-1] / loss_t[-2] - 1) < TOLERANCE
    falling = all(t["loss"] > 0 and t["grad_norm"] > 0 and t["grad_matches"] for t in trace) and \
        all(b["loss"] < a["loss"] and b["gap"] > a["gap"] for a, b in itertools.pairwise(trace))
    intercept = trace[-1]["gap"] - math.log(trace[-1]["step"])
    return {"per_decade": per_decade, "loss_times_steps": loss_t, "log_linear": law, "falling": falling,
            "intercept": intercept}


@verifier
def verify(run: Run) -> Outcome:
    """The gap grows like log t with the loss going to 0; every finite candidate is refuted."""
    derivation = derive("unsmoothed_minimizer")
    traces = descend(DIMENSIONS, run.device)
    laws = {dim: growth(trace) for dim, trace in traces.items()}
    unbounded = all(g["log_linear"] and g["falling"] for g in laws.values())
    # Under the measured law every finite g* is passed at t = exp(g* - c): refuted, however large.
    power = {name: float(unbounded) for name in derivation.mistakes}
    last = traces[DIMENSIONS[-1]]
    measurements = tuple(
        Measurement(at={"d": dim}, quantity=f"the gap after {trace[-1]['step']} gradient steps "
                                            f"(growing by log 10 per decade)",
                    estimate=trace[-1]["gap"], interval=(trace[-1]["gap"], math.inf), prediction=math.inf)
        for dim, trace in traces.items())
    passed = unbounded and derivation.result == sp.oo
    return Outcome(passed=passed, prediction=math.inf, estimate=last[-1]["gap"],
                   interval=(last[-1]["gap"], math.inf), p_value=1.0 if passed else 0.0, alpha=0.0, samples=0,
                   power=power, measurements=measurements,
                   details={"traces": traces, "growth": laws, "tolerance": TOLERANCE,
                            "carried_over_eps": CARRIED_OVER_EPS,
                            "note": "gap(t) = log t + c (increment log 10 per decade, loss ~ 1/t): unbounded"})
