"""Deciding whether two expressions are equal: refute numerically, then prove symbolically.

1. *Refutation*: both sides are evaluated with mpmath at 50 significant digits at points of the
   declared domain (nice points first, then deterministic landmarks such as t = 0 and t = +-1, the
   same on every install, then random ones from the install's salt); a relative difference above
   1e-30, confirmed at 100 digits, is a ``counterexample``. Values 1e-15 apart are told apart; at
   least ``MIN_VALID`` points where both sides are defined are required.
2. *A tie looked at again*: with 100 and 200 digits plus the digits the exact constants span
   (:func:`constant_digits`: |log10 c| of every constant subexpression c), a gap that stays is a
   difference (``exp(-1000)`` inside a logarithm: 10^-434); then the exact difference, reduced
   by SymPy, valued alone where it is trusted (``exp(-1000 t^2)`` is 10^-3909 at t = 3).
   Constants spanning more than ``CONSTANT_DIGITS_BOUND`` digits leave a tie ``undecided``.
3. *Proof*: ``simplify(a - b) == 0`` under a time budget gives ``proven``; equal at every point but
   not proven within the budget gives ``numeric`` (also counted as equal).
Vector answers (softmax questions) are compared entry by entry on random logit vectors of several
lengths (``numeric``).

This module owns the points, the precision policy, the proofs and the counterexamples of final
answers and derivation lines alike: the points of a question's model (:func:`model_points`) are
drawn here too, seeded like the answers' points (:func:`_seed` of the canonical text, and the
install's :func:`salt`), and two lines are compared by :func:`same_number` and
:func:`apart_for_some_value`.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import itertools
import math
import random
import re
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
import sympy as sp
from sympy.printing.repr import ReprPrinter

from .numeric import MP, NP, Unsupported, evaluate_entries
from .symbolic import XF, YF, Interval, X, Y, interval

if TYPE_CHECKING:
    from .model import Model
    from .unroll import Point

#: Each vector symbol with the symbol of its entry at the free index.
ENTRIES = ((X, XF), (Y, YF))


def evaluate_answer(expr: sp.Basic, point: dict, backend: MP | NP) -> Any:
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
    """Assumption kind per symbol (docs/interface.md's kinds) and preferred display points."""

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

    outer, _ = signal.getitimer(signal.ITIMER_PROF)  # an enclosing budget's time left (0: none)
    start = time.process_time()
    old = signal.signal(signal.SIGPROF, handler)
    signal.setitimer(signal.ITIMER_PROF, min(seconds, outer) if outer > 0 else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)
        if outer > 0:  # the enclosing budget goes on with what it had left (at once if spent)
            signal.setitimer(signal.ITIMER_PROF, max(outer - (time.process_time() - start), 1e-6))


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
    rng = random.Random(_seed(reference, _domain_key(domain), salt(), "small"))
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
    """The ends of ``interval(a,b)`` (open) or ``interval[a,b]`` (closed), as floats
    (:func:`.symbolic.interval` reads the kind; ``ValueError`` for a kind that is no interval)."""
    found = _interval(kind)
    return float(found.lo), float(found.hi)


def interval_closed(kind: str) -> bool:
    """Whether the interval kind holds its ends (``interval[0,1]``: a label that is 0 or 1)."""
    return _interval(kind).closed


def _interval(kind: str) -> Interval:
    found = interval(kind)
    if found is None:
        raise ValueError(f"assumption kind {kind!r} is no interval")
    return found


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
            return evaluate_answer(expr, {k: _mp(v) for k, v in point.items()}, MP())
    except (OverflowError, ZeroDivisionError, ArithmeticError, TypeError) as err:
        raise Undefined(f"{type(err).__name__}: {err}") from None


class _Canonical(ReprPrinter):
    """``srepr`` with every symbol printed with its full assumptions (``assumptions0``), so one
    formula has one text whether it was derived now (``Symbol('x', real=True)``) or read back from
    the store (the same symbol with every implied assumption spelled out)."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        facts = sorted((k, v) for k, v in expr.assumptions0.items() if v is not None)
        return f"{type(expr).__name__}({expr.name!r}, {facts!r})"


def _seed(*parts: Any) -> int:
    """A 64-bit seed of ``parts``; a SymPy object counts by its canonical text (see :class:`_Canonical`)."""
    text = repr(tuple(_Canonical().doprint(p) if isinstance(p, sp.Basic) else p for p in parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def show(value: Any) -> Any:
    """A value as a record holds it: a float, ``{"re", "im"}`` for a complex number, a list entry by
    entry (a solution set of one as its value), a SymPy expression that is no number as text. The
    one printer of values for answers and lines alike."""
    if isinstance(value, tuple):
        value = list(value) if len(value) != 1 else value[0]
    if isinstance(value, list):
        return [show(v) for v in value]
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int) or (isinstance(value, Fraction) and value.denominator == 1):
        return int(value)  # a dimension prints as 64, not 64.0
    if isinstance(value, sp.Integer):
        return int(value)
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, mpmath.mpc):
        return {"re": show(value.real), "im": show(value.imag)}
    if isinstance(value, mpmath.mpf) and mpmath.isfinite(value) and value != 0 \
            and not FLOAT_RANGE[0] <= abs(value) <= FLOAT_RANGE[1]:
        return mpmath.nstr(value, 17)  # a finite value past float64's range, as text: never inf or 0
    if isinstance(value, sp.Basic):
        try:
            n = sp.N(value, 17)
            f = complex(n)
        except (TypeError, ValueError):
            return sp.sstr(value)
        if not (math.isfinite(f.real) and math.isfinite(f.imag)) and n.is_finite:
            return sp.sstr(n)  # past float64's range: the number as text, never inf
        return f.real if f.imag == 0 else {"re": f.real, "im": f.imag}
    return float(value)


#: The magnitudes a float64 holds with full precision (beyond: shown as text).
FLOAT_RANGE = (mpmath.mpf("2.3e-308"), mpmath.mpf("1.7e308"))
#: Digits tried in turn until two differing values print differently.
SHOWN_DIGITS = (17, 25, 40, 60, 100)


def show_pair(a: Any, b: Any) -> tuple[Any, Any]:
    """Two values that differ, as :func:`show` holds them, with as many digits as they need to
    print differently (text with up to 100 digits where their floats are equal)."""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = [show_pair(u, v) for u, v in zip(a, b, strict=True)]
        return [p for p, _ in pairs], [q for _, q in pairs]
    shown = show(a), show(b)
    if shown[0] != shown[1] or isinstance(a, list) or isinstance(b, list):
        return shown
    for digits in SHOWN_DIGITS[1:]:
        try:
            texts = mpmath.nstr(_exact(a), digits), mpmath.nstr(_exact(b), digits)
        except (TypeError, ValueError):
            return shown
        if texts[0] != texts[1]:
            return texts
    return shown


def _exact(value: Any) -> Any:
    """An mpmath number as it is (with all its digits); anything else as :func:`_mp` reads it."""
    return value if isinstance(value, (mpmath.mpf, mpmath.mpc)) else _mp(value)


def fmt_pair(a: Any, b: Any) -> tuple[str, str]:
    """Two shown values in words with as many digits as they need to print differently (6
    significant digits when those differ, up to 17; text as held; vectors entry by entry)."""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = [fmt_pair(u, v) for u, v in zip(a[:6], b[:6], strict=True)]
        more = ", ..." if len(a) > 6 else ""
        return ("[" + ", ".join(p for p, _ in pairs) + more + "]", "[" + ", ".join(q for _, q in pairs) + more + "]")
    if isinstance(a, float) and isinstance(b, float) and a != b and not (fmt(a) != fmt(b) and a.is_integer()
                                                                         and b.is_integer()):
        for digits in (6, 10, 13, 17):
            texts = f"{a:.{digits}g}", f"{b:.{digits}g}"
            if texts[0] != texts[1]:
                return texts
    words = fmt(a), fmt(b)
    if words[0] == words[1] and isinstance(a, str) and isinstance(b, str) and a != b:
        return a, b  # "about ..." hides the digits where they differ: the digits as held
    return words


def fmt_point(v: Any) -> str:
    """A coordinate of a point with the digits to reproduce it (a float's shortest round trip;
    a vector entry by entry)."""
    if isinstance(v, list):
        return "[" + ", ".join(fmt_point(u) for u in v) + "]"
    return repr(v) if isinstance(v, float) else fmt(v)


_NUMBER_TEXT = re.compile(r"^\s*-?\d+(\.\d*)?e[+-]?\d+\s*$")


def fmt(v: Any) -> str:
    """A shown value in words: 6 significant digits, complex numbers marked, vectors cut at 6
    entries; a number past float64's range (held as text) as "about m x 10^k", never inf."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))  # a count in full: 33554432, not 3.35544e+07
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, str) and _NUMBER_TEXT.match(v):
        number = mpmath.mpf(v)
        if not FLOAT_RANGE[0] <= abs(number) <= FLOAT_RANGE[1]:
            exponent = int(mpmath.floor(mpmath.log10(abs(number))))
            mantissa = mpmath.nstr(number / mpmath.mpf(10) ** exponent, 6)
            return f"about {mantissa} x 10^{exponent}"
    if isinstance(v, dict) and set(v) == {"re", "im"}:
        return f"{fmt(v['re'])} {'-' if v['im'] < 0 else '+'} {fmt(abs(v['im']))}i (complex)"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(u) for u in v[:6]) + (", ..." if len(v) > 6 else "") + "]"
    return str(v)


