r"""Softmax is shift invariant, and shifting by the maximum never exponentiates a positive number.

    softmax(x - c)_i = e^{x_i - c} / sum_k e^{x_k - c} = e^{-c} e^{x_i} / (e^{-c} sum_k e^{x_k})
                     = softmax(x)_i            for every real c,

and with c = m = max_j x_j every exponent x_k - m = -max(0, x_1 - x_k, ..., x_d - x_k) <= 0
(Goodfellow, Bengio and Courville, "Deep Learning", section 4.1).

>>> stable_softmax().result
exp(-m + x[i])/Sum(exp(-m + x[k]), (k, 1, d))
"""
from __future__ import annotations

from typing import Any

import sympy as sp

from .claim import Derivation, Step, eq
from .registry import derivation
from .symbols import c, d, i, k, m, x

#: Dimensions at which the identity and the sign of every exponent are cross-checked term by term by SymPy
#: (the argument itself holds for every d: a maximum is at least each of its terms, one of them 0).
CONCRETE_DIMENSIONS = range(2, 7)


class MaxOver(sp.Function):
    """max_k f(x_k) over the index k of a vector, unevaluated: MaxOver(x[k], k) is the shift m."""

    nargs = 2

    def _latex(self, printer: Any) -> str:
        return rf"\max_{{{printer._print(self.args[1])}}} {printer._print(self.args[0])}"


def softmax(vector: sp.IndexedBase, index: sp.Expr, shift: sp.Expr = 0) -> sp.Expr:
    """e^{x_index - shift} / sum_{k=1}^{d} e^{x_k - shift}."""
    return sp.exp(vector[index] - shift) / sp.Sum(sp.exp(vector[k] - shift), (k, 1, d))


def _pull_out_shift(expr: sp.Expr) -> sp.Expr:
    """Split e^{a - c} = e^a e^{-c} and pull the constant e^{-c} out of the sum."""
    return sp.factor_terms(sp.expand(expr, power_exp=True))


def shift_invariant_for(dim: int) -> bool:
    """softmax(x - c) == softmax(x) with dim explicit coordinates: split every e^{a - c} and cancel."""
    xs = sp.symbols(f"x1:{dim + 1}", real=True)
    num = [sp.exp(v - c) / sum(sp.exp(u - c) for u in xs) - sp.exp(v) / sum(sp.exp(u) for u in xs)
           for v in xs]
    return all(sp.cancel(sp.expand(e, power_exp=True)) == 0 for e in num)


def exponents_nonpositive_for(dim: int) -> bool:
    """Every x_k - max_j x_j <= 0, proven by SymPy's assumptions for dim explicit coordinates."""
    xs = sp.symbols(f"x1:{dim + 1}", real=True)
    return all((v - sp.Max(*xs)).is_nonpositive or sp.Max(*[u - v for u in xs]).is_nonnegative
               for v in xs)


@derivation
def stable_softmax() -> Derivation:
    """Derive the max-shifted softmax and prove it equal and overflow free."""
    shifted = softmax(x, i, c)
    numerator = sp.expand(sp.exp(x[i] - c), power_exp=True)
    denominator = _pull_out_shift(sp.Sum(sp.exp(x[k] - c), (k, 1, d)))
    split = sp.Mul(numerator, sp.Pow(denominator, -1, evaluate=False), evaluate=False)
    plain = softmax(x, i)
    cancelled = sp.simplify(numerator / denominator)
    difference = sp.simplify(cancelled - plain)
    xs = sp.symbols("x1:4", real=True)
    gap = sp.Max(*[u - xs[0] for u in xs])
    result = softmax(x, i, m)
    steps = (
        Step("Subtract any constant $c$ from every logit.", eq(sp.Symbol("z_i"), shifted)),
        Step("$e^{x - c} = e^{x} e^{-c}$; the factor $e^{-c}$ leaves the sum.", eq(shifted, split)),
        Step("It cancels: the shifted softmax equals the plain one for every $c$.", eq(shifted, cancelled)),
        Step(r"Choose $c = m = \max_j x_j$. Then $m - x_k = \max_j (x_j - x_k)$, a maximum over terms that "
             r"include $x_k - x_k = 0$, hence nonnegative, for every $d$ and $k$; for example, with $d = 3$ and "
             r"$k = 1$:", eq(sp.Max(*xs) - xs[0], gap)),
        Step(r"So every exponent $x_k - m$ is $\le 0$: each term of the sum lies in $(0, 1]$ and one equals 1, "
             r"so nothing overflows and the denominator is at least 1.", sp.Le(xs[0] - sp.Max(*xs), 0,
                                                                               evaluate=False)),
        Step("The stable softmax.", eq(sp.Symbol("z_i"), result)),
    )
    proofs = {dim: shift_invariant_for(dim) and exponents_nonpositive_for(dim)
              for dim in CONCRETE_DIMENSIONS}
    mistakes = {
        "not_stable": plain,
        "inconsistent_shift": sp.exp(x[i] - m) / sp.Sum(sp.exp(x[k]), (k, 1, d)),
    }
    return Derivation(
        statement=r"$\mathrm{softmax}(x - c) = \mathrm{softmax}(x)$ for every $c$; with $c = \max_j x_j$ no "
                  r"exponent is positive, so $z_i = e^{x_i - m} / \sum_k e^{x_k - m}$, $m = \max_j x_j$.",
        result=result,
        assumptions={"x": "real vector of length d", "m": "max_j x_j", "c": "real"},
        steps=steps,
        symbols={"x": x, "i": i, "k": k, "d": d, "m": m},
        mistakes=mistakes,
        extras={"shift": MaxOver(x[k], k), "difference": difference, "gap_nonnegative": bool(gap.is_nonnegative),
                "proven_for_dimensions": proofs},
    )
