r"""Multiplications in a convolution's forward pass: n H W C_out C_in k^2 (sheet 9, Problem 4.1).

>>> conv_forward_mults().result
C_in*C_out*H*W*k**2*n
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .conv_cost import ASSUMPTIONS, SYMBOLS, forward, terms_per_output
from .registry import derivation
from .sheet9_model import C_out, H, W, n


@derivation
def conv_forward_mults() -> Derivation:
    """Outputs times the products summed into each."""
    result = forward()
    steps = (
        Step(r"One output entry sums a weight times an input over $C_{\mathrm{in}}$ channels and "
             r"$k \times k$ kernel entries.", eq(sp.Symbol("M_entry"), terms_per_output())),
        Step(r"There are $n C_{\mathrm{out}} H W$ output entries (``same'' padding keeps $H \times W$).",
             eq(sp.Symbol("N_out"), n * C_out * H * W)),
        Step("Multiply.", eq(sp.Symbol("M_fwd"), result)),
    )
    return Derivation(
        statement=r"The forward pass costs $n H W C_{\mathrm{out}} C_{\mathrm{in}} k^2$ multiplications.",
        result=result, assumptions=dict(ASSUMPTIONS), steps=steps, symbols=dict(SYMBOLS),
        mistakes={"counted_flops": 2 * result, "kernel_not_squared": forward(dims=1)},
        extras={"flops": 2 * result},
    )