def scalar_points(domain: Domain, rng: random.Random) -> Iterator[dict[sp.Symbol, Any]]:
    """The preferred points, three nice ones, the landmarks (:func:`landmark_points`, the same on
    every install), then ``RANDOM_POINTS`` random ones (salted)."""
    symbols = list(domain.kinds)
    yield from domain.prefer
    for i in range(3):
        yield {s: nice(domain.kinds[s])[i % len(nice(domain.kinds[s]))] for s in symbols}
    yield from landmark_points(domain)
    for _ in range(RANDOM_POINTS):
        yield {s: sample(domain.kinds[s], rng) for s in symbols}


#: Landmark values per assumption kind: where a term negligible almost everywhere shows
#: (``exp(-1000 t^2)`` is 1 at t = 0, ``(10^-300)^t`` is 10^-300 at t = 1, not 10^-900 at t = 3).
LANDMARKS: dict[str, list[Any]] = {
    "real": [0, 1, -1], "integer": [0, 1, -1], "positive_integer": [1, 2], "positive": [1],
    "nonnegative": [0, 1], "negative": [-1], "complex": [0, 1j],
}


def landmarks(kind: str) -> list[Any]:
    """The landmark values of an assumption kind (an interval's midpoint for ``interval(a,b)``, and
    its ends too for a closed ``interval[a,b]``)."""
    if kind.startswith("interval"):
        lo, hi = interval_bounds(kind)
        ends = [Fraction(lo), Fraction(hi)] if interval_closed(kind) else []
        return [(Fraction(lo) + Fraction(hi)) / 2, *ends]
    return list(LANDMARKS.get(kind, LANDMARKS["real"]))


def landmark_points(domain: Domain) -> list[dict[sp.Symbol, Any]]:
    """Deterministic probes, the same on every install (no salt): every variable at its kind's
    first landmark, then one variable at a time at each of its other landmarks. They join the
    sample points, so they are used only where the reference is defined and finite, and a
    difference found there is a counterexample like any other: a verdict that hangs on a term
    negligible except near 0 or 1 is the same whatever the salt."""
    symbols = sorted(domain.kinds, key=str)
    base = {s: landmarks(domain.kinds[s])[0] for s in symbols}
    points = [base]
    for s in symbols:
        points += [{**base, s: v} for v in landmarks(domain.kinds[s])[1:]]
    return points


# --- the points of a question's model (the lines of a derivation) ---------------------------

#: The dimensions a model's points take, in turn (small: every sum is unrolled there).
MODEL_DIMENSIONS = (2, 3, 5, 7, 4)
#: Points of a model a derivation is valued at, and the free-index combinations kept at each.
MODEL_POINTS = 4
FREE_COMBINATIONS = 6


def model_points(model: Model, seed_text: str) -> list[Point]:
    """The points a derivation is valued at: ``MODEL_POINTS``, with dimensions among
    ``MODEL_DIMENSIONS``, parameters away from coincidences (sigma != 1, eps != 1/2; see
    :func:`model_parameter`), every free-index combination (at most ``FREE_COMBINATIONS`` a point,
    drawn at random beyond that) and vector entries on a grid of 1/1000. Seeded as the final
    answers' points are: by the question and the model (canonical text, :func:`_seed`) and the
    install's :func:`salt`, so they are secret but fixed per install."""
    from .unroll import Point

    rng = random.Random(_seed(seed_text, model.name, salt()))
    out = []
    for p in range(MODEL_POINTS):
        params = {}
        for n, (name, symbol) in enumerate(model.parameters.items()):
            kind = model.kinds.get(name)
            if kind is None:
                continue  # an equation's unknown
            params[symbol] = model_parameter(kind, rng, MODEL_DIMENSIONS[(p + n) % len(MODEL_DIMENSIONS)])
        free = list(model.free)
        ranges = [range(1, index_bound(model.free[f], params) + 1) for f in free]
        combos = [dict(zip(free, c, strict=True)) for c in itertools.product(*ranges)]
        combos = [c for c in combos if all(c[a] != c[b] for a, b in model.distinct)] or [{}]
        if len(combos) > FREE_COMBINATIONS:
            combos = rng.sample(combos, FREE_COMBINATIONS)
        for combo in combos:
            vectors = {}
            for name in model.vectors:
                size = index_bound(model.range_of(next(iter(model.indices), "")) or "d", params)
                vectors.update({sp.Symbol(f"{name}_{i}", real=True): sp.Rational(rng.randint(-2500, 2500), 1000)
                                for i in range(1, size + 1)})
            out.append(Point(params, combo, vectors))
    return out


def index_bound(text: str, params: dict) -> int:
    """The upper end of an index range (a number, or a parameter's value at ``params``)."""
    if text.isdigit():
        return int(text)
    values = {s.name: v for s, v in params.items()}
    return int(values[text])


def model_parameter(kind: str, rng: random.Random, integer: int) -> sp.Expr:
    """An exact value of a model's parameter of an assumption kind: ``integer`` for integer kinds,
    rationals away from 0, 1 and 1/2 otherwise (a coincidence there could hide a wrong line)."""
    if kind in ("positive_integer", "integer"):
        return sp.Integer(integer)
    if kind in ("positive", "nonnegative"):
        return sp.Rational(rng.choice([3, 7, 13, 17, 23]), 10)
    if kind.startswith("interval"):
        unit = interval_bounds(kind) == (0, 1)
        return sp.Rational(rng.choice([1, 2, 3, 7, 9]), 10) if unit else sp.Rational(1, 3)
    return sp.Rational(rng.randint(-20, 20) or 3, 10)


def apart_for_some_value(a: sp.Expr, b: sp.Expr, kinds: dict[str, str],
                         *seed_parts: Any) -> tuple[bool | None, dict[sp.Symbol, sp.Expr]]:
    """Two expressions in a model's parameters alone, for every value of them: ``(True, {})`` when
    their expanded difference is 0, ``(False, point)`` with a point (exact parameter values, by
    symbol) where they differ under the precision policy (:func:`same_number`; beyond the usual
    points: dimensions 11, 13, 17, 23), ``(None, {})`` when neither is shown."""
    if a == b:
        return True, {}  # oo and oo too, whose difference is no number
    try:
        diff = sp.expand(a - b)
    except (TypeError, ValueError, RecursionError):
        return None, {}
    if diff == 0:
        return True, {}
    rng = random.Random(_seed(*seed_parts, diff, salt()))
    # every parameter of either side: one that cancels in the difference must still get a value
    symbols = {s.name: s for s in a.free_symbols | b.free_symbols}
    if not set(symbols) <= set(kinds):
        return None, {}
    for _ in range(3):
        point = {symbols[n]: model_parameter(kinds[n], rng, rng.choice([11, 13, 17, 23])) for n in symbols}
        if not same_number(a.xreplace(point), b.xreplace(point)):
            return False, point
    return None, {}


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


