"""The value of a read derivation line at one point of its model: everything unrolled.

At a point the parameters are numbers (d = 3, sigma = 7/10), the free indices are numbers (j = 2,
the label c = 1) and every sum is unrolled over its now finite range, so a line becomes an
expression in finitely many variables: the random entries ``w_1 .. w_d`` (symbols with laws), the
deterministic vector entries ``x_1 .. x_d`` (symbols, given values at the end) and, in an
equation question, the unknown. Then

- ``Derivative(f, x_j)`` differentiates the unrolled ``f`` (SymPy's ``diff``);
- ``E``, ``Var``, ``Cov``, ``P`` are computed by rules (:func:`expectation`): linearity, independence
  (a product of functions of different variables factorises), and the one-dimensional moments of
  each law; what the rules cannot reduce stays as ``E(...)`` for the sampling fallback;
- a family named without an index is a fresh copy, index 0, independent of the others.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from .laws import Discrete, Law
from .model import Model
from .probability import OPERATORS, Cov, E, P, Unsupported, Var
from .symbolic import log_at_edge
from .working import family, index_symbol, read_line

#: The largest range a sum may be unrolled over at a point (the points use small dimensions).
MAX_TERMS = 64
#: The largest |exponent| of a power valued at a point (as ``Limits.max_exponent`` for answers).
MAX_EXPONENT = 1000
#: Expressions larger than this (operation count) are not expanded for the moment rules.
MAX_OPS = 4000
#: Nor are those whose expansion would have more terms than this (``E[y^12]`` at d = 5).
MAX_EXPANSION = 2_000


class NotBound(ValueError):
    """An index used outside every sum that is not one of the model's free indices (``letter``)."""

    def __init__(self, message: str, letter: str = ""):
        super().__init__(message)
        self.letter = letter


@dataclass
class Point:
    """One point of a model: parameter values, free index values, vector entry values."""

    parameters: dict[sp.Symbol, sp.Expr]
    free: dict[str, int]
    vectors: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)

    def describe(self) -> dict[str, object]:
        """The point in words for a counterexample (parameters and free indices)."""
        out: dict[str, object] = {str(k): _plain_number(v) for k, v in self.parameters.items()}
        out.update(self.free)
        return out


def _plain_number(v: sp.Expr) -> object:
    return int(v) if v.is_Integer else float(v)


