"""A derivation's lines valued at the points of the question's model, and compared there.

A line is read (:mod:`.working`; what that reader cannot read, through the answer reader) and
valued at several points of the model (drawn by :func:`.equivalence.model_points`, the one
sampler of points; :mod:`.unroll`: parameters, free indices and vector
entries fixed; sums unrolled; expectations reduced by rules; derivatives taken). Two consecutive
lines are then compared at every point, with the precision policy of :mod:`.equivalence`:

- both numbers: equal exactly (SymPy), else by the precision policy of final answers
  (:func:`.equivalence.same_number`: 30 digits, relative, settled past cancellations, an exact
  SymPy decision winning over a numeric tie), else a counterexample; two lines in the
  parameters alone are compared symbolically too;
- both random: equal at three draws of their random variables, else a counterexample;
- a number next to a random quantity: wrong (they agree at best in expectation);
- an expectation the rules cannot reduce: both lines on the same 200,000 draws, a paired z-test at
  the derivation's false-alarm budget (1e-6 in all, split over the lines); ``undecided`` when the
  interval is too wide to tell, never ``wrong`` without a rejection.
"""
from __future__ import annotations

import dataclasses
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .bank import Question
from .equivalence import _seed, apart_for_some_value, fmt, index_bound, model_points, same_number, show
from .errors import AnswerError
from .limits import DEFAULT, Limits
from .model import Definition, Model, ModelError, check_definitions, check_laws
from .probability import OPERATORS, E, Unsupported
from .reader import Statement, parse_answer, read_statement, split_equals
from .unroll import NotBound, Point, Unroller, laws_of

#: The false-alarm rate of a whole derivation's sampling tests.
ALPHA = 1e-6
#: Draws for a sampled comparison (both lines on the same draws).
DRAWS = 200_000
#: The most operations of two numbers (values with no names left) whose difference is expanded
#: before the precision policy compares them.
NUMBER_EXPAND_OPS = 40
#: :func:`work` units: reading one line, and the most a derivation's lines may cost before the rest
#: are left undecided (at most about 2 CPU seconds on this project's 2-core machine; the longest of the
#: 1,187 derivations in tests/data costs 5,142).
LINE_WORK = 200
WORK_LIMIT = 10_000


@dataclass
class Valued:
    """A statement's values at the points (None where it has none), or why it has none."""

    values: list[Any]
    reduced: bool = False     # expectations or derivatives were computed
    expr: sp.Basic | None = None  # the line as read, when it is an expression in the parameters alone
    error: str | None = None  # invalid: the reason
    leaked: str | None = None
    undecided: str | None = None
    read: sp.Basic | None = None  # the statement as read (None: unreadable), for its record: read once
    identity: bool = False    # an equation that holds for every value of the unknown at every point


@dataclass
class Judgement:
    verdict: str
    status: str
    diagnoses: list[str] = field(default_factory=list)
    counterexample: dict | None = None
    alpha: float | None = None
    note: str = ""


def judges_working(question: Question) -> bool:
    """Whether a question's working is judged line by line: its model values a line at its points
    (every question has a model; a vector question's must also name the entry a line stands for,
    ``entry``, else its lines have no value to compare)."""
    return question.model is not None and (not question.vector or question.model.entry is not None)


