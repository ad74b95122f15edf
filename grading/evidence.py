"""Simulated evidence for a counterexample: the core verifications, run once and cached on disk.

The first request for a claim runs ``simulations.verify(claim)`` on the CPU (seconds, imports torch)
and stores its JSON record under ``$DERIVCHECK_CACHE`` (default ``~/.cache/derivcheck``), keyed by a
hash of the derivation and simulation code; later requests read the file (milliseconds).
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from .cache import cache_dir, source_hash


def code_version() -> str:
    """A hash of the derivation and simulation sources: cached results follow the code."""
    return source_hash("derivcheck.derivations", "derivcheck.simulations")


@lru_cache(maxsize=32)
def verification(claim: str, seed: int = 0) -> dict[str, Any]:
    """The ``verify --json --details`` record of ``claim`` (computed once, then read from disk)."""
    path = cache_dir() / f"verify-{claim}-seed{seed}-{code_version()}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    from derivcheck.simulations import verify

    record = verify(claim, seed=seed, device="cpu").to_dict()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record))
        tmp.replace(path)
    except OSError:
        pass  # a read-only home still gets the evidence, just not cached
    return record


def preload(claims: set[str]) -> None:
    """Load (or compute) the records of ``claims`` into memory, e.g. before forking workers."""
    for claim in sorted(c for c in claims if c):
        verification(claim)