class Unroller:
    """Evaluates read lines at one :class:`Point` of a model (definitions read once, cached)."""

    def __init__(self, model: Model, point: Point, laws: Mapping[str, Law],
                 read: dict[str, sp.Basic] | None = None):
        self.model, self.point, self.laws = model, point, laws
        self.random: dict[sp.Symbol, Law] = {}
        self._definitions = {d.name: d for d in model.definitions}
        self._read = read if read is not None else {}  # definitions as read (shared by a judge's points)
        self._members: dict[tuple, sp.Expr] = {}
        self.naive = False  # differentiate without the chain rule (to name that mistake)

    # the model's entities -------------------------------------------------------------------
    def member(self, name: str, k: int, env: Mapping[str, int]) -> sp.Expr:
        """Entry ``k`` of a family (0: the fresh copy a bare name stands for)."""
        key = (name, k, tuple(sorted((f, v) for f, v in env.items() if f in self.model.free)))
        if key in self._members:
            return self._members[key]
        if name in self.model.random:
            value: sp.Expr = sp.Symbol(f"{name}_{k}", real=True)
            self.random[value] = self.laws[name]
        elif name in self.model.vectors:
            if k == 0:
                raise NotBound(f"{name} needs an index")
            value = sp.Symbol(f"{name}_{k}", real=True)
        else:
            definition = self._definitions[name]
            inner = {f: v for f, v in env.items() if f in self.model.free}
            inner[definition.index or "_"] = k
            value = self.value(self._definition(name), inner)
        self._members[key] = value
        return value

    def _definition(self, name: str) -> sp.Basic:
        if name not in self._read:
            self._read[name] = read_line(self.model, self._definitions[name].text).expr
        return self._read[name]

    def family_size(self, env: Mapping[str, int]) -> int:
        """The number of entries of the model's families (the range of its indices, all alike)."""
        bounds = set(self.model.indices.values()) | set(self.model.free.values())
        if len(bounds) != 1:
            raise Unsupported("the model's families have different ranges")
        bound = bounds.pop()
        return int(bound) if bound.isdigit() else self._range(self.model.parameters[bound], env)

    def _range(self, expr: sp.Basic, env: Mapping[str, int]) -> int:
        value = self.value(expr, env)
        if not value.is_Integer:
            raise Unsupported(f"the range bound {expr} is not an integer at this point")
        return int(value)

    # the walk ------------------------------------------------------------------------------
    def value(self, expr: sp.Basic, env: Mapping[str, int] | None = None) -> sp.Expr:
        """The value of ``expr`` at the point, with summation indices bound as in ``env``."""
        env = dict(self.point.free) | dict(env or {})
        try:
            return self._value(expr, env)
        except (NotBound, Unsupported):
            raise
        except (AttributeError, TypeError, KeyError, IndexError):
            # a construction the walk does not know (an event where a quantity stands): refused in
            # words, never with the interpreter's message
            raise Unsupported(f"the rules do not value {_short(expr)}") from None

    def _value(self, e: sp.Basic, env: dict[str, int]) -> sp.Expr:
        if isinstance(e, sp.Indexed):
            k = self._value(e.indices[0], env)
            if not k.is_Integer:
                raise Unsupported(f"index {e.indices[0]} is not a number")
            return self.member(str(e.base), int(k), env)
        if isinstance(e, sp.Symbol):
            return self._symbol(e, env)
        if isinstance(e, sp.Sum):
            return self._sum(e.function, list(e.limits), env)
        if isinstance(e, sp.KroneckerDelta):
            i, j = (self._value(a, env) for a in e.args)
            return sp.Integer(1 if i == j else 0)
        if isinstance(e, sp.Derivative):
            scalar = {v for v, _ in e.variable_count if v in self.point.parameters}
            if scalar:  # d/dt with t a parameter: differentiate with t free, then put its value back
                kept = Point({k: v for k, v in self.point.parameters.items() if k not in scalar},
                             self.point.free, self.point.vectors)
                # the laws too keep t free: d/da Var[w] for w ~ U(-a, a) is 2a/3, not 0
                inner = Unroller(self.model, kept, laws_of(self.model, kept), self._read)
                inner.naive = self.naive
                f = inner._value(e, env)
                for s in inner.random:  # the draws left to sample follow the laws at this point
                    self.random.setdefault(s, self.laws[s.name.rsplit("_", 1)[0]])
                return f.xreplace({k: self.point.parameters[k] for k in scalar})
            f = self._value(e.expr, env)
            for variable, count in e.variable_count:  # every variable, as often as it is written
                var = self._value(variable, env)
                if not isinstance(var, sp.Symbol):
                    raise Unsupported(f"cannot differentiate with respect to {var}")
                if int(count) > 8:
                    raise Unsupported(f"a derivative of order {count}")
                for _ in range(int(count)):
                    f = naive_diff(f, var) if self.naive else sp.diff(f, var)
            return f
        if isinstance(e, tuple(set(OPERATORS.values()))):
            return self._operator(e, env)
        if isinstance(e, sp.Equality):
            return sp.Eq(self._value(e.lhs, env), self._value(e.rhs, env), evaluate=False)
        if isinstance(e, sp.Unequality):  # 1{a != b}: one but at the atom a = b
            return atom_event(sp.Ne(self._value(e.lhs, env), self._value(e.rhs, env), evaluate=False))
        if isinstance(e, sp.core.relational.Relational):
            u = self._value(e.lhs - e.rhs if e.rel_op in (">", ">=") else e.rhs - e.lhs, env)
            return indicator(u, strict=e.rel_op in (">", "<"))
        if not e.args:
            return e  # numbers and constants
        if isinstance(e, sp.log) and len(e.args) == 1:
            arg = self._value(e.args[0], env)
            if arg.has(sp.zoo):  # log(z_y/z_j) where z_j = 0: its limit, or undefined
                num, den = (self._value(part, env) for part in sp.fraction(e.args[0]))
                edge = log_at_edge(num, den)
                if edge is not None:
                    return edge
            return sp.log(arg)
        args = [self._value(a, env) for a in e.args]
        if isinstance(e, sp.Pow) and args[1].is_number and args[0] not in (0, 1, -1) \
                and (not args[1].is_finite or abs(args[1]) > MAX_EXPONENT):
            # 10^(10^(sum_l 10)) is bounded by nothing the parser could see: refuse, never hang
            raise Unsupported(f"a power with an exponent beyond {MAX_EXPONENT} at this point")
        return e.func(*args)

    def _sum(self, body: sp.Basic, limits: list, env: dict[str, int]) -> sp.Expr:
        """A sum unrolled; SymPy lists a nested sum's limits innermost first."""
        if not limits:
            return self._value(body, env)
        var, lo, hi = limits[-1]
        a, b = self._range(lo, env), self._range(hi, env)
        if b - a + 1 > MAX_TERMS:
            raise Unsupported(f"a sum of {b - a + 1} terms at this point")
        return sp.Add(*(self._sum(body, limits[:-1], {**env, str(var): k}) for k in range(a, b + 1)))

    def _symbol(self, s: sp.Symbol, env: dict[str, int]) -> sp.Expr:
        name = s.name
        if name in env:
            return sp.Integer(env[name])
        if s in self.point.parameters:
            return self.point.parameters[s]
        if name in self.model.parameters:
            return self.model.parameters[name]  # an equation's unknown stays a symbol
        if name in self.model.letters:
            raise NotBound(f"the index {name} is not bound by a sum here", name)
        if name in self.model.families:
            entry = self.model.entry
            if entry and entry in env:
                return self.member(name, env[entry], env)  # a bare vector or family: its entry at the free index
            return self.member(name, 0, env)
        if name in self._definitions:
            return self._value(self._definition(name), env)
        raise Unsupported(f"{name} has no value in this question's model")

    # probability ---------------------------------------------------------------------------
    def _operator(self, e: sp.Basic, env: dict[str, int]) -> sp.Expr:
        arity = type(e)._arity()
        args = [self._value(a, env) for a in e.args[:arity]]
        names, event, values = self._condition(e.args[arity], env) if len(e.args) > arity else (set(), None, {})
        if values:  # conditioning on a value: the variable takes it
            args = [a.xreplace(values) for a in args]
            event = event.xreplace(values) if event is not None else None
        given = (names, event)
        if isinstance(e, E):
            return self.expect(args[0], *given)
        if isinstance(e, Var):
            mean = self.expect(args[0], *given)
            return sp.expand(self.expect(args[0] ** 2, *given) - mean ** 2)
        if isinstance(e, Cov):
            return sp.expand(self.expect(args[0] * args[1], *given)
                             - self.expect(args[0], *given) * self.expect(args[1], *given))
        if isinstance(e, P):
            return self.expect(atom_event(args[0]), *given)
        raise Unsupported(f"unknown operator {type(e).__name__}")  # pragma: no cover

    def _condition(self, cond: sp.Basic, env: dict[str, int]) -> tuple[set[str], sp.Expr | None, dict]:
        """What a condition fixes: random variables by name (``| z``: the family z, every z_k;
        ``| z_1``: that entry), an event (``| z_1 > 0``), a value (``| z_1 = 0``), or several."""
        if isinstance(cond, sp.Tuple):
            names: set[str] = set()
            event: sp.Expr | None = None
            values: dict = {}
            for part in cond.args:
                n, e, v = self._condition(part, env)
                names |= n
                values |= v
                event = e if event is None else (event if e is None else event * e)
            return names, event, values
        if isinstance(cond, sp.Equality):
            lhs = self._value(cond.lhs, env)
            if not (isinstance(lhs, sp.Symbol) and lhs in self.random):
                raise Unsupported("a condition 'X = value' needs X to be one random variable")
            return {lhs.name}, None, {lhs: self._value(cond.rhs, env)}
        if isinstance(cond, sp.core.relational.Relational):
            return set(), self._value(cond, env), {}
        if isinstance(cond, sp.Symbol) and cond.name in self.model.random:
            return {cond.name}, None, {}
        if isinstance(cond, sp.Symbol) and cond.name in self.model.families:  # | x: every x_k, so what they depend on
            top = self.family_size(env)
            entries = [self.member(cond.name, k, env) for k in range(1, top + 1)]
            return {s.name for e in entries for s in e.free_symbols if s in self.random}, None, {}
        value = self._value(cond, env)
        return {s.name for s in value.free_symbols if s in self.random}, None, {}

    def expect(self, x: sp.Expr, fixed: set[str] | None = None, event: sp.Expr | None = None) -> sp.Expr:
        """E[x | fixed variables, event] by the rules; an unreduced ``E(x)`` when they cannot.
        ``fixed`` names random entries (``z_1``) or whole families (``z``)."""
        names = fixed or set()
        keep = {s for s in self.random if s.name in names or s.name.rsplit("_", 1)[0] in names}
        if event is not None:
            num, den = self._rules(x * event, keep), self._rules(event, keep)
            if num is None or den is None:
                return E(x * event) / E(event)
            return sp.simplify(num / den) if den != 0 else sp.nan
        result = self._rules(x, keep)
        return E(x) if result is None else result

    def _rules(self, x: sp.Expr, keep: set[sp.Symbol]) -> sp.Expr | None:
        integrate = {s: law for s, law in self.random.items() if s not in keep and x.has(s)}
        if not integrate:
            return x
        if sp.count_ops(x) > MAX_OPS or expansion_size(x) > MAX_EXPANSION:
            return None
        x = x.replace(lambda e: isinstance(e, sp.Abs) and isinstance(e.args[0], sp.Mul),
                      lambda e: sp.Mul(*(sp.Abs(f) for f in e.args[0].args)))  # |m w| = |m| |w|
        total = sp.Integer(0)
        for term in sp.Add.make_args(sp.expand(x)):
            coefficient: sp.Expr = sp.Integer(1)
            groups: dict[sp.Symbol, list[sp.Expr]] = {}
            for factor in sp.Mul.make_args(term):
                present = [s for s in integrate if factor.has(s)]
                if not present:
                    coefficient *= factor
                elif len(present) == 1:
                    groups.setdefault(present[0], []).append(factor)
                else:
                    return None
            for variable, factors in groups.items():
                moment = _moment(variable, factors, integrate[variable])
                if moment is None:
                    return None
                coefficient *= moment
            total += coefficient
        return sp.expand(total)


