"""Bounds applied to untrusted answers before and while they are evaluated."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one untrusted answer may cost; the parser, the bounds and the sandbox enforce it."""

    max_length: int = 2000          # characters of one answer
    max_depth: int = 60             # nesting of brackets and operators
    max_nodes: int = 400            # nodes of the expression tree
    max_digits: int = 40            # digits of one number literal
    max_log10: float = 1000.0       # |log10| of any constant sub-expression
    max_exponent: int = 1000        # |exponent| on a non-constant base (polynomial degree)
    max_factorial: int = 1000       # largest constant argument of factorial
    seconds: float = 5.0            # wall time of one check in its worker process
    memory_mb: int = 1024           # address-space limit of a worker process


DEFAULT = Limits()
