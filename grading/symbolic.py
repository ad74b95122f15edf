"""The tuple tree -> SymPy, after the size of every constant has been bounded in log space.

Names resolve against a :class:`Vocabulary`: declared variables (with their assumptions), the
vector roles of the softmax questions, whitelisted functions and constants. An undeclared name is
split into declared ones when it can be (``nLK`` -> n L K) and otherwise rejected with a
suggestion. Numbers are exact rationals. SymPy objects are built only after :func:`bound` has
shown that no constant is larger than 10^max_log10, so ``9^9^9`` or ``factorial(10^7)`` never
reach SymPy's arithmetic.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from .errors import AnswerError, TooLarge
from .limits import DEFAULT, Limits

X = sp.Symbol("x", real=True)          # the logit vector, elementwise
Y = sp.Symbol("y", real=True)          # the one-hot label vector, elementwise
vsum = sp.Function("sum")              # sum over the vector's entries (a scalar)
vmax = sp.Function("max")              # maximum entry (a scalar)
softmax = sp.Function("softmax")       # elementwise softmax of a vector

CONSTANTS = {"pi": sp.pi, "e": sp.E, "E": sp.E, "I": sp.I, "oo": sp.oo, "infinity": sp.oo,
             "inf": sp.oo, "Infinity": sp.oo}
ALIASES = {"epsilon": "eps", "varepsilon": "eps", "sig": "sigma", "ln": "log", "Sigma": "sigma"}
SUGGEST = {"s": "sigma", "e": "eps", "ep": "eps", "l": "L", "k": "K", "N": "n"}
FUNCTIONS = {"sqrt", "exp", "log", "ln", "sin", "cos", "tan", "tanh", "sinh", "cosh", "asin", "acos", "atan",
             "erf", "abs", "Abs", "max", "min", "Max", "Min", "factorial", "sum", "softmax", "onehot", "sigmoid"}
VECTOR_FUNCTIONS = {"sum", "softmax", "onehot"}
#: Words of code, never of an answer: rejected even where new names are allowed.
CODE_WORDS = {"import", "from", "exec", "eval", "open", "getattr", "setattr", "delattr", "globals", "locals",
              "vars", "compile", "def", "class", "return", "yield", "while", "for", "print", "input", "os",
              "sys", "subprocess", "builtins", "lambda", "await", "async", "with", "del", "raise", "assert",
              "sympify", "system", "read", "write"}
KINDS = {
    "real": {"real": True}, "positive": {"positive": True}, "nonnegative": {"nonnegative": True},
    "negative": {"negative": True}, "integer": {"integer": True},
    "positive_integer": {"integer": True, "positive": True}, "complex": {},
}


def symbol_for(name: str, kind: str) -> sp.Symbol:
    """A SymPy symbol with the assumptions of an assumption kind (``interval(a,b)`` is real)."""
    if kind.startswith("interval"):
        return sp.Symbol(name, real=True)
    if kind not in KINDS:
        raise ValueError(f"unknown assumption kind {kind!r}; known: {', '.join(KINDS)}, interval(a,b)")
    return sp.Symbol(name, **KINDS[kind])


@dataclass(frozen=True)
class Vocabulary:
    """What an answer may name. ``vectors`` maps a name to its role: vector, onehot or softmax."""

    symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    vectors: dict[str, str] = field(default_factory=dict)
    indices: frozenset[str] = frozenset()
    open: bool = False
    default_kind: str = "real"
    forbidden: frozenset[str] = frozenset()

    def known_names(self) -> list[str]:
        return sorted({*self.symbols, *self.vectors})


# --- bounding constants in log space --------------------------------------------------------

def _log10_fraction(v: Fraction) -> float:
    if v == 0:
        return -math.inf
    return math.log10(abs(v.numerator)) - math.log10(v.denominator)


def bound(node: tuple, limits: Limits = DEFAULT) -> float | None:
    """An upper bound on log10|value| of a constant subtree (None when it has variables).

    Raises ``TooLarge`` when a constant would exceed 10^max_log10, a factorial's argument
    max_factorial, or a power of a variable the degree max_exponent.
    """
    kind = node[0]
    if kind == "num":
        result = _log10_fraction(node[1])
    elif kind in ("name", "sub", "index", "big", "entry"):
        if kind == "name" and node[1] in ("pi", "e", "E", "I"):
            return 0.5
        for child in _children(node):
            bound(child, limits)
        return None
    elif kind == "neg":
        return bound(node[1], limits)
    elif kind in ("add", "mul"):
        parts = [bound(c, limits) for c in node[1]]
        if any(p is None for p in parts):
            return None
        finite = [p for p in parts if p != -math.inf]
        if kind == "add":
            result = max(finite, default=-math.inf) + math.log10(len(parts))
        else:
            result = -math.inf if len(finite) < len(parts) else sum(finite)
    elif kind == "div":
        a, b = bound(node[1], limits), bound(node[2], limits)
        if a is None or b is None:
            return None
        result = a - (b if b != -math.inf else 0.0)
    elif kind == "pow":
        result = _bound_pow(node, limits)
        if result is None:
            return None
    elif kind == "fact":
        a = bound(node[1], limits)
        if a is None:
            return None
        value = _small_value(node[1])
        if value is None or a > math.log10(limits.max_factorial + 1) or value > limits.max_factorial:
            raise TooLarge(f"factorial of a number above {limits.max_factorial} is too large")
        result = math.lgamma(max(value, 0) + 1) / math.log(10)
    elif kind == "call":
        parts = [bound(c, limits) for c in node[2]]
        if any(p is None for p in parts):
            return None
        name = node[1]
        if name == "exp":
            value = _small_value(node[2][0]) if node[2] else 0.0
            if value is None or abs(value) / math.log(10) > limits.max_log10:
                raise TooLarge("exp of this argument is too large", node[3])
            result = value / math.log(10)
        elif name == "factorial":
            return bound(("fact", node[2][0]), limits) if node[2] else None
        elif name == "sqrt":
            result = parts[0] / 2 if parts else 0.0
        else:
            result = max([p for p in parts if p != -math.inf], default=0.0)
    else:  # pragma: no cover
        return None
    if result > limits.max_log10:
        raise TooLarge(f"a number in the answer exceeds 10^{int(limits.max_log10)}")
    return result


def _children(node: tuple) -> list[tuple]:
    kind = node[0]
    if kind in ("add", "mul"):
        return list(node[1])
    if kind in ("neg", "fact"):
        return [node[1]]
    if kind in ("div", "pow"):
        return [node[1], node[2]]
    if kind == "call":
        return list(node[2])
    if kind in ("index", "big"):
        return [node[2]]
    if kind == "entry":
        return [node[1]]
    return []


def _small_value(node: tuple) -> float | None:
    """The float value of a constant subtree already bounded (so it cannot overflow badly)."""
    try:
        value = _float(node)
    except (OverflowError, ZeroDivisionError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) else None


def _float(node: tuple) -> float | None:
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "name":
        return {"pi": math.pi, "e": math.e, "E": math.e}.get(node[1])
    if kind == "neg":
        v = _float(node[1])
        return None if v is None else -v
    if kind == "add":
        vals = [_float(c) for c in node[1]]
        return None if None in vals else math.fsum(vals)
    if kind == "mul":
        vals = [_float(c) for c in node[1]]
        return None if None in vals else math.prod(vals)
    if kind == "div":
        a, b = _float(node[1]), _float(node[2])
        return None if a is None or b is None else a / b
    if kind == "pow":
        a, b = _float(node[1]), _float(node[2])
        if a is None or b is None:
            return None
        result = a ** b
        return result.real if isinstance(result, complex) else result
    if kind == "fact":
        a = _float(node[1])
        return None if a is None else math.gamma(a + 1)
    return None


def _bound_pow(node: tuple, limits: Limits) -> float | None:
    base, exponent = bound(node[1], limits), bound(node[2], limits)
    if exponent is not None and exponent > math.log10(limits.max_log10 * 10):
        # A huge constant exponent is only harmless on 0 or +-1.
        value = _small_value(node[1]) if base is not None else None
        if value is None or abs(value) not in (0.0, 1.0):
            raise TooLarge("an exponent in the answer is too large")
    if exponent is not None and base is None:
        e = _small_value(node[2])
        if e is None or abs(e) > limits.max_exponent:
            raise TooLarge(f"a power with exponent above {limits.max_exponent} is too large")
        return None
    if base is None or exponent is None:
        return None
    if base == -math.inf:
        return -math.inf
    e = _small_value(node[2])
    if e is None:  # a complex exponent such as I*pi: |a^(u+iv)| <= |a|^|u| e^(pi |v|)
        return 10 ** exponent * (abs(base) + 1.4)
    return e * base if e >= 0 else -e * max(-base, base)


# --- building SymPy -------------------------------------------------------------------------

class Builder:
    """Turns a bounded tuple tree into SymPy under a vocabulary."""

    def __init__(self, vocab: Vocabulary, text: str, limits: Limits = DEFAULT):
        self.vocab = vocab
        self.text = text
        self.limits = limits
        self.created: dict[str, sp.Symbol] = {}

    def error(self, message: str, pos: int | None) -> AnswerError:
        return AnswerError(message, pos, self.text)

    def build(self, node: tuple) -> sp.Expr:
        kind = node[0]
        if kind == "num":
            return sp.Rational(node[1].numerator, node[1].denominator)
        if kind == "name":
            return self.name(node[1], node[2])
        if kind == "sub":
            return self.element(node[1], node[2], node[3])
        if kind == "index":
            index = node[2]
            label = index[1] if index[0] == "name" else "?"
            return self.element(node[1], label, node[3])
        if kind == "big":
            return self.reduce(node[1], self.build(node[2]), node[3])
        if kind == "entry":
            if not self.vocab.vectors or node[2] not in self.vocab.indices:
                raise self.error(f"only the entries of a vector can be subscripted (index {node[2]!r})", node[3])
            return self.build(node[1])
        if kind == "add":
            return sp.Add(*[self.build(c) for c in node[1]])
        if kind == "mul":
            left, right = node[1]
            return sp.Mul(self.build(left), self.build(right))
        if kind == "neg":
            return -self.build(node[1])
        if kind == "div":
            return sp.Mul(self.build(node[1]), sp.Pow(self.build(node[2]), -1))
        if kind == "pow":
            return self.power(node)
        if kind == "fact":
            return sp.factorial(self.build(node[1]))
        if kind == "call":
            return self.call(node[1], node[2], node[3])
        raise self.error(f"cannot read {kind}", None)  # pragma: no cover

    def power(self, node: tuple) -> sp.Expr:
        base, exponent = node[1], self.build(node[2])
        if base[0] == "call" and ALIASES.get(base[1], base[1]) not in FUNCTIONS and len(base[2]) == 1:
            # pi (2r)^2 is pi * (2r)^2: the power takes the bracket only
            return sp.Mul(self.name(base[1], base[3]), sp.Pow(self.build(base[2][0]), exponent))
        if base[0] == "name":
            parts = self.split(base[1], base[2])
            if len(parts) > 1:  # nLK^2 is n L K^2: the power takes the last letter only
                return sp.Mul(*parts[:-1], sp.Pow(parts[-1], exponent))
        return sp.Pow(self.build(base), exponent)

    def name(self, name: str, pos: int) -> sp.Expr:
        return sp.Mul(*self.split(name, pos))

    def split(self, name: str, pos: int) -> list[sp.Expr]:
        """The factors a name stands for: itself, or its split into declared names."""
        if name in CODE_WORDS:
            raise self.error(f"{name!r} looks like program code, not mathematics", pos)
        single = self.resolve(name)
        if single is not None:
            return [single]
        parts = self._cover(name)
        if parts is not None:
            return [self.resolve(p) for p in parts]
        if self.vocab.open:
            return [self.created.setdefault(name, symbol_for(name, self.vocab.default_kind))]
        raise self.unknown(name, pos)

    def resolve(self, name: str) -> sp.Expr | None:
        name = ALIASES.get(name, name)
        if name in self.vocab.forbidden:
            raise self.error(f"{name!r} may not be used in this answer; write it out", None)
        if name in self.vocab.symbols:
            return self.vocab.symbols[name]
        if name in self.vocab.vectors:
            return self.vector(name)
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in self.created:
            return self.created[name]
        return None

    def _cover(self, name: str) -> list[str] | None:
        """Split ``name`` into declared names (longest first), or None."""
        known = sorted({*self.vocab.symbols, *self.vocab.vectors}, key=len, reverse=True)
        if not known:
            return None

        def search(rest: str) -> list[str] | None:
            if not rest:
                return []
            for k in known:
                if rest.startswith(k):
                    tail = search(rest[len(k):])
                    if tail is not None:
                        return [k, *tail]
            return None

        return search(name) if len(name) <= 24 else None

    def unknown(self, name: str, pos: int) -> AnswerError:
        if name in FUNCTIONS:
            return self.error(f"{name} is a function: write {name}(...)", pos)
        if name in self.vocab.indices:
            return self.error(f"the index {name} can only be a subscript, as in x_{name} or x[{name}]", pos)
        known = self.vocab.known_names()
        hint = SUGGEST.get(name) if SUGGEST.get(name) in known else None
        close = hint or next(iter(difflib.get_close_matches(name, known, n=1, cutoff=0.5)), None)
        listed = ", ".join(known) if known else "none"
        suggestion = f"; did you mean {close!r}?" if close else ""
        return self.error(f"unknown name {name!r}{suggestion} (this question's names: {listed})", pos)

    def vector(self, name: str) -> sp.Expr:
        role = self.vocab.vectors[name]
        return {"vector": X, "onehot": Y, "softmax": softmax(X)}[role]

    def element(self, name: str, index: str, pos: int) -> sp.Expr:
        name = ALIASES.get(name, name)
        if name in self.vocab.vectors:
            if index not in self.vocab.indices:
                raise self.error(f"unknown index {index!r} (use {', '.join(sorted(self.vocab.indices))})", pos)
            return self.vector(name)
        if self.vocab.open:
            full = f"{name}_{index}"
            return self.created.setdefault(full, symbol_for(full, self.vocab.default_kind))
        raise self.error(f"{name!r} has no entries to subscript in this question", pos)

    def reduce(self, op: str, arg: sp.Expr, pos: int) -> sp.Expr:
        if not self.vocab.vectors:
            raise self.error(f"{op}_ over an index is only for the vector questions", pos)
        return vsum(arg) if op == "sum" else (vmax(arg) if op == "max" else -vmax(-arg))

    def call(self, name: str, args: list[tuple], pos: int) -> sp.Expr:
        fname = ALIASES.get(name, name)
        if fname in CODE_WORDS:
            raise self.error(f"{fname!r} looks like program code, not mathematics", pos)
        if fname in self.vocab.forbidden:
            raise self.error(f"{fname!r} may not be used in this answer; write it out", pos)
        if fname not in FUNCTIONS:
            # sigma(2) or d(1 - eps): a name times a bracket.
            # where new names are allowed, only a one-letter name times a bracket: cot(x) is an
            # unknown function, not c*o*t*x
            if len(args) == 1 and (self.resolve(fname) is not None or self._cover(fname)
                                   or (self.vocab.open and len(fname) == 1)):
                return sp.Mul(self.name(fname, pos), self.build(args[0]))
            raise self.error(f"unknown function {name!r}", pos)
        built = [self.build(a) for a in args]
        arity = {"log": (1, 2), "max": (1, 99), "min": (1, 99), "Max": (1, 99), "Min": (1, 99)}
        lo, hi = arity.get(fname, (1, 1))
        if not lo <= len(built) <= hi:
            raise self.error(f"{fname} takes {lo if lo == hi else f'{lo} to {hi}'} argument(s), "
                             f"got {len(built)}", pos)
        if fname in VECTOR_FUNCTIONS and not self.vocab.vectors:
            raise self.error(f"{fname}(...) is only for the vector questions", pos)
        a = built[0]
        if fname == "sqrt":
            return sp.sqrt(a)
        if fname == "exp":
            return sp.exp(a)
        if fname == "log":
            return sp.log(a) if len(built) == 1 else sp.log(a, built[1])
        if fname in ("abs", "Abs"):
            return sp.Abs(a)
        if fname in ("max", "Max", "min", "Min"):
            if len(built) == 1 and self.vocab.vectors:
                return vmax(a) if fname.lower() == "max" else -vmax(-a)
            return (sp.Max if fname.lower() == "max" else sp.Min)(*built)
        if fname == "sum":
            return vsum(a)
        if fname == "softmax":
            return softmax(a)
        if fname == "onehot":
            return a
        if fname == "sigmoid":
            return 1 / (1 + sp.exp(-a))
        if fname == "factorial":
            return sp.factorial(a)
        return getattr(sp, fname)(a)
