r"""dsigma/dt as a function of sigma alone (sheet 9, Problem 3.1).

sigma(t) = 1 / (1 + e^{-t}); by the chain rule sigma'(t) = e^{-t} / (1 + e^{-t})^2, and with
e^{-t} = (1 - s)/s for s = sigma(t) this is s (1 - s).

>>> sigmoid_derivative().result
s*(1 - s)
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .registry import derivation
from .sheet9_model import OrdinaryDerivative, Product, logistic, s, sign_inside, t


def in_terms_of_s(expr: sp.Expr) -> sp.Expr:
    """Rewrite a function of t through s = sigma(t): e^{-t} = (1 - s)/s (solved from s = sigma(t))."""
    u = sp.Symbol("u", positive=True)
    (e_minus_t,) = sp.solve(sp.Eq(s, 1 / (1 + u)), u)
    return sign_inside(sp.simplify(expr.subs(sp.exp(-t), e_minus_t).subs(sp.exp(t), 1 / e_minus_t)))


def quotient_derivative(numerator: sp.Expr, denominator: sp.Expr, denominator_constant: bool = False) -> sp.Expr:
    """(f/g)' = (f' g - f g') / g^2; with ``denominator_constant`` g' is dropped (the mistake)."""
    g_prime = 0 if denominator_constant else sp.diff(denominator, t)
    return (sp.diff(numerator, t) * denominator - numerator * g_prime) / denominator**2


def chain(inner_derivative: sp.Expr | None = None) -> sp.Expr:
    """d/dt (1 + u)^{-1} at u = e^{-t}: the outer derivative -(1 + u)^{-2} times u'(t) (by default
    SymPy's derivative of e^{-t}; the mistake passes another)."""
    u = sp.Symbol("u")
    inner = sp.exp(-t)
    outer = sp.diff(logistic(t).subs(inner, u), u).subs(u, inner)
    return outer * (sp.diff(inner, t) if inner_derivative is None else inner_derivative)


@derivation
def sigmoid_derivative() -> Derivation:
    """Differentiate the logistic function and rewrite the result in sigma."""
    derivative = chain()
    result = in_terms_of_s(derivative)
    ds = OrdinaryDerivative(sp.Symbol("sigma"), t)
    sig_t = sp.Function("sigma")(t)
    steps = (
        Step(r"Chain rule on $(1 + e^{-t})^{-1}$: the inner derivative is $-e^{-t}$.", eq(ds, derivative)),
        Step(r"Split: $\frac{1}{1 + e^{-t}} \cdot \frac{e^{-t}}{1 + e^{-t}} = \sigma(t)\,(1 - \sigma(t))$.",
             eq(derivative, Product(sig_t, 1 - sig_t))),
        Step(r"In $s = \sigma(t)$.", eq(ds, result)),
    )
    # sigma = e^t / (1 + e^t) by the quotient rule
    numerator, denominator = sp.exp(t), 1 + sp.exp(t)
    return Derivation(
        statement=r"$\frac{d\sigma}{dt} = \sigma(t)\,(1 - \sigma(t))$.",
        result=result,
        assumptions={"s": "interval(0,1)", "t": "real"},
        steps=steps,
        symbols={"s": s, "t": t},
        mistakes={
            "chain_rule_dropped": in_terms_of_s(quotient_derivative(numerator, denominator, denominator_constant=True)),
            "inner_sign_dropped": in_terms_of_s(chain(sp.exp(-t))),
        },
        extras={"in_t": derivative},
    )
