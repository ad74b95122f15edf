r"""The weight scale that keeps a ReLU layer's output at unit variance (Problem 2).

Solving Var[y] = d sigma^2 / 2 = 1 for sigma > 0 gives

    sigma = sqrt(2 / d),

He et al. (2015), the `kaiming_normal_` default (gain sqrt(2), fan_in d).

>>> he_sigma().result
sqrt(2)/sqrt(d)
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq, variance
from .registry import derivation
from .relu_variance import relu_variance
from .symbols import d, sigma


def solve_unit_variance(var: sp.Expr) -> sp.Expr:
    """The positive sigma with var(sigma) = 1."""
    (root,) = sp.solve(eq(var, 1), sigma)
    return root


@derivation
def he_sigma() -> Derivation:
    """Derive sigma = sqrt(2/d) from :func:`relu_variance`."""
    rv = relu_variance()
    root = solve_unit_variance(rv.result)
    s2 = sp.Symbol("s2", positive=True)
    (sigma_squared,) = sp.solve(sp.Eq(rv.result.subs(sigma**2, s2), 1), s2)
    y = sp.Symbol("y")
    steps = (
        Step(r"$\operatorname{Var}[y]$ as derived in Problem 2.1.", eq(variance(y), rv.result),
             unjudged=(r"relu_variance's result, judged there with its steps; p2.sigma's lines are equations that "
                       r"fix $\sigma$, and this one does not")),
        Step("Require unit output variance.", eq(rv.result, 1)),
        Step("Solve for the variance of the weights.", eq(sigma**2, sigma_squared)),
        Step("Take the positive root: the standard deviation.", eq(sigma, root)),
    )
    mistakes = {
        "gave_variance": sigma_squared,
        "lecun_scale": solve_unit_variance(rv.mistakes["missing_relu_half"]),
        "missing_relu_half": solve_unit_variance(rv.mistakes["missing_relu_half"]),
    }
    return Derivation(
        statement=r"The standard deviation giving $\operatorname{Var}[y] = 1$ is $\sigma = \sqrt{2/d}$.",
        result=root,
        assumptions={"d": "positive_integer"},
        steps=steps,
        symbols={"d": d},
        mistakes=mistakes,
        extras={"sigma_squared": sigma_squared},
    )
