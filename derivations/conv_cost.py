r"""A cost model of a stride-1, 'same'-padded, bias-free 2-d convolution (sheet 9, Problem 4).

The layer maps n x C_in x H x W to n x C_out x H x W with a C_out x C_in x k x k weight. A dense
implementation computes each output entry (b, o, r, c) as the sum over (i, u, v) in
C_in x k x k of weight times (padded) input: one multiplication per term, padded zeros included.
Backward computes dL/dinput, each of its n C_in H W entries a sum over (o, u, v) in C_out x k x k,
and dL/dweight, each of its C_out C_in k^2 entries a sum over (b, r, c) in n x H x W. Every count
is a ``sympy.summation`` of ones over its index ranges.
"""
from __future__ import annotations

import sympy as sp

from .sheet9_model import C_in, C_out, H, W, k, n

b, o, ci, r, c, u, v = sp.symbols("b o ci r c u v", integer=True, positive=True)


def count(*ranges: tuple[sp.Symbol, sp.Expr]) -> sp.Expr:
    """The number of index tuples: sum of 1 over every range (1..bound each)."""
    return sp.summation(sp.Integer(1), *((idx, 1, bound) for idx, bound in ranges))


def taps(dims: int = 2) -> tuple[tuple[sp.Symbol, sp.Expr], ...]:
    """The kernel's index ranges: k x k (``dims`` = 2); one range of k is the mistake of a 1-d kernel."""
    return ((u, k), (v, k))[:dims]


def terms_per_output(dims: int = 2) -> sp.Expr:
    """Products summed into one output entry: C_in k^2."""
    return count((ci, C_in), *taps(dims))


def forward(dims: int = 2) -> sp.Expr:
    """n C_out H W outputs, each ``terms_per_output``."""
    return count((b, n), (o, C_out), (r, H), (c, W)) * terms_per_output(dims)


def input_gradient(dims: int = 2) -> sp.Expr:
    """n C_in H W entries of dL/dinput, each a sum over C_out k^2 taps (the transposed convolution)."""
    return count((b, n), (ci, C_in), (r, H), (c, W)) * count((o, C_out), *taps(dims))


def weight_gradient(dims: int = 2) -> sp.Expr:
    """C_out C_in k^2 entries of dL/dweight, each a sum over n H W positions."""
    return count((o, C_out), (ci, C_in), *taps(dims)) * count((b, n), (r, H), (c, W))


def weights(dims: int = 2) -> sp.Expr:
    """Numbers in the C_out x C_in x k x k weight."""
    return count((o, C_out), (ci, C_in), *taps(dims))


ASSUMPTIONS = dict.fromkeys(("n", "H", "W", "C_in", "C_out", "k"), "positive_integer")
SYMBOLS = {"n": n, "H": H, "W": W, "C_in": C_in, "C_out": C_out, "k": k}