def _short(e: sp.Basic) -> str:
    text = str(e)
    return text if len(text) <= 80 else text[:77] + "..."


def atom_event(event: sp.Basic) -> sp.Basic:
    """The indicator of an equality event, ``m_1 = 1`` -> 1{u >= 0} - 1{u > 0} with u = m_1 - 1 (one
    exactly where u = 0), and of ``m_1 != 1`` one minus that: P(m_1 = 1) is the mass of an atom, by the
    discrete laws' rule of :func:`_moment` (sampled for a law of no atoms). Any other event is
    returned as it is."""
    if event is sp.true or event is sp.false:  # an event a condition settled: P(m = 1 | m = 1) = 1
        return sp.Integer(event is sp.true)
    if isinstance(event, sp.Equality | sp.Unequality):
        u = event.lhs - event.rhs
        atom = sp.Heaviside(u, 1) - sp.Heaviside(u, 0)
        return atom if isinstance(event, sp.Equality) else 1 - atom
    return event


def indicator(u: sp.Expr, strict: bool = True) -> sp.Expr:
    """1{u > 0} (``Heaviside(u, 0)``) or 1{u >= 0} (``Heaviside(u, 1)``): the value at u = 0 is
    the one the comparison gives, which matters for a law with an atom (Bernoulli). ``max(v, 0) > 0``
    is ``v > 0`` and ``max(v, 0) >= 0`` always holds (so P(ReLU(z_1) > 0) reduces by the rules)."""
    if isinstance(u, sp.Max) and len(u.args) == 2 and sp.Integer(0) in u.args:
        (v,) = [a for a in u.args if a != 0]
        return sp.Heaviside(v, 0) if strict else sp.Integer(1)
    return sp.Heaviside(u, 0 if strict else 1)


