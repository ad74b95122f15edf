"""The laws a model's random families may follow: one class per law, one protocol for all.

A bank writes a law as ``name(parameters)`` (``normal(0, sigma^2)``, ``uniform(-a, a)``,
``bernoulli(p)``); :func:`parse_law` reads it with the answers' safe reader (never ``sympify``)
and :meth:`Law.check` refuses parameters no value of the model can make valid. The expectation
rules (:mod:`.unroll`) and the sampler (:mod:`.lines`) ask a law only for

    moment(k)           = E[X^k]
    positive_moment(k)  = E[X^k 1{X > 0}]
    negative_moment(k)  = E[X^k 1{X < 0}]     (derived: E[X^k] - E[X^k 1{X > 0}] - 0^k P(X = 0))
    zero_mass           = P(X = 0)            (0 for a law with a density)
    sample(rng, n)      draws, for the sampling fallback and simulations
    symmetric           whether X and -X have the same law (proven, not guessed)

so a new law is one class here and no rule branches on the law. Every moment is exact SymPy and
derived from the law's definition: the normal's by Stein's identity (m_k = mu m_{k-1} +
(k-1) v m_{k-2}) and, on the half line, by integrating by parts; the uniform's by integrating its
density with SymPy; a discrete law's by summing its mass function.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from fractions import Fraction
from functools import lru_cache
from typing import ClassVar

import numpy as np
import sympy as sp

from .numeric import Unsupported

_LAW = re.compile(r"\s*(?P<law>[A-Za-z]+)\s*\((?P<args>.*)\)\s*", re.S)


class LawError(ValueError):
    """A law that cannot be used: unknown, of the wrong arity, or with impossible parameters."""


def _parameter(value: object) -> sp.Expr:
    """A law's parameter as SymPy: an expression stays, an ``int`` or ``Fraction`` becomes exact, a
    ``float`` a SymPy float; anything else (a text above all) is refused, never parsed."""
    if isinstance(value, sp.Expr):
        return value
    if isinstance(value, bool):
        raise LawError(f"a law's parameter cannot be {value!r}")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        return sp.Float(value)
    raise LawError(f"a law's parameter must be a number or a SymPy expression, not {type(value).__name__}")


class Law:
    """The protocol: subclasses are frozen dataclasses whose fields are the SymPy parameters."""

    #: The names a bank may write the law with (the first is how it prints).
    names: ClassVar[tuple[str, ...]] = ()
    #: The law's LaTeX head (``\mathcal{N}``).
    tex: ClassVar[str] = ""

    # -- what every law defines ----------------------------------------------------------------
    def moment(self, k: int) -> sp.Expr:
        """E[X^k]."""
        raise NotImplementedError

    def positive_moment(self, k: int) -> sp.Expr:
        """E[X^k 1{X > 0}]."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int, values: Mapping | None = None) -> np.ndarray:
        """``n`` independent draws as float64; parameters still symbolic take ``values``."""
        raise NotImplementedError

    def conditions(self) -> list[tuple[sp.Expr, bool, str]]:
        """What the parameters must satisfy: (an expression, whether it must be positive rather
        than nonnegative, the condition in words)."""
        return []

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            object.__setattr__(self, f.name, _parameter(getattr(self, f.name)))

    # -- derived ---------------------------------------------------------------------------------
    @property
    def args(self) -> tuple[sp.Expr, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]

    @property
    def zero_mass(self) -> sp.Expr:
        """P(X = 0): 0 for a law with a density."""
        return sp.Integer(0)

    @property
    def symmetric(self) -> bool:
        """Whether X and -X have the same law, proven from the parameters (False when unknown)."""
        return False

    def negative_moment(self, k: int) -> sp.Expr:
        """E[X^k 1{X < 0}]: (-1)^k E[X^k 1{X > 0}] for a symmetric law, otherwise what is left of
        E[X^k] once the positive half line and the atom at 0 are taken away."""
        if self.symmetric:
            return (-1) ** k * self.positive_moment(k)
        at_zero = self.zero_mass if k == 0 else sp.Integer(0)
        return sp.expand(self.moment(k) - self.positive_moment(k) - at_zero)

    @property
    def mean(self) -> sp.Expr:
        return self.moment(1)

    @property
    def variance(self) -> sp.Expr:
        return sp.factor(sp.expand(self.moment(2) - self.moment(1) ** 2))

    def at(self, values: Mapping[sp.Basic, sp.Basic]) -> Law:
        """The same law with parameter values put in (a point of the model)."""
        return type(self)(*(a.xreplace(dict(values)) for a in self.args))

    def floats(self, values: Mapping | None) -> list[float]:
        """The parameters as floats (to draw samples)."""
        try:
            return [float(a.xreplace(dict(values or {}))) for a in self.args]
        except TypeError:
            raise Unsupported(f"the law {self} has parameters without values") from None

    def check(self, proof: Mapping[sp.Basic, sp.Basic] | None = None) -> None:
        """Raise :class:`LawError` unless every condition is proven for every parameter value the
        model allows (``proof`` rewrites bounded parameters so SymPy can see their bounds)."""
        for expr, strict, text in self.conditions():
            value = expr.xreplace(dict(proof or {}))
            holds = value.is_positive if strict else value.is_nonnegative
            if holds is None:  # 1 - 1/(1 + q) is q/(1 + q), positive, once over one denominator
                value = sp.factor(sp.together(value))
                holds = value.is_positive if strict else value.is_nonnegative
            if holds is not True:
                raise LawError(f"{self}: needs {text}, which the model's parameters do not guarantee")

    # -- printing --------------------------------------------------------------------------------
    def __str__(self) -> str:
        inner = ", ".join(sp.sstr(a).replace("**", "^") for a in self.args)
        return f"{self.names[0]}({inner})"

    def latex(self) -> str:
        """The law typeset, ``\\mathcal{N}\\left(0, \\sigma^{2}\\right)``."""
        return rf"{self.tex}\left({', '.join(sp.latex(a) for a in self.args)}\right)"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"


