"""SymPy derivations of every claim on the exercise sheet (no torch here).

Each claim id names a module and a function returning a :class:`Derivation`:

>>> from derivcheck.derivations import derive
>>> derive("he_sigma").result
sqrt(2)/sqrt(d)
"""
from __future__ import annotations

from importlib import import_module
from typing import Callable

from .claim import Derivation, Step

#: Claim ids in the order of the sheet; each is also a module of this package.
CLAIM_IDS: tuple[str, ...] = (
    "relu_variance", "he_sigma", "stable_softmax", "softmax_ce_gradient", "unsmoothed_minimizer",
    "smoothing_gap", "forward_mults", "training_mults", "inference_memory", "training_memory",
)


def deriver(claim_id: str) -> Callable[[], Derivation]:
    """The function deriving ``claim_id``."""
    if claim_id not in CLAIM_IDS:
        raise KeyError(f"unknown claim {claim_id!r}; known: {', '.join(CLAIM_IDS)}")
    return getattr(import_module(f"{__name__}.{claim_id}"), claim_id)


def derive(claim_id: str) -> Derivation:
    """Derive one claim (cached: a second call is free)."""
    return deriver(claim_id)()


__all__ = ["CLAIM_IDS", "Derivation", "Step", "derive", "deriver"]
