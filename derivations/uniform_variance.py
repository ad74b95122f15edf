r"""Var[y] for y = w^T z with uniform weights (sheet 9, Problem 1.1).

With z_i ~ N(0, 1) and w_i ~ U(-a, a) all independent, E[w_i] = 0 kills the cross terms and

    Var[y] = sum_i E[w_i^2] E[z_i^2] = d * (int_{-a}^{a} w^2 / (2a) dw) * 1 = d a^2 / 3.

>>> uniform_variance().result
a**2*d/3
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq, expectation, variance
from .registry import derivation
from .sheet9_model import a, d, gaussian_moment, hi, lo, uniform_moment, w, z

i = sp.Symbol("i", integer=True, positive=True)
wi, zi = sp.IndexedBase("w", real=True), sp.IndexedBase("z", real=True)


def layer_variance(weight_second_moment: sp.Expr, terms: sp.Expr = d) -> sp.Expr:
    """Var[y] = sum_{i=1}^{terms} E[w_i^2] E[z_i^2] (E[w_i] = 0: no cross terms)."""
    return sp.summation(weight_second_moment * gaussian_moment(z**2), (i, 1, terms))


def width_formula_moment() -> sp.Expr:
    """The mistake's E[w^2]: Var[U(lo, hi)] = (hi - lo)^2 / 12, derived, applied with hi - lo = a
    (the half-width a taken for the width 2a)."""
    general = uniform_moment((w - (lo + hi) / 2) ** 2, lo, hi)
    return general.subs({lo: 0, hi: a})


@derivation
def uniform_variance() -> Derivation:
    """Derive Var[y] = d a^2 / 3 from the uniform density."""
    mean_w = uniform_moment(w, -a, a)
    second_w = uniform_moment(w**2, -a, a)
    second_z = gaussian_moment(z**2)
    result = layer_variance(second_w)
    y = sp.Symbol("y")
    steps = (
        Step("The output is a sum of $d$ products of independent factors.", eq(y, sp.Sum(wi[i] * zi[i], (i, 1, d)))),
        Step(r"The uniform law on $[-a, a]$ is symmetric: $\mathbb{E}[w_i] = 0$, so $\mathbb{E}[y] = 0$ and the "
             r"cross terms of $\mathbb{E}[y^2]$ vanish.",
             eq(expectation(wi[i]), mean_w)),
        Step(r"The second moment of a weight, integrated against the density $1/(2a)$.",
             eq(expectation(wi[i] ** 2), second_w)),
        Step(r"The inputs are standard normal: $\mathbb{E}[z_i^2] = 1$.", eq(expectation(zi[i] ** 2), second_z)),
        Step(r"Sum the $d$ equal terms $\mathbb{E}[w_i^2]\,\mathbb{E}[z_i^2]$.", eq(variance(y), result)),
    )
    return Derivation(
        statement=r"For $y = w^\top z$ with $z_i \sim \mathcal{N}(0, 1)$, $w_i \sim U(-a, a)$ independent, "
                  r"$\operatorname{Var}[y] = d\,\mathbb{E}[w_i^2] = d a^2/3$.",
        result=result,
        assumptions={"d": "positive_integer", "a": "positive"},
        steps=steps,
        symbols={"d": d, "a": a},
        mistakes={
            "width_formula": layer_variance(width_formula_moment()),
            "bound_as_std": layer_variance(a**2),
            "missing_dimension": layer_variance(second_w, terms=1),
        },
        extras={"weight_mean": mean_w, "weight_second_moment": second_w},
    )
