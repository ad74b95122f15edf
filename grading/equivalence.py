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
import math
import random
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .numeric import MP, NP, Unsupported, evaluate_entries
from .symbolic import XF, YF, X, Y

#: Each vector symbol with the symbol of its entry at the free index.
ENTRIES = ((X, XF), (Y, YF))


def evaluate(expr: sp.Basic, point: dict, backend: MP | NP) -> Any:
    """``expr`` at ``point``, entry by entry where it names the entry at its free index."""
    return evaluate_entries(expr, point, backend, ENTRIES)

DIGITS = 50
#: Precisions tried in turn until a value is stable (cancellation such as cosh^2 - sinh^2 of a
#: large argument loses digits; a difference is only believed once the values have settled).
PRECISIONS = (50, 100, 200, 400)
TOLERANCE = mpmath.mpf("1e-30")
MIN_VALID = 8
RANDOM_POINTS = 16
VECTOR_SIZES = (2, 3, 5, 8, 13)
VECTORS_PER_SIZE = 2


@dataclass
class Decision:
    status: str                       # proven | numeric | counterexample | invalid | undecided
    message: str
    counterexample: dict[str, Any] | None = None
    points: int = 0

    @property
    def equivalent(self) -> bool | None:
        return {"proven": True, "numeric": True, "counterexample": False}.get(self.status)


@dataclass(frozen=True)
class Domain:
    """Assumption kind per symbol (CONTRACT.md's kinds) and preferred display points."""

    kinds: dict[sp.Symbol, str]
    prefer: list[dict[sp.Symbol, Any]] = field(default_factory=list)


class OutOfTime(Exception):
    pass


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Raise ``OutOfTime`` once this process has spent ``seconds`` of CPU time (SIGPROF, user plus
    system time; only in the main thread, else no limit). CPU time, not wall time: a busy machine
    slows a check down but never changes its verdict."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise OutOfTime

    old = signal.signal(signal.SIGPROF, handler)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


NICE: dict[str, list[Any]] = {
    "positive_integer": [64, 10, 3, 7, 1], "integer": [3, -2, 5, 0], "positive": [0.5, 2, 0.1, 3],
    "nonnegative": [0.5, 2, 0, 3], "negative": [-0.5, -2, -3], "real": [2, -1, 0.5, -3],
    "complex": [2, 1 + 1j, -0.5],
}


def sample(kind: str, rng: random.Random) -> Any:
    """A random value of an assumption kind, over wide ranges (magnitudes from 1e-6 to 1e9)."""
    if kind == "positive_integer":
        return rng.choice([rng.randint(1, 40), rng.randint(41, 5000), rng.randint(5001, 10**9)])
    if kind == "integer":
        return rng.choice([rng.randint(-40, 40), rng.randint(-10**9, 10**9)])
    if kind in ("positive", "nonnegative"):
        return _odd(10 ** rng.choice([rng.uniform(-2, 2), rng.uniform(-6, 9)]), rng)
    if kind == "negative":
        return -_odd(10 ** rng.choice([rng.uniform(-2, 2), rng.uniform(-6, 9)]), rng)
    if kind == "complex":
        return complex(rng.gauss(0, 2), rng.gauss(0, 2))
    if kind.startswith("interval"):
        lo, hi = interval_bounds(kind)
        return rng.uniform(lo, hi) if (lo, hi) != (0, 1) else rng.choice([rng.uniform(0, 1), 10 ** rng.uniform(-4, -1)])
    return _odd(rng.choice([rng.gauss(0, 3), rng.gauss(0, 1e6)]), rng)


def small(kind: str, rng: random.Random) -> Any:
    """A random value of an assumption kind of moderate size (|log10| <= 2, integers up to 40):
    where cancellations such as cosh(d)^2 - sinh(d)^2 settle at the precision the grader allows."""
    if kind in ("positive_integer", "integer"):
        return rng.randint(1, 40) if kind == "positive_integer" else rng.randint(-40, 40)
    if kind in ("positive", "nonnegative", "negative"):
        value = _odd(10 ** rng.uniform(-2, 2), rng)
        return -value if kind == "negative" else value
    if kind == "real":
        return _odd(rng.gauss(0, 3), rng)
    return sample(kind, rng)


#: Extra moderate points tried when too few of the sample points were usable.
EXTRA_POINTS = 24


