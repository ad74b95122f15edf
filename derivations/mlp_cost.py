r"""A per-layer cost model of a fully connected network, summed symbolically (Problem 4).

Layer l (1 <= l <= L) maps an n x K_{l-1} activation to n x K_l through a K_{l-1} x K_l weight.
An (m x k) @ (k x p) matmul costs m k p multiplications. Backward through layer l needs the
gradient with respect to its input (n x K_l @ K_l x K_{l-1}) and to its weight
(K_{l-1} x n @ n x K_l). Memory counts stored numbers; an activation a_j (n x K_j) is live from the
op that makes it until the last op that reads it: the next layer in inference, the backward pass
in training. Totals come from ``sympy.summation``; :func:`equal_widths` then sets every K_l = K.
"""
from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from .symbols import K, L, j, l, n

widths = sp.IndexedBase("K", integer=True, positive=True)

#: Why the line checker cannot judge a step in the per-layer widths K_{l-1}, K_l.
UNJUDGED_WIDTHS = "per-layer widths $K_{l-1}, K_l$: the checker's mlp_cost model has the one width $K$"


def matmul(rows: sp.Expr, inner: sp.Expr, cols: sp.Expr) -> sp.Expr:
    """Multiplications in an (rows x inner) @ (inner x cols) product."""
    return rows * inner * cols


def forward(layer: sp.Expr) -> sp.Expr:
    """n K_{l-1} K_l: layer l's activation (n x K_{l-1}) times its weight (K_{l-1} x K_l)."""
    return matmul(n, widths[layer - 1], widths[layer])


def input_gradient(layer: sp.Expr) -> sp.Expr:
    """n K_l K_{l-1}: dL/da_{l-1} = dL/da_l (n x K_l) times W_l^T (K_l x K_{l-1})."""
    return matmul(n, widths[layer], widths[layer - 1])


def weight_gradient(layer: sp.Expr) -> sp.Expr:
    """K_{l-1} n K_l: dL/dW_l = a_{l-1}^T (K_{l-1} x n) times dL/da_l (n x K_l)."""
    return matmul(widths[layer - 1], n, widths[layer])


def weights(layer: sp.Expr) -> sp.Expr:
    """K_{l-1} K_l: the numbers in layer l's weight."""
    return widths[layer - 1] * widths[layer]


def activation(index: sp.Expr) -> sp.Expr:
    """Numbers in a_index, the n x K_index activation (a_0 is the input)."""
    return n * widths[index]


def over_layers(per_layer: Callable[[sp.Expr], sp.Expr], first: sp.Expr = 1, last: sp.Expr = L) -> sp.Expr:
    """sum_{l=first}^{last} per_layer(l)."""
    return sp.summation(per_layer(l), (l, first, last))


def live_activations(first: sp.Expr, last: sp.Expr) -> sp.Expr:
    """Numbers in the activations a_first..a_last that are live together."""
    return sp.summation(activation(j), (j, first, last))


def equal_widths(expr: sp.Expr) -> sp.Expr:
    """Set every width K_l to K and simplify."""
    flat = expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == widths, lambda e: K)
    return sp.expand(flat.doit())
