r"""The symbols and the laws of exercise sheet 9 (dropout, uniform initialisation, the logistic
loss, the cost of a convolution), with the moments every derivation of the sheet integrates.

Every moment is computed by SymPy from the law's density or mass function, never typed:

    E[f(w)] = int_{lo}^{hi} f(w) / (hi - lo) dw          (w ~ U(lo, hi))
    E[f(m)] = (1 - p) f(0) + p f(1)                       (m ~ Bernoulli(p))
    E[f(z)] = int f(z) exp(-z^2/2) / sqrt(2 pi) dz        (z ~ N(0, 1))

>>> uniform_moment(w**2, -a, a)
a**2/3
>>> bernoulli_moment(m**2, p)
p
"""
from __future__ import annotations

import sympy as sp

from .symbols import d, sigma, standard_normal_pdf, t, z

__all__ = ["C_in", "C_out", "H", "W", "a", "bernoulli_moment", "d", "gaussian_moment", "hi", "k", "lo", "m", "n",
           "n_in", "n_out", "p", "q", "s", "sigma", "t", "uniform_moment", "w", "x_i", "y", "z"]

a = sp.Symbol("a", positive=True)          # the bound of U(-a, a)
lo, hi = sp.symbols("lo hi", real=True)    # the ends of a general uniform law
w = sp.Symbol("w", real=True)              # one weight
m = sp.Symbol("m", real=True)              # one dropout mask entry
p = sp.Symbol("p", positive=True)          # keep probability, in (0, 1)
q = sp.Symbol("q", positive=True)          # drop probability, in (0, 1)
x_i = sp.Symbol("x_i", real=True)          # a fixed input entry
n_in, n_out = sp.symbols("n_in n_out", integer=True, positive=True)
s = sp.Symbol("s", positive=True)          # s = sigma(t), in (0, 1)
y = sp.Symbol("y", real=True)              # the label, 0 or 1
n, H, W, C_in, C_out, k = sp.symbols("n H W C_in C_out k", integer=True, positive=True)


def uniform_moment(expr: sp.Expr, low: sp.Expr, high: sp.Expr, var: sp.Symbol = w) -> sp.Expr:
    """E[expr(var)] for var ~ U(low, high): the integral against the density 1 / (high - low)."""
    return sp.factor(sp.simplify(sp.integrate(expr / (high - low), (var, low, high))))


def bernoulli_moment(expr: sp.Expr, keep: sp.Expr, var: sp.Symbol = m) -> sp.Expr:
    """E[expr(var)] for var ~ Bernoulli(keep): the sum over the two values with their masses."""
    return sp.simplify((1 - keep) * expr.subs(var, 0) + keep * expr.subs(var, 1))


def gaussian_moment(expr: sp.Expr) -> sp.Expr:
    """E[expr(z)] for z ~ N(0, 1)."""
    return sp.simplify(sp.integrate(expr * standard_normal_pdf, (z, -sp.oo, sp.oo)))


def logistic(u: sp.Expr) -> sp.Expr:
    """sigma(u) = 1 / (1 + e^{-u}), the sheet's definition."""
    return 1 / (1 + sp.exp(-u))
