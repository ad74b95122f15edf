r"""The weight scale that keeps Var[y] = 1 in training with drop probability q (sheet 9, Problem 2.3).

PyTorch's ``F.dropout(x, q)`` drops with probability q: the keep probability is p = 1 - q. Solving
d sigma^2 / (2 (1 - q)) = 1 for sigma > 0 gives sigma = sqrt(2 (1 - q) / d).

>>> dropout_sigma().result
sqrt(2)*sqrt(1 - q)/sqrt(d)
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq, variance
from .dropout_layer_variance import dropout_layer_variance, layer_variance
from .registry import derivation
from .sheet9_model import d, one_root, p, q, sigma, sign_inside
from .uniform_bound import solve_square, solve_unit


@derivation
def dropout_sigma() -> Derivation:
    """Derive sigma = sqrt(2 (1 - q) / d) from :func:`dropout_layer_variance` at p = 1 - q."""
    lv = dropout_layer_variance().result
    at_q = lv.subs(p, 1 - q)
    root = sign_inside(sp.simplify(solve_unit(at_q, sigma)))
    square = solve_square(at_q, sigma)
    y = sp.Symbol("y")
    steps = (
        Step(r"$\operatorname{Var}[y]$ as derived in Problem 2.2, keep probability $p$.", eq(variance(y), lv),
             unjudged=(r"dropout_layer_variance's result in the keep probability $p$, judged there; p2.sigma's "
                       r"lines are equations that fix $\sigma$ in the drop probability $q$")),
        Step(r"\texttt{F.dropout(x, q)} drops with probability $q$: keep probability $p = 1 - q$.",
             eq(variance(y), at_q),
             unjudged=r"a value of $\operatorname{Var}[y]$, not an equation that fixes $\sigma$ (p2.sigma's lines)"),
        Step("Require unit output variance.", eq(at_q, 1)),
        Step("Solve for the weights' variance.", eq(sigma**2, square)),
        Step("Take the positive root, written as one root.", eq(sigma, one_root(root))),
    )
    swapped = layer_variance(keep=1 - p, scale=1 / (1 - p)).subs(p, 1 - q)
    return Derivation(
        statement=r"With drop probability $q$, $\sigma = \sqrt{2(1 - q)/d}$ keeps $\operatorname{Var}[y] = 1$ "
                  "in training.",
        result=root,
        assumptions={"d": "positive_integer", "q": "interval(0,1)"},
        steps=steps,
        symbols={"d": d, "q": q},
        mistakes={
            "keep_drop_swapped": sp.simplify(solve_unit(swapped, sigma)),
            "he_scale": solve_unit(layer_variance(keep=1, scale=1), sigma),
            "gave_variance": square,
        },
        extras={"variance_at_q": at_q},
    )
