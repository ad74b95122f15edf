"""Simulated evidence for counterexamples: the stored verification records, read without torch.

A record missing from the store is computed once (``simulations.verify`` on the CPU, which needs
torch) and stored; ``preload`` does that in a parent process before it forks its workers.
"""
from __future__ import annotations

from collections.abc import Iterable

from derivcheck.simulations import Verification, recorded


def verification(claim: str, seed: int = 0) -> Verification | None:
    """The stored verification of ``claim`` (computed and stored when missing; None without torch)."""
    return recorded(claim, seed)


def preload(claims: Iterable[str | None]) -> None:
    """Make sure the records of ``claims`` are in the store, e.g. before forking workers."""
    for claim in sorted(c for c in claims if c):
        recorded(claim)
