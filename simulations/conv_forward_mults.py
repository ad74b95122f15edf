"""FlopCounterMode verification of the forward cost n H W C_out C_in k^2 (sheet 9, Problem 4.1)
over a grid of (n, C_in, C_out, k, H, W): FLOPs / 2 must equal the derived count exactly."""
from __future__ import annotations

import sympy as sp

from derivcheck.derivations import derive

from .conv_cost import flops, grid_check
from .registry import verifier
from .verification import Outcome, Run

QUANTITY = "FlopCounterMode multiplications (FLOPs / 2)"


@verifier
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """Every grid point must count exactly 2 n H W C_out C_in k^2 FLOPs."""
    derivation = derive("conv_forward_mults")
    return grid_check(derivation.result, derivation.mistakes,
                      lambda p: flops(p["n"], p["C_in"], p["C_out"], p["k"], p["H"], p["W"], train=False,
                                      device=run.device) / 2, QUANTITY, claimed=claimed)
