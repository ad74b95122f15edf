"""The fixed words of the grading language: every function and constant an answer may name, once.

Each function is one :class:`Function` record: its canonical name, its other plain spellings
(``ln`` for ``log``), its LaTeX spellings (``\\ln``, ``\\arcsin``), how many arguments it takes,
the SymPy constructor that builds it, and the same function in mpmath (to decide equality at 50
digits) and in numpy float64 (as a float program computes it, overflow and all). Constants are
:class:`Constant` records the same way. Everything else reads these tables: the SymPy builder
(:mod:`.symbolic`), both numeric evaluators (:mod:`.numeric`), the LaTeX translation
(:mod:`.normalize`) and the size bound (:mod:`.bounds`). Adding a function is one entry in
:data:`FUNCTIONS`.

The names a *question* declares (its variables and their assumptions) are not here: they are a
:class:`.symbolic.Vocabulary`. Only the spellings of variable names shared by every question
(``epsilon`` for ``eps``, the LaTeX Greek letters) are.

The numpy side never imports scipy (the core install has none): erf and the factorial's gamma
are :mod:`math`'s, vectorised.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

# The scalar heads of the softmax questions' vector answers: x and y stand for whole vectors,
# so these take a vector and are SymPy functions without a closed form.
vsum = sp.Function("sum")              # sum(x) = x_1 + ... + x_d, a scalar
vmax = sp.Function("max")              # max(x) = max(x_1, ..., x_d), a scalar
softmax = sp.Function("softmax")       # softmax(x)_i = exp(x_i) / sum_k exp(x_k), a vector


def _sympy_class(constructor: object) -> type | None:
    """``constructor`` when it is a SymPy class (so its nodes carry it as their head), else None."""
    return constructor if isinstance(constructor, type) and issubclass(constructor, sp.Basic) else None


@dataclass(frozen=True, slots=True)
class Function:
    """A function an answer may call.

    ``sympy`` builds it from SymPy arguments; ``mp`` and ``np`` compute it on mpmath numbers and
    on float64 arrays. A scalar function acts entry by entry on a vector (the evaluators map it);
    a ``vector`` function takes a whole vector (``sum(x)``, ``softmax(x)``) and may only be used in
    the vector questions. ``over_entries``, when set, is what one argument means in a vector
    question, the function over the vector's entries (``max(x) = max(x_1, ..., x_d)``); the same
    names are the big operators ``sum_k``, ``max_j``, ``min_j``.
    """

    name: str
    sympy: Callable[..., sp.Expr]
    mp: Callable[..., Any]
    np: Callable[..., Any]
    aliases: tuple[str, ...] = ()
    latex: tuple[str, ...] = ()
    arity: tuple[int, int] = (1, 1)
    vector: bool = False
    over_entries: Callable[[sp.Expr], sp.Expr] | None = None
    grows: bool = False  # exponential growth: its value is astronomically large past |argument| 1e9
    real_arguments: bool = False  # defined on real arguments only (max, min compare their arguments)

    @property
    def spellings(self) -> tuple[str, ...]:
        """The plain names it is called by, canonical first."""
        return (self.name, *self.aliases)

    @property
    def latex_spellings(self) -> tuple[str, ...]:
        """Every LaTeX spelling: its commands, and each command or plain name as an operator name
        (``\\operatorname{arcsin}``, ``\\operatorname{erf}``)."""
        words = [w[1:] for w in self.latex] + list(self.spellings)
        return (*self.latex, *(f"\\operatorname{{{w}}}" for w in dict.fromkeys(words)))

    @property
    def head(self) -> type | None:
        """The SymPy class at the top of what it builds (``sp.exp``), or None when it rewrites
        into other nodes (``sqrt(a)`` is ``a^(1/2)``, ``sigmoid(a)`` is ``1/(1 + exp(-a))``)."""
        return _sympy_class(self.sympy)

    @property
    def over_entries_head(self) -> type | None:
        """The SymPy class of its form over a vector's entries, when that is a head of its own."""
        return _sympy_class(self.over_entries) if self.over_entries is not None else None


