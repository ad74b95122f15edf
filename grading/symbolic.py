"""A bounded parse tree -> SymPy, under the names a question declares.

Names resolve against a :class:`Vocabulary`: declared variables (with their assumptions), the
vector roles of the softmax questions, then the functions and constants of :mod:`.vocabulary`.
An undeclared name is split into declared ones when it can be (``nLK`` -> n L K) and otherwise
rejected with a suggestion. Numbers are exact rationals. The tree reaches the :class:`Builder`
only after :func:`.bounds.bound` has shown that no constant is larger than 10^max_log10, so
``9^9^9`` or ``factorial(10^7)`` never reach SymPy's arithmetic.
"""
from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

import sympy as sp

from .bounds import bound
from .errors import AnswerError
from .limits import DEFAULT, Limits
from .normalize import EVALUATION
from .tree import Add, Big, Call, Div, Entry, Fact, Index, Mul, Name, Neg, Node, Num, Pow, Sub, Visitor, substitute
from .vocabulary import CONSTANT, FUNCTION, LETTERS, NAME_ALIASES, Defined, softmax, tree_nodes, vmax, vsum

__all__ = ["XF", "YF", "Builder", "Interval", "Vocabulary", "X", "Y", "interval", "localise", "log_at_edge", "softmax",
           "symbol_for", "vmax", "vsum"]

X = sp.Symbol("x", real=True)          # the logit vector, elementwise
Y = sp.Symbol("y", real=True)          # the one-hot label vector, elementwise
#: Inside a sum or max over the vector, its entry at the answer's free index (``x_i`` in
#: ``sum(exp(x - x_i))``); outside every reduction the entry at the free index is plain X.
XF = sp.Symbol("x_free", real=True)
YF = sp.Symbol("y_free", real=True)
#: The heads that reduce a vector to a scalar (or take it whole): their argument is the vector.
REDUCTIONS = (vsum, vmax, softmax)

#: Likely meanings of a short unknown name, suggested when the question declares them.
SUGGEST = {"s": "sigma", "e": "eps", "ep": "eps", "l": "L", "k": "K", "N": "n"}
#: Words of code, never of an answer: rejected even where new names are allowed.
CODE_WORDS = {"import", "from", "exec", "eval", "open", "getattr", "setattr", "delattr", "globals", "locals",
              "vars", "compile", "def", "class", "return", "yield", "while", "for", "print", "input", "os",
              "sys", "subprocess", "builtins", "lambda", "await", "async", "with", "del", "raise", "assert",
              "sympify", "system", "read", "write", *keyword.kwlist, *keyword.softkwlist}
KINDS = {
    "real": {"real": True}, "positive": {"positive": True}, "nonnegative": {"nonnegative": True},
    "negative": {"negative": True}, "integer": {"integer": True},
    "positive_integer": {"integer": True, "positive": True}, "complex": {},
}


#: An interval kind: ``interval(a,b)`` (open) or ``interval[a,b]`` (closed), a and b decimals.
_INTERVAL = re.compile(r"interval(?:\((?P<lo>[-+]?[0-9.]+),(?P<hi>[-+]?[0-9.]+)\)"
                       r"|\[(?P<clo>[-+]?[0-9.]+),(?P<chi>[-+]?[0-9.]+)\])")


class Interval(NamedTuple):
    """The values an interval kind allows: from ``lo`` to ``hi`` (exact), their ends too when ``closed``."""

    lo: Fraction
    hi: Fraction
    closed: bool