def _roots(zeros: list[sp.Expr], domain: Domain, seconds: float) -> Iterator[tuple[dict, sp.Symbol, float]]:
    """``(base, symbol, root)`` for each real finite root (|root| <= 1e15) of each of ``zeros``,
    solved for one of its variables (at most two) with the others at the nice point ``base``
    (at most two roots each, each solve within ``seconds``)."""
    base = {s: nice(k)[0] for s, k in domain.kinds.items()}
    for zero in zeros:
        for symbol in sorted(zero.free_symbols & set(domain.kinds), key=str)[:2]:
            others = {s: sp.nsimplify(v) for s, v in base.items() if s != symbol and s in zero.free_symbols}
            try:
                with budget(seconds):
                    roots = sp.solve(zero.xreplace(others), symbol)
            except (OutOfTime, RecursionError, NotImplementedError, ValueError, TypeError, AttributeError):
                continue
            for root in roots[:2]:
                try:
                    value = float(root) if root.is_number and root.is_real else None
                except (TypeError, ValueError, OverflowError):
                    value = None
                if value is not None and math.isfinite(value) and abs(value) <= 1e15:
                    yield base, symbol, value


def kink_points(expr: sp.Expr, domain: Domain, seconds: float = 0.5) -> list[dict]:
    """Points of the domain just beside the kinks of ``expr``: each kink solved for one variable
    with the others at a nice value, then moved by +-1 and by a relative 1e-9 (so an extra term
    such as ``max(0, d - 10^6)`` is seen however rarely random points reach it)."""
    points: list[dict] = []
    for base, symbol, value in _roots(_kinks(expr), domain, seconds):
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
        return lo <= value <= hi if interval_closed(kind) else lo < value < hi
    return True


#: Heads whose value is narrow around an exponent's maximum (exp) or an argument's zero.
PEAKED = (sp.exp, sp.cosh, sp.sinh, sp.tanh, sp.sech, sp.csch, sp.coth, sp.sin, sp.cos, sp.tan, sp.atan)
#: The most centres looked at per expression.
CENTRES = 8


def _centres(expr: sp.Expr) -> list[sp.Expr]:
    """Expressions whose zeros are the centres of the narrow terms of ``expr``: for ``exp(g)`` the
    derivatives of g (where it is largest: ``exp(-1000 (t - 7)^2)`` is 1 at t = 7 and below
    10^-400 a unit away), for the other :data:`PEAKED` heads their argument itself (``sech(1000
    (t - 7))``); only arguments that are polynomials in the variables (at most 8)."""
    out: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, PEAKED) or not node.args[0].free_symbols or not node.args[0].is_polynomial():
            continue
        argument = node.args[0]
        if isinstance(node, sp.exp):
            out += [sp.diff(argument, s) for s in sorted(argument.free_symbols, key=str)]
        else:
            out.append(argument)
    return [c for c in out if c.free_symbols][:CENTRES]


def centre_points(expr: sp.Expr, domain: Domain, seconds: float = 0.3) -> list[dict]:
    """Points of the domain at the centres of the narrow terms of ``expr`` (:func:`_centres`):
    each centre solved for one variable with the others at a nice value. A term negligible a
    unit away from its centre (a Gaussian of width 0.03) is then seen there however rarely
    random points come near it; a difference found there is a counterexample like any other."""
    points: list[dict] = []
    for base, symbol, value in _roots(_centres(expr), domain, seconds):
        kind = domain.kinds[symbol]
        if _fits(value, kind) and ("integer" not in kind or value.is_integer()):
            points.append({**base, symbol: Fraction(value) if "integer" not in kind else int(value)})
    return points[:CENTRES]


def _kink_table(student: sp.Expr, reference: sp.Expr, domain: Domain) -> list[tuple[dict, Any]]:
    """The reference's values beside the kinks of both expressions and at the centres of their
    narrow terms (None where undefined)."""
    table = []
    points = kink_points(student, domain) + kink_points(reference, domain) + centre_points(student, domain)
    for point in points:
        try:
            value = _value(reference, point, DIGITS)
            table.append((point, value if _finite(value) else None))
        except (Unsupported, ValueError):
            table.append((point, None))
    return table


def vector_points(rng: random.Random, wide: bool = False) -> Iterator[dict[sp.Symbol, Any]]:
    """Random logit vectors of several lengths with a one-hot label; with ``wide``, then the
    stability check's probes too (huge, tiny, mixed-sign, far apart, ties), so a term that only
    switches on for large or tied entries is seen."""
    for size in VECTOR_SIZES:
        for _ in range(VECTORS_PER_SIZE):
            x = [rng.gauss(0, 2) for _ in range(size)]
            label = rng.randrange(size)
            yield {X: x, Y: [1 if j == label else 0 for j in range(size)]}
    if wide:
        for probe in stability_probes(rng.randrange(2**32)):
            label = rng.randrange(len(probe))
            yield {X: [float(v) for v in probe], Y: [1 if j == label else 0 for j in range(len(probe))]}


#: Decisions memoised by the parsed trees (two spellings of one answer share a decision).
_DECIDED: dict[tuple, Decision] = {}
MEMO_SIZE = 4096
#: CPU seconds left to an enclosing budget below which it counts as spent.
SPENT = 1e-3


def decide(student: sp.Expr, reference: sp.Expr, domain: Domain, *, vector: bool = False,
           prove_seconds: float = 1.5) -> Decision:
    """Decide student == reference on the domain (memoised by the two trees and the domain)."""
    key = (student, reference, _domain_key(domain), vector, prove_seconds)
    known = _DECIDED.get(key)
    if known is None:
        known = _decide(student, reference, domain, vector=vector, prove_seconds=prove_seconds)
        if 0 < signal.getitimer(signal.ITIMER_PROF)[0] <= SPENT:
            return known  # an enclosing budget ran out during it: perhaps cut short, not kept
        if len(_DECIDED) >= MEMO_SIZE:
            _DECIDED.pop(next(iter(_DECIDED)))
        _DECIDED[key] = known
    return dataclasses.replace(known, counterexample=copy.deepcopy(known.counterexample))


def _decide(student: sp.Expr, reference: sp.Expr, domain: Domain, *, vector: bool = False,
            prove_seconds: float = 1.5, fast: bool = True) -> Decision:
    """:func:`decide` without its memo; ``fast=False`` skips the double-precision first pass."""
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
    if fast and not vector:
        quick = _fast(student, reference, domain, table, prove_seconds)
        if quick is not None:
            return quick
    if not vector:
        table = (*table, *_kink_table(student, reference, domain))
    seen: list[dict] = []
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
        seen.append(point)
        if not _close(ans, ref):
            settled = _settled(student, reference, point)
            if settled is None:
                valid -= 1  # the values never settle here: no evidence either way
                continue
            ans, ref = settled
            if not _close(ans, ref) and not vector and _cancelled_to_zero((student, ans), (reference, ref)) \
                    and not _zero_shown(student, reference, point):
                valid -= 1  # a side cancelled to exactly 0 (1 - 1/(1 + e^{-18253})): no evidence here
                continue
            if not _close(ans, ref):
                return _counterexample(point, ans, ref, vector, valid)
    if valid < MIN_VALID:
        return Decision("undecided", f"only {valid} of the sample points are in the domain of both "
                                     f"expressions (need {MIN_VALID})", points=valid)
    lasting = _lasting_gap(student, reference, seen)
    if lasting is not None:  # a tie at 30 digits that more digits keep: a difference (a factor 1 + 10^-40)
        return _counterexample(*lasting, vector, valid)
    spans = constant_digits(student, reference)
    shown = None
    if prove_seconds > 0:
        try:  # a disproof first, cheap: the exact difference valued alone
            with budget(min(prove_seconds, DIFFERENCE_SECONDS)):
                shown = _difference_shown(student, reference, seen, tie_digits(student, reference)[0], not vector)
        except (OutOfTime, RecursionError):
            shown = None
    if shown is not None:
        return _shown(student, reference, *shown, vector, valid)
    if vector:
        return _beyond(spans, valid) or Decision("numeric", f"equal entry by entry on {valid} random vectors "
                                                            "(50 digits)", points=valid)
    if prove_seconds <= 0:  # asked for the numeric verdict only
        return _beyond(spans, valid) or Decision("numeric", f"equal to 30 digits at {valid} points (no proof "
                                                            "attempted)", points=valid)
    try:
        with budget(prove_seconds):
            proven = _proves_zero(student - reference, cheap_tried=fast)
            apart = None if proven else _exactly_apart(student, reference, domain)
    except (OutOfTime, RecursionError):
        proven, apart = False, None
    if proven:
        return Decision("proven", "SymPy simplifies the difference to 0", points=valid)
    if apart is not None:
        return Decision("counterexample", f"equal to 30 digits at {valid} points, but exactly the {apart}",
                        {"at": {}, "answer_value": sp.sstr(student), "reference_value": sp.sstr(reference)},
                        points=valid)
    return _beyond(spans, valid) or Decision("numeric", f"equal to 30 digits at {valid} points; not proven "
                                                        "symbolically", points=valid)