def _with_small_points(table: tuple, reference: sp.Expr, domain: Domain, vector: bool,
                       valid: Callable[[], int]) -> Iterator[tuple[dict, Any]]:
    """The table's points, then, while fewer than ``MIN_VALID`` were usable (values that never
    settle at large magnitudes), moderate points with the reference evaluated there."""
    yield from table
    if vector:
        return
    rng = random.Random(_seed(sp.srepr(reference), _domain_key(domain), salt(), "small"))
    for _ in range(EXTRA_POINTS):
        if valid() >= MIN_VALID:
            return
        point = {s: small(domain.kinds[s], rng) for s in domain.kinds}
        try:
            value = _value(reference, point, DIGITS)
            yield point, (value if _finite(value) else None)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            continue


def _odd(value: float, rng: random.Random) -> Fraction:
    """``value`` moved off the binary grid: a rational with an odd, large denominator, so no
    power of two times it is an integer (``sin(2^60 pi sigma)`` is not 0 there)."""
    denominator = 3 * rng.randrange(10**12, 10**13) + 1
    return Fraction(round(value * denominator), denominator) or Fraction(1, denominator)


def interval_bounds(kind: str) -> tuple[float, float]:
    inner = kind[kind.index("(") + 1: kind.rindex(")")]
    lo, hi = (float(v) for v in inner.split(","))
    return lo, hi


def nice(kind: str) -> list[Any]:
    if kind.startswith("interval"):
        lo, hi = interval_bounds(kind)
        return [lo + (hi - lo) * f for f in (0.1, 0.25, 0.5)]
    return list(NICE.get(kind, NICE["real"]))


def _mp(value: Any) -> Any:
    if isinstance(value, complex):
        return mpmath.mpc(value.real, value.imag)
    if isinstance(value, list):
        return [_mp(v) for v in value]
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value) if isinstance(value, float) else mpmath.mpf(int(value))


def _finite(value: Any) -> bool:
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return mpmath.isfinite(value)


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(_close(u, v) for u, v in zip(a, b, strict=False))
    scale = max(abs(a), abs(b))
    return abs(a - b) <= TOLERANCE * scale


class Undefined(ValueError):
    """An expression with no finite value at a point (an overflow past mpmath's range, a pole)."""


def _value(expr: sp.Expr, point: dict, digits: int) -> Any:
    """``expr`` at ``point`` with mpmath at ``digits`` digits; ``Undefined`` where it has no value."""
    try:
        with mpmath.workdps(digits):
            return evaluate(expr, {k: _mp(v) for k, v in point.items()}, MP())
    except (OverflowError, ZeroDivisionError, ArithmeticError, TypeError) as err:
        raise Undefined(f"{type(err).__name__}: {err}") from None


def _seed(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "little")


def show(value: Any) -> Any:
    """A value as a record holds it: a float, ``{"re", "im"}`` for a complex number, a list entry by
    entry (a solution set of one as its value), a SymPy expression that is no number as text. The
    one printer of values for answers and lines alike."""
    if isinstance(value, tuple):
        value = list(value) if len(value) != 1 else value[0]
    if isinstance(value, list):
        return [show(v) for v in value]
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, mpmath.mpc):
        return {"re": float(value.real), "im": float(value.imag)}
    if isinstance(value, sp.Basic):
        try:
            f = complex(sp.N(value, 17))
        except (TypeError, ValueError):
            return sp.sstr(value)
        return f.real if f.imag == 0 else {"re": f.real, "im": f.imag}
    return float(value)


def fmt(v: Any) -> str:
    """A shown value in words: 6 significant digits, complex numbers marked, vectors cut at 6 entries."""
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, dict) and set(v) == {"re", "im"}:
        return f"{fmt(v['re'])} {'-' if v['im'] < 0 else '+'} {fmt(abs(v['im']))}i (complex)"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(u) for u in v[:6]) + (", ..." if len(v) > 6 else "") + "]"
    return str(v)


def scalar_points(domain: Domain, rng: random.Random) -> Iterator[dict[sp.Symbol, Any]]:
    symbols = list(domain.kinds)
    yield from domain.prefer
    for i in range(3):
        yield {s: nice(domain.kinds[s])[i % len(nice(domain.kinds[s]))] for s in symbols}
    for _ in range(RANDOM_POINTS):
        yield {s: sample(domain.kinds[s], rng) for s in symbols}