class Judge:
    """The points of a question's model, and the comparisons of consecutive statements there."""

    def __init__(self, question: Question, limits: Limits = DEFAULT):
        if question.model is None:
            raise ValueError(f"question {question.id} has no model for derivations")
        self.question, self.model, self.limits = question, question.model, limits
        self.equation = question.unknown is not None
        self.points = model_points(self.model, question.id)
        definitions: dict[str, sp.Basic] = {}
        self.units = [Unroller(self.model, p, laws_of(self.model, p), definitions) for p in self.points]
        self.sampled_tests = 0
        self.work = 0  # what the values computed so far cost, in :func:`work` units (any machine alike)
        self.budget_lines = 1  # the lines the false-alarm budget is split over (set per derivation)
        self.aliases: dict[str, str] = {}  # index letters line 0 uses for the model's free ones
        self._statements: dict[str, Statement] = {}  # read under self.model (emptied when it changes)
        self._named: list[dict[sp.Symbol, Any]] | None = None  # the question's variables per point (named())

    def name_free_indices(self, line0: str) -> None:
        """Line 0 names the free indices: an index it uses that no sum binds and that is not one
        of the model's free indices (``dL/dx_i`` where the model says j) stands for the model's
        free index not used on line 0 (the one a bare vector means first)."""
        if not self.model.free:
            return
        line = self.read(line0).line
        if line is None:
            letter = re.match(r"unknown index '([A-Za-z])'", str(self.read(line0).error(final=False)))
            if letter is None:
                return
            bounds = set(self.model.indices.values()) | set(self.model.free.values())
            if len(bounds) != 1:
                return
            self.model = dataclasses.replace(self.model, indices={**self.model.indices, letter.group(1): bounds.pop()})
            self._statements.clear()
            self.units = [Unroller(self.model, u.point, u.laws, u._read) for u in self.units]
            return self.name_free_indices(line0)
        expr = line.expr
        bound = {str(v) for s in expr.atoms(sp.Sum) for v, *_ in s.limits}
        used = {s.name for s in expr.atoms(sp.Symbol)} - bound
        loose = sorted(n for n in used if n in self.model.indices and n not in self.model.free)
        spare = [f for f in ([self.model.entry] if self.model.entry else []) + list(self.model.free)
                 if f and f not in used]
        for letter, free in zip(loose, dict.fromkeys(spare), strict=False):
            for point in self.points:
                point.free[letter] = point.free[free]
            self.aliases[letter] = free

    def define(self, definitions: tuple[tuple[str, str], ...]) -> str | None:
        """Extend the model by definitions written beside a line (:func:`.steps.beside`), for that
        line and the lines after it: each ``name = value`` is a defined scalar (``m``) or, with one
        index letter of the model, a defined family (``u_i``), read as a bank's definitions are
        (:func:`.model.check_definitions`: readable under the model, no cycle, bounded when written
        out). None when they are in force, else why not (the model is then unchanged)."""
        added = []
        for name, value in definitions:
            base, _, index = name.partition("_")
            if index and (len(index) != 1 or index not in self.model.letters):
                return f"cannot read the definition {name} = {value} (an entry needs an index letter of the model)"
            added.append(Definition(base, index or None, value))
        model = dataclasses.replace(self.model, definitions=(*self.model.definitions, *added))
        try:
            check_definitions(model, self.limits)
        except ModelError as err:
            return str(err).split(": ", 1)[-1]
        self._extend(model)
        return None

    def _extend(self, model: Model) -> None:
        """Judge from now on under ``model`` (the same points; its laws at each)."""
        self.model = model
        self._statements.clear()
        self.units = [Unroller(model, u.point, laws_of(model, u.point), u._read) for u in self.units]

    def introduce(self, laws: tuple[tuple[str, str], ...], relations: tuple[tuple[str, str], ...]) -> str | None:
        """Extend the model by random variables introduced beside a line with their laws
        (``u ~ U(-1, 1)``: :func:`.steps.beside`), for that line and the lines after it: each a new
        random family of the model (``u`` or ``u_1`` name the family u, independent of the others),
        its law read and checked as a bank's are (:func:`.model.check_laws`). A relation written with
        them, a name of the model as an affine function of one new variable (``w_1 = a u``: c u + b,
        c and b in the parameters), must hold in law: E[(c u + b)^k] = E[w_1^k] for k = 1..4, which
        tells apart every affine image of the vocabulary's laws (a uniform's, a normal's and a
        two-point law's kurtosis differ). None when they are in force, else why not (the model is
        then unchanged)."""
        random = dict(self.model.random)
        for name, law in laws:
            random[name.split("_")[0]] = law
        model = dataclasses.replace(self.model, random=random)
        try:
            check_laws(model)
        except ModelError as err:
            return str(err).split(": ", 2)[-1]
        new = {name.split("_")[0] for name, _ in laws}
        for name, value in relations:
            refused = _relation_refused(model, name, value, new, self.limits, self.points)
            if refused is not None:
                return refused
        self._extend(model)
        return None

    # values --------------------------------------------------------------------------------
    def read(self, text: str) -> Statement:
        """A statement read under this judge's model (:func:`.reader.read_statement`, the reader of
        final answers too), once per text and model; a defined name written as a function of the
        parameters it depends on (``L(t)``, ``s(t)``) is that name (:meth:`.model.Model.called`)."""
        if text not in self._statements:
            self._statements[text] = read_statement(self.question, self.model.called(text), self.limits,
                                                    model=self.model, equation=self.equation)
        return self._statements[text]

    def valued(self, text: str, naive: bool = False) -> Valued:
        """A statement's values at the points; it carries the statement as read (``read``), so a
        line's record never reads it again."""
        valued = self._valued(text, naive)
        self.work += work(valued.values)
        return valued

    def _valued(self, text: str, naive: bool) -> Valued:
        statement = self.read(text)
        line = statement.line
        if line is None:
            as_answer = self._valued_as_answer(statement)
            if as_answer is not None:
                return as_answer
            return Valued([], error=statement.error(final=False).message, read=statement.expr)
        read = line.expr
        reduced = bool(read.atoms(sp.Derivative, *OPERATORS.values()))
        values = []
        try:
            for unit, point in zip(self.units, self.points, strict=True):
                unit.naive = naive
                v = self._generic(unit, read)
                v = self._solutions(v) if self.equation else v.xreplace(point.vectors)  # None: an identity
                if isinstance(v, sp.Basic) and v.has(sp.zoo, sp.nan):
                    at = ", ".join(f"{k} = {fmt(x)}" for k, x in point.describe().items())
                    return Valued([], error=f"the line is undefined at {at} (a division by zero or a log of 0)",
                                  read=read)
                values.append(v)
        except NotBound as err:
            return Valued([], leaked=str(err), read=read)
        except (Unsupported, ValueError, TypeError, ZeroDivisionError, NotImplementedError, RecursionError,
                AttributeError, KeyError, IndexError) as err:
            return Valued([], undecided=f"cannot value this line ({str(err)[:160]})", read=read)
        if self.equation and any(v is None for v in values):
            if all(v is None for v in values):
                return Valued([], reduced=reduced, read=read, identity=True)
            return Valued([], undecided=f"this equation holds for every {self.question.unknown} at some points of "
                                        f"the model only", read=read)
        plain = not self.equation and not reduced and not read.atoms(sp.Indexed, sp.Sum) and \
            {s.name for s in read.free_symbols} <= set(self.model.kinds)
        return Valued(values, reduced=reduced, expr=read if plain else None, read=read)

    def _valued_as_answer(self, statement: Statement) -> Valued | None:
        """A statement read in the question's own names, not under the model (``softmax(x) - y``):
        valued at the model's points (its parameters by name; its vectors as the model's families
        of the same names, at the model's entry index). None when it cannot be."""
        q = self.question
        if statement.answer is None:
            return None
        if self.equation and not self._holds_unknown(statement.text):
            return Valued([], error=f"the left side of this equation cannot be read as an expression in "
                                    f"{q.unknown}; write the equation it states (one side holding {q.unknown})",
                          read=None)
        expr = statement.answer.expr
        try:
            if q.vector:
                rows = self._vector_values((expr,))
                return Valued([row[0] for row in rows], read=expr) if rows else None
            values = [expr.xreplace(self.named(k)) for k in range(len(self.points))]
        except (Unsupported, ValueError, TypeError, ArithmeticError, RecursionError):
            return None
        if any(v.free_symbols or not v.is_number for v in values):
            return None
        if self.equation:
            return Valued([(float(sp.N(v, 30)),) for v in values], read=expr)
        return Valued(values, read=expr)

    def _holds_unknown(self, text: str) -> bool:
        """Whether an equation question's statement, read in the question's own names, states the
        unknown: it is a bare value, or one of the sides left of its last top-level ``=`` reads there
        and holds the unknown (``a^2/3 = 2/(n_in + n_out)``). The answer reader drops a left side it
        cannot read as a label and keeps the right one as the unknown's value; in working that would
        turn ``Var[w_i] = 2/(n_in + n_out)`` into a = 2/(n_in + n_out), so such a statement is refused,
        never solved as a label."""
        unknown = self.question.unknown
        sides = split_equals(text)
        if unknown is None or len(sides) < 2:
            return True
        for left, _ in sides[:-1]:
            try:
                expr = parse_answer(left, self.question.vocab, None, self.limits, labels=False).expr
            except (AnswerError, RecursionError):
                continue
            if isinstance(expr, sp.Basic) and expr.has(unknown):
                return True
        return False

    def _generic(self, unit: Unroller, expr: sp.Basic) -> sp.Expr:
        """The value of a line; an index no sum binds (``d sigma^2 E[x_i^2]``) is read as "any i"
        when the value is the same for every i in its range (iid entries), else it leaks."""
        env: dict[str, int] = {}
        while True:
            try:
                return unit.value(expr, env) if not env else self._same_for_all(unit, expr, env)
            except NotBound as err:
                if not err.letter or err.letter in env:
                    raise
                env[err.letter] = 1

    def _same_for_all(self, unit: Unroller, expr: sp.Basic, env: dict[str, int]) -> sp.Expr:
        first = unit.value(expr, env)
        for letter in env:
            top = index_bound(self.model.range_of(letter) or "1", unit.point.parameters)
            for k in range(2, min(top, 3) + 1):
                other = unit.value(expr, {**env, letter: k})
                if _same(first, other, set(unit.random), 0)[0] is not True:
                    raise NotBound(f"the index {letter} is not bound by a sum here, and the line depends on it")
        return first

    def _solutions(self, eq: sp.Basic) -> tuple | None:
        """The real solutions for the unknown (in its domain) of an equation valued at a point; None
        for an identity, an equation whose sides are the same expression there (``Var[w_i] =
        a^2/3`` under w_i ~ U(-a, a), ``E[z_1^2] = 1``): it holds for every value of the unknown and
        fixes none (SymPy's expansion of the difference is 0; any other equation is solved)."""
        unknown = self.question.unknown
        if eq is sp.true or (isinstance(eq, sp.Equality) and sp.expand(eq.lhs - eq.rhs) == 0):
            return None
        if not isinstance(eq, sp.Equality):
            raise Unsupported("a line of an equation question must be an equation")
        solved = sp.solve(sp.Eq(eq.lhs, eq.rhs), unknown)
        if not isinstance(solved, list):
            raise Unsupported("the equation's solutions cannot be listed")
        return tuple(sorted(float(sp.N(s, 30)) for s in solved if s.is_real is not False))

    def named(self, k: int) -> dict[sp.Symbol, Any]:
        """The question's variables at point ``k``: the model's parameters of the same names, and a
        variable the model defines (``s`` with s = sigmoid(t)) at its defined value there, so a
        formula in the question's names (the reference, a mistake) is valued as the model has it."""
        if self._named is None:
            self._named = [_by_name(self.question, point) for point in self.points]  # while the rest is read
            defined = self.model.scalars - set(self.model.parameters)
            for sym in self.question.vocab.symbols.values():
                if sym.name in defined:
                    values = self.valued(sym.name).values
                    if len(values) == len(self.points):
                        for subs, v in zip(self._named, values, strict=True):
                            subs[sym] = v
        return self._named[k]

    def reference_values(self) -> list[list[Any]]:
        """The asked quantity at each point: the reference and every accepted alternative, exact
        (or, for a vector question, its entry at the model's ``entry`` index to 130 digits: never
        fewer digits than a comparison demands)."""
        q = self.question
        forms = (q.reference, *(a for a, _ in q.alternatives))
        if q.vector:
            return self._vector_values(forms)
        out = []
        for k in range(len(self.points)):
            values = [f.xreplace(self.named(k)) for f in forms]
            # an equation question's asked quantity is the unknown's value: a solution set of one
            out.append([(float(sp.N(v, 30)),) for v in values] if self.equation else values)
        return out

    def _vector_values(self, forms: tuple[sp.Expr, ...]) -> list[list[Any]]:
        """A vector question's forms at each point: the vocabulary's vectors (x, y) are the model's
        families of the same names, entry by entry, and the asked entry is the model's ``entry``."""
        from .equivalence import _value
        from .symbolic import X, Y

        role = {"vector": X, "onehot": Y}  # the symbols the reference is written in
        vectors = {role[r]: name for name, r in self.question.vocab.vectors.items() if r in role}
        entry = self.model.entry
        if not entry or not vectors or not all(n in self.model.families for n in vectors.values()):
            return []
        out = []
        try:
            for unit, point in zip(self.units, self.points, strict=True):
                size = unit.family_size(point.free)
                at = {sym: [_fraction(unit.member(name, k, {}).xreplace(point.vectors)) for k in range(1, size + 1)]
                      for sym, name in vectors.items()}
                row = []
                for form in forms:
                    value = _value(form, at, 130)[point.free[entry] - 1]
                    row.append(sp.Float(mpmath.nstr(value, 130, min_fixed=-1, max_fixed=1), 130))
                out.append(row)
        except (Unsupported, ValueError, TypeError, ArithmeticError, KeyError, IndexError, NotBound):
            return []
        return out

    # comparisons ---------------------------------------------------------------------------
    def _symbolic(self, prev: Valued, cur: Valued) -> Judgement | None:
        """Two lines in the parameters alone are compared for every value of them
        (:func:`.equivalence.apart_for_some_value`): proven equal, or shown apart at a point beyond
        the usual ones; None when SymPy cannot tell."""
        if prev.expr is None or cur.expr is None:
            return None
        same, point = apart_for_some_value(prev.expr, cur.expr, self.model.kinds, self.question.id)
        if same is True:
            return Judgement("ok", "proven", note="equal for every value of the parameters")
        if same is False:
            example = {"at": {str(s): show(v) for s, v in point.items()},
                       "previous_value": show(prev.expr.xreplace(point)), "value": show(cur.expr.xreplace(point))}
            return Judgement("wrong", "counterexample", counterexample=example)
        return None

    def compare(self, prev: Valued, cur: Valued) -> Judgement:
        symbolic = self._symbolic(prev, cur)
        if symbolic is not None and symbolic.verdict == "wrong":
            return symbolic
        randoms = set().union(*(u.random for u in self.units))
        first_diff = None
        exact = True
        sampled: list[int] = []
        for k, (a, b) in enumerate(zip(prev.values, cur.values, strict=True)):
            same: bool | None
            if self.equation:
                same = _same_sets(a, b)
            else:
                if a.has(E) or b.has(E):
                    sampled.append(k)
                    continue
                ra, rb = bool(a.free_symbols & randoms), bool(b.free_symbols & randoms)
                if ra != rb:
                    return Judgement("wrong", "counterexample", ["random_equals_number"],
                                     self._random_example(k, a, b, ra))  # its words: mistakes.mistake_words
                same, is_exact = _same(a, b, randoms if ra else set(), k)
                exact = exact and is_exact
            if same is False:
                first_diff = k
                break
        if first_diff is not None:
            return Judgement("wrong", "counterexample", counterexample=self._example(first_diff, prev, cur))
        if sampled:
            return self._sampled(prev, cur, sampled[0])
        if symbolic is not None:
            return symbolic
        return Judgement("ok", "rules" if exact else "numeric")

    def _example(self, k: int, prev: Valued, cur: Valued) -> dict:
        point = self.points[k]
        example = {"at": point.describe(), "previous_value": show(prev.values[k]), "value": show(cur.values[k])}
        if self.equation and self.question.unknown is not None:
            example["unknown"] = self.question.unknown.name  # the values are the solutions for it
        return example

    def _random_example(self, k: int, a: sp.Expr, b: sp.Expr, a_random: bool) -> dict:
        return {"at": self.points[k].describe(), "previous_value": "random" if a_random else show(a),
                "value": "random" if not a_random else show(b)}

    def _sampled(self, prev: Valued, cur: Valued, k: int) -> Judgement:
        """Both lines on the same draws: a paired z-test of E[previous - this] = 0."""
        unit = self.units[k]
        a, b = prev.values[k], cur.values[k]
        diff = _linear_in_expectations(a - b)
        if diff is None:
            return Judgement("undecided", "undecided", note="an expectation the rules cannot reduce, "
                             "not linear in its expectations: not sampled")
        self.sampled_tests += 1
        alpha = ALPHA / max(1, self.budget_lines)
        z = float(mpmath.sqrt(2) * mpmath.erfinv(1 - alpha))
        rng = np.random.default_rng(_seed(self.question.id, k, self.sampled_tests))
        params = dict(self.points[k].parameters)
        draws = {s: law.sample(rng, DRAWS, params) for s, law in unit.random.items()}
        try:
            sample = _evaluate_np(diff, draws)
        except (Unsupported, ValueError, TypeError, KeyError, ZeroDivisionError) as err:
            return Judgement("undecided", "undecided", note=f"cannot sample this line ({str(err)[:120]})")
        mean, se = float(np.mean(sample)), float(np.std(sample, ddof=1) / math.sqrt(DRAWS))
        if abs(mean) > z * se:
            example = {"at": self.points[k].describe(), "difference": mean, "standard_error": se, "draws": DRAWS}
            return Judgement("wrong", "monte_carlo", counterexample=example, alpha=alpha)
        scale = max(abs(float(_evaluate_np(_expectation_mean(a), draws).mean())), 1e-12)
        if z * se <= 1e-3 * scale:
            return Judgement("ok", "monte_carlo", alpha=alpha,
                             note=f"equal within {z * se:.2g} on {DRAWS:,} shared draws")
        return Judgement("undecided", "undecided", alpha=alpha,
                         note=f"sampling could not tell them apart (interval +-{z * se:.2g}); flagged for a person")


