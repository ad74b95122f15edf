r"""Var[h_i] under inverted dropout (sheet 9, Problem 2.1).

With m_i ~ Bernoulli(p) and h_i = m_i x_i / p, E[m_i^2] = p (m_i is 0 or 1), so

    Var[h_i] = E[h_i^2] - E[h_i]^2 = x_i^2 / p - x_i^2 = x_i^2 (1 - p) / p.

>>> dropout_variance().result
x_i**2*(1 - p)/p
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq, expectation, variance
from .dropout_mean import kept
from .registry import derivation
from .sheet9_model import bernoulli_moment, m, p, sign_inside, x_i


def dropout_var(keep: sp.Expr = p, scale: sp.Expr = 1 / p, centred: bool = True) -> sp.Expr:
    """Var[h_i] (or E[h_i^2] when not ``centred``) for h_i = m_i x_i scale, m_i ~ Bernoulli(keep)."""
    second = bernoulli_moment(kept(scale) ** 2, keep)
    mean = bernoulli_moment(kept(scale), keep)
    return sign_inside(sp.simplify(second - mean**2)) if centred else second


@derivation
def dropout_variance() -> Derivation:
    """Derive Var[h_i] = x_i^2 (1 - p) / p from the Bernoulli mass function."""
    h = sp.Symbol("h_i")
    second_m = bernoulli_moment(m**2, p)
    second_h = dropout_var(centred=False)
    mean_h = bernoulli_moment(kept(), p)
    result = dropout_var()
    steps = (
        Step(r"$m_i$ is $0$ or $1$, so $m_i^2 = m_i$ and $\mathbb{E}[m_i^2] = p$.",
             eq(expectation(sp.Symbol("m_i", real=True) ** 2), second_m)),
        Step(r"The second moment of $h_i = m_i x_i / p$.", eq(expectation(h**2), second_h)),
        Step(r"The mean (Problem 2.1).", eq(expectation(h), mean_h)),
        Step(r"$\operatorname{Var}[h_i] = \mathbb{E}[h_i^2] - \mathbb{E}[h_i]^2$.",
             eq(variance(h), sp.factor_terms(second_h - mean_h**2))),
        Step("Simplify.", eq(variance(h), result)),
    )
    return Derivation(
        statement=r"Under inverted dropout with keep probability $p$, "
                  r"$\operatorname{Var}[h_i] = x_i^2 (1 - p)/p$.",
        result=result,
        assumptions={"x_i": "real", "p": "interval(0,1)"},
        steps=steps,
        symbols={"x_i": x_i, "p": p},
        mistakes={
            "missing_inverse_keep": dropout_var(scale=1),
            "keep_drop_swapped": dropout_var(keep=1 - p, scale=1 / (1 - p)),
            "gave_second_moment": second_h,
        },
        extras={"second_moment": second_h},
    )
