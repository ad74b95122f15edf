r"""The gradient of softmax cross-entropy with respect to the logits (Problem 3.2).

For L(x) = -sum_j y_j log softmax(x)_j = -sum_j y_j x_j + (sum_j y_j) log sum_k e^{x_k},

    dL/dx_i = softmax(x)_i sum_j y_j - y_i = z_i - y_i     whenever sum_j y_j = 1,

so it is z - y for a one-hot y and z - y_hat for the smoothed target
y_hat = (1 - eps) y + eps/d, which also sums to one.

>>> softmax_ce_gradient().result
-y[i] + z[i]
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .registry import derivation
from .symbols import d, eps, i, j, k, x, y

z = sp.IndexedBase("z", real=True)

#: Why the line checker cannot judge the steps in x_i.
UNJUDGED_INDEX = ("a derivative by $x_i$ beside a sum over $j$, the index p3.gradient's model reserves for the "
                  "entry differentiated")


def cross_entropy(target: sp.IndexedBase = y) -> sp.Expr:
    """-sum_j target_j log softmax(x)_j, written with log-sum-exp."""
    return -sp.Sum(target[j] * (x[j] - sp.log(sp.Sum(sp.exp(x[k]), (k, 1, d)))), (j, 1, d))


def smoothed_target() -> sp.Expr:
    """y_hat_i = (1 - eps) y_i + eps/d: PyTorch's ``label_smoothing=eps`` of the target y."""
    return (1 - eps) * y[i] + eps / d


def smoothed_target_mass() -> sp.Expr:
    """sum_j y_hat_j for y_hat = (1 - eps) e_y + eps/d: one entry 1 - eps + eps/d, d - 1 of eps/d."""
    return sp.simplify((1 - eps + eps / d) + (d - 1) * eps / d)


def gradient_in_range(expr: sp.Expr) -> sp.Expr:
    """The branch of d/dx_i that holds for 1 <= i <= d (SymPy returns a Piecewise over i)."""
    in_range = expr.doit().replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0].expr)
    return sp.simplify(in_range)


@derivation
def softmax_ce_gradient() -> Derivation:
    """Differentiate the cross-entropy of a softmax and simplify with sum_j y_j = 1."""
    loss = cross_entropy()
    raw = sp.diff(loss, x[i])
    grad = gradient_in_range(raw)
    softmax_i = sp.exp(x[i]) / sp.Sum(sp.exp(x[k]), (k, 1, d))
    mass = sp.Sum(y[j], (j, 1, d))
    onehot = sp.expand(grad.subs(mass, 1))
    result = onehot.subs(softmax_i, z[i])
    steps = (
        Step(r"$\log z_j = x_j - \log \sum_k e^{x_k}$, so the loss is a term linear in $x$ plus a log-sum-exp.",
             eq(sp.Symbol("L"), loss)),
        Step(r"Differentiate with respect to $x_i$ (the Kronecker delta $\delta_{ij}$, 1 if $i = j$ and 0 "
             r"otherwise, picks the $i$-th term).", eq(
            sp.Derivative(sp.Symbol("L"), x[i]), raw), unjudged=UNJUDGED_INDEX),
        Step(r"Evaluate the Kronecker deltas for $1 \le i \le d$.", eq(sp.Derivative(sp.Symbol("L"), x[i]), grad),
             unjudged=UNJUDGED_INDEX),
        Step("A one-hot (or any probability) vector sums to one.", eq(mass, 1)),
        Step("Hence the gradient is the softmax minus the target.", eq(sp.Derivative(sp.Symbol("L"), x[i]),
                                                                        onehot), unjudged=UNJUDGED_INDEX),
        Step(r"With label smoothing the same steps give $z - \hat y$, since the smoothed target "
             r"$\hat y = (1 - \varepsilon) y + \varepsilon/d$ sums to one too:",
             eq(sp.Symbol(r"\sum_j \hat{y}_j"), smoothed_target_mass()),
             unjudged=r"the smoothed target $\hat y$ is not in p3.gradient's model (one-hot $y$)"),
        Step(r"In vector form.", eq(sp.Derivative(sp.Symbol("L"), sp.Symbol("x")),
                                       sp.Symbol("z") - sp.Symbol("y")),
             unjudged=r'a derivative by the whole vector $x$: the checker differentiates by one entry'),
    )
    return Derivation(
        statement=r"For $z = \mathrm{softmax}(x)$ and a target $y$ with $\sum_j y_j = 1$ (one-hot or smoothed), "
                  r"$\partial L / \partial x = z - y$.",
        result=result,
        assumptions={"x": "real vector of length d", "y": "one-hot (or smoothed) target, sum 1",
                     "z": "softmax(x)"},
        steps=steps,
        symbols={"x": x, "y": y, "z": z, "i": i, "d": d},
        mistakes={"sign_flipped": -result},
        extras={"general": grad, "target_mass": smoothed_target_mass(), "smoothed_target": smoothed_target()},
    )
