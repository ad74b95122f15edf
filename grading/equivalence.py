"""Deciding whether two expressions are equal: refute numerically, then prove symbolically.

1. *Refutation*: both sides are evaluated with mpmath at 50 significant digits at points of the
   declared domain (nice points first, then random ones); a relative difference above 1e-30,
   confirmed at 100 digits, is a ``counterexample``. Values 1e-15 apart are told apart; at least
   ``MIN_VALID`` points where both sides are defined are required.
2. *Proof*: ``simplify(a - b) == 0`` under a time budget gives ``proven``; equal at every point but
   not proven within the budget gives ``numeric`` (also counted as equal).
Vector answers (softmax questions) are compared entry by entry on random logit vectors of several
lengths (``numeric``).
"""
from __future__ import annotations

import hashlib
import random
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from types import FrameType
from typing import Any, NoReturn

import mpmath
import numpy as np
import sympy as sp

from .numeric import MP, NP, Unsupported, evaluate
from .symbolic import X, Y

DIGITS = 50
TOLERANCE = mpmath.mpf("1e-30")
MIN_VALID = 8
RANDOM_POINTS = 16
VECTOR_SIZES = (2, 3, 5, 8, 13)
VECTORS_PER_SIZE = 2


@dataclass
class Decision:
    """The outcome of :func:`decide`: a status, a message in words, the counterexample for
    ``counterexample`` and the number of sample points where both sides were defined."""

    status: str                       # proven | numeric | counterexample | invalid | undecided
    message: str
    counterexample: dict[str, Any] | None = None
    points: int = 0

    @property
    def equivalent(self) -> bool | None:
        return {"proven": True, "numeric": True, "counterexample": False}.get(self.status)


@dataclass(frozen=True)
class Domain:
    """The assumption kind of each symbol (real, positive, ..., interval(a,b): docs/interface.md) and
    points to try first (``prefer``)."""

    kinds: dict[sp.Symbol, str]
    prefer: list[dict[sp.Symbol, Any]] = field(default_factory=list)