#: Heads whose value has a kink or a jump where their argument is 0 (max and min where two
#: arguments meet; floor and ceiling where it is an integer).
KINKED = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.floor, sp.ceiling)


def _kinks(expr: sp.Expr) -> list[sp.Expr]:
    """The expressions whose zeros are the kinks and jumps of ``expr`` (at most 8)."""
    out: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Max, sp.Min)):
            out += [a - b for i, a in enumerate(node.args) for b in node.args[i + 1:]]
        elif isinstance(node, (sp.floor, sp.ceiling)):
            out += [node.args[0] - k for k in (0, 1)]
        elif isinstance(node, KINKED):
            out.append(node.args[0])
    return out[:8]


def kink_points(expr: sp.Expr, domain: Domain, seconds: float = 0.5) -> list[dict]:
    """Points of the domain just beside the kinks of ``expr``: each kink solved for one variable
    with the others at a nice value, then moved by +-1 and by a relative 1e-9 (so an extra term
    such as ``max(0, d - 10^6)`` is seen however rarely random points reach it)."""
    points: list[dict] = []
    base = {s: nice(k)[0] for s, k in domain.kinds.items()}
    for kink in _kinks(expr):
        for symbol in sorted(kink.free_symbols & set(domain.kinds), key=str)[:2]:
            others = {s: sp.nsimplify(v) for s, v in base.items() if s != symbol and s in kink.free_symbols}
            try:
                with budget(seconds):
                    roots = sp.solve(kink.xreplace(others), symbol)
            except (OutOfTime, RecursionError, NotImplementedError, ValueError, TypeError, AttributeError):
                continue
            for root in roots[:2]:
                try:
                    value = float(root) if root.is_number and root.is_real else None
                except (TypeError, ValueError, OverflowError):
                    value = None
                if value is None or not math.isfinite(value) or abs(value) > 1e15:
                    continue
                for moved in (value - 1, value + 1, value * (1 - 1e-9), value * (1 + 1e-9)):
                    if _fits(moved, domain.kinds[symbol]):
                        points.append({**base, symbol: round(moved) if "integer" in domain.kinds[symbol] else moved})
    return points[:24]


def _fits(value: float, kind: str) -> bool:
    if kind in ("positive", "positive_integer"):
        return value > 0
    if kind == "nonnegative":
        return value >= 0
    if kind == "negative":
        return value < 0
    if kind.startswith("interval"):
        lo, hi = interval_bounds(kind)
        return lo < value < hi
    return True


def _kink_table(student: sp.Expr, reference: sp.Expr, domain: Domain) -> list[tuple[dict, Any]]:
    """The reference's values beside the kinks of both expressions (None where undefined)."""
    table = []
    for point in kink_points(student, domain) + kink_points(reference, domain):
        try:
            value = _value(reference, point, DIGITS)
            table.append((point, value if _finite(value) else None))
        except (Unsupported, ValueError):
            table.append((point, None))
    return table


def vector_points(rng: random.Random) -> Iterator[dict[sp.Symbol, Any]]:
    for size in VECTOR_SIZES:
        for _ in range(VECTORS_PER_SIZE):
            x = [rng.gauss(0, 2) for _ in range(size)]
            label = rng.randrange(size)
            yield {X: x, Y: [1 if j == label else 0 for j in range(size)]}