def _shown(student: sp.Expr, reference: sp.Expr, point: dict, difference: sp.Expr, value: Any, vector: bool,
           valid: int) -> Decision:
    """The counterexample at ``point`` where the exact difference was valued alone and is not 0
    (:func:`_difference_shown`): the two values, and the difference with all its digits where
    they print alike."""
    found = _counterexample(point, *_pair_at(student, reference, point), vector, valid)
    assert found.counterexample is not None
    if found.counterexample["answer_value"] == found.counterexample["reference_value"]:
        found.counterexample["difference"] = show(value)
    at = ", ".join(f"{k} = {fmt_point(v)}" for k, v in found.counterexample["at"].items())
    return dataclasses.replace(found, message=(
        f"equal to 30 digits at {valid} points, but the difference {sp.sstr(difference)[:80]} is "
        f"{fmt(show(value))} at {at}, not 0"))


def _beyond(spans: float, valid: int) -> Decision | None:
    """``undecided`` when the exact constants span more digits than ``CONSTANT_DIGITS_BOUND``: a
    tie there may hide a difference no precision the grader allows can see, so it is never
    called equal; None otherwise."""
    if spans <= CONSTANT_DIGITS_BOUND:
        return None
    size = "beyond mpmath's range" if math.isinf(spans) else f"of about 10^{round(spans)} or 10^-{round(spans)}"
    return Decision("undecided", f"equal to 30 digits at {valid} points, but the answer holds exact constants "
                                 f"{size}, more digits than the {CONSTANT_DIGITS_BOUND} a tie is checked with",
                    points=valid)


def _pair_at(student: sp.Expr, reference: sp.Expr, point: dict) -> tuple[Any, Any]:
    """The two values at ``point`` with the digits of :func:`tie_digits` (the first precision)."""
    digits = tie_digits(student, reference)[0]
    return _value(student, point, digits), _value(reference, point, digits)


#: Tied points at which the exact difference of two expressions is valued (:func:`_difference_shown`),
#: and the CPU seconds it may take.
DIFFERENCE_POINTS = 4
DIFFERENCE_SECONDS = 0.5


def _difference_shown(student: sp.Expr, reference: sp.Expr, points: list[dict], digits: int,
                      patient: bool = True) -> tuple[dict, sp.Expr, Any] | None:
    """(point, difference, its value) where the difference of the two, reduced exactly first
    (``cancel``: common terms go, so ``s(1 - s) + exp(-1000 t^2) - (s - s^2)`` is
    ``exp(-1000 t^2)``), is shown to be non-zero by valuing it alone, at one of the first
    ``DIFFERENCE_POINTS`` tied points: its value there is trusted (:class:`_Strict`: every
    cancellation and every absorbed term outlasted by 40 digits, no sum cancelling to exactly 0)
    at ``digits`` or more, and stays as the digits double. A term too small to change the two
    values at any precision the grader allows (10^-3909) is seen so, as mpmath holds any
    exponent. None when no point shows it. ``patient``: see :func:`_trusted_value` (vector answers,
    always decided numerically, are not: a right one would pay for every doubling)."""
    try:
        difference = sp.cancel(student - reference)
    except (sp.PolynomialError, NotImplementedError, TypeError, ValueError, AttributeError):
        difference = student - reference
    if difference == 0 or not difference.free_symbols:
        return None
    for point in points[:DIFFERENCE_POINTS]:
        value = _trusted_value(difference, point, digits, patient)
        if value is not None and any(v != 0 for v in (value if isinstance(value, list) else [value])):
            return point, difference, value
    return None


def _cancelled_to_zero(*valued: tuple[sp.Expr, Any]) -> bool:
    """Whether one of the (expression, value) pairs is an expression in some name valued exactly
    0 (a sum that cancelled), not the number 0 itself."""
    return any(value == 0 and expr.free_symbols for expr, value in valued)


def _zero_shown(student: sp.Expr, reference: sp.Expr, point: dict) -> bool:
    """Whether two values apart at ``point`` where one of them is exactly 0 are shown apart by
    their exact difference valued alone (:func:`_difference_shown`): a sum that cancels to exactly
    0 may have lost an addend its other term absorbed (``1 - 1/(1 + e^{-t})`` at t = 18253 is 0
    below 7,928 digits, while sigma(1 - sigma) - e^{-t}/(1 + e^{-t})^2 is exactly 0)."""
    try:
        with budget(DIFFERENCE_SECONDS):
            return _difference_shown(student, reference, [point], DIGITS) is not None
    except (OutOfTime, RecursionError):
        return False


def _trusted_value(expr: sp.Expr, point: dict, digits: int, patient: bool = True) -> Any:
    """``expr`` at ``point`` once :class:`_Strict` trusts it (cancellations and absorbed terms
    outlasted by 40 digits, no sum cancelling to exactly 0) at two precisions, the second twice
    the first, and the two agree to 30 digits. None when that needs more than ``MAX_DIGITS``,
    when every digit went to cancellation (the rounding noise of a zero computed inexactly), when
    the value is not a finite real number (a vector: entry by entry), or, unless ``patient`` (the
    digits then double up to ``MAX_DIGITS``), when a sum cancelled to exactly 0."""
    previous, limit = None, 2 * max(MAX_DIGITS, digits)
    while digits <= limit:
        backend = _Strict()
        try:
            with mpmath.workdps(digits):
                value = evaluate_answer(expr, {k: _mp(v) for k, v in point.items()}, backend)
        except (Unsupported, OverflowError, ZeroDivisionError, ArithmeticError, TypeError, ValueError):
            return None
        entries = value if isinstance(value, list) else [value]
        if not all(isinstance(v, mpmath.mpf) and mpmath.isfinite(v) for v in entries) or backend.lost >= digits - 10:
            return None
        needed = max(backend.lost, backend.absorbed) + 40
        if needed > MAX_DIGITS:
            return None
        if backend.vanished and not patient:
            return None
        if needed > digits or backend.vanished:  # more digits may show what vanished
            previous, digits = None, max(2 * digits, math.ceil(needed) + 1)
            continue
        if previous is not None:
            return value if _close(previous, value) else None
        previous, digits = value, 2 * digits
    return None


#: The most digits the exact constants of two compared expressions may span (10^-1000 to
#: 10^1000); beyond, a tie is never called equal (``undecided``, for a person to read).
CONSTANT_DIGITS_BOUND = 1000
#: The most constant subexpressions valued to measure the digits they span.
CONSTANT_NODES = 64


