r"""Multiplications in the forward pass of an L-layer, width-K MLP: n L K^2 (Problem 4).

    sum_{l=1}^{L} n K_{l-1} K_l  =  n L K^2   for equal widths.

>>> forward_mults().result
K**2*L*n
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .mlp_cost import UNJUDGED_WIDTHS, equal_widths, forward, over_layers
from .registry import derivation
from .symbols import K, L, l, n


@derivation
def forward_mults() -> Derivation:
    """Sum the forward matmul of every layer."""
    general = over_layers(forward)
    result = equal_widths(general)
    mults = sp.Symbol("M_fwd")
    steps = (
        Step(r"Layer $l$ multiplies the $n \times K_{l-1}$ activation by the $K_{l-1} \times K_l$ weight.",
             eq(sp.Symbol("M_l"), forward(l)), unjudged=UNJUDGED_WIDTHS),
        Step("Sum over the $L$ layers (general widths).", eq(mults, general), unjudged=UNJUDGED_WIDTHS),
        Step("Equal widths $K_l = K$.", eq(mults, result)),
        Step("Counting a multiply-add as 2 FLOPs (floating-point operations: one multiply and one add; the "
             "convention of PyTorch's FLOP counter) doubles it.",
             eq(sp.Symbol("FLOPs_fwd"), 2 * result),
             unjudged=(r'FLOPs, not the multiplications p4.forward_mults asks for (the checker rightly calls them '
                       r'another quantity)')),
    )
    return Derivation(
        statement="A forward pass of $n$ inputs through $L$ layers of width $K$ costs $n L K^2$ multiplications.",
        result=result,
        assumptions={"n": "positive_integer", "L": "positive_integer", "K": "positive_integer"},
        steps=steps,
        symbols={"n": n, "L": L, "K": K},
        mistakes={"counted_flops": 2 * result, "missing_batch": result.subs(n, 1)},
        extras={"general": general, "flops": 2 * result},
    )
