"""Numerical minimisation of label-smoothed cross-entropy (Problem 3.3).

For several (d, eps) and random starts, L-BFGS (polished by Newton steps) minimises
``F.cross_entropy(x, y, label_smoothing=eps)`` over the logits x in float64. At the minimiser
every gap x_y - x_j must equal the derived log(1 + d (1 - eps)/eps) within ``TOLERANCE`` and the
minimum must equal the entropy H(y_hat). The wrong gap formulas of the derivation are compared with
the same minimisers and must be rejected. Exact check up to the optimiser's convergence.

``TOLERANCE`` is absolute: Newton-polished float64 minimisers give every gap and minimum to about
2e-14. The largest gap the check faces is log(1 + 100 (0.95)/0.05) = log 1901 = 7.55, so a gap
formula off by 2e-11 relative (1.5e-10 there) is refuted (``tests/test_near_miss.py``); the old
1e-6 let a formula off by 1.3e-7 relative pass.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.separation import separating_first
from derivcheck.derivations.symbols import d as d_sym
from derivcheck.derivations.symbols import eps as eps_sym

from .device import generator, substream
from .registry import verifier
from .verification import Measurement, Outcome, Run, exact_check

TOLERANCE = 1e-10
CONFIGS: tuple[tuple[int, float], ...] = ((2, 0.1), (5, 0.1), (10, 0.2), (100, 0.05))
STARTS = 3
#: Newton (chord) steps after L-BFGS: 1e-9 -> rounding takes two; the third only confirms.
NEWTON_STEPS = 3


def smoothed_loss(target: torch.Tensor, eps: float) -> Callable[[torch.Tensor], torch.Tensor]:
    """x -> cross-entropy of the logits x against the label ``target`` smoothed by ``eps``."""
    def loss_of(x: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(x[None], target, label_smoothing=eps)

    return loss_of


def minimise(loss_of: Callable[[torch.Tensor], torch.Tensor], start: torch.Tensor,
             newton_steps: int = NEWTON_STEPS) -> torch.Tensor:
    """L-BFGS (strong Wolfe line search) from ``start`` to a gradient of 1e-9, polished by Newton
    steps (quadratic convergence takes it to rounding).

    The Hessian diag(z) - z z^T is singular along (1, ..., 1) (softmax is shift invariant) and the
    gradient z - y_hat is orthogonal to it, so the Newton step solves (H + 1 1^T / d) s = g: the
    minimum-norm step, orthogonal to the shift. Gradient and Hessian are autograd's
    (``torch.func``), never the derived formulas.
    """
    x = start.clone().requires_grad_()
    opt = torch.optim.LBFGS([x], lr=1, max_iter=1000, tolerance_grad=1e-9, tolerance_change=1e-18,
                            history_size=50, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = loss_of(x)
        loss.backward()
        return loss

    opt.step(closure)
    x = x.detach()
    shift = torch.full((x.numel(), x.numel()), 1.0 / x.numel(), dtype=x.dtype, device=x.device)
    # Chord steps: the Hessian at the L-BFGS point serves every step (x moves by ~1e-9, so each
    # step still gains about nine digits); the gradient is autograd's at each step.
    hessian = torch.func.hessian(loss_of)(x) + shift
    gradient = torch.func.grad(loss_of)
    for _ in range(newton_steps):
        x = x - torch.linalg.solve(hessian, gradient(x))
    return x


@verifier(random=True)
def verify(run: Run, *, claimed: sp.Expr | None = None, claimed_minimum: sp.Expr | None = None) -> Outcome:
    """Minimise from random starts and compare gaps and minima with the derivation (or ``claimed``
    gap, ``claimed_minimum`` minimum value)."""
    seed, dev = run.seed, run.device
    derivation = derive("smoothing_gap")
    gap_of = sp.lambdify((d_sym, eps_sym), derivation.result if claimed is None else claimed, "math")
    minimum_expr = derivation.extras["entropy"] if claimed_minimum is None else claimed_minimum
    entropy_of = sp.lambdify((d_sym, eps_sym), minimum_expr, "math")
    wrong_of = {k: sp.lambdify((d_sym, eps_sym), v, "math") for k, v in derivation.mistakes.items()}
    deviations: list[float] = []
    wrong: dict[str, list[float]] = {k: [] for k in wrong_of}
    cases = []
    for dim, eps in separating_first(derivation, CONFIGS, at=lambda c: {"d": c[0], "eps": c[1]}):
        for start in range(STARTS):
            gen = generator(substream(seed, dim, eps, start), dev)
            label = int(torch.randint(dim, (1,), generator=gen, device=dev))
            loss_of = smoothed_loss(torch.tensor([label], device=dev), eps)
            start_point = 3 * torch.randn(dim, generator=gen, device=dev, dtype=torch.float64)
            x = minimise(loss_of, start_point)
            gaps = [float(x[label] - x[j]) for j in range(dim) if j != label]
            minimum = float(loss_of(x))
            deviations += [g - gap_of(dim, eps) for g in gaps] + [minimum - entropy_of(dim, eps)]
            for k, f in wrong_of.items():
                wrong[k] += [g - f(dim, eps) for g in gaps]
            cases.append({"d": dim, "eps": eps, "start": start, "predicted_gap": gap_of(dim, eps),
                          "measured_gap": sum(gaps) / len(gaps), "minimum": minimum,
                          "entropy": entropy_of(dim, eps), "mean_draw": float(start_point.mean()) + label})
    head = cases[0]
    # The answer is the gap: the minima (compared with H(y_hat) above) stay in the cases.
    measurements = tuple(
        Measurement(at={"d": c["d"], "eps": c["eps"]}, quantity="the gap at the L-BFGS minimiser",
                    estimate=c["measured_gap"], interval=(c["measured_gap"] - TOLERANCE, c["measured_gap"] + TOLERANCE),
                    prediction=c["predicted_gap"])
        for c in cases)
    return exact_check(prediction=head["predicted_gap"], estimate=head["measured_gap"], deviations=deviations,
                       tolerance=TOLERANCE, wrong=wrong, samples=len(cases), measurements=measurements,
                       details={"cases": cases})
