r"""E[h_i] under inverted dropout (sheet 9, Problem 2.1).

With m_i ~ Bernoulli(p) (p the keep probability) and h_i = m_i x_i / p for a fixed x,

    E[h_i] = x_i E[m_i] / p = x_i (p * 1 + (1 - p) * 0) / p = x_i:

nothing needs rescaling at test time.

>>> dropout_mean().result
x_i
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq, expectation
from .registry import derivation
from .sheet9_model import bernoulli_moment, m, p, sign_inside, x_i


def kept(scale: sp.Expr = 1 / p) -> sp.Expr:
    """h_i = m_i x_i * scale (inverted dropout: scale 1/p)."""
    return m * x_i * scale


@derivation
def dropout_mean() -> Derivation:
    """Derive E[h_i] = x_i from the Bernoulli mass function."""
    h = sp.Symbol("h_i")
    m_i = sp.Symbol("m_i", real=True)
    mean_m = bernoulli_moment(m, p)
    result = bernoulli_moment(kept(), p)
    steps = (
        Step("Inverted dropout keeps an entry with probability $p$ and divides it by $p$.", eq(h, kept().subs(m, m_i))),
        Step(r"The mask's mean, summed over its two values: $\mathbb{E}[m_i] = p \cdot 1 + (1 - p) \cdot 0$.",
             eq(expectation(m_i), mean_m)),
        Step(r"$x_i$ and $p$ are constants: $\mathbb{E}[h_i] = x_i\,\mathbb{E}[m_i]/p$.", eq(expectation(h), result)),
    )
    return Derivation(
        statement=r"Under inverted dropout with keep probability $p$, $\mathbb{E}[h_i] = x_i$.",
        result=result,
        assumptions={"x_i": "real", "p": "interval(0,1)"},
        steps=steps,
        symbols={"x_i": x_i, "p": p},
        mistakes={
            "missing_rescale": bernoulli_moment(kept(1), p),
            "keep_drop_swapped": sign_inside(bernoulli_moment(kept(), 1 - p)),
        },
        extras={"mask_mean": mean_m},
    )
