"""Verification of the weight count C_out C_in k^2 (sheet 9, Problem 4.3) from the parameters of
``nn.Conv2d(C_in, C_out, k, padding="same", bias=False)`` over the grid's (C_in, C_out, k)."""
from __future__ import annotations

import sympy as sp

from derivcheck.derivations import derive

from .conv_cost import grid_check, parameters
from .registry import verifier
from .verification import Outcome, Run

QUANTITY = "numbers in the module's parameters"


@verifier
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """The module's parameter count must equal the derived count at every (C_in, C_out, k)."""
    derivation = derive("conv_weights")
    return grid_check(derivation.result, derivation.mistakes,
                      lambda p: parameters(p["C_in"], p["C_out"], p["k"], run.device), QUANTITY,
                      names=("C_in", "C_out", "k"), claimed=claimed)