def _relation_refused(model: Model, name: str, value: str, new: set[str], limits: Limits,
                      points: list[Point]) -> str | None:
    """Why ``name = value`` does not hold in law under ``model`` (:meth:`Judge.introduce`), or None.
    Two moments are the same when their difference expands to 0, or is 0 at every point of the
    model (as two lines are compared there)."""
    from .working import read_line

    base = name.split("_")[0]
    laws = model.laws()
    said = f"{name} = {value}"
    if base not in laws or base in new:
        return f"{said}: only a random variable of the model can be written in the new ones"
    try:
        expr = read_line(model, value, limits).expr
    except (AnswerError, RecursionError) as err:
        return f"cannot read {said} ({getattr(err, 'message', err)})"
    used = [s for s in expr.atoms(sp.Symbol, sp.Indexed) if str(getattr(s, "base", s)) in new]
    if len({str(getattr(s, "base", s)) for s in used}) != 1 or len(set(used)) != 1:
        return f"{said}: the value must be an affine function of one new random variable"
    variable, x = used[0], sp.Dummy("x")
    affine = sp.expand(expr.xreplace({variable: x}))
    slope, shift = affine.coeff(x, 1), affine.coeff(x, 0)
    if sp.expand(affine - slope * x - shift) != 0 or slope.has(x) or shift.has(x) or any(
            str(getattr(s, "base", s)) in {*model.random} for s in (slope + shift).atoms(sp.Symbol, sp.Indexed)):
        return f"{said}: the value must be an affine function of one new random variable"
    old, law = laws[base], laws[str(getattr(variable, "base", variable))]
    for k in range(1, 5):
        image = sum((sp.binomial(k, j) * slope ** j * shift ** (k - j) * law.moment(j) for j in range(k + 1)),
                    sp.Integer(0))
        gap = sp.expand(image - old.moment(k))
        if gap != 0 and any(sp.simplify(gap.xreplace(p.parameters)) != 0 for p in points):
            return f"{said} does not hold in law: E[({value})^{k}] is {sp.sstr(sp.expand(image))}, " \
                   f"E[{name}^{k}] is {sp.sstr(old.moment(k))}"
    return None