class OutOfTime(Exception):
    """The time budget of :func:`budget` ran out."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Raise ``OutOfTime`` after ``seconds`` (SIGALRM; only in the main thread, else no limit)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> NoReturn:
        raise OutOfTime

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


NICE: dict[str, list[float | complex]] = {
    "positive_integer": [64, 10, 3, 7, 1], "integer": [3, -2, 5, 0], "positive": [0.5, 2, 0.1, 3],
    "nonnegative": [0.5, 2, 0, 3], "negative": [-0.5, -2, -3], "real": [2, -1, 0.5, -3],
    "complex": [2, 1 + 1j, -0.5],
}


def sample(kind: str, rng: random.Random) -> Any:
    """A random value of an assumption kind."""
    if kind == "positive_integer":
        return rng.choice([rng.randint(1, 40), rng.randint(41, 5000)])
    if kind == "integer":
        return rng.randint(-40, 40)
    if kind in ("positive", "nonnegative"):
        return 10 ** rng.uniform(-2, 2)
    if kind == "negative":
        return -(10 ** rng.uniform(-2, 2))
    if kind == "complex":
        return complex(rng.gauss(0, 2), rng.gauss(0, 2))
    if kind.startswith("interval"):
        lo, hi = interval_bounds(kind)
        return rng.uniform(lo, hi) if (lo, hi) != (0, 1) else rng.choice([rng.uniform(0, 1), 10 ** rng.uniform(-4, -1)])
    return rng.gauss(0, 3)


def interval_bounds(kind: str) -> tuple[float, float]:
    """(a, b) of the assumption kind ``interval(a,b)``."""
    inner = kind[kind.index("(") + 1: kind.rindex(")")]
    lo, hi = (float(v) for v in inner.split(","))
    return lo, hi


def nice(kind: str) -> list[Any]:
    """Simple values of an assumption kind, tried before the random ones."""
    if kind.startswith("interval"):
        lo, hi = interval_bounds(kind)
        return [lo + (hi - lo) * f for f in (0.1, 0.25, 0.5)]
    return NICE.get(kind, NICE["real"])


def _mp(value: Any) -> Any:
    if isinstance(value, complex):
        return mpmath.mpc(value.real, value.imag)
    if isinstance(value, list):
        return [_mp(v) for v in value]
    return mpmath.mpf(value) if isinstance(value, float) else mpmath.mpf(int(value))


def _finite(value: Any) -> bool:
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return mpmath.isfinite(value)


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(_close(u, v) for u, v in zip(a, b, strict=True))
    scale = max(abs(a), abs(b), mpmath.mpf(1))
    return abs(a - b) <= TOLERANCE * scale


def _value(expr: sp.Expr, point: dict, digits: int) -> Any:
    with mpmath.workdps(digits):
        return evaluate(expr, {k: _mp(v) for k, v in point.items()}, MP())


def _seed(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "little")


def _show(value: Any) -> Any:
    if isinstance(value, list):
        return [_show(v) for v in value]
    if isinstance(value, mpmath.mpc):
        return {"re": float(value.real), "im": float(value.imag)}
    return float(value)


def scalar_points(domain: Domain, rng: random.Random) -> Iterator[dict[sp.Symbol, Any]]:
    """The points a scalar equality is tested at: preferred, then nice, then random ones."""
    symbols = list(domain.kinds)
    yield from domain.prefer
    for i in range(3):
        yield {s: nice(domain.kinds[s])[i % len(nice(domain.kinds[s]))] for s in symbols}
    for _ in range(RANDOM_POINTS):
        yield {s: sample(domain.kinds[s], rng) for s in symbols}


def vector_points(rng: random.Random) -> Iterator[dict[sp.Symbol, list[float] | list[int]]]:
    """Random logits x ~ N(0, 4) and a one-hot label y, ``VECTORS_PER_SIZE`` of each size in ``VECTOR_SIZES``."""
    for size in VECTOR_SIZES:
        for _ in range(VECTORS_PER_SIZE):
            x = [rng.gauss(0, 2) for _ in range(size)]
            label = rng.randrange(size)
            yield {X: x, Y: [1 if j == label else 0 for j in range(size)]}


def decide(student: sp.Expr, reference: sp.Expr, domain: Domain, *, vector: bool = False,
           prove_seconds: float = 1.5) -> Decision:
    """Decide student == reference on the domain."""
    if student.has(sp.oo, -sp.oo, sp.zoo) or reference.has(sp.oo, -sp.oo, sp.zoo):
        same = sp.simplify(student - reference) == 0 if not (student.has(sp.oo) and reference.has(sp.oo)) \
            else student == reference
        if same:
            return Decision("proven", "both are the same infinite value")
        return Decision("counterexample", "one side is infinite and the other is not",
                        {"at": {}, "answer_value": str(student), "reference_value": str(reference)})
    valid = 0
    try:
        table = _reference_table(reference, _domain_key(domain), vector)
    except Unsupported as err:
        return Decision("undecided", f"cannot evaluate the reference: {err}")
    for point, ref in table:
        if ref is None:
            continue
        try:
            ans = _value(student, point, DIGITS)
        except Unsupported as err:
            return Decision("undecided", f"cannot evaluate: {err}")
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            continue
        if not _finite(ans):
            continue
        valid += 1
        if not _close(ans, ref):
            ref2, ans2 = _value(reference, point, 2 * DIGITS), _value(student, point, 2 * DIGITS)
            if not _close(ans2, ref2):
                shown = {str(k): (len(v) if isinstance(v, list) else v) for k, v in point.items()}
                if vector:
                    shown = {"x": [float(v) for v in point[X]], "y": point[Y]}
                return Decision("counterexample", "the answer differs from the reference",
                                {"at": shown, "answer_value": _show(ans), "reference_value": _show(ref)},
                                points=valid)
    if valid < MIN_VALID:
        return Decision("undecided", f"only {valid} of the sample points are in the domain of both "
                                     f"expressions (need {MIN_VALID})", points=valid)
    if vector:
        return Decision("numeric", f"equal entry by entry on {valid} random vectors (50 digits)", points=valid)
    try:
        with budget(prove_seconds):
            proven = _proves_zero(student - reference)
    except (OutOfTime, RecursionError):
        proven = False
    if proven:
        return Decision("proven", "SymPy simplifies the difference to 0", points=valid)
    return Decision("numeric", f"equal to 30 digits at {valid} points; not proven symbolically", points=valid)


_DOMAINS: dict[tuple, Domain] = {}


def _domain_key(domain: Domain) -> tuple:
    key = (tuple(sorted((str(s), repr(s.assumptions0), k) for s, k in domain.kinds.items())), repr(domain.prefer))
    _DOMAINS.setdefault(key, domain)
    return key


@lru_cache(maxsize=256)
def _reference_table(reference: sp.Expr, key: tuple, vector: bool) -> tuple[tuple[dict, Any], ...]:
    """The sample points of a (reference, domain) and the reference's value at each (None where
    undefined). The points depend on the reference and the domain only, so the values are
    computed once and shared by every answer to the same question."""
    domain = _DOMAINS[key]
    rng = random.Random(_seed(sp.srepr(reference), key))
    points = vector_points(rng) if vector else scalar_points(domain, rng)
    table = []
    for point in points:
        try:
            value = _value(reference, point, DIGITS)
            table.append((point, value if _finite(value) else None))
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            table.append((point, None))
    return tuple(table)


def _proves_zero(diff: sp.Expr) -> bool:
    """diff == 0 by expansion, cancellation, exp(diff) == 1 (a real difference of logarithms,
    already seen to be 0 numerically, is then 0), or simplification, cheapest first."""
    if sp.expand(diff) == 0 or sp.cancel(diff) == 0:
        return True
    if diff.has(sp.log) and sp.cancel(sp.exp(diff)) == 1:
        return True
    return sp.simplify(diff) == 0


def overflows(expr: sp.Expr, seed: int = 0) -> bool:
    """Whether a vector formula gives inf or NaN in float64 on logits near +1000 or -1000."""
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        for centre in (1000.0, -1000.0):
            for size in (3, 10):
                x = centre + 3 * rng.standard_normal(size)
                y = np.eye(size)[rng.integers(size)]
                value = evaluate(expr, {X: x, Y: y}, NP())
                if not np.all(np.isfinite(value)):
                    return True
    return False