def interval(kind: str) -> Interval | None:
    """The interval an assumption kind names (``interval(0,1)``: 0 < x < 1; ``interval[0,1]``:
    0 <= x <= 1), or None for a kind that is no interval (not starting with ``interval``). The one
    reader of interval kinds: a kind that starts so but is not two decimals, in brackets that
    agree, with the lower end below the upper, raises ``ValueError`` saying so."""
    if not kind.startswith("interval"):
        return None
    m = _INTERVAL.fullmatch(kind)
    if m is None:
        raise ValueError(f"unknown assumption kind {kind!r}: an interval is written interval(a,b) (open) or "
                         "interval[a,b] (closed), a and b decimal numbers, without spaces")
    closed = m.group("clo") is not None
    texts = (m.group("clo"), m.group("chi")) if closed else (m.group("lo"), m.group("hi"))
    try:
        lo, hi = (Fraction(t) for t in texts)
    except ValueError:
        raise ValueError(f"assumption kind {kind!r}: {texts[0]!r} and {texts[1]!r} must be decimal numbers") from None
    if lo >= hi:
        raise ValueError(f"assumption kind {kind!r}: the lower end {texts[0]} must be below the upper end {texts[1]}")
    return Interval(lo, hi, closed)


def symbol_for(name: str, kind: str) -> sp.Symbol:
    """A SymPy symbol with the assumptions of an assumption kind (``interval(a,b)``, open, and
    ``interval[a,b]``, closed, are real: :func:`interval`)."""
    if interval(kind) is not None:
        return sp.Symbol(name, real=True)
    if kind not in KINDS:
        raise ValueError(f"unknown assumption kind {kind!r}; known: {', '.join(KINDS)}, interval(a,b), "
                         f"interval[a,b]")
    return sp.Symbol(name, **KINDS[kind])


@dataclass(frozen=True)
class Vocabulary:
    """What an answer to one question may name. ``vectors`` maps a name to its role: vector,
    onehot or softmax. (The functions and constants every answer may use are in :mod:`.vocabulary`.)"""

    symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    vectors: dict[str, str] = field(default_factory=dict)
    indices: frozenset[str] = frozenset()
    open: bool = False
    default_kind: str = "real"
    forbidden: frozenset[str] = frozenset()
    functions: Mapping[str, Defined] = field(default_factory=dict)  # the sheet's own, by spelling

    def known_names(self) -> list[str]:
        return sorted({*self.symbols, *self.vectors})


def localise(expr: sp.Expr) -> sp.Expr:
    """An answer that names the entry at its free index inside a reduction (``XF``): every X
    outside the reductions is that same entry, so it becomes ``XF`` too (and Y ``YF``); the
    answer is then evaluated once per index (:func:`.numeric.evaluate_entries`)."""
    if not expr.has(XF, YF):
        return expr

    def walk(e: sp.Basic) -> sp.Basic:
        if e.func in REDUCTIONS:
            return e
        if e == X:
            return XF
        if e == Y:
            return YF
        return e.func(*(walk(a) for a in e.args)) if e.args else e

    return walk(expr)


class _Outside(Visitor[None]):
    """The indices an answer subscripts its vectors with outside every sum or max: its free index."""

    def __init__(self, vectors: dict[str, str], indices: frozenset[str]):
        self.vectors, self.indices, self.depth = vectors, indices, 0
        self.found: set[str] = set()

    def visit_Sub(self, node: Sub) -> None:
        if self.depth == 0 and node.index in self.indices:
            self.found.add(node.index)

    def visit_Index(self, node: Index) -> None:
        if self.depth == 0 and isinstance(node.index, Name):
            self.found.add(node.index.name)

    def visit_Big(self, node: Big) -> None:
        self.depth += 1
        self.visit(node.arg)
        self.depth -= 1

    def visit_Call(self, node: Call) -> None:
        function = FUNCTION.get(node.name)
        reduces = function is not None and (function.vector or function.over_entries is not None)
        self.depth += reduces
        for arg in node.args:
            self.visit(arg)
        self.depth -= reduces


def log_at_edge(num: sp.Expr, den: sp.Expr) -> sp.Expr | None:
    """The natural logarithm of a quotient ``num/den`` whose denominator is exactly 0 and whose
    numerator is finite and positive: +oo, the limit of log(a/u) as u -> 0+ (the only side on
    which log(a/u) is real), as a derivation writes the limit it means (``= log(1/0) = oo``;
    ``log(z_y/z_j)`` where z_j = 0). None for anything else: SymPy's value stands, so ``1/0``,
    ``log(0)``, ``log(-1/0)`` and ``log(0/0)`` stay undefined."""
    if den == 0 and num.is_positive is True and num.is_finite is True:
        return sp.oo
    return None