def decide(student: sp.Expr, reference: sp.Expr, domain: Domain, *, vector: bool = False,
           prove_seconds: float = 1.5) -> Decision:
    """Decide student == reference on the domain."""
    if student.has(sp.oo, -sp.oo, sp.zoo) or reference.has(sp.oo, -sp.oo, sp.zoo):
        # No simplify here: SymPy's gammasimp can run for minutes (binomial(d, 22222) - oo). The
        # vocabulary has no limit, so an expression without an infinite atom is finite wherever
        # it is defined: only two infinite expressions can be the same.
        infinite = (sp.oo, -sp.oo, sp.zoo)
        same = (student.has(*infinite) and reference.has(*infinite) and sp.expand(student - reference) == 0) \
            or student == reference
        if same:
            return Decision("proven", "both are the same infinite value")
        return Decision("counterexample", "one side is infinite and the other is not",
                        {"at": {}, "answer_value": str(student), "reference_value": str(reference)})
    valid = 0
    try:
        table = _reference_table(reference, _domain_key(domain), vector)
    except Unsupported as err:
        return Decision("undecided", f"cannot evaluate the reference: {err}")
    if not vector:
        table = (*table, *_kink_table(student, reference, domain))
    for point, ref in _with_small_points(table, reference, domain, vector, lambda: valid):  # noqa: B023 - the count so far, read as it grows
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
            settled = _settled(student, reference, point)
            if settled is None:
                valid -= 1  # the values never settle here: no evidence either way
                continue
            ans, ref = settled
            if not _close(ans, ref):
                shown = {str(k): (len(v) if isinstance(v, list) else show(v)) for k, v in point.items()}
                if vector:
                    shown = {"x": [float(v) for v in point[X]], "y": point[Y]}
                return Decision("counterexample", "the answer differs from the reference",
                                {"at": shown, "answer_value": show(ans), "reference_value": show(ref)},
                                points=valid)
    if valid < MIN_VALID:
        return Decision("undecided", f"only {valid} of the sample points are in the domain of both "
                                     f"expressions (need {MIN_VALID})", points=valid)
    if vector:
        return Decision("numeric", f"equal entry by entry on {valid} random vectors (50 digits)", points=valid)
    if prove_seconds <= 0:  # asked for the numeric verdict only
        return Decision("numeric", f"equal to 30 digits at {valid} points (no proof attempted)", points=valid)
    try:
        with budget(prove_seconds):
            proven = _proves_zero(student - reference)
            apart = None if proven else _exactly_apart(student, reference)
    except (OutOfTime, RecursionError):
        proven, apart = False, None
    if proven:
        return Decision("proven", "SymPy simplifies the difference to 0", points=valid)
    if apart is not None:
        return Decision("counterexample", f"equal to 30 digits at {valid} points, but exactly the {apart}",
                        {"at": {}, "answer_value": sp.sstr(student), "reference_value": sp.sstr(reference)},
                        points=valid)
    return Decision("numeric", f"equal to 30 digits at {valid} points; not proven symbolically", points=valid)


def _exactly_apart(student: sp.Expr, reference: sp.Expr) -> str | None:
    """How the two differ exactly, when SymPy reduces their difference to a non-zero number or
    their ratio to a number other than 1 (``exp(x)(1 + 10^-35)`` against ``exp(x)``), else None."""
    difference = sp.simplify(student - reference)
    if difference.is_number and difference.is_zero is False:
        return f"difference simplifies to {sp.sstr(difference)[:80]}"
    if reference.is_zero is False:
        ratio = sp.simplify(student / reference)
        if ratio.is_number and (ratio - 1).is_zero is False:
            return f"ratio simplifies to {sp.sstr(ratio)[:80]}"
    return None


def _clean(value: Any, digits: int) -> Any:
    """``value`` with parts below the rounding noise of ``digits`` digits (|v| < 10^(-0.6 digits))
    set to 0: a value that shrinks as the precision rises is a zero computed inexactly."""
    if isinstance(value, list):
        return [_clean(v, digits) for v in value]
    floor = mpmath.mpf(10) ** (-0.6 * digits)
    if isinstance(value, mpmath.mpc):
        return mpmath.mpc(_clean(value.real, digits), _clean(value.imag, digits))
    return mpmath.mpf(0) if abs(value) < floor else value


class _Cancelling(MP):
    """The mpmath backend, noting the digits lost to cancellation in the worst sum: log10 of
    the larger operand over the result (a sum that cancels to exactly 0 counts as losing the
    operand's size plus 20 digits, so e^(2e6) - e^(2e6) is never a trusted 0)."""

    def __init__(self) -> None:
        self.lost = 0.0

    def add(self, a: Any, b: Any) -> Any:
        out = super().add(a, b)
        for u, v, w in zip(*(x if isinstance(x, list) else [x] for x in (a, b, out)), strict=False):
            size = max(abs(u), abs(v))
            if size == 0 or not mpmath.isfinite(size):
                continue
            lost = max(float(mpmath.log10(size)), 0.0) + 20 if w == 0 else float(mpmath.log10(size / abs(w)))
            self.lost = max(self.lost, lost)
        return out


