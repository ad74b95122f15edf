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
from collections.abc import Callable, Mapping
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


def _log1p(a: sp.Expr) -> sp.Expr:
    return sp.log(1 + a)


def _expm1(a: sp.Expr) -> sp.Expr:
    return sp.exp(a) - 1


def _softplus(a: sp.Expr) -> sp.Expr:
    return sp.log(1 + sp.exp(a))


def _mp_softplus(u: Any) -> Any:
    return mpmath.log1p(mpmath.exp(u))


def _np_softplus(u: Any) -> Any:
    return np.logaddexp(0.0, np.asarray(u, dtype=float))


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
    # log1p(a) = log(1 + a), expm1(a) = exp(a) - 1 (numpy's and torch's accurate forms): built as the
    # plain forms, so exp's argument, the stability criterion, is the same as written
    Function("log1p", _log1p, mpmath.log1p, np.log1p),
    Function("expm1", _expm1, mpmath.expm1, np.expm1, grows=True),
    # softplus(a) = log(1 + exp(a)) (torch.nn.functional.softplus): built as its plain form, like log1p, so
    # exp's argument, the stability criterion, is the one its definition writes
    Function("softplus", _softplus, _mp_softplus, _np_softplus),
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


# --- functions a sheet defines ------------------------------------------------------------------
#
# A sheet may extend the functions above with definitions (``[[function]]`` tables of its bank):
#
#     [[function]]
#     name = "sigmoid"
#     args = ["t"]
#     definition = "1/(1 + exp(-t))"
#     latex = "\\sigma"                 # optional: how it is typeset, and another way to write it
#
# An answer's ``sigmoid(x)`` (or ``\sigma(x)``, whose LaTeX reads as ``sigma``) is read as the
# definition with t replaced by the argument's tree, before SymPy sees it: the size bound then
# sees the whole expression, and every evaluator, comparison and derivative works on the
# functions above only. The definition is read once, when the bank loads, by the answers' reader.

#: The most nodes an answer (or a definition) may reach with every sheet function written out.
MAX_EXPANDED_NODES = 4000
#: The deepest an answer may nest once its sheet functions are written out.
MAX_EXPANDED_DEPTH = 240
#: Parameters of one sheet function, and sheet functions of one bank.
MAX_ARGS, MAX_FUNCTIONS = 8, 64
#: Names a sheet function may not take: the derivations' operators and markers, and the vector functions.
RESERVED = frozenset({"E", "Var", "V", "Cov", "P", "Pr", "indicator", "delta", "d", "nabla", "partial",
                      *(f.name for f in FUNCTIONS if f.vector or f.over_entries is not None),
                      *(a for f in FUNCTIONS if f.vector or f.over_entries is not None for a in f.aliases)})
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_TEX_HEAD = re.compile(r"\\[A-Za-z]+|\\(?:operatorname|mathrm)\{[A-Za-z][A-Za-z0-9]*\}")


class FunctionError(ValueError):
    """A ``[[function]]`` table that cannot be used; the message names the function and the key."""



def yielding(functions: Mapping[str, Defined], names: set[str] | frozenset[str]) -> dict[str, Defined]:
    """Sheet functions by spelling, less each spelling from a LaTeX head (``sigma`` for ``\\sigma``)
    that is one of ``names`` (a question's variables, a model's names): there the name wins, as a
    sheet reuses a letter across its problems, and the function is called by its own name. A
    function's own name is never dropped (a clash with it stays a bank error)."""
    return {s: f for s, f in functions.items() if s == f.name or s not in names}

