"""A tree-walking evaluator for the SymPy trees the parser builds: no code generation, no eval.

Two backends: ``mp`` (mpmath numbers at a set precision; vectors as lists) for deciding equality,
and ``np`` (float64 arrays) for checking whether a formula overflows like a float program would.
Only the node types the parser can produce are known; anything else raises ``Unsupported``.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import mpmath
import numpy as np
import sympy as sp

from .symbolic import softmax, vmax, vsum


class Unsupported(Exception):
    """A node the evaluator does not know (so the answer cannot be decided numerically)."""


def _is_vec(v: Any) -> bool:
    return isinstance(v, list)


def _map(f, *args):
    n = next((len(a) for a in args if _is_vec(a)), None)
    if n is None:
        return f(*args)
    if any(_is_vec(a) and len(a) != n for a in args):
        raise Unsupported("vectors of different lengths")
    return [f(*[a[i] if _is_vec(a) else a for a in args]) for i in range(n)]


class MP:
    """mpmath backend (the caller sets the precision with mpmath.workdps)."""

    number = staticmethod(lambda v: mpmath.mpf(v.p) / v.q if isinstance(v, sp.Rational) else mpmath.mpf(str(v)))
    pi = property(lambda self: mpmath.pi)
    e = property(lambda self: mpmath.e)
    inf = mpmath.inf
    imag = mpmath.mpc(0, 1)

    def add(self, a, b):
        return _map(lambda u, v: u + v, a, b)

    def mul(self, a, b):
        return _map(lambda u, v: u * v, a, b)

    def pow(self, a, b):
        def p(u, v):
            if u == 0 and mpmath.re(v) < 0:
                raise ZeroDivisionError
            return mpmath.power(u, v)
        return _map(p, a, b)

    def func(self, name: str, a):
        f = {"exp": mpmath.exp, "log": mpmath.log, "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
             "tanh": mpmath.tanh, "sinh": mpmath.sinh, "cosh": mpmath.cosh, "asin": mpmath.asin,
             "acos": mpmath.acos, "atan": mpmath.atan, "erf": mpmath.erf, "Abs": mpmath.fabs,
             "factorial": lambda u: mpmath.gamma(u + 1)}[name]
        return _map(f, a)

    def max(self, args):
        if any(_is_vec(a) for a in args):
            return _map(lambda *u: max(u), *args)
        return max(args)

    def vsum(self, a):
        return mpmath.fsum(a) if _is_vec(a) else a

    def vmax(self, a):
        return max(a) if _is_vec(a) else a

    def softmax(self, a):
        m = max(a)
        e = [mpmath.exp(u - m) for u in a]
        s = mpmath.fsum(e)
        return [u / s for u in e]


class NP:
    """float64 backend, as a float program would compute (overflow gives inf/nan, silently)."""

    number = staticmethod(lambda v: float(v))
    pi = math.pi
    e = math.e
    inf = math.inf
    imag = 1j

    def add(self, a, b):
        return np.add(a, b)

    def mul(self, a, b):
        return np.multiply(a, b)

    def pow(self, a, b):
        return np.power(np.asarray(a, dtype=float), b)

    def func(self, name: str, a):
        from scipy.special import erf, gamma

        f = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
             "sinh": np.sinh, "cosh": np.cosh, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
             "erf": erf, "Abs": np.abs, "factorial": lambda u: gamma(np.asarray(u) + 1)}[name]
        return f(a)

    def max(self, args):
        return np.maximum.reduce([np.asarray(a, dtype=float) for a in args])

    def vsum(self, a):
        return np.sum(a)

    def vmax(self, a):
        return np.max(a)

    def softmax(self, a):
        e = np.exp(a - np.max(a))
        return e / e.sum()


_NAMED = {sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.tanh: "tanh",
          sp.sinh: "sinh", sp.cosh: "cosh", sp.asin: "asin", sp.acos: "acos", sp.atan: "atan", sp.erf: "erf",
          sp.Abs: "Abs", sp.factorial: "factorial"}


def evaluate(expr: sp.Basic, point: Mapping[sp.Symbol, Any], backend: MP | NP) -> Any:
    """The value of ``expr`` at ``point`` (symbols -> numbers or vectors) on ``backend``."""
    b = backend
    if expr.is_Symbol:
        if expr not in point:
            raise Unsupported(f"no value for {expr}")
        return point[expr]
    if expr.is_Rational or expr.is_Float:
        return b.number(expr)
    if expr is sp.pi:
        return b.pi
    if expr is sp.E:
        return b.e
    if expr is sp.I:
        return b.imag
    if expr is sp.oo:
        return b.inf
    if expr is sp.S.NegativeInfinity:
        return -b.inf
    if expr.is_Add:
        out = evaluate(expr.args[0], point, b)
        for arg in expr.args[1:]:
            out = b.add(out, evaluate(arg, point, b))
        return out
    if expr.is_Mul:
        out = evaluate(expr.args[0], point, b)
        for arg in expr.args[1:]:
            out = b.mul(out, evaluate(arg, point, b))
        return out
    if expr.is_Pow:
        return b.pow(evaluate(expr.base, point, b), evaluate(expr.exp, point, b))
    func = expr.func
    if func in _NAMED:
        if func is sp.log and len(expr.args) == 2:  # pragma: no cover - SymPy rewrites log(a, b)
            raise Unsupported("log with a base")
        return b.func(_NAMED[func], evaluate(expr.args[0], point, b))
    if func in (sp.Max, sp.Min):
        args = [evaluate(a, point, b) for a in expr.args]
        if func is sp.Max:
            return b.max(args)
        return b.mul(-1, b.max([b.mul(-1, a) for a in args]))
    if func == vsum:
        return b.vsum(evaluate(expr.args[0], point, b))
    if func == vmax:
        return b.vmax(evaluate(expr.args[0], point, b))
    if func == softmax:
        return b.softmax(evaluate(expr.args[0], point, b))
    raise Unsupported(f"cannot evaluate {func}")
