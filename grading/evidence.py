"""Simulated evidence for counterexamples: the stored verification records, read without torch.

Each claim has one record in the store, named by :func:`derivcheck.simulations.record_name`
(claim, seed and the code of the derivations and simulations), whichever command asked for it:
``report`` writes the same records ``check``, ``grade`` and ``serve`` read, so a ``grade`` after a
``report`` runs no simulation. A record missing from the store is computed once
(``simulations.verify`` on the CPU, which needs torch) and stored; ``preload`` does that in a parent
process before it forks its workers, and says so on stderr first (a cold store takes about a minute).
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable

from derivcheck import store
from derivcheck.simulations import Verification, record_name, recorded


def verification(claim: str, seed: int = 0) -> Verification | None:
    """The stored verification of ``claim`` (computed, announced on stderr, and stored when
    missing; None without torch)."""
    if seed == 0:
        preload([claim])
    return recorded(claim, seed)


def remember(record: Verification, alpha: float = 1e-6) -> bool:
    """Store ``record`` as its claim's one record when it was made with the settings that record
    stands for (the default ``alpha``, on the CPU), so that `verify` also spares grading a
    simulation; whether it was stored."""
    if record.device != "cpu" or alpha != 1e-6:
        return False
    store.write(record_name(record.id, record.seed), record.to_dict())
    return True


def missing(claims: Iterable[str | None], seed: int = 0) -> list[str]:
    """The claims among ``claims`` whose record is not in the store yet, sorted."""
    return sorted({c for c in claims if c and store.read(record_name(c, seed)) is None})


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def preload(claims: Iterable[str | None], log: Callable[[str], None] | None = _stderr) -> None:
    """Make sure the records of ``claims`` are in the store, e.g. before forking workers; each
    simulation that has to run is announced on ``log`` (None: silent) with its progress."""
    from derivcheck.extras import available

    todo = missing(claims)
    if not available("sim"):  # nothing can be simulated: the feedback says the evidence is missing
        return
    if todo and log:
        log(f"derivcheck: simulating {len(todo)} claim(s) once for the counterexamples (about "
            f"{STARTUP_SECONDS + SECONDS_PER_CLAIM * len(todo):.0f} s on 2 cores; stored for every later run)")
    for n, claim in enumerate(todo, 1):
        start = time.perf_counter()
        recorded(claim)
        if log:
            log(f"  [{n}/{len(todo)}] {claim} ({time.perf_counter() - start:.1f} s)")


#: Loading PyTorch, then a claim's simulation on 2 CPU cores on average (measured cold: relu_variance
#: alone 16 s, all ten 30-45 s; only for the announcement).
STARTUP_SECONDS = 10.0
SECONDS_PER_CLAIM = 3.0