@dataclass(frozen=True)
class Defined:
    """A function a sheet defines: ``name(params) = body``; ``spellings`` are the plain names an
    answer may call it by (its name, and the word its LaTeX head reads as)."""

    name: str
    params: tuple[str, ...]
    text: str
    body: Any  # the definition's parse tree (.tree.Node: numbers, names, calls, + - * / ^ !)
    tex: str
    spellings: tuple[str, ...]

    def latex(self, args: list[str]) -> str:
        """``\\sigma\\left(x\\right)``: the head and the typeset arguments."""
        return rf"{self.tex}\left({', '.join(args)}\right)"

    def expand(self, args: tuple[Any, ...], table: Mapping[str, Defined], limits: Any) -> Any:
        """The body with each parameter replaced by the argument's tree, bounded as an answer is
        (:func:`.bounds.bound`), its size with every sheet function written out at most
        :data:`MAX_EXPANDED_NODES` (so ``f(f(f(x)))`` of an ``f(t) = t t`` cannot explode)."""
        from .bounds import bound
        from .errors import AnswerError, TooLarge

        if len(args) != len(self.params):
            raise AnswerError(f"{self.name} takes {len(self.params)} argument(s), got {len(args)}")
        tree = substitute(self.body, dict(zip(self.params, args, strict=True)))
        nodes, depth = expanded_size([tree], table)
        if nodes > MAX_EXPANDED_NODES or depth > MAX_EXPANDED_DEPTH:
            raise TooLarge(f"the answer is too long with {self.name} written out "
                           f"(more than {MAX_EXPANDED_NODES} symbols and operations)")
        bound(tree, limits)
        return tree


def substitute(node: Any, values: Mapping[str, Any]) -> Any:
    """The tree with every ``Name`` in ``values`` replaced by its tree (definitions hold only
    numbers, names, calls and operators, so no other node needs a look inside)."""
    from dataclasses import replace

    from .tree import Call, Name

    if isinstance(node, Name):
        return values.get(node.name, node)
    if isinstance(node, Call):
        return replace(node, args=tuple(substitute(a, values) for a in node.args))
    children = getattr(node, "_children", ())
    return replace(node, **{f: substitute(getattr(node, f), values) for f in children}) if children else node


def expanded_size(nodes: tuple[Any, ...] | list[Any], table: Mapping[str, Defined],
                  most: int = MAX_EXPANDED_NODES, deepest: int = MAX_EXPANDED_DEPTH) -> tuple[int, int]:
    """(Node count, depth) of trees with every call of a sheet function written out (each call
    replaced by its body, the arguments in place of the parameters). The walk stops once it
    passes ``most`` nodes or ``deepest`` levels, so its cost is bounded whatever the answer."""
    from .tree import Call

    count, depth = 0, 0

    def walk(node: Any, level: int) -> None:
        nonlocal count, depth
        if isinstance(node, Call) and node.name in table:
            f = table[node.name]
            if len(node.args) == len(f.params):
                walk(substitute(f.body, dict(zip(f.params, node.args, strict=True))), level)
                return
        count += 1
        depth = max(depth, level)
        if count > most or depth > deepest:
            raise _Over
        for child in node.children():
            walk(child, level + 1)

    try:
        for n in nodes:
            walk(n, 1)
    except (_Over, RecursionError):
        return max(count, most + 1), max(depth, deepest + 1)
    return count, depth


class _Over(Exception):
    """The walk of :func:`expanded_size` passed its bound."""