@dataclass(frozen=True)
class Normal(Law):
    """N(mean, variance)."""

    mean_: sp.Expr
    variance_: sp.Expr

    names: ClassVar[tuple[str, ...]] = ("normal", "N", "Normal", "gaussian")
    tex: ClassVar[str] = r"\mathcal{N}"

    def conditions(self) -> list[tuple[sp.Expr, bool, str]]:
        return [(self.variance_, True, "a positive variance")]

    @property
    def symmetric(self) -> bool:
        return self.mean_.is_zero is True

    def moment(self, k: int) -> sp.Expr:
        """E[X^k] by Stein's identity: m_k = mu m_{k-1} + (k-1) v m_{k-2}."""
        return _normal_moments(self.mean_, self.variance_, k)[k]

    def positive_moment(self, k: int) -> sp.Expr:
        """E[X^k 1{X > 0}] with X = mu + s Z, s = sqrt(v): sum_j C(k, j) mu^(k-j) s^j J_j, where
        J_j = E[Z^j 1{Z > c}], c = -mu/s, by parts J_j = c^(j-1) phi(c) + (j-1) J_(j-2),
        J_0 = erfc(c/sqrt 2)/2, J_1 = phi(c)."""
        s = sp.sqrt(self.variance_)
        c = -self.mean_ / s
        phi = sp.exp(-c ** 2 / 2) / sp.sqrt(2 * sp.pi)
        tails = [sp.erfc(c / sp.sqrt(2)) / 2, phi]
        for j in range(2, k + 1):
            tails.append(c ** (j - 1) * phi + (j - 1) * tails[j - 2])
        return sp.expand(sum(sp.binomial(k, j) * self.mean_ ** (k - j) * s ** j * tails[j] for j in range(k + 1)))

    def sample(self, rng: np.random.Generator, n: int, values: Mapping | None = None) -> np.ndarray:
        mean, variance = self.floats(values)
        return mean + np.sqrt(variance) * rng.standard_normal(n)


@lru_cache(maxsize=256)
def _normal_moments(mean: sp.Expr, variance: sp.Expr, k: int) -> tuple[sp.Expr, ...]:
    m = [sp.Integer(1), mean]
    for j in range(2, k + 1):
        m.append(sp.expand(mean * m[j - 1] + (j - 1) * variance * m[j - 2]))
    return tuple(m)


_A, _B, _X = sp.symbols("a b x", real=True)


@lru_cache(maxsize=64)
def _uniform_antiderivative(k: int) -> sp.Expr:
    """F(x) = integral of x^k (b - a)^(-1) dx: the uniform density times x^k, integrated by SymPy."""
    return sp.integrate(_X ** k / (_B - _A), _X)