def constant_digits(*exprs: sp.Basic) -> float:
    """The digits the exact constants of ``exprs`` span, so that a tie is looked at with enough
    digits to see them: the largest, over every constant subexpression c (a number, or a
    function of numbers only: ``exp(-1000)``, ``10^-500``, ``log(1 + 10^-600)``), of
    |log10 |c||, and for an exact rational p/q of the digits of p and of q (``1 + 10^-500`` is
    (10^500 + 1)/10^500: 500 digits). A term c added to values of size 1 changes them by a
    relative |c|, seen only with more than |log10 c| digits. ``inf`` where a constant has no
    value mpmath can hold; a harmless ``exp(0)`` or ``10^3`` spans 0 and 3 digits."""
    return max((_constant_span(e) for e in exprs), default=0.0)


@lru_cache(maxsize=1024)
def _constant_span(expr: sp.Basic) -> float:
    """:func:`constant_digits` of one expression."""
    most = 0.0
    valued = 0
    seen: set[sp.Basic] = set()
    for node in sp.preorder_traversal(expr):
        if node in seen or not isinstance(node, sp.Expr) or not node.is_number:
            continue
        seen.add(node)
        if isinstance(node, sp.Rational):
            most = max(most, abs(node.p).bit_length() * LOG10_2, node.q.bit_length() * LOG10_2)
            continue
        if node.is_Atom or valued >= CONSTANT_NODES:
            continue  # pi, E, I: of size 1
        valued += 1
        try:
            value = _value(node, {}, 15)
        except (Unsupported, ValueError, TypeError, ArithmeticError):
            return math.inf
        for part in (mpmath.re(value), mpmath.im(value)) if isinstance(value, mpmath.mpc) else (value,):
            if not mpmath.isfinite(part):
                return math.inf
            if part:
                most = max(most, abs(int(mpmath.mag(part))) * LOG10_2)
    return most


def tie_digits(*exprs: sp.Basic) -> tuple[int, int]:
    """The two precisions a tie is looked at again with (their gap must stay as the digits
    double): 2 ``DIGITS`` plus the digits the exact constants span (:func:`constant_digits`, at
    most ``CONSTANT_DIGITS_BOUND``), and twice that."""
    extra = min(constant_digits(*exprs), CONSTANT_DIGITS_BOUND)
    first = 2 * DIGITS + math.ceil(extra)
    return first, 2 * first


def _lasting_gap(student: sp.Expr, reference: sp.Expr, points: list[dict]) -> tuple[dict, Any, Any] | None:
    """(point, answer, reference) at the first of a few tied points where the two differ by a gap
    above the rounding noise that stays as the precision doubles (:func:`tie_digits`: 2 and 4
    ``DIGITS`` digits plus the digits of the exact constants, so ``+ exp(-1000)`` inside a log is
    seen): the policy of :func:`same_number`, for final answers; a gap that shrinks is noise.
    None when every gap is noise (or the values cannot be had)."""
    precisions = tie_digits(student, reference)
    for point in points[:3]:
        found = []
        for digits in precisions:
            try:
                (a, lost_a), (b, lost_b) = _value_lost(student, point, digits), _value_lost(reference, point, digits)
            except (Unsupported, ValueError, TypeError, ArithmeticError):
                break
            if not (_finite(a) and _finite(b)):
                break
            pairs = list(zip(a, b, strict=False)) if isinstance(a, list) and isinstance(b, list) else [(a, b)]
            found.append(([_gap(u, v, digits - max(lost_a, lost_b)) for u, v in pairs], a, b))
        if len(found) == 2 and any(g0 > 0 and abs(g1 - g0) <= g0 / 10
                                   for g0, g1 in zip(found[0][0], found[1][0], strict=False)):
            return point, found[1][1], found[1][2]
    return None


def _exactly_apart(student: sp.Expr, reference: sp.Expr, domain: Domain) -> str | None:
    """How the two differ exactly, when SymPy reduces their difference to a non-zero number or a
    non-zero rational function of the variables, or their ratio to a number other than 1
    (``exp(x)(1 + 10^-35)`` against ``exp(x)``), else None: rational reduction first
    (``cancel``), then ``simplify``. A non-zero rational function vanishes only on a nowhere
    dense set (for integer variables: a polynomial cannot vanish on a product of infinite sets),
    so the two differ somewhere on the domain."""
    for reduce in (sp.cancel, sp.simplify):
        difference = reduce(student - reference)
        if difference.is_number and difference.is_zero is False:
            return f"difference simplifies to {sp.sstr(difference)[:80]}"
        if _nonzero_rational(difference, domain):
            return f"difference simplifies to {sp.sstr(difference)[:80]}, not 0 as a function"
        if reference.is_zero is False or _nonzero_rational(reference, domain) or _nonzero_somewhere(reference, domain):
            ratio = reduce(student / reference)
            if ratio.is_number and (ratio - 1).is_zero is False:
                return f"ratio simplifies to {sp.sstr(ratio)[:80]}"
    return None


def _nonzero_somewhere(expr: sp.Expr, domain: Domain) -> bool:
    """Whether ``expr`` is not 0 at one of its first sample points, its value settled at two
    precisions (a zero computed inexactly, sin(pi n), shrinks with the precision: not counted)."""
    table = _reference_table(expr, _domain_key(domain), False)
    for point, _ in [row for row in table if row[1] is not None][:3]:
        settled = _settle(lambda e, digits: _value_lost(e, point, digits), expr, expr)  # noqa: B023
        if settled is not None and settled[0] != 0:
            return True
    return False


def _nonzero_rational(expr: sp.Expr, domain: Domain) -> bool:
    """Whether ``expr`` is a rational function of the domain's variables alone that is not 0."""
    symbols = list(domain.kinds)
    if not expr.free_symbols or not expr.free_symbols <= set(symbols) or not expr.is_rational_function(*symbols):
        return False
    numerator, _ = sp.fraction(sp.cancel(expr))
    return bool(numerator != 0)