def _value_lost(expr: sp.Expr, point: dict, digits: int) -> tuple[Any, float]:
    """``expr`` at ``point`` and the digits its worst cancellation lost."""
    backend = _Cancelling()
    try:
        with mpmath.workdps(digits):
            return evaluate(expr, {k: _mp(v) for k, v in point.items()}, backend), backend.lost
    except (OverflowError, ZeroDivisionError, ArithmeticError, TypeError) as err:
        raise Undefined(f"{type(err).__name__}: {err}") from None


#: The most digits a value is computed with to outlast its cancellations.
MAX_DIGITS = 1000


def _settled(student: sp.Expr, reference: sp.Expr, point: dict) -> tuple[Any, Any] | None:
    """Both values at ``point`` at a precision that outlasts their cancellations by 40 digits,
    and again at twice that, when the two agree to 30 digits; None when they never settle, need
    more than ``MAX_DIGITS``, or stop being defined (no evidence at this point)."""
    digits = PRECISIONS[1]
    previous = None
    while digits <= 2 * MAX_DIGITS:
        try:
            (a, lost_a), (b, lost_b) = _value_lost(student, point, digits), _value_lost(reference, point, digits)
        except (Unsupported, ValueError):
            return None
        if not (_finite(a) and _finite(b)):
            return None
        needed = max(lost_a, lost_b) + 40
        if needed > MAX_DIGITS:
            return None
        now = (_clean(a, digits - int(needed) + 40), _clean(b, digits - int(needed) + 40))
        if needed <= digits and previous is not None and _close(previous[0], now[0]) and _close(previous[1], now[1]):
            return now
        previous = now if needed <= digits else None
        digits = max(2 * digits, int(needed) + 1)
    return None


_DOMAINS: dict[tuple, Domain] = {}


@lru_cache(maxsize=1)
def salt() -> int:
    """The salt of the sample points: secret (not predictable by a student), fixed per install (the
    store's secret), so one answer gets one verdict on every run of an install."""
    from derivcheck.store import secret

    return int.from_bytes(secret("sample points")[:8], "little")


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
    rng = random.Random(_seed(sp.srepr(reference), key, salt()))
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


class _Watch(NP):
    """The float64 backend, noting the largest argument exp receives."""

    def __init__(self) -> None:
        self.largest = -np.inf

    def apply(self, f: Any, args: list[Any]) -> Any:
        if f.name == "exp" and args:
            with np.errstate(all="ignore"):
                self.largest = max(self.largest, float(np.nanmax(np.asarray(args[0], dtype=float))))
        return super().apply(f, args)


def stability_probes(seed: int | None = None) -> list[np.ndarray]:
    """Logit vectors with wide spreads: near +-1000, one huge entry, all very negative, mixed
    signs, thousands apart, and random ones of several scales (from an unpredictable seed)."""
    rng = np.random.default_rng(seed)
    probes = [np.array([1000.0, 1001.0, 1002.0]), np.array([-1000.0, -1001.0, -1002.0]),
              np.array([0.0, 0.0, 1e4]), np.array([-1e4, -1e4 + 1, -1e4 + 2, -1e4 - 5]),
              np.array([-500.0, 0.0, 500.0]), np.array([-3000.0, 0.0, 3000.0, 1.0]),
              np.array([1e4, -1e4, 0.5])]
    for scale in (1.0, 30.0, 1e3, 1e4):
        for size in (3, 10):
            probes.append(rng.choice([-1, 1]) * scale * rng.standard_normal(size) + rng.normal(0, scale))
    return probes


def unstable_at(expr: sp.Expr, seed: int | None = None) -> tuple[np.ndarray, float] | None:
    """A probe where a vector formula is unstable by the sheet's criterion, exp receiving a
    positive argument (or the float64 result being inf or NaN), with the largest argument exp
    received there; None when stable on every one of :func:`stability_probes`."""
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        for x in stability_probes(seed):
            y = np.eye(len(x))[rng.integers(len(x))]
            watch = _Watch()
            value = evaluate(expr, {X: x, Y: y}, watch)
            if watch.largest > 0 or not np.all(np.isfinite(value)):
                return x, watch.largest
    return None


def overflows(expr: sp.Expr, seed: int | None = None) -> bool:
    """Whether :func:`unstable_at` finds a probe."""
    return unstable_at(expr, seed) is not None
