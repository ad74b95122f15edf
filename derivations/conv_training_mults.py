r"""Multiplications in a convolution's forward and backward pass: 3 n H W C_out C_in k^2
(sheet 9, Problem 4.2): the forward convolution, dL/dinput and dL/dweight cost the same each.

>>> conv_training_mults().result
3*C_in*C_out*H*W*k**2*n
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .conv_cost import ASSUMPTIONS, SYMBOLS, forward, input_gradient, weight_gradient
from .registry import derivation


@derivation
def conv_training_mults() -> Derivation:
    """Forward, input-gradient and weight-gradient products."""
    fwd, grad_in, grad_w = forward(), input_gradient(), weight_gradient()
    result = sp.expand(fwd + grad_in + grad_w)
    steps = (
        Step("Forward (Problem 4.1).", eq(sp.Symbol("M_fwd"), fwd)),
        Step(r"$\partial L/\partial \mathrm{input}$: $n C_{\mathrm{in}} H W$ entries, each summing over "
             r"$C_{\mathrm{out}}$ channels and $k \times k$ kernel entries.", eq(sp.Symbol("M_in"), grad_in)),
        Step(r"$\partial L/\partial W$: $C_{\mathrm{out}} C_{\mathrm{in}} k^2$ entries, each summing over the "
             r"$n H W$ positions.", eq(sp.Symbol("M_W"), grad_w)),
        Step("Add the three.", eq(sp.Symbol("M_train"), result)),
    )
    return Derivation(
        statement=r"A forward and backward pass costs $3 n H W C_{\mathrm{out}} C_{\mathrm{in}} k^2$ multiplications.",
        result=result, assumptions=dict(ASSUMPTIONS), steps=steps, symbols=dict(SYMBOLS),
        mistakes={"counted_flops": 2 * result, "missing_backward_conv": sp.expand(fwd + grad_w),
                  "kernel_not_squared": sp.expand(forward(1) + input_gradient(1) + weight_gradient(1))},
        extras={"flops": 2 * result},
    )