def same_number(a: sp.Expr, b: sp.Expr) -> bool:
    """Two numbers (SymPy expressions with no variables left) equal under the one precision
    policy of final answers and lines alike: their values at ``DIGITS`` digits agree within the
    relative ``TOLERANCE`` (or differ, and still differ once :func:`_settle` has raised the
    precision past their cancellations). A tie is looked at again with 2 and 4 ``DIGITS`` digits
    plus the digits their exact constants span (:func:`tie_digits`): a gap above the rounding
    noise that stays as the precision doubles (a stray exp(-100), a 10^-45 added, exp(-1000)
    inside a logarithm) is a difference, one that shrinks is noise. An undefined or non-finite value is
    no match. Last, their exact difference is valued alone (:func:`_trusted_value`): a term
    shared by both goes, so what is left is seen at any size (exp(-4000) is not 0)."""
    try:
        (va, lost_a), (vb, lost_b) = _number_at(a, DIGITS), _number_at(b, DIGITS)
    except (Unsupported, TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return False
    if not (_finite(va) and _finite(vb)):
        return False
    if not _close(va, vb):
        settled = _settle(_number_at, a, b)
        return settled is not None and _close(*settled)
    gaps = []
    precisions = tie_digits(a, b)
    for digits in precisions:
        try:
            (wa, lost_a), (wb, lost_b) = _number_at(a, digits), _number_at(b, digits)
        except (Unsupported, TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            return True
        gaps.append(_gap(wa, wb, digits - max(lost_a, lost_b)))
    if gaps[0] > 0 and abs(gaps[1] - gaps[0]) <= gaps[0] / 10:
        return False
    difference = a - b  # SymPy drops the terms the two share: exp(-4000) is left of s(1-s) + exp(-4000) - s(1-s)
    return difference == 0 or _trusted_value(difference, {}, precisions[0], patient=False) in (None, 0)


def _gap(a: Any, b: Any, trusted: float) -> Any:
    """|a - b|, or 0 where it is within the rounding noise of ``trusted`` digits (relative)."""
    gap = abs(a - b)
    noise = max(abs(a), abs(b)) * mpmath.mpf(10) ** (5 - trusted)
    return mpmath.mpf(0) if gap <= noise else gap


def _number_at(v: sp.Expr, digits: int) -> tuple[Any, float]:
    """``v`` (a number, no variables left) in mpmath at ``digits`` digits and the digits its
    cancellations lost: by the grader's tree-walking evaluator, or SymPy's evalf for a head it
    does not know (then no loss is counted: evalf tracks its own precision)."""
    try:
        return _value_lost(v, {}, digits)
    except Unsupported:
        n = sp.N(v, digits)
        with mpmath.workdps(digits):
            re_part, im_part = (mpmath.mpf(str(x)) for x in n.as_real_imag())
        return (re_part if im_part == 0 else mpmath.mpc(re_part, im_part)), 0.0


def _noise(previous: Any, now: Any, digits: int) -> tuple[Any, Any]:
    """A value computed at two precisions with parts that shrank by more than 10^(-0.3 digits)
    (``digits``: the trusted digits of the lower precision) set to 0 in both: a true value, however
    small (10^-300 x), stays put as the precision rises; the rounding noise of a zero computed
    inexactly (sin(pi) at p digits is about 10^-p) shrinks with it. Relative to the values
    themselves, never an absolute floor."""
    if isinstance(previous, list) and isinstance(now, list) and len(previous) == len(now):
        pairs = [_noise(p, n, digits) for p, n in zip(previous, now, strict=True)]
        return [p for p, _ in pairs], [n for _, n in pairs]
    if isinstance(previous, list) or isinstance(now, list):
        return previous, now
    if isinstance(previous, mpmath.mpc) or isinstance(now, mpmath.mpc):
        (pr, nr), (pi, ni) = (_noise(mpmath.re(previous), mpmath.re(now), digits),
                              _noise(mpmath.im(previous), mpmath.im(now), digits))
        return mpmath.mpc(pr, pi), mpmath.mpc(nr, ni)
    if abs(now) <= abs(previous) * mpmath.mpf(10) ** (-0.3 * digits):
        return mpmath.mpf(0), mpmath.mpf(0)
    return previous, now


class _Cancelling(MP):
    """The mpmath backend, noting the digits lost to cancellation in the worst sum: log10 of
    the larger operand over the result (a sum that cancels to exactly 0 counts as losing the
    operand's size plus 20 digits, so e^(2e6) - e^(2e6) is never a trusted 0)."""

    def __init__(self) -> None:
        self.lost = 0.0

    def add(self, a: Any, b: Any) -> Any:
        out = super().add(a, b)
        if isinstance(out, list):
            for u, v, w in zip(*(x if isinstance(x, list) else [x] * len(out) for x in (a, b, out)), strict=True):
                self._note(u, v, w)
        else:
            self._note(a, b, out)
        return out

    def _note(self, u: Any, v: Any, w: Any) -> None:
        """The digits lost in ``w = u + v`` (none when an operand is 0 or not finite)."""
        if not u or not v or not (mpmath.isfinite(u) and mpmath.isfinite(v)):
            return
        # binary magnitudes (mpmath.mag: about log2|x|, exact enough for a digit count, cheap)
        size = max(mpmath.mag(u), mpmath.mag(v))
        lost = max(size, 0) * LOG10_2 + 21 if w == 0 else (size - mpmath.mag(w) + 1) * LOG10_2
        if lost > self.lost:
            self.lost = lost


class _Strict(_Cancelling):
    """The cancellation count of :class:`_Cancelling` (``lost``), and what it misses: an addend
    smaller than the other by k digits is lost in the sum unless the precision exceeds k
    (``absorbed``: the largest such k; ``1 + exp(-1000)`` needs 434 digits), and a sum of non-zero
    terms that cancels to exactly 0 (``exp(u) - 1`` for a u the exp absorbed) may hide anything
    (``vanished``). A value is trusted only where no term may have vanished unseen."""

    def __init__(self) -> None:
        super().__init__()
        self.absorbed = 0.0
        self.vanished = False

    def _note(self, u: Any, v: Any, w: Any) -> None:
        super()._note(u, v, w)
        if not u or not v or not (mpmath.isfinite(u) and mpmath.isfinite(v)):
            return
        self.vanished = self.vanished or w == 0
        self.absorbed = max(self.absorbed, abs(mpmath.mag(u) - mpmath.mag(v)) * LOG10_2)


def _value_lost(expr: sp.Expr, point: dict, digits: int) -> tuple[Any, float]:
    """``expr`` at ``point`` and the digits its worst cancellation lost."""
    backend = _Cancelling()
    try:
        with mpmath.workdps(digits):
            return evaluate_answer(expr, {k: _mp(v) for k, v in point.items()}, backend), backend.lost
    except (OverflowError, ZeroDivisionError, ArithmeticError, TypeError) as err:
        raise Undefined(f"{type(err).__name__}: {err}") from None


LOG10_2 = math.log10(2)
#: The most digits a value is computed with to outlast its cancellations.
MAX_DIGITS = 1000


def _settled(student: sp.Expr, reference: sp.Expr, point: dict) -> tuple[Any, Any] | None:
    """Both values at ``point`` at a precision that outlasts their cancellations by 40 digits,
    and again at twice that, when the two agree to 30 digits (after :func:`_noise`); None when
    they never settle, need more than ``MAX_DIGITS``, or stop being defined (no evidence here)."""
    return _settle(lambda expr, digits: _value_lost(expr, point, digits), student, reference)


def _settle(valued: Callable[[Any, int], tuple[Any, float]], a: Any, b: Any) -> tuple[Any, Any] | None:
    """The precision policy's refinement, for any way of valuing ``a`` and ``b`` at a precision
    (``valued(x, digits)``: the value and the digits its cancellations lost)."""
    digits = PRECISIONS[1]
    previous: tuple[Any, Any, int] | None = None
    while digits <= 2 * MAX_DIGITS:
        try:
            (va, lost_a), (vb, lost_b) = valued(a, digits), valued(b, digits)
        except (Unsupported, ValueError):
            return None
        if not (_finite(va) and _finite(vb)):
            return None
        needed = max(lost_a, lost_b) + 40
        if needed > MAX_DIGITS:
            return None
        if needed <= digits and previous is not None:
            (pa, na), (pb, nb) = _noise(previous[0], va, previous[2]), _noise(previous[1], vb, previous[2])
            if _close(pa, na) and _close(pb, nb):
                return na, nb
        previous = (va, vb, digits - int(needed) + 40) if needed <= digits else None
        digits = max(2 * digits, int(needed) + 1)
    return None


_DOMAINS: dict[tuple, Domain] = {}


@lru_cache(maxsize=1)
def salt() -> int:
    """The salt of the sample points: secret (not predictable by a student), fixed per install (the
    store's secret), so one answer gets one verdict on every run of an install."""
    from derivcheck.store import secret

    return int.from_bytes(secret("sample points")[:8], "little")


#: id(domain) -> (the domain, its key): a question's domain lives as long as its bank.
_KEYS: dict[int, tuple[Domain, tuple]] = {}


def _domain_key(domain: Domain) -> tuple:
    """A hashable key of a domain (its kinds and preferred points), computed once per domain."""
    known = _KEYS.get(id(domain))
    if known is not None and known[0] is domain:
        return known[1]
    key = (tuple(sorted((str(s), repr(s.assumptions0), k) for s, k in domain.kinds.items())), repr(domain.prefer))
    _DOMAINS.setdefault(key, domain)
    if len(_KEYS) > MEMO_SIZE:
        _KEYS.clear()
    _KEYS[id(domain)] = (domain, key)
    return key


@lru_cache(maxsize=256)
def _reference_table(reference: sp.Expr, key: tuple, vector: bool) -> tuple[tuple[dict, Any], ...]:
    """The sample points of a (reference, domain) and the reference's value at each (None where
    undefined). The points depend on the reference and the domain only, so the values are
    computed once and shared by every answer to the same question."""
    domain = _DOMAINS[key]
    rng = random.Random(_seed(reference, key, salt()))
    points = vector_points(rng, wide=True) if vector else scalar_points(domain, rng)
    table = []
    constant: list[Any] = []  # a reference with no variables has one value, computed once
    for point in points:
        try:
            if constant:
                value = constant[0]
            else:
                value = _value(reference, point, DIGITS)
                if reference.is_number and not vector:
                    constant.append(value)
            table.append((point, value if _finite(value) else None))
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            table.append((point, None))
    return tuple(table)


#: Relative gap in float64 above which two sides count as apart at a point (to be confirmed in
#: mpmath there: float64 can lose every digit to cancellation, so it never decides alone).
SEPARATED = 1e-6
#: Float64 candidates for a counterexample confirmed in mpmath before the full pass takes over.
CONFIRMED = 3
#: CPU seconds for the cheap proof (expansion, cancellation) tried before any mpmath evaluation.
CHEAP_PROOF_SECONDS = 0.5


@dataclass(frozen=True)
class _Grid:
    """The reference table's points as float64 columns (one per symbol) and the reference's
    float64 values there (NaN where it has none)."""

    columns: dict[sp.Symbol, np.ndarray]
    reference: np.ndarray


@lru_cache(maxsize=256)
def _double_grid(reference: sp.Expr, key: tuple) -> _Grid | None:
    """The float64 grid of :func:`_reference_table`'s points; None for complex domains."""
    domain = _DOMAINS[key]
    if any(k == "complex" for k in domain.kinds.values()):
        return None
    table = _reference_table(reference, key, False)
    try:
        columns = {s: np.array([float(p[s]) for p, _ in table], dtype=float) for s in domain.kinds}
        values = np.array([float(v) if v is not None and not isinstance(v, mpmath.mpc) else np.nan
                           for _, v in table], dtype=float)
    except (OverflowError, TypeError, ValueError, KeyError):
        return None
    return _Grid(columns, values)


def _doubles(expr: sp.Expr, grid: _Grid) -> np.ndarray | None:
    """``expr`` in float64 at every point of ``grid`` at once (one walk of the tree over arrays);
    NaN where float64 has no real value; None when the tree cannot be walked on arrays."""
    size = len(grid.reference)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = np.asarray(evaluate_answer(expr, grid.columns, NP()))
            if np.iscomplexobj(values):
                values = np.where(np.imag(values) == 0, np.real(values), np.nan)
            return np.broadcast_to(values.astype(float), (size,))
    except (Unsupported, ArithmeticError, ValueError, TypeError, AttributeError, IndexError):
        return None


def _fast(student: sp.Expr, reference: sp.Expr, domain: Domain, table: tuple, prove_seconds: float) -> Decision | None:
    """The double-precision first pass of a scalar decision: the student's float64 values at every
    point of the reference table in one vectorised walk. A point where they are apart
    (``SEPARATED``) is confirmed in mpmath (:func:`_settled`) and is then the counterexample;
    where float64 cannot separate the sides at ``MIN_VALID`` points or more, the cheap exact proof
    is tried. None (the mpmath pass decides) otherwise: float64 alone never says "equal"."""
    grid = _double_grid(reference, _domain_key(domain))
    if grid is None:
        return None
    values = _doubles(student, grid)
    if values is None:
        return None
    ref = grid.reference
    finite = np.isfinite(values) & np.isfinite(ref)
    with np.errstate(all="ignore"):
        apart = finite & (np.abs(values - ref) > SEPARATED * np.maximum(np.abs(values), np.abs(ref)))
    for i in np.flatnonzero(apart)[:CONFIRMED]:
        point = table[i][0]
        settled = _confirmed(lambda expr, digits: _value_lost(expr, point, digits), student, reference)  # noqa: B023
        if settled is not None and not _close(*settled):
            return _counterexample(point, *settled, False, int(np.count_nonzero(finite[:i] & ~apart[:i])))
    agree = int(np.count_nonzero(finite & ~apart))
    defined = np.array([value is not None for _, value in table])
    if apart.any() or agree < MIN_VALID or prove_seconds <= 0 or (defined & ~finite).any():
        return None  # a point float64 cannot value (complex there?) is for mpmath to look at
    try:
        with budget(min(prove_seconds, CHEAP_PROOF_SECONDS)):
            proven = _cheaply_zero(student - reference)
    except (OutOfTime, RecursionError):
        proven = False
    return Decision("proven", "SymPy simplifies the difference to 0", points=agree) if proven else None


def varies(expr: sp.Expr, domain: Domain) -> bool:
    """Whether ``expr`` takes two different values on the domain's sample points: the two float64
    values furthest apart, confirmed in mpmath (:func:`_settle`) at their points. False when that
    cannot be shown (it may still vary elsewhere)."""
    key = _domain_key(domain)
    grid = _double_grid(sp.Integer(0), key)
    values = None if grid is None else _doubles(expr, grid)
    if values is None:
        return False
    finite = np.flatnonzero(np.isfinite(values))
    if len(finite) < 2:
        return False
    low, high = finite[np.argmin(values[finite])], finite[np.argmax(values[finite])]
    if values[high] - values[low] <= SEPARATED * max(abs(values[high]), abs(values[low])):
        return False
    table = _reference_table(sp.Integer(0), key, False)
    settled = _confirmed(lambda point, digits: _value_lost(expr, point, digits), table[low][0], table[high][0])
    return settled is not None and not _close(*settled)


def _confirmed(valued: Callable[[Any, int], tuple[Any, float]], a: Any, b: Any) -> tuple[Any, Any] | None:
    """Values that float64 saw apart, in mpmath: at ``DIGITS`` digits when their cancellations
    left 40 digits or more and the two are apart by more than ``SEPARATED`` (far beyond any
    rounding then), else as :func:`_settle` has them."""
    try:
        (va, lost_a), (vb, lost_b) = valued(a, DIGITS), valued(b, DIGITS)
    except (Unsupported, ValueError):
        return None
    if _finite(va) and _finite(vb) and max(lost_a, lost_b) + 40 <= DIGITS and _apart(va, vb):
        return va, vb
    return _settle(valued, a, b)


def _apart(a: Any, b: Any) -> bool:
    """Whether two values differ by more than ``SEPARATED`` relative (entry by entry)."""
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return True
        return any(_apart(u, v) for u, v in zip(a, b, strict=True))
    return abs(a - b) > SEPARATED * max(abs(a), abs(b))


#: Points of the nice grid tried for a telling counterexample (:func:`telling_counterexample`).
TELLING_POINTS = 64


def telling_counterexample(student: sp.Expr, reference: sp.Expr, mistakes: tuple[sp.Expr, ...],
                           domain: Domain) -> dict | None:
    """A counterexample at the first point of the nice grid (every variable at one of its
    :func:`nice` values, in order) where the answer differs from the reference and the reference
    and each distinct known mistake predict pairwise distinct numbers (more than 0.1% apart), so
    the number shown tells the answer from the reference and the mistakes from each other (d = 64,
    sigma = 0.5 would not: d sigma^2 and d sigma / 2 are both 16 there). None when no grid point
    does (scalar answers only)."""
    formulas = (reference, *_distinct_mistakes(reference, mistakes))
    symbols = sorted(domain.kinds, key=str)
    grids = [nice(domain.kinds[s]) for s in symbols]
    for combo in itertools.islice(itertools.product(*grids), TELLING_POINTS):
        point = dict(zip(symbols, combo, strict=True))
        try:
            values = [_value(f, point, DIGITS) for f in formulas]
            answer = _value(student, point, DIGITS)
        except (Unsupported, Undefined, ZeroDivisionError, ValueError, OverflowError, TypeError):
            continue
        if not all(_finite(v) and not isinstance(v, list) and mpmath.im(v) == 0 for v in (answer, *values)):
            continue
        floats = sorted(float(mpmath.re(v)) for v in values)
        apart = all(not math.isclose(a, b, rel_tol=1e-3) for a, b in itertools.pairwise(floats))
        if apart and not _close(answer, values[0]):
            return _counterexample(point, answer, values[0], False, 0).counterexample
    return None


def varying_counterexample(student: sp.Expr, reference: sp.Expr, domain: Domain, symbol: sp.Symbol) -> dict | None:
    """A counterexample for an answer that depends on ``symbol`` where the reference does not: the
    first point of the nice grid where the answer differs from the reference and where another
    nice value of ``symbol``, the rest of the point kept, changes the answer's value; the record of
    :func:`_counterexample` with ``varying``: ``{"name", "value", "answer_value"}``, the answer at
    that other value (scalar answers only; None when no grid point shows it)."""
    symbols = sorted(domain.kinds, key=str)
    grids = [nice(domain.kinds[s]) for s in symbols]
    for combo in itertools.islice(itertools.product(*grids), TELLING_POINTS):
        point = dict(zip(symbols, combo, strict=True))
        try:
            answer, ref = _value(student, point, DIGITS), _value(reference, point, DIGITS)
        except (Unsupported, Undefined, ZeroDivisionError, ValueError, OverflowError, TypeError):
            continue
        if not _real_number(answer) or not _real_number(ref) or _close(answer, ref):
            continue
        for other in nice(domain.kinds[symbol]):
            if other == point[symbol]:
                continue
            try:
                there = _value(student, {**point, symbol: other}, DIGITS)
            except (Unsupported, Undefined, ZeroDivisionError, ValueError, OverflowError, TypeError):
                continue
            if _real_number(there) and _apart(there, answer):
                example = _counterexample(point, answer, ref, False, 0).counterexample
                assert example is not None
                shown, _ = show_pair(there, answer)
                return {**example, "varying": {"name": str(symbol), "value": show(other), "answer_value": shown}}
    return None


def _real_number(value: Any) -> bool:
    """A finite real number (not a vector, nothing complex)."""
    return not isinstance(value, list) and _finite(value) and mpmath.im(value) == 0


@lru_cache(maxsize=256)
def _distinct_mistakes(reference: sp.Expr, mistakes: tuple[sp.Expr, ...]) -> tuple[sp.Expr, ...]:
    """The mistakes that differ from the reference and from each other (one formula under two
    names counts once), simplified once per question."""
    kept: list[sp.Expr] = [reference]
    for m in mistakes:
        if all(sp.simplify(m - k) != 0 for k in kept):
            kept.append(m)
    return tuple(kept[1:])


def _counterexample(point: dict, ans: Any, ref: Any, vector: bool, valid: int) -> Decision:
    """The counterexample record at ``point``: the point to reproduce it (floats, or the vectors)
    and the two values with enough digits to differ (:func:`show_pair`)."""
    shown = {str(k): (len(v) if isinstance(v, list) else show(v)) for k, v in point.items()}
    if vector:
        shown = {"x": [float(v) for v in point[X]], "y": point[Y]}
    answer_value, reference_value = show_pair(ans, ref)
    example = {"at": shown, "answer_value": answer_value, "reference_value": reference_value}
    if answer_value == reference_value:
        with contextlib.suppress(TypeError, ValueError):  # they differ past 100 digits: by how much
            example["difference"] = show(_minus(ans, ref))
    return Decision("counterexample", "the answer differs from the reference", example, points=valid)


def _minus(a: Any, b: Any) -> Any:
    """a - b with every digit the values hold (entry by entry for vectors)."""
    if isinstance(a, list) and isinstance(b, list):
        return [_minus(u, v) for u, v in zip(a, b, strict=True)]
    return _exact(a) - _exact(b)


def _proves_zero(diff: sp.Expr, cheap_tried: bool = False) -> bool:
    """diff == 0 by the cheap rules of :func:`_cheaply_zero` (unless already tried), or by
    simplification."""
    if not cheap_tried and _cheaply_zero(diff):
        return True
    return sp.simplify(diff) == 0


def _cheaply_zero(diff: sp.Expr) -> bool:
    """diff == 0 by expansion, cancellation, or exp(diff) == 1 (a real difference of logarithms,
    already seen to be 0 numerically, is then 0: exp(diff) = 1 leaves diff in 2 pi i Z)."""
    if sp.expand(diff) == 0:
        return True
    if diff.has(sp.log) and sp.cancel(sp.exp(diff)) == 1:
        return True
    return bool(sp.cancel(diff) == 0)


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
    """Logit vectors with wide spreads: near +-1000, one huge entry (up to 1e15), all very negative, mixed
    signs, thousands apart, tiny, tied (at the maximum too), and random ones of several scales
    (from an unpredictable seed). The stability check and the comparison of vector answers both
    use them."""
    rng = np.random.default_rng(seed)
    probes = [np.array([1000.0, 1001.0, 1002.0]), np.array([-1000.0, -1001.0, -1002.0]),
              np.array([0.0, 0.0, 1e4]), np.array([-1e4, -1e4 + 1, -1e4 + 2, -1e4 - 5]),
              np.array([-500.0, 0.0, 500.0]), np.array([-3000.0, 0.0, 3000.0, 1.0]),
              np.array([1e4, -1e4, 0.5]), np.array([1e-8, -2e-8, 3e-8]), np.array([2.0, 2.0, 2.0]),
              np.array([5.0, 5.0, -1.0, 5.0]), np.array([-1e3, 1e3, 1e3]),
              np.array([1e6, -1e6, 0.0]), np.array([1e9, 1e9 + 1, -1e9]), np.array([-1e15, 0.0, 1e15, 2.0])]
    for scale in (1.0, 30.0, 1e3, 1e4, 1e7):
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
            value = evaluate_answer(expr, {X: x, Y: y}, watch)
            if watch.largest > 0 or not np.all(np.isfinite(value)):
                return x, watch.largest
    return None


#: Magnitudes a real variable of a scalar question takes in the stability check, with either
#: sign: from tiny to far past float64's exp range (exp overflows past about 709.8).
SCALAR_MAGNITUDES = (0.0, 1e-8, 0.5, 3.0, 30.0, 710.0, 1e3, 1e4, 1e7, 1e15)
#: At most this many points per scalar stability check (the first ones of the product).
SCALAR_STABILITY_POINTS = 512


def scalar_stability_points(domain: Domain) -> list[dict[sp.Symbol, float]]:
    """Points of a scalar question for the stability check: each ``real`` variable (a logit) at
    +-each of :data:`SCALAR_MAGNITUDES`, every other variable at its kind's nice values, in every
    combination (at most :data:`SCALAR_STABILITY_POINTS`)."""
    axes = []
    for symbol, kind in sorted(domain.kinds.items(), key=lambda item: item[0].name):
        if kind == "real":
            values = sorted({sign * m for m in SCALAR_MAGNITUDES for sign in (1.0, -1.0)}, key=lambda v: (abs(v), v))
        else:
            values = [float(v) for v in nice(kind) if not isinstance(v, complex)]
        axes.append([(symbol, v) for v in values])
    return [dict(combo) for combo in itertools.islice(itertools.product(*axes), SCALAR_STABILITY_POINTS)]


def scalar_unstable_at(expr: sp.Expr, domain: Domain) -> tuple[dict[sp.Symbol, float], float] | None:
    """A point of :func:`scalar_stability_points` where a scalar formula is unstable by the sheet's
    criterion, exp receiving a positive argument (or the float64 value being inf or NaN where the
    formula is defined), with the largest argument exp received there; None when stable at all.
    The smallest point (by the magnitudes' order) where the value is inf or NaN is preferred, as
    the clearest example, to the first where exp merely receives a positive argument."""
    first = None
    with np.errstate(all="ignore"):
        for point in scalar_stability_points(domain):
            watch = _Watch()
            try:
                value = evaluate_answer(expr, point, watch)
            except (Unsupported, ZeroDivisionError, ValueError, OverflowError, TypeError):
                continue
            if not np.all(np.isfinite(np.asarray(value, dtype=float))):
                return point, watch.largest
            if watch.largest > 0 and first is None:
                first = point, watch.largest
    return first


def overflows(expr: sp.Expr, seed: int | None = None, domain: Domain | None = None) -> bool:
    """Whether :func:`unstable_at` finds a probe (a vector formula), or, given the ``domain`` of a
    scalar question, :func:`scalar_unstable_at` a point."""
    if domain is not None:
        return scalar_unstable_at(expr, domain) is not None
    return unstable_at(expr, seed) is not None
