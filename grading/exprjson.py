"""SymPy expressions as JSON trees, read back without eval: the bank's derived formulas in the store.

An expression is written as nested lists: ``["Symbol", name, assumptions]``, ``["Rational", p, q]``,
``["Float", digits, precision]``, ``["S", name]`` for SymPy's singletons (pi, E, oo, I, ...),
``["Undef", name, args]`` for the grading language's own functions (sum, max, softmax), and
``[class, args]`` for the operations of :data:`OPERATIONS`. Reading rebuilds exactly these with
``func(*args)`` (SymPy's invariant ``expr.func(*expr.args) == expr``); any other name is refused.

>>> load(dump(sp.sqrt(2) * sp.Symbol("d", positive=True) / 3))
sqrt(2)*d/3
"""
from __future__ import annotations

from typing import Any

import sympy as sp

#: The SymPy classes a stored formula may contain.
OPERATIONS: dict[str, type[sp.Basic]] = {cls.__name__: cls for cls in (
    sp.Add, sp.Mul, sp.Pow, sp.exp, sp.log, sp.Max, sp.Min, sp.Abs, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh,
    sp.tanh, sp.asin, sp.acos, sp.atan, sp.erf, sp.factorial, sp.sign, sp.floor, sp.ceiling)}
#: SymPy's singletons by name (``sp.S.<name>``).
SINGLETONS = ("Pi", "Exp1", "Infinity", "NegativeInfinity", "ComplexInfinity", "NaN", "ImaginaryUnit", "Half",
              "One", "Zero", "NegativeOne")


class NotStorable(ValueError):
    """An expression (or a stored tree) outside the whitelist."""


def dump(expr: sp.Basic) -> Any:
    """``expr`` as a JSON-ready tree."""
    name = type(expr).__name__
    if name in SINGLETONS:
        return ["S", name]
    if isinstance(expr, sp.Symbol):
        return ["Symbol", expr.name, {k: v for k, v in expr.assumptions0.items() if v is not None}]
    if isinstance(expr, sp.Rational):
        return ["Rational", int(expr.p), int(expr.q)]
    if isinstance(expr, sp.Float):
        return ["Float", str(expr), expr._prec]
    if isinstance(expr, sp.core.function.AppliedUndef):
        return ["Undef", name, [dump(a) for a in expr.args]]
    if name in OPERATIONS and type(expr) is OPERATIONS[name]:
        return [name, [dump(a) for a in expr.args]]
    raise NotStorable(f"cannot store a {name}")


def load(tree: Any) -> sp.Basic:
    """The expression a :func:`dump` tree describes; ``NotStorable`` for anything else."""
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        raise NotStorable("not an expression tree")
    tag = tree[0]
    if tag == "S" and len(tree) == 2 and tree[1] in SINGLETONS:
        return getattr(sp.S, tree[1])
    if tag == "Symbol" and len(tree) == 3 and isinstance(tree[1], str) and isinstance(tree[2], dict):
        if not all(isinstance(k, str) and isinstance(v, bool) for k, v in tree[2].items()):
            raise NotStorable("bad assumptions")
        return sp.Symbol(tree[1], **tree[2])
    if tag == "Rational" and len(tree) == 3 and all(type(v) is int for v in tree[1:]):
        return sp.Rational(tree[1], tree[2])
    if tag == "Float" and len(tree) == 3 and isinstance(tree[1], str) and type(tree[2]) is int:
        return sp.Float(tree[1], precision=tree[2])
    if tag == "Undef" and len(tree) == 3 and isinstance(tree[1], str) and tree[1].isidentifier():
        return sp.Function(tree[1])(*[load(a) for a in _args(tree[2])])
    if tag in OPERATIONS and len(tree) == 2:
        return OPERATIONS[tag](*[load(a) for a in _args(tree[1])])
    raise NotStorable(f"unknown node {tag!r}")


def _args(args: Any) -> list:
    if not isinstance(args, list):
        raise NotStorable("arguments must be a list")
    return args