@dataclass(frozen=True, slots=True)
class Constant:
    """A named constant, with its SymPy, mpmath and float64 (or complex) values."""

    name: str
    sympy: sp.Expr
    mp: Any
    np: float | complex
    aliases: tuple[str, ...] = ()
    latex: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def latex_spellings(self) -> tuple[str, ...]:
        return self.latex

    @property
    def real(self) -> float | None:
        """Its value as a finite real float, or None (``I``, ``oo``)."""
        value = self.np
        return value if isinstance(value, float) and math.isfinite(value) else None


# --- the numeric kernels the tables name ----------------------------------------------------

def _largest(*values: Any) -> Any:
    return max(values)


def _smallest(*values: Any) -> Any:
    return min(values)


def _np_largest(*values: Any) -> np.ndarray:
    return np.maximum.reduce(np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values)))


def _np_smallest(*values: Any) -> np.ndarray:
    return np.minimum.reduce(np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values)))


def _np_log(a: Any, base: Any = None) -> Any:
    return np.log(a) if base is None else np.log(a) / np.log(base)


def _float_gamma(u: float) -> float:
    """Gamma in float64 as C's ``tgamma``: inf past overflow and at 0, nan at the negative poles."""
    try:
        return math.gamma(u)
    except OverflowError:
        return math.inf
    except ValueError:  # a pole (0, -1, -2, ...) or -inf
        return math.copysign(math.inf, u) if u == 0 else math.nan


_np_gamma = np.vectorize(_float_gamma, otypes=[float])
_np_erf = np.vectorize(math.erf, otypes=[float])


def _mp_factorial(u: Any) -> Any:
    return mpmath.gamma(u + 1)


def _np_factorial(u: Any) -> Any:
    return _np_gamma(np.asarray(u, dtype=float) + 1)


def _sigmoid(a: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-a))


def _mp_sigmoid(u: Any) -> Any:
    return 1 / (1 + mpmath.exp(-u))


def _np_sigmoid(u: Any) -> Any:
    return 1 / (1 + np.exp(-np.asarray(u, dtype=float)))


def _relu(a: sp.Expr) -> sp.Expr:
    return sp.Max(a, 0)


def _mp_relu(u: Any) -> Any:
    return max(u, 0)


def _np_relu(u: Any) -> Any:
    return np.maximum(np.asarray(u, dtype=float), 0.0)


def _identity(a: Any) -> Any:
    return a


def _mp_sum(a: Any) -> Any:
    return mpmath.fsum(a) if isinstance(a, list) else a


def _mp_softmax(a: list) -> list:
    m = max(a)
    e = [mpmath.exp(u - m) for u in a]
    s = mpmath.fsum(e)
    return [u / s for u in e]


def _np_softmax(a: Any) -> np.ndarray:
    e = np.exp(a - np.max(a))
    return e / e.sum()


def _min_over_entries(a: sp.Expr) -> sp.Expr:
    return -vmax(-a)


def _log2(a: sp.Expr) -> sp.Expr:
    return sp.log(a, 2)


def _log10(a: sp.Expr) -> sp.Expr:
    return sp.log(a, 10)


def _mp_log2(u: Any) -> Any:
    return mpmath.log(u, 2)


def _mp_log10(u: Any) -> Any:
    return mpmath.log(u, 10)


def _real_part(a: Any) -> Any:
    return mpmath.re(a)


def _imag_part(a: Any) -> Any:
    return mpmath.im(a)


def _np_binomial(n: Any, k: Any) -> Any:
    n, k = np.asarray(n, dtype=float), np.asarray(k, dtype=float)
    return _np_gamma(n + 1) / (_np_gamma(k + 1) * _np_gamma(n - k + 1))


