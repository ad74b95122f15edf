"""A tree-walking evaluator for the SymPy trees the parser builds: no code generation, no eval.

Two backends: ``mp`` (mpmath numbers at a set precision; vectors as lists) for deciding equality,
and ``np`` (float64 arrays) for checking whether a formula overflows like a float program would.
Numbers, +, * and ^ are the backend's own; every constant and function is a record of
:mod:`.vocabulary`, computed by that record's ``mp`` or ``np`` function. Any other SymPy node
raises ``Unsupported``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .vocabulary import CONSTANT, CONSTANTS, FUNCTIONS, Constant, Function


class Unsupported(Exception):
    """A node the evaluator does not know (so the answer cannot be decided numerically)."""


#: A function's own SymPy head -> its record (``sp.exp`` -> exp, ``vsum`` -> sum).
BY_HEAD: dict[type, Function] = {f.head: f for f in FUNCTIONS if f.head is not None}
#: The head of a function over a vector's entries -> the function applied to the entries
#: (``vmax(x)`` is ``max(x_1, ..., x_d)``).
OVER_ENTRIES: dict[type, Function] = {f.over_entries_head: f for f in FUNCTIONS
                                      if f.over_entries_head is not None and f.over_entries_head not in BY_HEAD}
#: A constant's SymPy value -> its record.
BY_VALUE: dict[sp.Basic, Constant] = {c.sympy: c for c in CONSTANTS}
_INFINITY = CONSTANT["oo"]


def _is_vec(v: Any) -> bool:
    return isinstance(v, list)


def _map(f: Callable[..., Any], *args: Any) -> Any:
    """``f`` entry by entry where some arguments are vectors (lists), the others broadcast."""
    n = next((len(a) for a in args if _is_vec(a)), None)
    if n is None:
        return f(*args)
    if any(_is_vec(a) and len(a) != n for a in args):
        raise Unsupported("vectors of different lengths")
    return [f(*[a[i] if _is_vec(a) else a for a in args]) for i in range(n)]


#: Exponents above this are evaluated as exp(v log u) (see ``MP.pow``).
HUGE_EXPONENT = 10**6
#: |log| of the largest value a power may take in evaluation (about 10^(4e8)).
MAX_MAGNITUDE = 10**9


class MP:
    """mpmath backend (the caller sets the precision with mpmath.workdps); vectors are lists."""

    @staticmethod
    def number(v: sp.Number) -> Any:
        if isinstance(v, sp.Rational):
            return mpmath.mpf(v.p) if v.q == 1 else mpmath.mpf(v.p) / v.q
        return mpmath.mpf(str(v))

    @staticmethod
    def constant(c: Constant) -> Any:
        """The constant at the working precision (mpmath's e and pi are computed to it): exact as
        far as the comparison looks, never a float64 value."""
        return +c.mp

    def add(self, a: Any, b: Any) -> Any:
        if not (_is_vec(a) or _is_vec(b)):
            return a + b
        return _map(lambda u, v: u + v, a, b)

    def mul(self, a: Any, b: Any) -> Any:
        if not (_is_vec(a) or _is_vec(b)):
            return a * b
        return _map(lambda u, v: u * v, a, b)

    def pow(self, a: Any, b: Any) -> Any:
        def p(u: Any, v: Any) -> Any:
            if u == 0 and mpmath.re(v) < 0:
                raise ZeroDivisionError
            if abs(v) > HUGE_EXPONENT and u != 0 and abs(u) != 1:
                # u^v as exp(v log u): one step, and OverflowError (no value here) when the
                # result is past any float, where repeated squaring would run for minutes
                magnitude = abs(mpmath.re(v * mpmath.log(u)))
                if magnitude > MAX_MAGNITUDE:
                    raise OverflowError("a power too large to evaluate")
                return mpmath.exp(v * mpmath.log(u))
            return mpmath.power(u, v)
        return _map(p, a, b)

    def apply(self, f: Function, args: list[Any]) -> Any:
        """``f(*args)``: a vector function on the whole vector, any other entry by entry. A
        function that grows exponentially has no value here past |argument| ``MAX_MAGNITUDE``
        (OverflowError), where mpmath would compute log 2 to millions of digits."""
        if f.grows:
            for a in args:
                for u in (a if _is_vec(a) else [a]):
                    if abs(u) > MAX_MAGNITUDE:
                        raise OverflowError(f"{f.name} of an argument beyond 10^9")
        return f.mp(*args) if f.vector else _map(f.mp, *args)

    def over_entries(self, f: Function, a: Any) -> Any:
        """``f(a_1, ..., a_d)`` over the entries of a vector (a scalar is its only entry)."""
        return f.mp(*a) if _is_vec(a) else f.mp(a)


class NP:
    """float64 backend, as a float program would compute (overflow gives inf/nan, silently)."""

    @staticmethod
    def number(v: sp.Number) -> float:
        return float(v)

    @staticmethod
    def constant(c: Constant) -> Any:
        return c.np

    def add(self, a: Any, b: Any) -> Any:
        return np.add(a, b)

    def mul(self, a: Any, b: Any) -> Any:
        return np.multiply(a, b)

    def pow(self, a: Any, b: Any) -> Any:
        return np.power(np.asarray(a, dtype=float), b)

    def apply(self, f: Function, args: list[Any]) -> Any:
        """``f(*args)``; numpy functions act entry by entry on arrays themselves."""
        return f.np(*args)

    def over_entries(self, f: Function, a: Any) -> Any:
        return f.np(*np.atleast_1d(a))


def evaluate_entries(expr: sp.Basic, point: Mapping[sp.Symbol, Any], backend: MP | NP, entries: tuple[
        tuple[sp.Symbol, sp.Symbol], ...] = ()) -> Any:
    """``expr`` at ``point``; an answer that names the entry at its free index inside a reduction
    (``entries`` pairs each vector symbol with its free-entry symbol) is evaluated once per
    index, with the free entries bound to that index's values, into a vector."""
    pairs = [(v, f) for v, f in entries if expr.has(f)]
    if not pairs:
        return evaluate(expr, point, backend)
    size = len(point[pairs[0][0]])
    values = []
    for i in range(size):
        at = {**point, **{f: point[v][i] for v, f in entries}}
        value = evaluate(expr, at, backend)
        if isinstance(value, (list, np.ndarray)) and np.ndim(value) > 0:
            value = value[i]
        values.append(value)
    return np.array(values, dtype=float) if isinstance(backend, NP) else values


def evaluate(expr: sp.Basic, point: Mapping[sp.Symbol, Any], backend: MP | NP) -> Any:
    """The value of ``expr`` at ``point`` (symbols -> numbers or vectors) on ``backend``."""
    b = backend
    if expr.is_Symbol:
        if expr not in point:
            raise Unsupported(f"no value for {expr}")
        return point[expr]
    if expr.is_Rational or expr.is_Float:
        return b.number(expr)
    if expr.is_Atom:
        if expr in BY_VALUE:
            return b.constant(BY_VALUE[expr])
        if expr is sp.S.NegativeInfinity:
            return -b.constant(_INFINITY)
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
    if func in BY_HEAD:
        return b.apply(BY_HEAD[func], [evaluate(a, point, b) for a in expr.args])
    if func in OVER_ENTRIES and len(expr.args) == 1:
        return b.over_entries(OVER_ENTRIES[func], evaluate(expr.args[0], point, b))
    raise Unsupported(f"cannot evaluate {func}")
