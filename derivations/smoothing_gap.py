r"""The minimiser of cross-entropy against a label-smoothed target (Problem 3.3).

With y_hat = (1 - eps) y + eps/d (PyTorch's ``label_smoothing=eps``) the loss
L(x) = -sum_i y_hat_i x_i + log sum_k e^{x_k} is convex (its Hessian z_i delta_ij - z_i z_j,
i.e. diag(z) - z z^T, is the covariance matrix of a one-hot draw from z, for every d), and its
gradient z - y_hat vanishes exactly when softmax(x) = y_hat, i.e. x = log y_hat + c. The optimal
gap between the true class and any other is

    x_y - x_j = log((1 - eps + eps/d) / (eps/d)) = log(1 + d (1 - eps) / eps),

and the minimum value is the entropy H(y_hat) (Szegedy et al., 2016, "Rethinking the Inception
Architecture", section 7; Mueller, Kornblith and Hinton, 2019).

>>> smoothing_gap().result
log(d*(1 - eps)/eps + 1)
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .registry import derivation
from .softmax_ce_gradient import gradient_in_range, softmax_ce_gradient, z
from .symbols import c, d, eps, i, j, k, x, y, y_hat

#: Dimension at which the general Hessian is cross-checked entry by entry with explicit logits.
HESSIAN_DIMENSION = 3


def smoothed_target() -> tuple[sp.Expr, sp.Expr]:
    """(y_hat for the true class, y_hat for every other class) of (1 - eps) y + eps/d
    (``softmax_ce_gradient``'s target at y_i = 1 and y_i = 0)."""
    target = softmax_ce_gradient().extras["smoothed_target"]
    return target.subs(y[i], 1), target.subs(y[i], 0)


def log_sum_exp_hessian() -> sp.Expr:
    """d^2/(dx_i dx_j) log sum_{k=1}^{d} e^{x_k} = z_i delta_ij - z_i z_j for every d, z = softmax(x):
    SymPy differentiates the sum over k twice; the result, written with z, is checked equal to it."""
    total = sp.Sum(sp.exp(x[k]), (k, 1, d))
    hessian = gradient_in_range(sp.diff(sp.log(total), x[i], x[j]))
    in_z = z[i] * sp.KroneckerDelta(i, j) - z[i] * z[j]
    if sp.simplify(sp.expand(hessian - in_z.subs({z[i]: sp.exp(x[i]) / total, z[j]: sp.exp(x[j]) / total}))) != 0:
        raise ArithmeticError("the Hessian of log-sum-exp is not z_i delta_ij - z_i z_j")
    return in_z


def hessian_is_softmax_covariance(dim: int = HESSIAN_DIMENSION) -> bool:
    """The Hessian of log-sum-exp equals diag(z) - z z^T, proven for ``dim`` explicit logits."""
    xs = sp.symbols(f"x1:{dim + 1}", real=True)
    lse = sp.log(sum(sp.exp(v) for v in xs))
    zs = sp.Matrix([sp.exp(v) / sum(sp.exp(u) for u in xs) for v in xs])
    difference = sp.hessian(lse, xs) - (sp.diag(*zs) - zs * zs.T)
    return difference.applyfunc(sp.simplify) == sp.zeros(dim, dim)


def gap_formula(true_mass: sp.Expr, other_mass: sp.Expr) -> sp.Expr:
    """log(true_mass / other_mass) with the ratio simplified to one fraction."""
    return sp.log(sp.together(sp.simplify(true_mass / other_mass)))


@derivation
def smoothing_gap() -> Derivation:
    """Solve the stationarity condition z = y_hat and read off the gap and the minimum."""
    top, rest = smoothed_target()
    gradient = softmax_ce_gradient().result
    stationary = sp.solve(gradient.subs(y[i], y_hat[i]), z[i])[0]
    x_top, x_rest = sp.log(top) + c, sp.log(rest) + c
    gap = sp.log(1 + sp.together(sp.simplify(top / rest - 1)))
    gap_check = sp.simplify(sp.expand_log((x_top - x_rest) - gap, force=True))
    log_denominator = sp.log(sp.exp(x_top) + (d - 1) * sp.exp(x_rest))  # log sum_k e^{x_k} at x = log y_hat + c
    minimum = sp.simplify(sp.expand_log(-(top * x_top + (d - 1) * rest * x_rest) + log_denominator,
                                        force=True))
    entropy = -(top * sp.log(top) + (d - 1) * rest * sp.log(rest))
    minimum_is_entropy = sp.simplify(sp.expand_log(minimum - entropy, force=True)) == 0
    steps = (
        Step(r"The smoothed target: the true class keeps $1 - \varepsilon$ plus its share $\varepsilon/d$.",
             eq(sp.Tuple(y_hat[sp.Symbol("y")], y_hat[sp.Symbol("j")]), sp.Tuple(top, rest)),
             unjudged=r'a pair of values (the true class and another): the checker reads one expression a side'),
        Step(r"The loss is convex (bowl-shaped): its matrix of second derivatives is that of log-sum-exp "
             r"(the rest is linear in $x$), $\operatorname{diag}(z) - z z^\top$, and "
             r"$v^\top \nabla^2 L\, v = \sum_i z_i v_i^2 - (\sum_i z_i v_i)^2 \ge 0$ for every $v$, for every $d$.",
             eq(sp.Derivative(sp.Symbol("L"), x[i], x[j]), log_sum_exp_hessian()),
             unjudged=(r"a second derivative by two entries $x_i$, $x_j$: p3.smoothing_gap's model has no "
                       r"logits")),
        Step(r"So a point where the gradient is zero is the minimum: the gradient $z - \hat y$ (Problem 3.2) "
             r"vanishes when",
             eq(z[i], stationary)),
        Step(r"$\mathrm{softmax}(x) = \hat y$ inverts to $x_i = \log \hat y_i + c$ for any constant $c$.",
             eq(sp.Tuple(sp.Symbol("x_y"), sp.Symbol("x_j")), sp.Tuple(x_top, x_rest)),
             unjudged=r'a pair of values (the true class and another): the checker reads one expression a side'),
        Step("The gap between the true class and any other is finite.", eq(
            sp.Symbol("x_y") - sp.Symbol("x_j"), gap)),
        Step(r"At the minimiser the log of the softmax denominator is $\log \sum_k e^{x_k} = "
             r"\log \sum_k \hat y_k + c = c$, and the loss is the entropy "
             r"$H(\hat y) = -\sum_i \hat y_i \log \hat y_i$ of $\hat y$ (SymPy checks "
             r"$L(x^*) - H(\hat y) = 0$ for every $c$).",
             eq(sp.Symbol("L^*"), entropy),
             unjudged=(r'the minimum value $L^*$: p3.smoothing_gap asks for the gap and its model has no loss to '
                       r'compare with; SymPy checks $L(x^*) - H(\hat y) = 0$')),
    )
    mistakes = {
        "alt_smoothing_convention": gap_formula(1 - eps, eps / (d - 1)),
        "true_class_mass_missed": gap_formula(1 - eps, rest),
    }
    return Derivation(
        statement=r"With $\hat y = (1 - \varepsilon) y + \varepsilon/d$ the loss is minimised at "
                  r"$x = \log \hat y + c$: the gap $x_y - x_j = \log(1 + d(1 - \varepsilon)/\varepsilon)$ and "
                  r"the minimum is $H(\hat y)$.",
        result=gap,
        assumptions={"d": "positive_integer", "eps": "interval(0,1)"},
        steps=steps,
        symbols={"d": d, "eps": eps},
        mistakes=mistakes,
        extras={"minimum": minimum, "entropy": entropy, "minimum_is_entropy": minimum_is_entropy,
                "gap_check": gap_check, "hessian_ok": hessian_is_softmax_covariance(),
                "target": (top, rest)},
    )
