"""Verifiers register under their claim id (their module's name) with ``@verifier`` (or
``@verifier(random=True)`` for a check whose inputs are drawn from the run's seed); ``verify``
runs one with the run's seed, device and alpha, times it and freezes its outcome.

>>> verify("forward_mults").passed
True
"""
from __future__ import annotations

import pkgutil
import time
from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any, overload

from .verification import Outcome, Run, Verification

Verifier = Callable[..., Outcome]
_VERIFIERS: dict[str, Verifier] = {}
_RANDOM: set[str] = set()


@overload
def verifier(fn: Verifier, *, random: bool = False) -> Verifier: ...
@overload
def verifier(fn: None = None, *, random: bool = False) -> Callable[[Verifier], Verifier]: ...
def verifier(fn: Verifier | None = None, *, random: bool = False) -> Verifier | Callable[[Verifier], Verifier]:
    """Register ``fn(run, **options) -> Outcome`` as the check of the claim named like its module;
    ``random``: its inputs are drawn from the run's seed (``samples > 0``), else nothing random
    decides it (``samples`` 0, ``alpha`` 0)."""
    def register(fn: Verifier) -> Verifier:
        claim = fn.__module__.rpartition(".")[2]
        if _VERIFIERS.setdefault(claim, fn) is not fn:
            raise ValueError(f"claim {claim!r} has two verifiers")
        if random:
            _RANDOM.add(claim)
        return fn

    return register if fn is None else register(fn)


@cache
def verifiers() -> dict[str, Verifier]:
    """Every registered verifier, after importing each module of this package once (torch)."""
    package = import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        if not module.ispkg:
            import_module(f"{__package__}.{module.name}")
    return dict(_VERIFIERS)


def is_random(claim_id: str) -> bool:
    """Whether the check of ``claim_id`` draws random inputs from the run's seed (imports torch)."""
    verifiers()
    return claim_id in _RANDOM


def _judge_steps(claim_id: str, outcome: Outcome) -> None:
    """The derivation's own steps through the line checker (``derivation_steps``): a false step
    fails the verification; the records go to ``details["steps"]``."""
    from .derivation_steps import judged_steps

    steps = judged_steps(claim_id)
    outcome.details["steps"] = [{k: r[k] for k in ("step", "verdict", "why")} for r in steps]
    if any(r["verdict"] == "false" for r in steps):
        outcome.passed = False


def verify(claim_id: str, seed: int = 0, device: str = "auto", alpha: float = 1e-6, **options: Any) -> Verification:
    """Run the verification of ``claim_id``; ``alpha`` bounds its false-alarm rate. ``options``
    go to the verifier (e.g. a ``claimed`` formula in place of the derived one, in tests)."""
    from .device import one_cpu_thread, resolve_device

    known = verifiers()
    if claim_id not in known:
        raise KeyError(f"unknown claim {claim_id!r}; known: {', '.join(sorted(known))}")
    dev = resolve_device(device)
    start = time.perf_counter()
    with one_cpu_thread(dev):  # the checks' tensors are small: more threads only spin
        outcome = known[claim_id](Run(seed=seed, device=dev, alpha=alpha), **options)
    _judge_steps(claim_id, outcome)
    return Verification.of(claim_id, outcome, seconds=time.perf_counter() - start, seed=seed, device=dev.type)
