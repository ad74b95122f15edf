"""Simulated evidence for a counterexample: the core verifications, run once and cached on disk.

The first request for a claim runs ``simulations.verify(claim)`` on the CPU (seconds, imports torch)
and stores its JSON record under ``$DERIVCHECK_CACHE`` (default ``~/.cache/derivcheck``), keyed by a
hash of the derivation and simulation code; later requests read the file (milliseconds).
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import derivations
import simulations


def cache_dir() -> Path:
    return Path(os.environ.get("DERIVCHECK_CACHE", Path.home() / ".cache" / "derivcheck"))


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the derivation and simulation sources: cached results follow the code."""
    h = hashlib.sha256()
    for package in (derivations, simulations):
        for path in sorted(Path(package.__file__).parent.glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def verification(claim: str, seed: int = 0) -> dict[str, Any]:
    """The ``verify --json --details`` record of ``claim`` (computed once, then read from disk)."""
    path = cache_dir() / f"verify-{claim}-seed{seed}-{code_version()}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    from simulations import verify

    record = verify(claim, seed=seed, device="cpu").to_dict()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record))
        tmp.replace(path)
    except OSError:
        pass  # a read-only home still gets the evidence, just not cached
    return record
