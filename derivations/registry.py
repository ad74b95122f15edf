"""Derivations register under their claim id: ``@derivation`` on a function named like the claim.

>>> from derivcheck.derivations import derive
>>> derive("he_sigma").result
sqrt(2)/sqrt(d)
"""
from __future__ import annotations

import pkgutil
from collections.abc import Callable
from dataclasses import replace
from functools import cache, wraps
from importlib import import_module

from .claim import Derivation

_DERIVERS: dict[str, Callable[[], Derivation]] = {}


def derivation(fn: Callable[[], Derivation]) -> Callable[[], Derivation]:
    """Register ``fn`` as the derivation of the claim ``fn.__name__`` (derived once, then cached)."""
    @cache
    @wraps(fn)
    def once() -> Derivation:
        return replace(fn(), id=fn.__name__)

    if _DERIVERS.setdefault(fn.__name__, once) is not once:
        raise ValueError(f"claim {fn.__name__!r} is derived twice")
    return once


@cache
def derivers() -> dict[str, Callable[[], Derivation]]:
    """Every registered derivation, after importing each module of this package once."""
    package = import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        import_module(f"{__package__}.{module.name}")
    return dict(_DERIVERS)


def derive(claim_id: str) -> Derivation:
    """The derivation of ``claim_id`` (cached: a second call is free)."""
    known = derivers()
    if claim_id not in known:
        raise KeyError(f"unknown claim {claim_id!r}; known: {', '.join(sorted(known))}")
    return known[claim_id]()


def claim_ids(sheet: str | None = None) -> tuple[str, ...]:
    """The claims of a sheet in its order (default: the current sheet)."""
    from derivcheck.sheets import sheet as find

    known = derivers()
    return tuple(c for c in find(sheet).claims if c in known)