def _fraction(v: sp.Expr) -> Any:
    """A rational SymPy number as a Fraction (what the numeric evaluator takes)."""
    from fractions import Fraction

    if not v.is_Rational:
        raise Unsupported(f"{v} is not a rational entry")
    return Fraction(int(v.p), int(v.q))


def _scalar(v: Any) -> float:
    if isinstance(v, tuple):
        if len(v) != 1:
            raise Unsupported("not one solution")
        return float(v[0])
    return float(sp.N(v, 30))


def _by_name(question: Question, point: Point) -> dict:
    values = {s.name: v for s, v in point.parameters.items()}
    return {s: values[s.name] for s in question.vocab.symbols.values() if s.name in values}


def work(values: list[Any]) -> int:
    """The cost of valuing a line and comparing it, counted so that every machine, idle or busy,
    counts alike: :data:`LINE_WORK` for reading it, and one unit for each node of its value at each
    point (a solution set counts its solutions). A derivation's lines are judged until their work
    passes :data:`WORK_LIMIT` (:func:`.derivation.check_derivation`)."""
    total = LINE_WORK
    for value in values:
        if isinstance(value, tuple):
            total += len(value)
            continue
        stack = [value]
        while stack:
            node = stack.pop()
            total += 1
            stack.extend(node.args)
    return total