def read_functions(tables: Any) -> dict[str, Defined]:
    """The sheet's ``[[function]]`` tables, each read and checked once: a name that is an
    identifier and no operator, vector function or constant; distinct parameter names; a
    definition read by the answers' reader (LaTeX or plain) using only its parameters, constants,
    the functions above and other sheet functions, none of them in a cycle, at most
    :data:`MAX_EXPANDED_NODES` nodes with every sheet function written out; a LaTeX head that is
    one command. Returns every spelling -> its function; :class:`FunctionError` otherwise."""
    from .bounds import bound
    from .errors import AnswerError
    from .normalize import to_plain
    from .parser import parse_plain
    from .symbolic import CODE_WORDS
    from .tree import Add, Call, Div, Fact, Mul, Name, Neg, Num, Pow

    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise FunctionError("`function` must be an array of tables ([[function]])")
    if len(tables) > MAX_FUNCTIONS:
        raise FunctionError(f"{len(tables)} functions (at most {MAX_FUNCTIONS})")
    defined: dict[str, Defined] = {}
    spelling: dict[str, Defined] = {}
    for table in tables:
        name = table.get("name")
        where = f"function {name!r}"
        if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
            raise FunctionError(f"{where}: `name` must be a name of letters and digits")
        params = table.get("args", [])
        if not isinstance(params, list) or not 1 <= len(params) <= MAX_ARGS or len(set(map(str, params))) < len(params):
            raise FunctionError(f"{where}: `args` must list 1 to {MAX_ARGS} distinct parameter names")
        for p in params:
            if not isinstance(p, str) or not _IDENTIFIER.fullmatch(p) or p in FUNCTION or p in CONSTANT:
                raise FunctionError(f"{where}: `args`: {p!r} is not a parameter name")
        text = table.get("definition")
        if not isinstance(text, str) or not text.strip():
            raise FunctionError(f"{where}: needs a `definition` (a formula in its args)")
        try:
            plain = to_plain(text)[0]
            body = parse_plain(plain)
            bound(body)
        except AnswerError as err:
            raise FunctionError(f"{where}: `definition` {text!r}: {err.message}") from None
        tex = table.get("latex", rf"\operatorname{{{name}}}")
        if not isinstance(tex, str) or not _TEX_HEAD.fullmatch(tex.strip()):
            raise FunctionError(f"{where}: `latex` must be one command such as \\sigma or \\operatorname{{sig}}")
        word = to_plain(tex.strip())[0].strip()
        spellings = tuple(dict.fromkeys(w for w in (name, word) if w))
        for w in spellings:
            clash = ("an operator of the derivations" if w in RESERVED else "a constant" if w in CONSTANT
                     else "a word of code" if w in CODE_WORDS else "another sheet function" if w in spelling
                     else None)
            if clash or not _IDENTIFIER.fullmatch(w):
                raise FunctionError(f"{where}: {w!r} cannot name it ({clash or 'not a name'})")
        f = Defined(name, tuple(params), text, body, tex.strip(), spellings)
        defined[name] = f
        spelling.update(dict.fromkeys(spellings, f))
    kinds = (Num, Name, Call, Add, Mul, Neg, Div, Pow, Fact)
    for f in defined.values():
        for node in tree_nodes(f.body):
            if not isinstance(node, kinds):
                raise FunctionError(f"function {f.name!r}: `definition` {f.text!r}: only numbers, its args, "
                                    "constants, functions and + - * / ^ ! may be used")
            if isinstance(node, Name) and node.name not in f.params and node.name not in CONSTANT:
                raise FunctionError(f"function {f.name!r}: `definition` {f.text!r}: unknown name {node.name!r} "
                                    f"(its args: {', '.join(f.params)})")
            if isinstance(node, Call):
                callee = spelling.get(node.name)
                known = FUNCTION.get(node.name)
                if callee is None and (known is None or known.vector):
                    raise FunctionError(f"function {f.name!r}: `definition` {f.text!r}: unknown function "
                                        f"{node.name!r}")
                if callee is not None and len(node.args) != len(callee.params):
                    raise FunctionError(f"function {f.name!r}: `definition` {f.text!r}: {node.name} takes "
                                        f"{len(callee.params)} argument(s)")
    _acyclic(defined, spelling)
    for f in defined.values():
        nodes, depth = expanded_size([f.body], spelling)
        if nodes > MAX_EXPANDED_NODES or depth > MAX_EXPANDED_DEPTH:
            raise FunctionError(f"function {f.name!r}: the definition expands to over {MAX_EXPANDED_NODES:,} "
                                "nodes with the sheet functions it uses written out")
    return spelling


