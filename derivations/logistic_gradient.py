r"""dL/dt for the logistic loss (sheet 9, Problem 3.2).

L(t) = -y log s - (1 - y) log(1 - s), s = sigma(t). By the chain rule with ds/dt = s (1 - s)
(Problem 3.1):

    dL/dt = (-y / s + (1 - y) / (1 - s)) s (1 - s) = -y (1 - s) + (1 - y) s = s - y.

>>> logistic_gradient().result
s - y
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .registry import derivation
from .sheet9_model import OrdinaryDerivative, logistic, s, t, y
from .sigmoid_derivative import in_terms_of_s, sigmoid_derivative


def loss_in_s() -> sp.Expr:
    """L as a function of s: -y log s - (1 - y) log(1 - s)."""
    return -y * sp.log(s) - (1 - y) * sp.log(1 - s)


@derivation
def logistic_gradient() -> Derivation:
    """Chain rule dL/dt = dL/ds ds/dt."""
    dl_ds = sp.diff(loss_in_s(), s)
    ds_dt = sigmoid_derivative().result
    result = sp.expand(sp.simplify(dl_ds * ds_dt))
    direct = sp.simplify(in_terms_of_s(sp.diff(loss_in_s().subs(s, logistic(t)), t)))
    dL = OrdinaryDerivative(sp.Symbol("L"), t)
    steps = (
        Step("Differentiate the loss in $s$.", eq(OrdinaryDerivative(sp.Symbol("L"), s), dl_ds),
             unjudged=(r"a derivative with respect to $s = \sigma(t)$, a defined quantity of p3.gradient's model, "
                       r"not a variable the checker differentiates by")),
        Step(r"Chain rule with $ds/dt = s(1 - s)$ (Problem 3.1).", eq(dL, sp.Mul(dl_ds, ds_dt, evaluate=False))),
        Step("Multiply out.", eq(dL, result)),
    )
    return Derivation(
        statement=r"$\frac{\partial L}{\partial t} = \sigma(t) - y$.",
        result=result,
        assumptions={"s": "interval(0,1)", "t": "real", "y": "binary"},
        steps=steps,
        symbols={"s": s, "y": y},
        mistakes={
            "sign_flipped": -result,
            "chain_rule_dropped": sp.simplify(dl_ds),
        },
        extras={"direct": direct},
    )