def _same(a: sp.Expr, b: sp.Expr, randoms: set, k: int) -> tuple[bool | None, bool]:
    """(equal?, decided exactly?) of two values: an exact zero difference first, then the one
    precision policy of final answers (:func:`.equivalence.same_number`, at every point ``k``
    alike); random ones at three draws of their variables; solution sets (tuples) as sets."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and _same_sets(a, b)), False
    if a == b:
        return True, True  # one value, written alike (oo and oo too, whose difference is no number)
    # numbers (no names left) are expanded only when small: expand proves no identity of a large
    # one that the precision policy would not accept, and it is most of a long derivation's cost
    most = 400 if a.free_symbols or b.free_symbols else NUMBER_EXPAND_OPS
    diff = sp.expand(a - b) if sp.count_ops(a) + sp.count_ops(b) < most else a - b
    if diff == 0:
        return True, True
    draws: list[dict] = [{}]
    if randoms:
        rng = random.Random(k)
        draws = [{s: sp.Rational(round(rng.gauss(0, 1) * 1000), 1000) for s in randoms} for _ in range(3)]
    for draw in draws:
        if not same_number(a.xreplace(draw), b.xreplace(draw)):
            return False, False
    return True, False


def _same_sets(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15) for x, y in zip(a, b, strict=True))


def _linear_in_expectations(diff: sp.Expr) -> sp.Expr | None:
    """``diff`` with each unreduced E(g) replaced by g (per draw), when ``diff`` is linear in them
    (then the mean of the result over draws estimates ``diff``); None otherwise."""
    atoms = sorted(diff.atoms(E), key=sp.default_sort_key)
    dummies = [sp.Dummy() for _ in atoms]
    linear = diff.xreplace(dict(zip(atoms, dummies, strict=True)))
    for t in dummies:
        if sp.diff(linear, t).has(*dummies):
            return None
    return linear.xreplace({t: a.args[0] for t, a in zip(dummies, atoms, strict=True)})


def _expectation_mean(expr: sp.Expr) -> sp.Expr:
    return expr.xreplace({a: a.args[0] for a in expr.atoms(E)})


def _evaluate_np(expr: sp.Expr, draws: dict) -> np.ndarray:
    from .numeric import NP, evaluate
    from .numeric import Unsupported as NumericUnsupported

    try:
        with np.errstate(all="ignore"):
            value = evaluate(expr, draws, NP())
    except NumericUnsupported as err:
        raise Unsupported(str(err)) from None
    return np.broadcast_to(np.asarray(value, dtype=float), (DRAWS,))


def describe(example: dict) -> str:
    """A counterexample in words: where, and the two lines' values there."""
    at = ", ".join(f"{k} = {fmt(v)}" for k, v in example.get("at", {}).items())
    if "difference" in example:
        return (f"At {at}, on {example['draws']:,} shared draws the two lines differ by "
                f"{fmt(example['difference'])} (standard error {fmt(example['standard_error'])}).")
    if "unknown" in example:
        u = example["unknown"]

        def solved(v: Any) -> str:
            values = v if isinstance(v, list) else [v]
            return f"no solution for {u} in its domain" if not values else \
                f"{u} = " + " or ".join(fmt(x) for x in values)

        return f"At {at} the previous line gives {solved(example['previous_value'])} and this one gives " \
               f"{solved(example['value'])}."
    return f"At {at} the previous line is {fmt(example['previous_value'])} and this one is {fmt(example['value'])}."