def expansion_size(e: sp.Basic) -> int:
    """An upper bound on the number of terms of ``expand(e)``, without expanding: a power
    (a_1 + ... + a_n)^k has at most C(n + k - 1, k) terms."""
    if isinstance(e, sp.Add):
        return sum(expansion_size(a) for a in e.args)
    if isinstance(e, sp.Mul):
        return math.prod(expansion_size(a) for a in e.args)
    if isinstance(e, sp.Pow) and e.exp.is_Integer and int(e.exp) > 0:
        n = expansion_size(e.base)
        k = int(e.exp)
        return math.comb(n + k - 1, k) if n > 1 else 1
    return 1


def naive_diff(e: sp.Expr, v: sp.Symbol) -> sp.Expr:
    """d e / d v with the chain rule forgotten: f(g(v)) -> f'(g(v)), the inner derivative dropped
    (sums and products are still differentiated term by term): the mistake
    d/dx_j log(sum_k e^{x_k}) = 1 / sum_k e^{x_k}."""
    if e == v:
        return sp.Integer(1)
    if not e.has(v):
        return sp.Integer(0)
    if isinstance(e, sp.Add):
        return sp.Add(*(naive_diff(a, v) for a in e.args))
    if isinstance(e, sp.Mul):
        return sp.Add(*(sp.Mul(*e.args[:k], naive_diff(a, v), *e.args[k + 1:]) for k, a in enumerate(e.args)))
    if isinstance(e, sp.Pow) and not e.exp.has(v):
        return e.exp * e.base ** (e.exp - 1)
    if isinstance(e, sp.Function) and len(e.args) == 1:
        u = sp.Dummy()
        return sp.diff(e.func(u), u).xreplace({u: e.args[0]})
    return sp.diff(e, v)


