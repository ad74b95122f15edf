r"""Without label smoothing cross-entropy has no finite minimiser (Problem 3.3).

Write the loss with the gaps g_j = x_y - x_j (j != y) for a one-hot label y (SymPy sums over
j = 1, ..., d - 1, the other classes relabelled; the steps display the sum over j != y):

    L = -log z_y = log(1 + sum_{j != y} e^{-g_j}),   dL/dg_j = -e^{-g_j} / (1 + sum e^{-g}) < 0,

so L decreases strictly in every gap, is positive for every finite x, and tends to 0 only as all
gaps tend to infinity: the optimal gap is oo.

>>> unsmoothed_minimizer().result
oo
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from .claim import Derivation, Step, eq
from .registry import derivation
from .smoothing_gap import smoothing_gap
from .symbols import d, eps, g, j, k

gaps = sp.IndexedBase("g", real=True)
#: The true class, the one index the sums over the other classes leave out.
true_class = sp.Symbol("y", integer=True, positive=True)


class SumOverOthers(sp.Function):
    """sum_{j != y} f_j, unevaluated: the sum over the d - 1 classes other than the true class y.

    SymPy computes with sum_{j=1}^{d-1} (the other classes relabelled 1, ..., d - 1);
    :func:`over_others` writes such a sum back over j != y for display, without the relabelling."""

    nargs = 2

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        term = printer._print(self.args[0])
        tex = rf"\sum_{{{printer._print(self.args[1])} \ne {printer._print(true_class)}}} {term}"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _sympystr(self, printer: Any) -> str:
        return f"Sum({printer._print(self.args[0])}, {printer._print(self.args[1])} != y)"


def over_others(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every sum over j = 1, ..., d - 1 written as the sum over j != y it stands for."""
    return expr.replace(lambda e: isinstance(e, sp.Sum) and e.limits == ((j, 1, d - 1),),
                        lambda e: SumOverOthers(e.function, j))


#: Why the line checker does not judge these steps: p3.unsmoothed_gap's model is the optimum itself
#: (z = the one-hot y), which names neither the gaps g_j nor their limit.
UNJUDGED_GAPS = (r"the steps are in the gaps $g_j$ and their limit; p3.unsmoothed_gap's model is the optimum "
                 r"itself ($z$ the one-hot $y$), which names neither")

@derivation
def unsmoothed_minimizer() -> Derivation:
    """Show L decreases in every gap and its infimum 0 is reached only in the limit."""
    loss = sp.log(1 + sp.Sum(sp.exp(-gaps[j]), (j, 1, d - 1)))
    slope = sp.simplify(sp.diff(loss, gaps[k]).doit().replace(
        lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0].expr))
    others = sp.Symbol("r", positive=True)  # d - 1 >= 1 other classes
    equal_gaps = sp.log(1 + others * sp.exp(-g))
    equal_slope = sp.diff(equal_gaps, g)
    decreasing = bool(equal_slope.is_negative)
    positive = bool(equal_gaps.is_positive)
    limit = sp.limit(equal_gaps, g, sp.oo)
    optimal_gap = sp.oo if (decreasing and positive and limit == 0) else sp.nan
    smoothed_limit = sp.limit(smoothing_gap().result, eps, 0, "+")
    steps = (
        Step(r"With gaps $g_j = x_y - x_j$ the loss is $-\log z_y$.", eq(sp.Symbol("L"), over_others(loss)),
             unjudged=UNJUDGED_GAPS),
        Step(r"Every partial derivative ($k \ne y$) is negative: increasing any gap lowers the loss.",
             eq(sp.Derivative(sp.Symbol("L"), gaps[k]), over_others(slope)), unjudged=UNJUDGED_GAPS),
        Step("Along equal gaps $g$ with $r = d - 1$ other classes, the slope is negative for every $g$.",
             eq(sp.Derivative(equal_gaps, g), equal_slope), unjudged=UNJUDGED_GAPS),
        Step(r"The loss is positive at every finite $g$ and tends to 0 only as $g \to \infty$.",
             eq(sp.Limit(equal_gaps, g, sp.oo), limit), unjudged=UNJUDGED_GAPS),
        Step(r"No finite minimiser exists; the optimal gap is infinite. It is also the $\varepsilon \to 0$ "
             r"limit of the finite gap under label smoothing, derived below.",
             eq(sp.Limit(smoothing_gap().result, eps, 0, "+"), smoothed_limit), unjudged=UNJUDGED_GAPS),
    )
    return Derivation(
        statement=r"With a one-hot label the loss decreases strictly in every gap $x_y - x_j$ and tends "
                  r"to 0 only as the gaps tend to infinity: no finite minimiser, optimal gap $\infty$.",
        result=optimal_gap,
        assumptions={"d": "positive_integer (d >= 2)"},
        steps=steps,
        symbols={"d": d},
        mistakes={"finite_minimizer": smoothing_gap().result},
        extras={"decreasing": decreasing, "positive": positive, "limit": limit,
                "smoothed_limit": smoothed_limit, "loss_equal_gaps": equal_gaps.subs(others, d - 1)},
    )
