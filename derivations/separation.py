r"""Test points that tell a claim's mistakes apart.

A counterexample shows each known mistake at a simulated point beside what was measured there. At
a point where two mistakes predict the same number (d sigma^2 and d sigma / 2 at sigma = 1/2) the
reader cannot tell which mistake a measurement refutes. The rule: a claim's *separating* points are
those where the result and every mistake, one value per distinct formula, are pairwise distinct
(two mistakes that are one formula, such as LeCun's scale and the forgotten half of he_sigma, are
one prediction); simulations list a separating point first (:func:`separating_first`), so that
every counterexample drawn from the first measurement that refutes a mistake is drawn there.

>>> from derivcheck.derivations import derive
>>> separates(derive("relu_variance"), {"d": 64, "sigma": 0.5})
False
>>> separates(derive("relu_variance"), {"d": 64, "sigma": 0.25})
True
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

import sympy as sp

from .claim import Derivation

#: Two predictions are distinct when they differ by more than this fraction of the larger one, so
#: that they also read differently at the three or four significant figures a report prints.
RELATIVE = 1e-3

P = TypeVar("P")


def distinct_formulas(derivation: Derivation) -> dict[str, sp.Expr]:
    """The result (under ``"result"``) and each mistake whose formula differs from all before it
    (a mistake equal to the result or to an earlier mistake is the same prediction)."""
    return dict(_distinct(derivation.result, tuple(derivation.mistakes.items())))


@lru_cache(maxsize=256)
def _distinct(result: sp.Expr, mistakes: tuple[tuple[str, sp.Expr], ...]) -> tuple[tuple[str, sp.Expr], ...]:
    """:func:`distinct_formulas` of a result and its mistakes, simplified once per process (every
    verification orders its points by it)."""
    kept: dict[str, sp.Expr] = {"result": result}
    for code, expr in mistakes:
        if all(sp.simplify(expr - other) != 0 for other in kept.values()):
            kept[code] = expr
    return tuple(kept.items())


def predictions(derivation: Derivation, at: Mapping[str, float]) -> dict[str, float]:
    """The value of each distinct formula (:func:`distinct_formulas`) at the point ``at`` (symbol
    names to values); a formula with a symbol ``at`` does not give, or no finite real value there, is
    left out (no measurement at ``at`` could refute it)."""
    point = {sym: at[name] for name, sym in derivation.symbols.items()
             if name in at and isinstance(sym, sp.Symbol)}
    values: dict[str, float] = {}
    for code, expr in distinct_formulas(derivation).items():
        value = sp.sympify(expr).subs(point).evalf(30)
        if value.free_symbols or not value.is_real or not value.is_finite:
            continue
        values[code] = float(value)
    return values


def separates(derivation: Derivation, at: Mapping[str, float], relative: float = RELATIVE) -> bool:
    """Whether the distinct formulas' predictions at ``at`` are pairwise distinct (by more than
    ``relative`` of the larger in size)."""
    values = sorted(predictions(derivation, at).values())
    return all(not math.isclose(a, b, rel_tol=relative, abs_tol=0.0) for a, b in itertools.pairwise(values))


def separating_first(derivation: Derivation, points: Iterable[P],
                     at: Callable[[P], Mapping[str, float]]) -> list[P]:
    """``points`` with the separating ones (:func:`separates`) first, each group in its given order;
    ``at`` reads a point's coordinates (symbol names to values). Only an order: a list of points
    none of which separates comes back as it was (the claim's tests hold its default points to
    having one)."""
    listed: Sequence[P] = list(points)
    flags = [separates(derivation, at(p)) for p in listed]
    pairs = list(zip(listed, flags, strict=True))
    return [p for p, f in pairs if f] + [p for p, f in pairs if not f]