#: A factor's value on one region of the line: (coefficient, power of v), or None for 0.
_Piece = tuple[sp.Expr, int] | None


def _pieces(f: sp.Expr, v: sp.Symbol) -> tuple[_Piece, _Piece, sp.Expr] | None:
    """A factor of one variable on each region, v > 0, v < 0 and v = 0: a monomial c v^k on the
    two half lines and a number at 0. None for a factor the rules do not know (sampled instead).
    ``1{v > 0}`` is ``Heaviside(v)`` or ``Heaviside(v, 0)`` (strict), ``1{v >= 0}`` is
    ``Heaviside(v, 1)``: the value at 0 matters for a law with an atom there (Bernoulli)."""
    base, power = f.as_base_exp()
    if not (power.is_Integer and power >= 0):
        return None
    n = int(power)
    zero_n = sp.Integer(0) ** n  # 1 when n = 0

    def same(c: sp.Expr) -> _Piece:
        return (c ** n, n)

    if base == v:
        return same(sp.Integer(1)), same(sp.Integer(1)), zero_n
    if isinstance(base, (sp.Max, sp.Min)) and len(base.args) == 2 and sp.Integer(0) in base.args:
        (u,) = [a for a in base.args if a != 0]
        sign = 1 if u == v else -1 if u == -v else 0
        if not sign:
            return None
        upper = (isinstance(base, sp.Max)) == (sign == 1)  # max(v, 0), min(-v, 0): nonzero where v > 0
        piece = same(sp.Integer(sign))
        vanish = None if n else same(sp.Integer(1))
        return (piece, vanish, zero_n) if upper else (vanish, piece, zero_n)
    if isinstance(base, sp.Abs) and base.args[0] == v:
        return same(sp.Integer(1)), same(sp.Integer(-1)), zero_n
    if isinstance(base, sp.Heaviside) and base.args[0] in (v, -v):
        at_zero = base.args[1] if len(base.args) > 1 and base.args[1] in (0, 1) else sp.Integer(0)
        one = (sp.Integer(1), 0)
        if n == 0:
            return one, one, sp.Integer(1)
        return (one, None, at_zero) if base.args[0] == v else (None, one, at_zero)
    return None


