"""The model a derivation is judged under: what a question's working may name, and what it means.

A bank declares models as data (``[[model]]`` tables, named by questions with ``model = ...``):

    [[model]]
    name = "relu_layer"
    parameters = { d = "positive_integer", sigma = "positive" }
    indices = { i = "d", j = "d", k = "d" }          # index letter -> its range 1..bound
    random = { w = "normal(0, sigma^2)", z = "normal(0, 1)" }   # iid families w_1..w_d, independent
    # (laws: normal(mean, variance), uniform(a, b), bernoulli(p); :mod:`.laws`)
    define = { "x_i" = "max(z_i, 0)", y = "sum_{i=1}^{d} w_i x_i" }

``vectors`` declares deterministic vectors (``x = "real"``: entries sampled at each point), ``free``
the free indices a line may use without a sum (each enumerated over its range, ``distinct`` pairs
excluded), ``define`` scalars (``y``) and families (``x_i``, read at every index). A family named
without an index (``Var[ReLU(z)]``) is a fresh copy, independent of the indexed ones. Definitions
are read by the same safe reader as the students' lines.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from .errors import AnswerError
from .laws import Law, LawError, parse_law
from .limits import DEFAULT, Limits
from .symbolic import interval, symbol_for
from .vocabulary import Defined, yielding

_KEY = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9]*)(?:_(?P<index>[A-Za-z]))?")
#: A name as a definition or a line writes it (``t``, ``n_in``, ``x_i``).
_WORD = re.compile(r"(?<![A-Za-z0-9_\\])[A-Za-z][A-Za-z0-9]*(?:_\{?[A-Za-z0-9]+\}?)?")
#: A name called with a list of names: ``s(t)``, ``L(t, y)``, ``L\left(t\right)``.
_CALL = re.compile(r"(?<![A-Za-z0-9_\\])(?P<name>[A-Za-z][A-Za-z0-9]*)\s*(?:\\left\s*)?\(\s*"
                   r"(?P<args>[A-Za-z][A-Za-z0-9_{}]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_{}]*)*)\s*(?:\\right\s*)?\)")


class ModelError(ValueError):
    """A model table that cannot be used; the message names what is wrong."""


@dataclass(frozen=True)
class Definition:
    """``name = text`` or, for a family, ``name_index = text`` (``index`` the placeholder letter)."""

    name: str
    index: str | None
    text: str


@dataclass(frozen=True)
class Model:
    """A question's model: parameters, index ranges, random families and their laws, deterministic
    vectors, free indices and definitions (texts read later, in :mod:`.working`)."""

    name: str
    parameters: dict[str, sp.Symbol]
    kinds: dict[str, str]
    indices: dict[str, str]
    random: dict[str, str] = field(default_factory=dict)
    vectors: dict[str, str] = field(default_factory=dict)
    free: dict[str, str] = field(default_factory=dict)
    distinct: tuple[tuple[str, str], ...] = ()
    definitions: tuple[Definition, ...] = ()
    entry: str | None = None   # a bare vector (z - y) means its entry at this free index
    functions: Mapping[str, Defined] = field(default_factory=dict)  # the sheet's functions, by spelling

    @property
    def families(self) -> set[str]:
        """Every name that has entries: random families, vectors, defined families."""
        return {*self.random, *self.vectors, *(d.name for d in self.definitions if d.index)}

    def label_of(self, name: str) -> str | None:
        """The free index a one-hot family stands for as an index: ``y`` with ``y_i = delta(i, c)``
        is the label c, so ``x_y`` is x_c and ``delta_{yj}`` is delta(c, j); None otherwise."""
        for d in self.definitions:
            if d.name == name and d.index:
                m = re.fullmatch(rf"\s*delta\s*\(\s*{d.index}\s*,\s*([A-Za-z])\s*\)\s*", d.text)
                if m and m.group(1) in self.free:
                    return m.group(1)
        return None

    @property
    def scalars(self) -> set[str]:
        """Defined names without an index (``y``, ``L``)."""
        return {d.name for d in self.definitions if not d.index}

    @property
    def names(self) -> set[str]:
        """Every name of the model a statement may use: parameters, families, defined scalars and
        index letters (the sheet's functions apart)."""
        return {*self.parameters, *self.families, *self.scalars, *self.letters}

    @property
    def letters(self) -> set[str]:
        """Every index letter: summation ranges and free indices."""
        return {*self.indices, *self.free}

    def depends_on(self, name: str) -> set[str]:
        """The parameters a defined scalar depends on: those its definition names, with every
        defined name it uses written out (definitions never refer to each other in a cycle:
        :func:`check_definitions`)."""
        texts = {d.name: d.text for d in self.definitions}
        out: set[str] = set()
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen or current not in texts:
                continue
            seen.add(current)
            for word in _WORD.findall(texts[current]):
                if word in self.parameters:
                    out.add(word)
                elif word in texts:
                    todo.append(word)
        return out

    def called(self, text: str) -> str:
        """``text`` with each defined scalar written as a function of parameters it depends on
        (``s(t)`` for s = sigmoid(t), ``L(t)``, ``L(t, y)``, ``L\\left(t\\right)``) read as the
        scalar itself: function notation names the quantity and its arguments, never a product
        (s times t). A call with anything else inside (``s(1 - s)``, ``p(q + 1)``), or of a name that
        is not a defined scalar, is left as written."""
        scalars = {n for n in self.scalars if n not in self.parameters and n not in self.functions}
        if not scalars or "(" not in text:
            return text

        def name_only(m: re.Match) -> str:
            name = m.group("name")
            args = [a.strip().replace("{", "").replace("}", "") for a in m.group("args").split(",")]
            if name in scalars and args and set(args) <= self.depends_on(name) and len(set(args)) == len(args):
                return name
            return m.group(0)

        return _CALL.sub(name_only, text)

    def range_of(self, letter: str) -> str | None:
        """The upper bound (a parameter's name or a number) of an index letter's range 1..bound."""
        return self.indices.get(letter) or self.free.get(letter)

    def describe(self) -> dict[str, object]:
        """The model as ``questions --json`` lists it: what a derivation's lines may name."""
        return {"name": self.name, "parameters": dict(self.kinds), "indices": dict(self.indices),
                "random": dict(self.random), "vectors": dict(self.vectors), "free": dict(self.free),
                "entry": self.entry,
                "define": {f"{d.name}_{d.index}" if d.index else d.name: d.text for d in self.definitions}}

    def laws(self) -> dict[str, Law]:
        """The law of each random family, its parameters read by the answers' safe reader (SymPy in
        the model's parameters); :class:`ModelError` naming the family when one cannot be read.
        Read once per model (every point of every line asks for them)."""
        known = self.__dict__.get("_laws")
        if known is None:
            known = self._read_laws()
            object.__setattr__(self, "_laws", known)
        return dict(known)

    def _read_laws(self) -> dict[str, Law]:
        from .working import read_line

        out = {}
        for name, text in self.random.items():
            where = f"model {self.name}: random {name} = {text!r}"
            try:
                law = parse_law(text, lambda t: read_line(self, t).expr)
            except LawError as err:
                raise ModelError(f"{where}: {err}") from None
            except AnswerError as err:
                raise ModelError(f"{where}: cannot read a parameter: {err.message}") from None
            strangers = {str(s) for a in law.args for s in a.free_symbols} - set(self.parameters)
            if strangers or any(a.has(sp.Indexed) for a in law.args):
                raise ModelError(f"{where}: a law's parameters may use only the model's parameters "
                                 f"({', '.join(sorted(strangers)) or 'an entry of a family'} is not one)")
            out[name] = law
        return out


def model_from(entry: dict, unknown: sp.Symbol | None = None,
               functions: Mapping[str, Defined] | None = None) -> Model:
    """A model from its bank table; ``unknown`` (an equation question's) replaces the parameter of
    the same name, so it stays a symbol to solve for; ``functions`` are the sheet's own
    (:func:`.vocabulary.read_functions`), which its lines and definitions may call."""
    name = str(entry.get("name", "model"))
    kinds = {str(k): str(v) for k, v in dict(entry.get("parameters", {})).items()}
    try:
        parameters = {n: symbol_for(n, k) for n, k in kinds.items()}
    except ValueError as err:
        raise ModelError(f"model {name}: {err}") from None
    if unknown is not None:
        parameters[unknown.name] = unknown
        kinds.pop(unknown.name, None)
    definitions = []
    for key, text in dict(entry.get("define", {})).items():
        m = _KEY.fullmatch(str(key))
        if m is None:
            raise ModelError(f"model {name}: cannot read the defined name {key!r} (write y or x_i)")
        definitions.append(Definition(m.group("name"), m.group("index"), str(text)))
    distinct = tuple(tuple(pair) for pair in entry.get("distinct", []))
    if any(len(p) != 2 for p in distinct):
        raise ModelError(f"model {name}: `distinct` holds pairs of index letters")
    model = Model(name=name, parameters=parameters, kinds=kinds,
                  indices={str(k): str(v) for k, v in dict(entry.get("indices", {})).items()},
                  random={str(k): str(v) for k, v in dict(entry.get("random", {})).items()},
                  vectors={str(k): str(v) for k, v in dict(entry.get("vectors", {})).items()},
                  free={str(k): str(v) for k, v in dict(entry.get("free", {})).items()},
                  distinct=distinct,
                  definitions=tuple(definitions), entry=entry.get("entry") and str(entry["entry"]),
                  functions=dict(functions or {}))
    for letter in model.letters:
        if len(letter) != 1 or not letter.isalpha():
            raise ModelError(f"model {name}: index {letter!r} must be one letter")
    model = dataclasses.replace(model, functions=yielding(model.functions, model.names))
    clash = sorted(set(model.functions) & model.names)
    if clash:
        raise ModelError(f"model {name}: {', '.join(clash)} is both a sheet function and a name of the model")
    return model


def check_laws(model: Model) -> None:
    """Raise ``ModelError`` for a random family whose law is unknown, has the wrong number of
    parameters, names anything but the model's parameters, or whose parameters are not valid for
    every value the model allows (``bernoulli(p)`` needs ``p = "interval(0,1)"``; ``uniform(-a, a)``
    a positive a). Bank loading calls this: a bad law is the bank's error, not an answer's."""
    proof = bounded_parameters(model)
    for family, law in model.laws().items():
        try:
            law.check(proof)
        except LawError as err:
            raise ModelError(f"model {model.name}: random {family} = {model.random[family]!r}: {err}") from None


def bounded_parameters(model: Model) -> dict[sp.Symbol, sp.Expr]:
    """Each parameter of kind ``interval(lo,hi)`` written as ``lo + (hi - lo)/(1 + q)``, q a
    positive symbol: the values in (lo, hi) exactly, in a form whose bounds SymPy can prove."""
    out: dict[sp.Symbol, sp.Expr] = {}
    for name, kind in model.kinds.items():
        try:
            found = interval(kind)
        except ValueError:
            continue
        if found is None or found.closed or name not in model.parameters:
            continue
        lo, hi = found.lo, found.hi
        q = sp.Dummy(f"q_{name}", positive=True)
        width = hi - lo
        out[model.parameters[name]] = (sp.Rational(lo.numerator, lo.denominator)
                                       + sp.Rational(width.numerator, width.denominator) / (1 + q))
    return out


def check_definitions(model: Model, limits: Limits = DEFAULT, max_expanded: int = 4000) -> None:
    """Raise ``ModelError`` for a definition that cannot be read (under the answers' ``limits``),
    definitions that refer to each other in a cycle (``y = u + 1``, ``u = 2 y``), or a definition
    that, with every defined name it uses written out, has more than ``max_expanded`` nodes (a chain
    ``a = x x``, ``b = a a``, ... doubles at each step). The expanded size of a definition is its own
    node count plus, for each use of a defined name, that name's expanded size less one."""
    from .working import read_line

    defined = {d.name for d in model.definitions}
    uses: dict[str, list[str]] = {}
    own: dict[str, int] = {}
    for definition in model.definitions:
        try:
            expr = read_line(model, definition.text, limits).expr
        except AnswerError as err:
            raise ModelError(f"model {model.name}: cannot read {definition.text!r}: {err.message}") from None
        names = []
        nodes = 0
        for node in sp.preorder_traversal(expr):  # a family's entry x[i] holds its name as a symbol
            nodes += 1
            if isinstance(node, sp.Symbol) and node.name in defined:
                names.append(node.name)
        uses[definition.name] = uses.get(definition.name, []) + names
        own[definition.name] = own.get(definition.name, 0) + nodes
    expanded: dict[str, int] = {}

    def size(name: str, path: tuple[str, ...]) -> int:
        if name in path:
            cycle = " -> ".join((*path[path.index(name):], name))
            raise ModelError(f"model {model.name}: recursive definitions ({cycle})")
        if name not in expanded:
            total = own[name]
            for used in uses[name]:
                total += size(used, (*path, name)) - 1
                if total > max_expanded:
                    raise ModelError(f"model {model.name}: the definition of {name} expands to over "
                                     f"{max_expanded:,} nodes with the names it uses written out")
            expanded[name] = total
        return expanded[name]

    for name in uses:
        size(name, ())


def check_text(model: Model, text: str) -> None:
    """Raise ``ModelError`` for a definition that cannot be read (bank loading calls this)."""
    from .working import read_line

    try:
        read_line(model, text)
    except AnswerError as err:
        raise ModelError(f"model {model.name}: cannot read {text!r}: {err.message}") from None
