r"""Glorot and Bengio's uniform bound (sheet 9, Problem 1.3).

Var[w_i] = E[w_i^2] = a^2 / 3 under U(-a, a) (``uniform_variance``); setting it to
2 / (n_in + n_out) and solving for a > 0 gives

    a = sqrt(6 / (n_in + n_out)),

the bound of ``torch.nn.init.xavier_uniform_`` (gain 1, fan_in n_in, fan_out n_out).

>>> glorot_bound().result
sqrt(6)/sqrt(n_in + n_out)
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq, variance
from .registry import derivation
from .sheet9_model import a, n_in, n_out, one_root
from .uniform_bound import solve_square, solve_unit
from .uniform_variance import uniform_variance, width_formula_moment


@derivation
def glorot_bound() -> Derivation:
    """Derive a = sqrt(6 / (n_in + n_out)) from the uniform law's second moment."""
    second = uniform_variance().extras["weight_second_moment"]
    target = 2 / (n_in + n_out)
    root = solve_unit(second / target)
    square = solve_square(second / target)
    w_i = sp.Symbol("w_i", real=True)
    steps = (
        Step(r"The variance of $w_i \sim U(-a, a)$ (Problem 1.1: mean zero).", eq(variance(w_i), second)),
        Step(r"Glorot and Bengio's choice of the weights' variance.", eq(second, target)),
        Step("Solve for the square of the bound.", eq(a**2, square)),
        Step("Take the positive root, written as one root.", eq(a, one_root(root))),
    )
    return Derivation(
        statement=r"The uniform law with variance $2/(n_{\mathrm{in}} + n_{\mathrm{out}})$ has the bound "
                  r"$a = \sqrt{6/(n_{\mathrm{in}} + n_{\mathrm{out}})}$, PyTorch's \texttt{xavier\_uniform\_}.",
        result=root,
        assumptions={"n_in": "positive_integer", "n_out": "positive_integer"},
        steps=steps,
        symbols={"n_in": n_in, "n_out": n_out},
        mistakes={
            "width_formula": solve_unit(width_formula_moment() / target),
            "bound_as_std": solve_unit(a**2 / target),
            "gave_square": square,
        },
        extras={"variance": target},
    )
