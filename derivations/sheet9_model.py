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

from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE

from .symbols import LATEX_NAMES, d, sigma, standard_normal_pdf, t, z

__all__ = ["C_in", "C_out", "H", "OrdinaryDerivative", "Product", "W", "a", "bernoulli_moment", "d", "gaussian_moment",
           "hi", "k", "lo", "m", "n", "n_in", "n_out", "one_root", "p", "q", "s", "sigma", "t", "uniform_moment", "w",
           "x_i", "y", "z"]

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

#: The sheet's word subscripts are set upright, as its prose sets them (C_{\mathrm{in}}, not the italic C_{in}); the
#: names of the counts in Problem 4's steps likewise (M_entry: the products summed into one output entry).
LATEX_NAMES.update({name: rf"{name.split('_')[0]}_{{\mathrm{{{name.split('_', 1)[1]}}}}}"
                    for name in ("n_in", "n_out", "C_in", "C_out", "M_entry", "N_out", "M_in")})


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


def one_root(expr: sp.Expr) -> sp.Expr:
    """A product of square roots, sqrt(2) sqrt(1 - q)/sqrt(d), written as the one root the sheet writes,
    sqrt(2 (1 - q)/d): the square root of ``expr``'s square (factored, the sign inside), kept unevaluated;
    SymPy proves it equal to ``expr`` (ValueError otherwise).

    >>> one_root(sp.sqrt(2) * sp.sqrt(1 - q) / sp.sqrt(d))
    sqrt(2*(1 - q)/d)
    """
    square = sign_inside(sp.factor(expr**2))
    shown = sp.Pow(sp.Mul(*sp.Mul.make_args(square), evaluate=False), sp.S.Half, evaluate=False)
    if sp.simplify(shown.doit() - expr) != 0:
        raise ValueError(f"{shown} is not {expr}")
    return shown


class OrdinaryDerivative(sp.Derivative):
    """A derivative by one scalar variable, typeset as the sheet writes it, d sigma/dt (not the partial
    sign of :func:`derivcheck.derivations.claim.to_latex`); the same object as SymPy's Derivative otherwise."""

    def _latex(self, printer: Any) -> str:
        ((var, order),) = self.variable_count
        top = "d" + (f"^{{{order}}}" if order > 1 else "")
        bottom = f"d {printer._print(var)}" + (f"^{{{order}}}" if order > 1 else "")
        return rf"\frac{{{top} {printer._print(self.expr)}}}{{{bottom}}}"


class Product(sp.Expr):
    """A product typeset in the order its factors are given, sigma(t) (1 - sigma(t)) as the sheet writes it
    (SymPy's printer sorts a product's factors); :meth:`doit` is the product itself.

    >>> Product(sp.Function("sigma")(t), 1 - sp.Function("sigma")(t)).doit()
    (1 - sigma(t))*sigma(t)
    """

    def __new__(cls, *factors: Any) -> Product:
        return super().__new__(cls, *(sp.sympify(f) for f in factors))

    def doit(self, **hints: Any) -> sp.Expr:
        return sp.Mul(*(f.doit(**hints) for f in self.args))

    def _latex(self, printer: Any) -> str:
        return " ".join(printer.parenthesize(f, PRECEDENCE["Mul"]) for f in self.args)

    def _sympystr(self, printer: Any) -> str:
        return "*".join(printer.parenthesize(f, PRECEDENCE["Mul"]) for f in self.args)


def sign_inside(expr: sp.Expr) -> sp.Expr:
    """A product -c (u - v) ... rewritten as c (v - u) ...: the same value, written as the sheet
    writes it (x^2 (1 - p)/p, s (1 - s)), by moving a leading minus sign into one sum factor (or
    into the base of a sum's odd power); factored first.

    >>> sign_inside(-s * (s - 1))
    s*(1 - s)
    >>> sign_inside(-x_i + x_i / p)
    x_i*(1 - p)/p
    """
    expr = sp.factor(expr)
    coeff, rest = expr.as_coeff_mul()
    if not isinstance(expr, sp.Mul) or not coeff.is_negative:
        return expr
    factors = [-coeff, *rest]
    for n_, f in enumerate(factors):
        if isinstance(f, sp.Add):
            factors[n_] = -f
        elif isinstance(f, sp.Pow) and isinstance(f.base, sp.Add) and f.exp.is_integer and f.exp.is_odd:
            factors[n_] = sp.Pow(-f.base, f.exp)
        else:
            continue
        return sp.Mul(*factors)
    return expr