def _np_reciprocal(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def g(u: Any) -> Any:
        return 1 / f(np.asarray(u, dtype=float))
    return g


# --- the tables -----------------------------------------------------------------------------

FUNCTIONS: tuple[Function, ...] = (
    Function("sqrt", sp.sqrt, mpmath.sqrt, np.sqrt),  # \sqrt{...} is LaTeX structure (see normalize)
    Function("exp", sp.exp, mpmath.exp, np.exp, latex=(r"\exp",), grows=True),
    Function("log", sp.log, mpmath.log, _np_log, aliases=("ln",), latex=(r"\log", r"\ln"), arity=(1, 2)),
    Function("sin", sp.sin, mpmath.sin, np.sin, latex=(r"\sin",)),
    Function("cos", sp.cos, mpmath.cos, np.cos, latex=(r"\cos",)),
    Function("tan", sp.tan, mpmath.tan, np.tan, latex=(r"\tan",)),
    Function("sinh", sp.sinh, mpmath.sinh, np.sinh, latex=(r"\sinh",), grows=True),
    Function("cosh", sp.cosh, mpmath.cosh, np.cosh, latex=(r"\cosh",), grows=True),
    Function("tanh", sp.tanh, mpmath.tanh, np.tanh, latex=(r"\tanh",)),
    Function("asin", sp.asin, mpmath.asin, np.arcsin, aliases=("arcsin",), latex=(r"\arcsin",)),
    Function("acos", sp.acos, mpmath.acos, np.arccos, aliases=("arccos",), latex=(r"\arccos",)),
    Function("atan", sp.atan, mpmath.atan, np.arctan, aliases=("arctan",), latex=(r"\arctan",)),
    Function("cot", sp.cot, mpmath.cot, _np_reciprocal(np.tan), latex=(r"\cot",)),
    Function("sec", sp.sec, mpmath.sec, _np_reciprocal(np.cos), latex=(r"\sec",)),
    Function("csc", sp.csc, mpmath.csc, _np_reciprocal(np.sin), latex=(r"\csc",)),
    Function("asinh", sp.asinh, mpmath.asinh, np.arcsinh, aliases=("arsinh", "arcsinh")),
    Function("acosh", sp.acosh, mpmath.acosh, np.arccosh, aliases=("arcosh", "arccosh")),
    Function("atanh", sp.atanh, mpmath.atanh, np.arctanh, aliases=("artanh", "arctanh")),
    Function("log2", _log2, _mp_log2, np.log2),     # readable; against a natural log, a wrong base
    Function("log10", _log10, _mp_log10, np.log10, aliases=("lg",)),
    Function("erf", sp.erf, mpmath.erf, _np_erf),
    Function("sign", sp.sign, mpmath.sign, np.sign, aliases=("sgn",)),
    Function("floor", sp.floor, mpmath.floor, np.floor),
    Function("ceiling", sp.ceiling, mpmath.ceil, np.ceil, aliases=("ceil",)),
    Function("conjugate", sp.conjugate, mpmath.conj, np.conj, aliases=("conj",), latex=(r"\overline",)),
    Function("re", sp.re, _real_part, np.real, latex=(r"\Re",)),
    Function("im", sp.im, _imag_part, np.imag, latex=(r"\Im",)),
    Function("binomial", sp.binomial, mpmath.binomial, _np_binomial, aliases=("binom",), latex=(r"\binom",),
             arity=(2, 2)),
    Function("abs", sp.Abs, mpmath.fabs, np.abs, aliases=("Abs",)),
    Function("factorial", sp.factorial, _mp_factorial, _np_factorial, grows=True),
    Function("sigmoid", _sigmoid, _mp_sigmoid, _np_sigmoid, grows=True),
    Function("relu", _relu, _mp_relu, _np_relu, aliases=("ReLU", "Relu"), real_arguments=True),
    Function("max", sp.Max, _largest, _np_largest, aliases=("Max",), latex=(r"\max",), arity=(1, 99),
             over_entries=vmax, real_arguments=True),
    Function("min", sp.Min, _smallest, _np_smallest, aliases=("Min",), latex=(r"\min",), arity=(1, 99),
             over_entries=_min_over_entries, real_arguments=True),
    Function("sum", vsum, _mp_sum, np.sum, latex=(r"\sum",), vector=True, over_entries=vsum),
    Function("softmax", softmax, _mp_softmax, _np_softmax, vector=True),
    Function("onehot", _identity, _identity, _identity, vector=True),  # y itself: the label as a vector
)

CONSTANTS: tuple[Constant, ...] = (
    Constant("pi", sp.pi, mpmath.pi, math.pi, latex=(r"\pi",)),
    Constant("E", sp.E, mpmath.e, math.e, aliases=("e",), latex=(r"\mathrm{e}",)),
    Constant("I", sp.I, mpmath.mpc(0, 1), 1j),
    Constant("oo", sp.oo, mpmath.inf, math.inf, aliases=("infinity", "inf", "Infinity"), latex=(r"\infty",)),
)

#: LaTeX Greek letters read as variable names: ``\sigma`` is ``sigma``, ``\varepsilon`` is ``eps``.
LETTERS: dict[str, str] = {
    **{g: g for g in ("sigma", "alpha", "beta", "gamma", "delta", "eta", "theta", "lambda", "mu", "nu", "rho",
                      "tau", "phi", "psi", "omega", "xi", "zeta", "kappa")},
    "epsilon": "eps", "varepsilon": "eps", "varphi": "phi", "ell": "l",
}

#: Other plain spellings of the variable names questions use (a question declares ``eps``).
NAME_ALIASES: dict[str, str] = {"epsilon": "eps", "varepsilon": "eps", "sig": "sigma", "Sigma": "sigma"}


def _by_spelling(records: tuple[Function, ...] | tuple[Constant, ...]) -> dict[str, Any]:
    index: dict[str, Any] = {}
    for record in records:
        for spelling in record.spellings:
            if spelling in index:
                raise ValueError(f"{spelling!r} spells both {index[spelling].name} and {record.name}")
            index[spelling] = record
    return index


#: Every plain spelling of a function -> its record.
FUNCTION: dict[str, Function] = _by_spelling(FUNCTIONS)
#: Every plain spelling of a constant -> its record.
CONSTANT: dict[str, Constant] = _by_spelling(CONSTANTS)

_COMMAND = re.compile(r"\\([A-Za-z]+)")
_UPRIGHT = re.compile(r"\\(?:mathrm|operatorname)\{([A-Za-z]+)\}")


def latex_words() -> tuple[dict[str, str], dict[str, str]]:
    """The LaTeX spellings as two maps to canonical names: commands (``arcsin`` -> ``asin``, from
    ``\\arcsin``) and words in upright type (``e`` -> ``E``, from ``\\mathrm{e}``; also every
    command's word, so ``\\operatorname{arcsin}`` reads as ``\\arcsin``)."""
    commands: dict[str, str] = {}
    upright: dict[str, str] = {}
    records: tuple[Function | Constant, ...] = (*FUNCTIONS, *CONSTANTS)
    for record in records:
        for spelling in record.latex:
            if m := _COMMAND.fullmatch(spelling):
                commands[m.group(1)] = upright[m.group(1)] = record.name
            elif m := _UPRIGHT.fullmatch(spelling):
                upright[m.group(1)] = record.name
            else:  # pragma: no cover - a malformed table entry
                raise ValueError(f"cannot read the LaTeX spelling {spelling!r} of {record.name}")
    overlap = set(commands) & set(LETTERS)
    if overlap:  # pragma: no cover - a malformed table entry
        raise ValueError(f"LaTeX commands that are both a name and a letter: {sorted(overlap)}")
    return commands, upright


if set(FUNCTION) & set(CONSTANT):  # pragma: no cover - a malformed table entry
    raise ValueError(f"names that are both a function and a constant: {sorted(set(FUNCTION) & set(CONSTANT))}")