def tree_nodes(node: Any) -> list[Any]:
    """Every node of a parse tree (the node itself first), without recursion."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(n.children())
    return out


def _acyclic(defined: Mapping[str, Defined], spelling: Mapping[str, Defined]) -> None:
    """:class:`FunctionError` for sheet functions whose definitions call each other in a cycle."""
    from .tree import Call

    calls = {f.name: [spelling[n.name].name for n in tree_nodes(f.body) if isinstance(n, Call) and n.name in spelling]
             for f in defined.values()}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise FunctionError(f"recursive functions ({' -> '.join((*path[path.index(name):], name))})")
        if name in done:
            return
        for callee in calls[name]:
            visit(callee, (*path, name))
        done.add(name)

    for name in calls:
        visit(name, ())


def typeset(expr: sp.Basic, functions: Mapping[str, Defined]) -> str:
    """``expr`` in LaTeX with each sheet function folded back into its head wherever its
    definition appears (``1/(1 + e^{-x})`` is ``\\sigma\\left(x\\right)``): reading writes the
    definitions out (:meth:`Defined.expand`), printing puts the names back."""
    return sp.latex(fold(expr, functions))


def fold(expr: sp.Basic, functions: Mapping[str, Defined]) -> sp.Basic:
    """``expr`` with every instance of a sheet function's definition replaced by an inert head of
    that name that prints as the function (for display only: evaluators do not know the head)."""
    for f in dict.fromkeys(functions.values()):
        pattern, wilds = _pattern(f)
        head = _head(f)
        expr = expr.replace(pattern, lambda *_, h=head, w=wilds, **m: h(*(m[x.name] for x in w)))
    return expr


def _pattern(f: Defined) -> tuple[sp.Expr, list[sp.Wild]]:
    """The definition as SymPy with a Wild for each parameter."""
    from .symbolic import Builder, Vocabulary

    wilds = [sp.Wild(f"{p}_", real=True) for p in f.params]
    vocab = Vocabulary(symbols={p: sp.Symbol(p, real=True) for p in f.params})
    body = Builder(vocab, f.text).build(f.body)
    return body.xreplace({sp.Symbol(p, real=True): w for p, w in zip(f.params, wilds, strict=True)}), wilds


def _head(f: Defined) -> type[sp.Function]:
    def _latex(self: sp.Function, printer: Any, exp: str | None = None) -> str:
        tex = f.latex([printer.doprint(a) for a in self.args])
        return rf"{tex}^{{{exp}}}" if exp else tex

    def _sympystr(self: sp.Function, printer: Any) -> str:
        return f"{f.name}({', '.join(printer.doprint(a) for a in self.args)})"

    return type(f.name, (sp.Function,), {"_latex": _latex, "_sympystr": _sympystr, "nargs": len(f.params)})


# --- what a name conventionally stands for, in words ------------------------------------------

#: Words a definition may use for a variable of each kind (``y`` one-hot: the target, the label; ``z``
#: softmax: the prediction, the probabilities): the kind says what the variable is.
ROLE_WORDS: Mapping[str, frozenset[str]] = {
    "onehot": frozenset({"target", "label", "truth", "ground", "class", "one-hot", "onehot", "true", "correct"}),
    "softmax": frozenset({"prediction", "predicted", "probability", "output", "softmax", "model"}),
    "vector": frozenset({"logit", "score", "input", "pre-softmax", "activation"}),
}
#: Words for a name that bounds an index (``d`` in ``z in R^d``, ``sum_{i=1}^{d}``): how many there are.
SIZE_WORDS = frozenset({"number", "dimension", "dim", "input", "fan-in", "fan", "entry", "unit", "component", "term",
                        "feature", "neuron", "length", "size", "count", "coordinate"})
#: What the usual letters of the subject stand for, whatever the sheet (``k`` a kernel's size, ``L`` the
#: layers): words a definition of that letter may use beside the sheet's own.
CONVENTIONAL: Mapping[str, frozenset[str]] = {
    "k": frozenset({"kernel", "filter", "size", "width", "spatial"}),
    "n": frozenset({"batch", "minibatch", "example", "sample", "size"}),
    "L": frozenset({"layer", "depth"}),
    "K": frozenset({"width", "unit", "hidden", "neuron", "layer"}),
    "H": frozenset({"height", "spatial"}), "W": frozenset({"width", "spatial"}),
    "C_in": frozenset({"input", "channel", "in"}), "C_out": frozenset({"output", "channel", "out", "filter"}),
    "n_in": frozenset({"fan-in", "fan", "input"}), "n_out": frozenset({"fan-out", "fan", "output"}),
    "eps": frozenset({"smoothing", "label", "epsilon"}),
    "sigma": frozenset({"std", "standard", "deviation", "scale", "weight"}),
    "t": frozenset({"logit", "pre-activation", "input", "score"}),
    "s": frozenset({"prediction", "predicted", "probability", "output", "sigmoid"}),
    "y": frozenset({"label", "target"}),
}