def _moment(v: sp.Symbol, factors: list[sp.Expr], law: Law) -> sp.Expr | None:
    """E[product of factors of one variable] = E[.. 1{v > 0}] + E[.. 1{v < 0}] + (.. at 0) P(v = 0):
    on each half line the product is a monomial c v^k (``max(v, 0)^b |v|^c v^a`` is v^(a+b+c) above
    0 and 0 below), valued by the law's ``positive_moment`` and ``negative_moment``; no symmetry
    of the law is assumed. None for a factor the rules do not know."""
    upper: _Piece = (sp.Integer(1), 0)
    lower: _Piece = (sp.Integer(1), 0)
    at_zero: sp.Expr = sp.Integer(1)
    for f in factors:
        pieces = _pieces(f, v)
        if pieces is None:
            return _at_atoms(v, factors, law) if isinstance(law, Discrete) else None
        up, down, zero = pieces
        upper = None if upper is None or up is None else (upper[0] * up[0], upper[1] + up[1])
        lower = None if lower is None or down is None else (lower[0] * down[0], lower[1] + down[1])
        at_zero *= zero
    try:
        total = sp.Integer(0)
        if upper is not None:
            total += upper[0] * law.positive_moment(upper[1])
        if lower is not None:
            total += lower[0] * law.negative_moment(lower[1])
        if at_zero != 0:
            total += at_zero * law.zero_mass
        return total
    except Unsupported:
        return None


def _at_atoms(v: sp.Symbol, factors: list[sp.Expr], law: Discrete) -> sp.Expr | None:
    """E[product of factors of v] for a law on finitely many values: sum over its atoms a of
    P(v = a) times the product at a (``1{m - 1 >= 0} - 1{m - 1 > 0}`` is 1 at m = 1 only, so
    P(m = 1) = p for m ~ Bernoulli(p)); a strict indicator written ``Heaviside(u)`` is 0 at 0, as in
    :func:`_pieces`. None when a factor at an atom is not a number."""
    product = sp.Mul(*factors).replace(lambda e: isinstance(e, sp.Heaviside) and len(e.args) == 1,
                                       lambda e: sp.Heaviside(e.args[0], 0))
    total = sp.Integer(0)
    for atom, mass in law.mass():
        value = product.xreplace({v: atom})
        if value is sp.true or value is sp.false:
            value = sp.Integer(value is sp.true)
        if not value.is_number or value.has(sp.nan, sp.zoo):
            return None
        total += mass * value
    return sp.expand(total)


def laws_of(model: Model, point: Point) -> dict[str, Law]:
    """The laws of the model's random families with the point's parameter values."""
    return {name: law.at(point.parameters) for name, law in model.laws().items()}


__all__ = ["MAX_TERMS", "NotBound", "Point", "Unroller", "family", "index_symbol", "laws_of"]
