r"""The bound a of U(-a, a) that gives Var[y] = 1 (sheet 9, Problem 1.2).

Solving Var[y] = d a^2 / 3 = 1 for a > 0 gives a = sqrt(3/d), the bound of
``kaiming_uniform_(nonlinearity="linear")`` (gain 1, fan_in d).

>>> uniform_bound().result
sqrt(3)/sqrt(d)
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq, variance
from .registry import derivation
from .sheet9_model import a, d, one_root
from .uniform_variance import uniform_variance


def solve_unit(var: sp.Expr, unknown: sp.Symbol = a) -> sp.Expr:
    """The positive ``unknown`` with var(unknown) = 1."""
    (root,) = sp.solve(sp.Eq(var, 1), unknown)
    return root


def solve_square(var: sp.Expr, unknown: sp.Symbol = a) -> sp.Expr:
    """unknown^2 from var = 1 (the square, before the root is taken)."""
    square = sp.Symbol("square", positive=True)
    (value,) = sp.solve(sp.Eq(var.subs(unknown**2, square), 1), square)
    return value


@derivation
def uniform_bound() -> Derivation:
    """Derive a = sqrt(3/d) from :func:`uniform_variance`."""
    uv = uniform_variance()
    root = solve_unit(uv.result)
    square = solve_square(uv.result)
    y = sp.Symbol("y")
    steps = (
        Step(r"$\operatorname{Var}[y]$ as derived in Problem 1.1.", eq(variance(y), uv.result),
             unjudged=(r"uniform_variance's result, judged there with its steps; p1.bound's lines are equations "
                       r"that fix $a$, and this one does not")),
        Step("Require unit output variance.", eq(uv.result, 1)),
        Step("Solve for the square of the bound.", eq(a**2, square)),
        Step("Take the positive root, written as one root.", eq(a, one_root(root))),
    )
    return Derivation(
        statement=r"The bound giving $\operatorname{Var}[y] = 1$ is $a = \sqrt{3/d}$.",
        result=root,
        assumptions={"d": "positive_integer"},
        steps=steps,
        symbols={"d": d},
        mistakes={
            "width_formula": solve_unit(uv.mistakes["width_formula"]),
            "bound_as_std": solve_unit(uv.mistakes["bound_as_std"]),
            "gave_square": square,
        },
        extras={"square": square},
    )
