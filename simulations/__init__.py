"""PyTorch verifications of the derived claims: one module per claim id, each with ``verify``.

>>> from derivcheck.simulations import verify
>>> verify("forward_mults").passed
True
"""
from __future__ import annotations

from importlib import import_module

from derivcheck.derivations import CLAIM_IDS

from .verification import Check


def verify(claim_id: str, seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Check:
    """Run the verification of ``claim_id``; ``alpha`` bounds its false-alarm rate."""
    if claim_id not in CLAIM_IDS:
        raise KeyError(f"unknown claim {claim_id!r}; known: {', '.join(CLAIM_IDS)}")
    return import_module(f"{__name__}.{claim_id}").verify(seed=seed, device=device, alpha=alpha)


__all__ = ["CLAIM_IDS", "Check", "verify"]
