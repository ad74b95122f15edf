r"""Numbers in a convolution's weight: C_out C_in k^2 (sheet 9, Problem 4.3).

>>> conv_weights().result
C_in*C_out*k**2
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .conv_cost import ASSUMPTIONS, SYMBOLS, weights
from .registry import derivation


@derivation
def conv_weights() -> Derivation:
    """One k x k kernel per (output, input) channel pair, no bias."""
    result = weights()
    steps = (Step(r"One $k \times k$ kernel per pair of output and input channels, no bias.",
                  eq(sp.Symbol("N_W"), result)),)
    keep = ("C_in", "C_out", "k")
    return Derivation(
        statement=r"The weight holds $C_{\mathrm{out}} C_{\mathrm{in}} k^2$ numbers.",
        result=result, assumptions={n: ASSUMPTIONS[n] for n in keep}, steps=steps,
        symbols={n: SYMBOLS[n] for n in keep},
        mistakes={"kernel_not_squared": weights(dims=1),
                  "missing_in_channels": result / SYMBOLS["C_in"]},
    )
