"""PyTorch verifications of the derived claims: one module per claim id, registered with
``@verifier``, and the stored records that grading and the report read without torch.

>>> from derivcheck.simulations import verify
>>> verify("forward_mults").passed
True
"""
from __future__ import annotations

from typing import Any

from derivcheck import store

from .verification import Measurement, Outcome, Run, Verification


def verify(claim_id: str, seed: int = 0, device: str = "auto", alpha: float = 1e-6, **options: Any) -> Verification:
    """Run the verification of ``claim_id`` (imports torch); see :func:`registry.verify`."""
    from .registry import verify as run

    return run(claim_id, seed=seed, device=device, alpha=alpha, **options)


def record_name(claim_id: str, seed: int = 0) -> str:
    """The store's name for the default-settings verification of ``claim_id``: it follows the
    code of the derivations and simulations and the built-in sheets (whose questions judge the
    derivation's steps); a verification is the claim's own, the same for every sheet naming it."""
    code = store.source_hash("derivcheck.derivations", "derivcheck.simulations", "derivcheck.sheets")
    return f"verify-{claim_id}-seed{seed}-{code}"


def recorded(claim_id: str, seed: int = 0, compute: bool = True) -> Verification | None:
    """The stored verification of ``claim_id`` (default alpha, on the CPU), read without torch;
    computed and stored first when missing and ``compute`` (None when it cannot be: no torch)."""
    data = store.read(record_name(claim_id, seed))
    if data is not None:
        try:
            return Verification.from_dict(data)
        except (KeyError, TypeError, ValueError):
            pass
    if not compute:
        return None
    try:
        result = verify(claim_id, seed=seed, device="cpu")
    except ImportError:
        return None
    store.write(record_name(claim_id, seed), result.to_dict())
    return result


__all__ = ["Measurement", "Outcome", "Run", "Verification", "record_name", "recorded", "verify"]
