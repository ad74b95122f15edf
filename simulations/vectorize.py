"""Evaluate a derived SymPy formula over the last axis of a tensor.

A formula written with an index (``x[i]``, ``Sum(f(x[k]), (k, 1, d))``) becomes a function of
whole tensors: each indexed base is a tensor, a sum over the index is a sum over the last axis, a
maximum over the index (``MaxOver``, the softmax's shift m) the maximum over it, and named scalars
are passed in. This keeps the simulations running
exactly the expressions the derivations produced.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp
import torch

_SUM = sp.Function("vector_sum")
_MAX = sp.Function("vector_max")


def tensor_function(expr: sp.Expr, arguments: list[sp.Basic]) -> Callable[..., torch.Tensor]:
    """A torch function of ``arguments`` (IndexedBase -> tensor, Symbol -> tensor or number)."""
    names = {a: sp.Symbol(f"arg{n}") for n, a in enumerate(arguments)}

    def unindex(e: sp.Expr) -> sp.Expr:
        return e.replace(lambda u: isinstance(u, sp.Indexed) and u.base in names,
                         lambda u: names[u.base])

    flat = expr.replace(lambda u: isinstance(u, sp.Sum), lambda u: _SUM(unindex(u.function)))
    flat = flat.replace(lambda u: type(u).__name__ == "MaxOver", lambda u: _MAX(unindex(u.args[0])))
    flat = unindex(flat).subs({a: s for a, s in names.items() if not isinstance(a, sp.IndexedBase)})
    modules = [{"vector_sum": lambda t: t.sum(-1, keepdim=True), "vector_max": lambda t: t.amax(-1, keepdim=True),
                "exp": torch.exp, "log": torch.log}]
    return sp.lambdify([names[a] for a in arguments], flat, modules=modules)
