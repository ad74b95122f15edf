r"""Verification of Var[h_i] = x_i^2 (1 - p) / p under inverted dropout with
``torch.nn.functional.dropout`` (sheet 9, Problem 2.1).

The same sampled dropout as ``dropout_mean``: entry i is 0 or c_i, the kept count K_i is
Binomial(N, p). A claimed Var[h_i] = g fixes the keep probability through c_i^2 k (1 - k) = g
(two roots, or none when g > c_i^2 / 4); the claim is rejected when the exact binomial test
rejects every root (``sheet9_layer``), at level alpha / (entries * configurations).
"""
from __future__ import annotations

import sympy as sp

from .dropout_mean import verify_moment
from .registry import verifier
from .verification import Outcome, Run


@verifier
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """The exact binomial test of the claimed Var[h_i] at every entry and keep probability."""
    return verify_moment(run, "dropout_variance", "variance", claimed)