@lru_cache(maxsize=1024)
def _uniform_integral(a: sp.Expr, b: sp.Expr, k: int, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    """E[X^k 1{lo < X < hi}] = F(hi) - F(lo) for X ~ U(a, b), a <= lo <= hi <= b."""
    F = _uniform_antiderivative(k).xreplace({_A: a, _B: b})
    return sp.cancel(F.xreplace({_X: hi}) - F.xreplace({_X: lo}))


@dataclass(frozen=True)
class Uniform(Law):
    """U(a, b): the density 1/(b - a) on [a, b]."""

    a: sp.Expr
    b: sp.Expr

    names: ClassVar[tuple[str, ...]] = ("uniform", "U", "Uniform")
    tex: ClassVar[str] = r"\mathcal{U}"

    def conditions(self) -> list[tuple[sp.Expr, bool, str]]:
        return [(self.b - self.a, True, "a < b")]

    @property
    def symmetric(self) -> bool:
        return bool(sp.simplify(self.a + self.b) == 0)

    def _integral(self, k: int, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
        return _uniform_integral(self.a, self.b, k, lo, hi)

    def moment(self, k: int) -> sp.Expr:
        """E[X^k] = F(b) - F(a)."""
        return self._integral(k, self.a, self.b)

    def positive_moment(self, k: int) -> sp.Expr:
        """E[X^k 1{X > 0}] = F(max(b, 0)) - F(max(a, 0))."""
        return self._integral(k, sp.Max(self.a, 0), sp.Max(self.b, 0))

    def sample(self, rng: np.random.Generator, n: int, values: Mapping | None = None) -> np.ndarray:
        a, b = self.floats(values)
        return a + (b - a) * rng.random(n)


class Discrete(Law):
    """A law on finitely many values: every moment is a sum over its mass function."""

    def mass(self) -> tuple[tuple[sp.Expr, sp.Expr], ...]:
        """(value, probability) pairs."""
        raise NotImplementedError

    def moment(self, k: int) -> sp.Expr:
        return sp.expand(sum((v ** k * q for v, q in self.mass()), sp.Integer(0)))

    def positive_moment(self, k: int) -> sp.Expr:
        return sp.expand(sum((v ** k * q for v, q in self.mass() if v.is_positive), sp.Integer(0)))

    @property
    def zero_mass(self) -> sp.Expr:
        return sum((q for v, q in self.mass() if v == 0), sp.Integer(0))


@dataclass(frozen=True)
class Bernoulli(Discrete):
    """Bernoulli(p): 1 with probability p, 0 otherwise."""

    p: sp.Expr

    names: ClassVar[tuple[str, ...]] = ("bernoulli", "Bernoulli", "Bern")
    tex: ClassVar[str] = r"\operatorname{Bernoulli}"

    def mass(self) -> tuple[tuple[sp.Expr, sp.Expr], ...]:
        return ((sp.Integer(0), 1 - self.p), (sp.Integer(1), self.p))

    def conditions(self) -> list[tuple[sp.Expr, bool, str]]:
        return [(self.p, False, "0 <= p"), (1 - self.p, False, "p <= 1")]

    def sample(self, rng: np.random.Generator, n: int, values: Mapping | None = None) -> np.ndarray:
        (p,) = self.floats(values)
        return (rng.random(n) < p).astype(float)


#: Every law, one class each.
LAW_CLASSES: tuple[type[Law], ...] = (Normal, Uniform, Bernoulli)
#: Laws by every name a bank may write them with.
LAWS: dict[str, type[Law]] = {name: cls for cls in LAW_CLASSES for name in cls.names}


def arity(cls: type[Law]) -> int:
    return len(fields(cls))  # type: ignore[arg-type]


def spelled(cls: type[Law]) -> str:
    """``uniform(a, b)``: how the law is written, for messages and documentation."""
    return f"{cls.names[0]}({', '.join(f.name.rstrip('_') for f in fields(cls))})"  # type: ignore[arg-type]


def split_args(text: str) -> list[str]:
    """The top-level comma-separated parts of ``text``."""
    parts, depth, start = [], 0, 0
    for pos, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(text[start:pos])
            start = pos + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_law(text: str, read: Callable[[str], sp.Expr]) -> Law:
    """The law ``text`` names, its parameters read by ``read`` (the answers' safe reader);
    :class:`LawError` for an unknown law or the wrong number of parameters."""
    m = _LAW.fullmatch(text)
    known = ", ".join(spelled(c) for c in LAW_CLASSES)
    if m is None or m.group("law") not in LAWS:
        raise LawError(f"unknown law {m.group('law') if m else text!r} (known: {known})")
    cls = LAWS[m.group("law")]
    args = split_args(m.group("args"))
    if len(args) != arity(cls) or not all(args):
        raise LawError(f"{text!r}: the law is written {spelled(cls)}")
    return cls(*(read(a) for a in args))


__all__ = ["LAWS", "LAW_CLASSES", "Bernoulli", "Discrete", "Law", "LawError", "Normal", "Uniform", "parse_law",
           "spelled", "split_args"]

