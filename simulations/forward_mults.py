"""FlopCounterMode verification of the forward cost n L K^2 (2 n L K^2 FLOPs) over a sweep of (n, L, K)."""
from __future__ import annotations

import sympy as sp

from derivcheck.derivations import derive

from .mlp_cost import flops, sweep_check
from .registry import verifier
from .verification import Outcome, Run

QUANTITY = "FlopCounterMode multiplications (FLOPs / 2)"


@verifier
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """Every sweep point must count exactly 2 n L K^2 FLOPs."""
    return sweep_check(derive("forward_mults"), lambda n, L, K: flops(n, L, K, train=False, device=run.device),
                       QUANTITY, scale=2, claimed=claimed)
