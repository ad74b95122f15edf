r"""Var[y] of a layer after inverted dropout of ReLU features (sheet 9, Problem 2.2).

x = ReLU(z), z_i ~ N(0, 1); h_i = m_i x_i / p, m_i ~ Bernoulli(p); y = w^T h, w_i ~ N(0, sigma^2);
w, z, m independent. E[w_i] = 0 kills the cross terms, and m, z are independent, so

    Var[y] = sum_i E[w_i^2] E[m_i^2] / p^2 E[ReLU(z_i)^2] = d sigma^2 (p / p^2) (1/2) = d sigma^2 / (2p).

>>> dropout_layer_variance().result
d*sigma**2/(2*p)
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq, expectation, variance
from .registry import derivation
from .sheet9_model import bernoulli_moment, d, gaussian_moment, m, p, sigma, sign_inside, z

i = sp.Symbol("i", integer=True, positive=True)
RELU = sp.Max(0, z)
wi, hi_ = sp.IndexedBase("w", real=True), sp.IndexedBase("h", real=True)


def layer_variance(keep: sp.Expr = p, scale: sp.Expr = 1 / p, feature: sp.Expr = RELU,
                   weight_second_moment: sp.Expr = sigma**2) -> sp.Expr:
    """sum_{i=1}^{d} E[w_i^2] E[(m_i scale)^2] E[feature(z_i)^2], m_i ~ Bernoulli(keep)."""
    mask = bernoulli_moment((m * scale) ** 2, keep)
    return sign_inside(sp.simplify(sp.summation(weight_second_moment * mask * gaussian_moment(feature**2), (i, 1, d))))


@derivation
def dropout_layer_variance() -> Derivation:
    """Derive Var[y] = d sigma^2 / (2p)."""
    y = sp.Symbol("y")
    mask = bernoulli_moment((m / p) ** 2, p)
    relu2 = gaussian_moment(sp.Max(0, z) ** 2)
    result = layer_variance()
    steps = (
        Step("The output sums $d$ products of independent factors.", eq(y, sp.Sum(wi[i] * hi_[i], (i, 1, d)))),
        Step(r"$\mathbb{E}[w_i] = 0$: the mean of $y$ and the cross terms of $\mathbb{E}[y^2]$ vanish, and "
             r"$\mathbb{E}[h_i^2] = \mathbb{E}[m_i^2]\,\mathbb{E}[x_i^2]/p^2$ ($m$ and $z$ independent).",
             eq(expectation((sp.Symbol("m_i", real=True) / p) ** 2), mask)),
        Step("The second moment of a rectified standard normal.",
             eq(expectation(sp.Max(0, sp.Symbol("z_i", real=True)) ** 2), relu2)),
        Step(r"Sum the $d$ equal terms $\sigma^2 \cdot \frac{1}{p} \cdot \frac{1}{2}$.", eq(variance(y), result)),
    )
    return Derivation(
        statement=r"With inverted dropout (keep probability $p$) of $x = \mathrm{ReLU}(z)$ before "
                  r"$y = w^\top h$, $\operatorname{Var}[y] = d\sigma^2/(2p)$.",
        result=result,
        assumptions={"d": "positive_integer", "sigma": "positive", "p": "interval(0,1)"},
        steps=steps,
        symbols={"d": d, "sigma": sigma, "p": p},
        mistakes={
            "keep_drop_swapped": layer_variance(keep=1 - p, scale=1 / (1 - p)),
            "missing_relu_half": layer_variance(feature=z),
            "missing_dropout": layer_variance(keep=1, scale=1),
        },
        extras={"mask_second_moment": mask, "relu_second_moment": relu2},
    )
