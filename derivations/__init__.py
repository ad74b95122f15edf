"""SymPy derivations of every claim on the exercise sheet (no torch here).

Each claim is one module with one function, registered with ``@derivation`` under its claim id
and returning a :class:`Derivation`:

>>> from derivcheck.derivations import derive
>>> derive("he_sigma").result
sqrt(2)/sqrt(d)
"""
from __future__ import annotations

from .claim import Derivation, Step
from .registry import claim_ids, derivation, derive, derivers

__all__ = ["Derivation", "Step", "claim_ids", "derivation", "derive", "derivers"]