class _Used(Visitor[None]):
    """The indices and bare vector names used in a subtree."""

    def __init__(self, vectors: dict[str, str]):
        self.vectors, self.bare = vectors, False
        self.indices: set[str] = set()

    def visit_Sub(self, node: Sub) -> None:
        self.indices.add(node.index)

    def visit_Index(self, node: Index) -> None:
        if isinstance(node.index, Name):
            self.indices.add(node.index.name)

    def visit_Name(self, node: Name) -> None:
        self.bare = self.bare or NAME_ALIASES.get(node.name, node.name) in self.vectors


class Builder(Visitor[sp.Expr]):
    """Turns a bounded parse tree into SymPy under a question's vocabulary, node by node.

    Index semantics of the vector questions, one rule for every reduction (``sum``, ``max``,
    ``min``, written ``sum(...)`` or ``sum_k ...``): outside every reduction a vector and its
    entry ``x_i`` both mean the entry at the free index. Inside one, the bare vector and the
    entries at the reduction's own index (``x_k`` in ``sum_k``) run over the vector; an entry at
    another index is the entry at the free index (``x_i`` in ``sum(exp(x - x_i))``): that is any
    index also used outside the reductions, and inside ``sum(...)`` any index next to the bare
    vector. Other indices inside ``sum(...)`` are its own (``sum(exp(x_k))``).
    """

    def __init__(self, vocab: Vocabulary, text: str, limits: Limits = DEFAULT):
        self.vocab = vocab
        self.text = text
        self.limits = limits
        self.created: dict[str, sp.Symbol] = {}
        self.free: set[str] = set()
        self.scopes: list[set[str]] = []   # the indices each enclosing reduction runs over

    def error(self, message: str, pos: int | None) -> AnswerError:
        return AnswerError(message, pos, self.text)

    def build(self, node: Node) -> sp.Expr:
        """The SymPy expression of ``node``; ``AnswerError`` for a name or use it does not allow,
        and for a construction SymPy refuses (``max(I*d)``: a maximum of a non-real value)."""
        try:
            if self.vocab.vectors:
                outside = _Outside(self.vocab.vectors, self.vocab.indices)
                outside.visit(node)
                self.free = outside.found
            return localise(self.visit(node))
        except AnswerError:
            raise
        except (ValueError, TypeError, ArithmeticError, RecursionError, NotImplementedError,
                AttributeError, IndexError, KeyError) as err:
            raise self.error(f"cannot build this expression ({type(err).__name__}: {str(err)[:160]})",
                             None) from None

    def generic_visit(self, node: Node) -> sp.Expr:
        what = {"Deriv": "a derivative", "Given": "a conditional expectation or probability",
                "Compare": "a comparison"}.get(type(node).__name__, type(node).__name__)
        raise self.error(f"{what} is not a finished answer (it belongs in the working; "
                         "finish the computation on the last line)", None)

    def visit_Num(self, node: Num) -> sp.Expr:
        return sp.Rational(node.value.numerator, node.value.denominator)

    def visit_Name(self, node: Name) -> sp.Expr:
        return self.name(node.name, node.pos)

    def visit_Sub(self, node: Sub) -> sp.Expr:
        return self.element(node.name, node.index, node.pos)

    def visit_Index(self, node: Index) -> sp.Expr:
        label = node.index.name if isinstance(node.index, Name) else "?"
        return self.element(node.name, label, node.pos)

    def visit_Big(self, node: Big) -> sp.Expr:
        if node.values:
            return self.finite_sum(node)
        self.scopes.append({node.var} - self.free if node.var else self._own_indices(node.arg))
        try:
            return self.reduce(node.op, self.visit(node.arg), node.pos)
        finally:
            self.scopes.pop()

    def _own_indices(self, arg: Node) -> set[str]:
        """The indices ``sum(arg)`` runs over: those of ``arg`` that are not the free index."""
        used = _Used(self.vocab.vectors)
        used.visit(arg)
        return set() if used.bare else used.indices - self.free

    def visit_Entry(self, node: Entry) -> sp.Expr:
        if not self.vocab.vectors or node.index not in self.vocab.indices:
            raise self.error(f"only the entries of a vector can be subscripted (index {node.index!r})", node.pos)
        return self.visit(node.base)

    def visit_Add(self, node: Add) -> sp.Expr:
        return sp.Add(self.visit(node.left), self.visit(node.right))

    def visit_Mul(self, node: Mul) -> sp.Expr:
        return sp.Mul(self.visit(node.left), self.visit(node.right))

    def visit_Neg(self, node: Neg) -> sp.Expr:
        return -self.visit(node.arg)

    def visit_Div(self, node: Div) -> sp.Expr:
        return sp.Mul(self.visit(node.num), sp.Pow(self.visit(node.den), -1))

    def visit_Fact(self, node: Fact) -> sp.Expr:
        return sp.factorial(self.visit(node.arg))

    def visit_Call(self, node: Call) -> sp.Expr:
        return self.call(node.name, node.args, node.pos)

    def visit_Pow(self, node: Pow) -> sp.Expr:
        base, exponent = node.base, self.visit(node.exp)
        if isinstance(base, Call) and self.is_product(base.name, base.args):
            # pi (2r)^2 is pi * (2r)^2: the power takes the bracket only
            return sp.Mul(self.name(base.name, base.pos), sp.Pow(self.visit(base.args[0]), exponent))
        if isinstance(base, Call) and self.holds_itself(base.name, base.args):  # σ(1 - σ)^2 = σ (1 - σ)^2
            return sp.Mul(self.own_product(base.name, base.args, base.pos), sp.Pow(self.visit(base.args[0]), exponent))
        if isinstance(base, Name) and not base.grouped:
            parts = self.split(base.name, base.pos)
            if len(parts) > 1:  # nLK^2 is n L K^2: the power takes the last letter only
                return sp.Mul(*parts[:-1], sp.Pow(parts[-1], exponent))
        if isinstance(base, Sub):
            factors = self.split_entry(base.name, base.index, base.pos)
            if factors is not None:  # nC_{in}^2 is n C_in^2, as nLK^2 is n L K^2
                return sp.Mul(*factors[:-1], sp.Pow(factors[-1], exponent))
        return sp.Pow(self.visit(base), exponent)

    def name(self, name: str, pos: int) -> sp.Expr:
        return sp.Mul(*self.split(name, pos))

    def split(self, name: str, pos: int) -> list[sp.Expr]:
        """The factors a name stands for: itself, or its split into declared names."""
        if name in CODE_WORDS:
            raise self.error(f"{name!r} looks like program code, not mathematics", pos)
        single = self.resolve(name)
        if single is not None:
            return [single]
        if name in FUNCTION or name in self.vocab.functions:  # exp alone is no e*x*p
            raise self.unknown(name, pos)
        parts = self._cover(name)
        if parts is not None:
            return [self.resolve(p) for p in parts]
        if self.vocab.open:
            return [self.created.setdefault(name, symbol_for(name, self.vocab.default_kind))]
        raise self.unknown(name, pos)

    def resolve(self, name: str) -> sp.Expr | None:
        """What a single name stands for: a declared variable or vector, a constant, a name this
        answer has already introduced; None when it is none of these."""
        name = NAME_ALIASES.get(name, name)
        if name in self.vocab.forbidden:
            raise self.error(f"{name!r} may not be used in this answer; write it out", None)
        if name in self.vocab.symbols:
            return self.vocab.symbols[name]
        if name in self.vocab.vectors:
            return self.vector(name)
        entry = self.entry_of(name)
        if entry is not None:
            return entry
        if name in CONSTANT:
            return CONSTANT[name].sympy
        if name in self.created:
            return self.created[name]
        return self.at_own_variable(name)

    def holds_itself(self, name: str, args: tuple[Node, ...]) -> bool:
        """Whether ``name(args)`` is a sheet function before a bracket that holds the same function
        written bare, as a value (``σ(1 - σ)``, ``\\sigma(1-\\sigma)``): then the bracket cannot be
        its argument (the function of an expression holding the function's own value is no
        application), so the only reading is the product of the function's value at its own
        variable and the bracket (:meth:`own_product`). ``σ(1 - σ(t))`` holds a call, not the bare
        name: an application."""
        defined = self.vocab.functions.get(name) or self.vocab.functions.get(NAME_ALIASES.get(name, name))
        if defined is None:
            return False
        spellings = {n for n, f in self.vocab.functions.items() if f is defined} - set(self.vocab.symbols)
        return any(isinstance(n, Name) and n.name in spellings for a in args for n in tree_nodes(a))

    def own_product(self, name: str, args: tuple[Node, ...], pos: int) -> sp.Expr:
        """The value of ``name`` at its own variable (:meth:`at_own_variable`), the factor of
        ``σ(1 - σ)`` read as ``σ·(1 - σ)``; refused when the bracket is not one expression or the
        question does not name the function's variable (the bare name then has no value)."""
        value = self.at_own_variable(name) if len(args) == 1 else None
        if value is None:
            raise self.error(f"{name}(...) holds {name} itself, but {name} has no value of its own here: "
                             f"write the function at its argument and * for a product", pos)
        return value

    def at_own_variable(self, name: str) -> sp.Expr | None:
        """A sheet's function of one variable written bare, ``σ(1 - σ)``: the function at its own
        variable, when that variable is a name of the question (σ(t), t declared); None otherwise
        (a bare function whose variable the question does not name is no value)."""
        defined = self.vocab.functions.get(name)
        if defined is None or len(defined.params) != 1 or defined.params[0] not in self.vocab.symbols:
            return None
        return self.visit(defined.expand((Name(defined.params[0], 0),), self.vocab.functions, self.limits))

    def _cover(self, name: str) -> list[str] | None:
        """The split of ``name`` into declared names (``nLK`` -> n L K), when there is exactly one;
        None when there is none or several (``ab`` with a, b, ab... declared is not guessed)."""
        covers = self._covers(name)
        return covers[0] if len(covers) == 1 else None

    def _covers(self, name: str, most: int = 2) -> list[list[str]]:
        """Up to ``most`` splits of ``name`` into declared names (longest first); bounded: a name
        of more than 24 letters is never split, and each suffix is searched once (memoised), so
        the search is polynomial in the name's length whatever the declared names."""
        known = sorted({*self.vocab.symbols, *self.vocab.vectors}, key=len, reverse=True)
        if not known or len(name) > 24:
            return []
        memo: dict[int, list[list[str]]] = {len(name): [[]]}

        def search(at: int) -> list[list[str]]:
            if at not in memo:
                found: list[list[str]] = []
                for k in known:
                    if name.startswith(k, at):
                        found.extend([k, *tail] for tail in search(at + len(k)))
                        if len(found) >= most:
                            break
                memo[at] = found[:most]
            return memo[at]

        return search(0)

    def has_entry(self, name: str, index: str) -> bool:
        """Whether ``name_index`` is a declared name (``C_in``) or an entry of a vector."""
        return f"{name}_{index}" in self.vocab.symbols or NAME_ALIASES.get(name, name) in self.vocab.vectors

    def entry_parts(self, name: str, index: str) -> tuple[list[str], str] | None:
        """Letters typed together before a subscript, ``nHWC_{in}``: an unknown name that splits in
        exactly one way into declared names, the subscript belonging to the last piece (n H W
        C_in); returns (the leading names, the last piece), or None where the name is known, a
        function, or splits in no way or in several."""
        if name in FUNCTION or name in self.vocab.functions or name in CODE_WORDS or len(name) > 24 \
                or f"{name}_{index}" in self.vocab.symbols or self.resolve(name) is not None:
            return None
        found: list[tuple[list[str], str]] = []
        for cut in range(1, len(name)):
            head, last = name[:cut], name[cut:]
            if self.has_entry(last, index):
                found.extend((c, last) for c in self._covers(head))
            if len(found) > 1:
                return None
        return found[0] if found else None

    def split_entry(self, name: str, index: str, pos: int) -> list[sp.Expr] | None:
        """The factors of letters typed together before a subscript (:meth:`entry_parts`), or None."""
        parts = self.entry_parts(name, index)
        if parts is None:
            return None
        head, last = parts
        return [*(self.name(p, pos) for p in head), self.element(last, index, pos)]

    def unknown(self, name: str, pos: int) -> AnswerError:
        if name in FUNCTION:
            return self.error(f"{name} is a function: write {name}(...)", pos)
        if name in self.vocab.indices:
            return self.error(f"the index {name} can only be a subscript, as in x_{name} or x[{name}]", pos)
        known = self.vocab.known_names()
        hint = SUGGEST.get(name) if SUGGEST.get(name) in known else None
        close = hint or next(iter(difflib.get_close_matches(name, known, n=1, cutoff=0.5)), None)
        listed = ", ".join(known) if known else "none"
        suggestion = f"; did you mean {close!r}?" if close else ""
        return self.error(f"unknown name {name!r}{suggestion} (this question's names: {listed})", pos)

    def entry_of(self, name: str) -> sp.Expr | None:
        """The declared scalar ``name_i`` a bare ``name`` stands for: the one declared name that is
        ``name`` with a one-letter subscript (``x`` for ``x_i`` in a question about one entry), None
        when there is none or more than one."""
        found = [s for n, s in self.vocab.symbols.items()
                 if n.startswith(f"{name}_") and len(n) == len(name) + 2 and n[-1].isalpha()]
        return found[0] if len(found) == 1 else None

    def vector(self, name: str) -> sp.Expr:
        role = self.vocab.vectors[name]
        return {"vector": X, "onehot": Y, "softmax": softmax(X)}[role]

    def element(self, name: str, index: str, pos: int) -> sp.Expr:
        """The entry ``name_index``: a declared name spelled with its subscript (``n_in``,
        ``C_{out}``, ``x_i``), a vector question's vector, elementwise, or a new name."""
        declared = self.vocab.symbols.get(f"{name}_{index}")
        if declared is not None:
            return declared
        name = NAME_ALIASES.get(name, name)
        if name in self.vocab.vectors:
            if index not in self.vocab.indices and not any(index in scope for scope in self.scopes):
                raise self.error(f"unknown index {index!r} (use {', '.join(sorted(self.vocab.indices))})", pos)
            if self.scopes and index not in self.scopes[-1]:
                role = self.vocab.vectors[name]
                free = {"vector": XF, "onehot": YF}.get(role)
                if free is not None:
                    return free
            return self.vector(name)
        factors = self.split_entry(name, index, pos)
        if factors is not None:
            return sp.Mul(*factors)
        if self.vocab.open:
            full = f"{name}_{index}"
            return self.created.setdefault(full, symbol_for(full, self.vocab.default_kind))
        raise self.error(f"{name!r} has no entries to subscript in this question", pos)

    def reduce(self, op: str, arg: sp.Expr, pos: int) -> sp.Expr:
        """A big operator, ``sum_k arg`` or ``max_j arg``: the function over the vector's entries."""
        if not self.vocab.vectors:
            raise self.error(f"{op}_ over an index is only for the vector questions", pos)
        over_entries = FUNCTION[op].over_entries
        if over_entries is None:  # pragma: no cover - the grammar's big operators all have one
            raise self.error(f"{op}_ is not a big operator", pos)
        return over_entries(arg)

    def is_product(self, name: str, args: tuple[Node, ...]) -> bool:
        """Whether ``name(arg)`` is a name times a bracket (``sigma(2)``, ``d(1 - eps)``): a name
        the question knows, or split into its names, before one bracket. Where new names are
        allowed only a one-letter name is: ``csc(6x)`` is an unknown function, never c*s*c*(6x)."""
        name = NAME_ALIASES.get(name, name)
        if name in FUNCTION or name in self.vocab.functions or len(args) != 1 or name in CODE_WORDS:
            return False
        return self.resolve(name) is not None or bool(self._cover(name)) or (self.vocab.open and len(name) == 1)

    def fixed_names(self) -> set[str]:
        """The names a notation that binds a variable never binds: the question's own."""
        return {*self.vocab.symbols, *self.vocab.vectors, *self.vocab.indices}

    def is_index(self, name: str) -> bool:
        """Whether ``name`` is an index letter of the question (``[z - y]_i``: an entry)."""
        return name in self.vocab.indices

    def bound_variable(self, body: Node, pos: int) -> str | None:
        """The one name ``body`` holds that a binding notation may bind: a name of one letter (or a
        Greek letter's) that is none of :meth:`fixed_names`, a constant or a function; None when
        there is none. Refused when there are several, or when a run of letters holds such a name
        (``aw``: a times w, or one name?)."""
        fixed, found = self.fixed_names(), set()
        for n in tree_nodes(body):
            if not isinstance(n, Name):
                continue
            name = NAME_ALIASES.get(n.name, n.name)
            if name in fixed or name in CONSTANT or name in FUNCTION or name in self.vocab.functions:
                continue
            cover = self._cover(name)
            if len(name) == 1 or name in LETTERS.values():
                found.add(name)
            elif cover is None or any(p not in fixed for p in cover):
                raise self.error(f"cannot tell which name of {n.name!r} the bracket's limits are for", n.pos)
        if len(found) > 1:
            raise self.error(f"the limits of this bracket could be for any of {', '.join(sorted(found))}", pos)
        return found.pop() if found else None

    def finite_sum(self, node: Big) -> sp.Expr:
        """``sum_{m in {0,1}} f``: a sum whose index runs over a finite set of numbers is the sum of
        the summand at each of them, each term f's tree with the number put in for the bare index
        (``P(m_i = m) m x_i/p`` -> ``P(m_i = 0) 0 x_i/p + P(m_i = 1) 1 x_i/p``), bounded again.
        Refused for a max or min, for an index that is a name of the question, and where the index
        is a subscript (``w_m``) or hides in a run of letters (``mx_i``): what the number replaces
        would not be written."""
        var = node.var
        if node.op != "sum":
            raise self.error(f"{node.op} over a set is not read; write the value", node.pos)
        if var in self.fixed_names():
            raise self.error(f"the sum's index {var} is a name of the question: use another letter", node.pos)
        for n in tree_nodes(node.arg):
            indexed = n.index == var if isinstance(n, (Sub, Entry)) else (
                isinstance(n, Index) and isinstance(n.index, Name) and n.index.name == var)
            if indexed:
                raise self.error(f"the sum over a set puts numbers in for {var}, not into subscripts", node.pos)
            if isinstance(n, (Name, Sub, Call)) and n.name != var and var in n.name and len(n.name) > 1 \
                    and not self.known_word(n.name):
                raise self.error(f"cannot tell whether {n.name!r} holds the sum's index {var}", node.pos)
        terms = []
        for value in node.values:
            term = substitute(node.arg, var, value)
            bound(term, self.limits)
            terms.append(self.visit(term))
        return sp.Add(*terms)

    def known_word(self, name: str) -> bool:
        """Whether ``name`` stands for itself: a function, a constant or a name the question declares."""
        name = NAME_ALIASES.get(name, name)
        return name in FUNCTION or name in CONSTANT or name in self.vocab.functions or name in self.vocab.symbols \
            or name in self.vocab.vectors

    def evaluation(self, args: tuple[Node, ...], pos: int) -> sp.Expr:
        """An evaluation bracket ``[F]_{a}^{b}`` (:func:`.normalize.evaluation_brackets`): F(b) - F(a)
        for the one variable the notation binds (:meth:`bound_variable`), each side built from F's
        tree with the limit's tree put in for the variable and bounded again, as any answer is
        (``[w^3/(6a)]_{-a}^{a}`` = a^2/3). A bracket whose lower limit is an index of the question and
        that binds no name is an entry of a vector (``[z - y]_i^2``)."""
        body, lo, hi = args
        var = self.bound_variable(body, pos)
        if var is None:
            if isinstance(lo, Name) and self.is_index(lo.name):
                return self.visit(Pow(Entry(body, lo.name, lo.pos), hi))
            raise self.error("the limits of this bracket bind no name of it (F(b) - F(a) needs F's variable)", pos)
        sides = []
        for limit in (hi, lo):
            side = substitute(body, var, limit)
            bound(side, self.limits)
            sides.append(self.visit(side))
        return sp.Add(sides[0], -sides[1])

    def call(self, name: str, args: tuple[Node, ...], pos: int) -> sp.Expr:
        """``name(args)``: a function of :mod:`.vocabulary`, or a name times a bracket."""
        if name == EVALUATION and len(args) == 3:
            return self.evaluation(args, pos)
        fname = NAME_ALIASES.get(name, name)
        if fname in CODE_WORDS:
            raise self.error(f"{fname!r} looks like program code, not mathematics", pos)
        defined = self.vocab.functions.get(name) or self.vocab.functions.get(fname)
        if defined is not None:  # a sheet's function: its definition, the arguments' trees in place
            if self.holds_itself(name, args):  # σ(1 - σ): σ's value times the bracket
                return sp.Mul(self.own_product(name, args, pos), self.visit(args[0]))
            return self.visit(defined.expand(args, self.vocab.functions, self.limits))
        function = FUNCTION.get(fname)
        if fname in self.vocab.forbidden or (function is not None and function.name in self.vocab.forbidden):
            raise self.error(f"{fname!r} may not be used in this answer; write it out", pos)
        if function is None:
            if self.is_product(fname, args):
                return sp.Mul(self.name(fname, pos), self.visit(args[0]))
            raise self.error(f"unknown function {name!r}", pos)
        reduces = self.vocab.vectors and len(args) == 1 and (function.vector or function.over_entries is not None)
        if reduces:
            self.scopes.append(self._own_indices(args[0]))
        try:
            built = [self.visit(a) for a in args]
        finally:
            if reduces:
                self.scopes.pop()
        lo, hi = function.arity
        if not lo <= len(built) <= hi:
            raise self.error(f"{fname} takes {lo if lo == hi else f'{lo} to {hi}'} argument(s), "
                             f"got {len(built)}", pos)
        if function.real_arguments and any(a.is_real is False or (a.is_real is None and a.has(sp.I)) for a in built):
            raise self.error(f"{fname} compares real values; an argument here is not real", pos)
        if function.vector and not self.vocab.vectors:
            raise self.error(f"{fname}(...) is only for the vector questions", pos)
        if function.over_entries is not None and len(built) == 1 and self.vocab.vectors:
            return function.over_entries(built[0])  # max(x): the largest entry of x
        if function.over_entries is not None and len(built) == 1 and function.name != "sum":
            # max(x) of one argument is no value of it (SymPy's Max(x) is x itself, so max(x) - min(x)
            # would read as 0): the largest entry of a vector is read in the vector answers only
            raise self.error(f"{fname}(...) of one argument is read only as the largest or smallest entry of a "
                             f"vector answer; write its value, or {fname}(a, b)", pos)
        if function.name == "log" and len(built) == 1:
            edge = self.log_of_fraction(args[0], built[0])
            if edge is not None:
                return edge
        return function.sympy(*built)

    def log_of_fraction(self, arg: Node, built: sp.Expr) -> sp.Expr | None:
        """log of a fraction whose denominator is exactly 0 (:func:`log_at_edge`), read apart as
        written."""
        if not isinstance(arg, Div) or not built.has(sp.zoo):
            return None
        return log_at_edge(self.visit(arg.num), self.visit(arg.den))
