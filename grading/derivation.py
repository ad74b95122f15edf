"""Judging a derivation line by line: each line against the one before it, under the question's model.

A line is read (:mod:`.working`) and valued at several points of the model (:mod:`.unroll`:
parameters, free indices and vector entries fixed; sums unrolled; expectations reduced by rules;
derivatives taken). Two consecutive lines are then compared at every point:

- both numbers: equal exactly (SymPy) or to 30 digits (mpmath), else a counterexample;
- both random: equal at three draws of their random variables, else a counterexample;
- a number next to a random quantity: wrong (they agree at best in expectation);
- an expectation the rules cannot reduce: both lines on the same 200,000 draws, a paired z-test at
  the derivation's false-alarm budget (1e-6 in all, split over the lines); ``undecided`` when the
  interval is too wide to tell, never ``wrong`` without a rejection.

A wrong line is named: by the bank's step mistakes (``agrees_only_where``, ``chain_rule_dropped``),
then by the question's final-answer mistakes (the ratio of this line to the one before equals the
mistake's ratio to the reference, or the previous line is the reference and this one the mistake).
The final statement is graded as a single answer is (:mod:`.grader`); the bank's credit weights
combine it with the working.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .bank import Question
from .errors import AnswerError
from .limits import DEFAULT, Limits
from .model import Model
from .probability import OPERATORS, E, Unsupported
from .reader import split_equals
from .steps import Step, lines, split
from .unroll import NotBound, Point, Unroller, laws_of
from .working import read_line

#: The most lines a derivation may have, and its longest text (a multiple of one answer's).
MAX_LINES = 60
MAX_LENGTH_FACTOR = 8
#: The share of the check's budget (CPU seconds of this process) the lines may use; later lines are
#: then undecided. CPU time, so a busy machine never changes which lines are decided.
TIME_SHARE = 0.7
#: The false-alarm rate of a whole derivation's sampling tests.
ALPHA = 1e-6
#: Draws for a sampled comparison (both lines on the same draws).
DRAWS = 200_000
#: Step mistakes that need no bank entry: what any model can show.
GENERIC_STEP_MISTAKES = {
    "random_equals_number": "A random quantity is set equal to a number: they agree at best in expectation "
                            "(an E[...] is missing or was dropped).",
    "leaked_index": "An index is used outside the sum that binds it.",
}
DEFAULT_CREDIT = {"final": 0.5, "working": 0.5, "per_wrong_step": 0.5}


@dataclass
class Valued:
    """A statement's values at the points (None where it has none), or why it has none."""

    values: list[Any]
    reduced: bool = False     # expectations or derivatives were computed
    expr: sp.Basic | None = None  # the line as read, when it is an expression in the parameters alone
    error: str | None = None  # invalid: the reason
    leaked: str | None = None
    undecided: str | None = None


@dataclass
class Judgement:
    verdict: str
    status: str
    diagnoses: list[str] = field(default_factory=list)
    counterexample: dict | None = None
    alpha: float | None = None
    note: str = ""


class Judge:
    """The points of a question's model, and the comparisons of consecutive statements there."""

    def __init__(self, question: Question, limits: Limits = DEFAULT):
        if question.model is None:
            raise ValueError(f"question {question.id} has no model for derivations")
        self.question, self.model, self.limits = question, question.model, limits
        self.equation = question.unknown is not None
        self.points = points_of(self.model, question.id)
        definitions: dict[str, sp.Basic] = {}
        self.units = [Unroller(self.model, p, laws_of(self.model, p), definitions) for p in self.points]
        self.sampled_tests = 0
        self.budget_lines = 1  # the lines the false-alarm budget is split over (set per derivation)
        self.aliases: dict[str, str] = {}  # index letters line 0 uses for the model's free ones

    def name_free_indices(self, line0: str) -> None:
        """Line 0 names the free indices: an index it uses that no sum binds and that is not one
        of the model's free indices (``dL/dx_i`` where the model says j) stands for the model's
        free index not used on line 0 (the one a bare vector means first)."""
        if not self.model.free:
            return
        try:
            expr = read_line(self.model, line0, self.limits, equation=self.equation).expr
        except AnswerError as err:
            letter = re.match(r"unknown index '([A-Za-z])'", str(err))
            if letter is None:
                return
            bounds = set(self.model.indices.values()) | set(self.model.free.values())
            if len(bounds) != 1:
                return
            self.model = dataclasses.replace(self.model, indices={**self.model.indices, letter.group(1): bounds.pop()})
            self.units = [Unroller(self.model, u.point, u.laws, u._read) for u in self.units]
            return self.name_free_indices(line0)
        bound = {str(v) for s in expr.atoms(sp.Sum) for v, *_ in s.limits}
        used = {s.name for s in expr.atoms(sp.Symbol)} - bound
        loose = sorted(n for n in used if n in self.model.indices and n not in self.model.free)
        spare = [f for f in ([self.model.entry] if self.model.entry else []) + list(self.model.free)
                 if f and f not in used]
        for letter, free in zip(loose, dict.fromkeys(spare), strict=False):
            for point in self.points:
                point.free[letter] = point.free[free]
            self.aliases[letter] = free

    # values --------------------------------------------------------------------------------
    def valued(self, text: str, naive: bool = False) -> Valued:
        try:
            line = read_line(self.model, text, self.limits, equation=self.equation)
        except AnswerError as err:
            return self._valued_as_answer(text) or Valued([], error=err.message)
        reduced = bool(line.expr.atoms(sp.Derivative, *OPERATORS.values()))
        values = []
        try:
            for unit, point in zip(self.units, self.points, strict=True):
                unit.naive = naive
                v = self._generic(unit, line.expr)
                v = self._solutions(v) if self.equation else v.xreplace(point.vectors)
                if isinstance(v, sp.Basic) and v.has(sp.zoo, sp.nan):
                    at = ", ".join(f"{k} = {_fmt(x)}" for k, x in point.describe().items())
                    return Valued([], error=f"the line is undefined at {at} (a division by zero or a log of 0)")
                values.append(v)
        except NotBound as err:
            return Valued([], leaked=str(err))
        except (Unsupported, ValueError, TypeError, ZeroDivisionError, NotImplementedError, RecursionError,
                AttributeError, KeyError, IndexError) as err:
            return Valued([], undecided=f"cannot value this line ({str(err)[:160]})")
        plain = not self.equation and not reduced and not line.expr.atoms(sp.Indexed, sp.Sum) and \
            {s.name for s in line.expr.free_symbols} <= set(self.model.kinds)
        return Valued(values, reduced=reduced, expr=line.expr if plain else None)

    def _valued_as_answer(self, text: str) -> Valued | None:
        """A statement the working reader cannot read but the answer reader can (``softmax(x) - y``):
        the answer valued at the model's points (its parameters by name; its vectors as the model's
        families of the same names, at the model's entry index). None when it cannot be."""
        from .grader import read

        q = self.question
        try:
            expr = read(q, text, self.limits).expr
            if q.vector:
                rows = self._vector_values((expr,))
                return Valued([row[0] for row in rows]) if rows else None
            values = [expr.xreplace(_by_name(q, point)) for point in self.points]
        except (AnswerError, Unsupported, ValueError, TypeError, ArithmeticError, RecursionError):
            return None
        if any(v.free_symbols or not v.is_number for v in values):
            return None
        if self.equation:
            return Valued([(float(sp.N(v, 30)),) for v in values])
        return Valued(values)

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
            top = _bound(self.model.range_of(letter) or "1", unit.point.parameters)
            for k in range(2, min(top, 3) + 1):
                other = unit.value(expr, {**env, letter: k})
                if _same(first, other, set(unit.random), 0)[0] is not True:
                    raise NotBound(f"the index {letter} is not bound by a sum here, and the line depends on it")
        return first

    def _solutions(self, eq: sp.Basic) -> tuple:
        """The real solutions for the unknown (in its domain) of an equation valued at a point."""
        unknown = self.question.unknown
        if not isinstance(eq, sp.Equality):
            raise Unsupported("a line of an equation question must be an equation")
        solved = sp.solve(sp.Eq(eq.lhs, eq.rhs), unknown)
        if not isinstance(solved, list):
            raise Unsupported("the equation's solutions cannot be listed")
        return tuple(sorted(float(sp.N(s, 30)) for s in solved if s.is_real is not False))

    def reference_values(self) -> list[list[Any]]:
        """The asked quantity at each point: the reference and every accepted alternative, exact
        (or, for a vector question, its entry at the model's ``entry`` index to 130 digits: never
        fewer digits than a comparison demands)."""
        q = self.question
        forms = (q.reference, *(a for a, _ in q.alternatives))
        if q.vector:
            return self._vector_values(forms)
        out = []
        for point in self.points:
            subs = _by_name(q, point)
            values = [f.xreplace(subs) for f in forms]
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
        """Two lines in the parameters alone are compared for every value of them: proven equal,
        or shown apart at a point beyond the usual ones; None when SymPy cannot tell."""
        if prev.expr is None or cur.expr is None:
            return None
        try:
            diff = sp.expand(prev.expr - cur.expr)
        except (TypeError, ValueError, RecursionError):
            return None
        if diff == 0:
            return Judgement("ok", "proven", note="equal for every value of the parameters")
        rng = random.Random(_seed(self.question.id, sp.srepr(diff)[:200]))
        symbols = {s.name: s for s in diff.free_symbols}
        for _ in range(3):
            at = {n: _parameter(self.model.kinds[n], rng, rng.choice([11, 13, 17, 23])) for n in symbols}
            point = {symbols[n]: v for n, v in at.items()}
            a, b = prev.expr.xreplace(point), cur.expr.xreplace(point)
            if _same(a, b, set(), 0)[0] is False:
                shown = {n: _show(v) for n, v in at.items()}
                return Judgement("wrong", "counterexample",
                                 counterexample={"at": shown, "previous_value": _show(a), "value": _show(b)})
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
                                     self._random_example(k, a, b, ra),
                                     note=GENERIC_STEP_MISTAKES["random_equals_number"])
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
        example = {"at": point.describe(), "previous_value": _show(prev.values[k]), "value": _show(cur.values[k])}
        if self.equation and self.question.unknown is not None:
            example["unknown"] = self.question.unknown.name  # the values are the solutions for it
        return example

    def _random_example(self, k: int, a: sp.Expr, b: sp.Expr, a_random: bool) -> dict:
        return {"at": self.points[k].describe(), "previous_value": "random" if a_random else _show(a),
                "value": "random" if not a_random else _show(b)}

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

    # naming a mistake ----------------------------------------------------------------------
    def name(self, prev: Valued, cur: Valued, prev_text: str, starts: list[list[Any]] | None) -> list[str]:
        codes: list[str] = []
        for rule in self.question.step_mistakes:
            if rule["rule"] == "agrees_only_where" and self._only_where(prev, cur, rule.get("indices", [])) \
                    and self._differs_by(prev, cur, rule.get("difference")):
                codes.append(rule["code"])
            elif rule["rule"] == "chain_rule_dropped":
                naive = self.valued(prev_text, naive=True)
                if naive.values and naive.values != prev.values and self.compare(naive, cur).verdict == "ok":
                    codes.append(rule["code"])
        if codes or self.question.vector:
            return codes or (["sign_flipped"] if self._ratio_is(prev, cur, -1) and self._has("sign_flipped") else [])
        return self._final_mistakes(prev, cur, starts)

    def _has(self, code: str) -> bool:
        return any(m.code == code for m in self.question.mistakes)

    def _only_where(self, prev: Valued, cur: Valued, pair: list[str]) -> bool:
        if len(pair) != 2:
            return False
        inside = outside = False
        for point, a, b in zip(self.points, prev.values, cur.values, strict=True):
            equal = _same(a, b, set(), 0)[0]
            on = point.free.get(pair[0]) == point.free.get(pair[1])
            if on and equal is not True:
                return False
            inside |= on
            outside |= (not on) and equal is False
        return inside and outside

    def _differs_by(self, prev: Valued, cur: Valued, text: str | None) -> bool:
        """Whether (this line - the previous one) is a constant multiple of ``text`` valued at the
        points (a step mistake's signature, e.g. y_j - 1 for the one-hot sum dropped); True
        when the rule names none."""
        if not text:
            return True
        shape = self.valued(text)
        if not shape.values:
            return False
        ratio = None
        for a, b, s in zip(prev.values, cur.values, shape.values, strict=True):
            try:
                diff, unit = complex(sp.N(b - a, 30)), complex(sp.N(s, 30))
            except (TypeError, ValueError):
                return False
            if abs(unit) < 1e-20:
                if abs(diff) > 1e-20:
                    return False
                continue
            r = diff / unit
            if ratio is None:
                ratio = r
            elif abs(r - ratio) > 1e-9 * max(1.0, abs(ratio)):
                return False
        return ratio is not None and abs(ratio) > 1e-12

    def _ratio_is(self, prev: Valued, cur: Valued, r: float) -> bool:
        try:
            return all(abs(float(sp.N(b, 20)) - r * float(sp.N(a, 20))) <= 1e-9 * (1 + abs(float(sp.N(a, 20))))
                       for a, b in zip(prev.values, cur.values, strict=True))
        except (TypeError, ValueError):
            return False

    def _final_mistakes(self, prev: Valued, cur: Valued, starts: list[list[Any]] | None) -> list[str]:
        q = self.question
        codes: list[str] = []
        for m in q.mistakes:
            ratio_ok = absolute_ok = True
            for k, point in enumerate(self.points):
                subs = _by_name(q, point)
                try:
                    # the reference at this point, as the asked quantity's values already hold it
                    ref = _scalar(starts[k][0]) if starts else float(sp.N(q.reference.xreplace(subs), 30))
                    wrong = float(sp.N(m.formula.xreplace(subs), 30))
                    a, b = _scalar(prev.values[k]), _scalar(cur.values[k])
                except (TypeError, ValueError, Unsupported):
                    return codes
                ratio_ok = ratio_ok and a != 0 and ref != 0 and math.isclose(b / a, wrong / ref, rel_tol=1e-9)
                absolute_ok = absolute_ok and starts is not None and math.isclose(b, wrong, rel_tol=1e-9) and any(
                    math.isclose(a, _scalar(s), rel_tol=1e-9) for s in starts[k])
            if ratio_ok or absolute_ok:
                codes.append(m.code)
        return codes


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


def _same(a: sp.Expr, b: sp.Expr, randoms: set, k: int) -> tuple[bool | None, bool]:
    """(equal?, decided exactly?) of two values; random ones at three draws of their variables;
    solution sets (tuples) as sets."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and _same_sets(a, b)), False
    diff = sp.expand(a - b) if sp.count_ops(a) + sp.count_ops(b) < 400 else a - b
    if diff == 0:
        return True, True
    draws: list[dict] = [{}]
    if randoms:
        rng = random.Random(k)
        draws = [{s: sp.Rational(round(rng.gauss(0, 1) * 1000), 1000) for s in randoms} for _ in range(3)]
    # At the first point a gap near 1e-40 (a stray exp(-100)) is looked for at 120 digits too.
    precisions = ((40, 1e-25), (120, 1e-100)) if k == 0 else ((40, 1e-25),)
    for draw in draws:
        for digits, tolerance in precisions:
            try:
                va, vb = _number(a.xreplace(draw), digits), _number(b.xreplace(draw), digits)
            except (TypeError, ValueError, ZeroDivisionError):
                return None, False
            gap, size = abs(va - vb), max(abs(va), abs(vb))
            if not (mpmath.isfinite(gap) and gap <= tolerance * max(1, size)):
                return False, False
    return True, False


def _number(v: sp.Expr, digits: int) -> Any:
    """``v`` (a number, no symbols left) as an mpmath number at ``digits`` digits: by the grader's
    tree-walking evaluator, or SymPy's evalf for what it does not know."""
    from .numeric import MP, evaluate
    from .numeric import Unsupported as NumericUnsupported

    with mpmath.workdps(digits):
        try:
            return mpmath.mpmathify(evaluate(v, {}, MP()))
        except NumericUnsupported:
            n = sp.N(v, digits)
            return mpmath.mpc(str(sp.re(n)), str(sp.im(n)))


def _same_sets(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15) for x, y in zip(a, b, strict=True))


def _show(v: Any) -> Any:
    if isinstance(v, tuple):
        return list(v) if len(v) != 1 else v[0]
    try:
        f = complex(sp.N(v, 17))
        return f.real if f.imag == 0 else {"re": f.real, "im": f.imag}
    except (TypeError, ValueError):
        return sp.sstr(v)


def _seed(*parts: Any) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "little")


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


def points_of(model: Model, seed_text: str) -> list[Point]:
    """The points a derivation is valued at: four, with dimensions among 2, 3, 5, 7, parameters
    away from coincidences (sigma != 1, eps != 1/2), every free-index combination (at most 6 a
    point, drawn at random beyond that)."""
    rng = random.Random(_seed(seed_text, model.name))
    integers = [2, 3, 5, 7, 4]
    out = []
    for p in range(4):
        params = {}
        for n, (name, symbol) in enumerate(model.parameters.items()):
            kind = model.kinds.get(name)
            if kind is None:
                continue  # an equation's unknown
            params[symbol] = _parameter(kind, rng, integers[(p + n) % len(integers)])
        free = list(model.free)
        ranges = [range(1, int(_bound(model.free[f], params)) + 1) for f in free]
        combos = [dict(zip(free, c, strict=True)) for c in itertools.product(*ranges)]
        combos = [c for c in combos if all(c[a] != c[b] for a, b in model.distinct)] or [{}]
        if len(combos) > 6:
            combos = rng.sample(combos, 6)
        for combo in combos:
            vectors = {}
            for name in model.vectors:
                size = int(_bound(model.range_of(next(iter(model.indices), "")) or "d", params))
                vectors.update({sp.Symbol(f"{name}_{i}", real=True): sp.Rational(rng.randint(-2500, 2500), 1000)
                                for i in range(1, size + 1)})
            out.append(Point(params, combo, vectors))
    return out


def _bound(text: str, params: dict) -> int:
    if text.isdigit():
        return int(text)
    values = {s.name: v for s, v in params.items()}
    return int(values[text])


def _parameter(kind: str, rng: random.Random, integer: int) -> sp.Expr:
    if kind in ("positive_integer", "integer"):
        return sp.Integer(integer)
    if kind in ("positive", "nonnegative"):
        return sp.Rational(rng.choice([3, 7, 13, 17, 23]), 10)
    if kind.startswith("interval"):
        return sp.Rational(rng.choice([1, 2, 3, 7, 9]), 10) if kind == "interval(0,1)" else sp.Rational(1, 3)
    return sp.Rational(rng.randint(-20, 20) or 3, 10)



# --- the record ----------------------------------------------------------------------------

def check_derivation(question: Question, answer: str, final: Callable[[str], dict[str, Any]],
                     limits: Limits = DEFAULT) -> dict[str, Any]:
    """CONTRACT.md's derivation record: ``final(text)`` grades the final statement as a single
    answer; every line is judged against its predecessor; the bank's credit combines them."""
    start = time.process_time()
    if len(answer) > MAX_LENGTH_FACTOR * limits.max_length or len(lines(answer)) > MAX_LINES:
        return {"question": question.id, "answer": answer, "verdict": "invalid", "score": 0.0, "diagnoses": [],
                "parsed": None, "status": "invalid", "steps": [], "first_wrong": None,
                "feedback": f"A derivation may have at most {MAX_LINES} lines and "
                            f"{MAX_LENGTH_FACTOR * limits.max_length:,} characters."}
    judge = Judge(question, limits)
    steps = split(answer, judge.equation)
    if steps:
        judge.name_free_indices(steps[0].pieces(judge.equation)[0])
    deadline = start + TIME_SHARE * limits.seconds
    judge.budget_lines = max(1, len(steps) - 1)
    records: list[dict[str, Any]] = []
    prev: Valued | None = None
    prev_text = ""
    starts = judge.reference_values() or None
    for n, step in enumerate(steps):
        for m, piece in enumerate(step.pieces(judge.equation)):
            if time.process_time() > deadline:
                records.append(_step_record(step, piece, Judgement(
                    "undecided", "undecided", note="time limit reached before this line"), judge))
                break
            first = n == 0 and m == 0
            if judge.equation and not first and question.unknown is not None and len(split_equals(piece)) == 1:
                piece = f"{question.unknown.name} = {piece}"  # a bare value after solving: the unknown's value
            cur = judge.valued(piece)
            judgement = _judge_piece(judge, prev, cur, prev_text, starts, first)
            if m == 0:
                records.append(_step_record(step, piece, judgement, judge))
            elif judgement.verdict not in ("ok", "start") and records[-1]["verdict"] in ("ok", "start"):
                note = f"link {m} of this line ('{piece.strip()[:60]}'): "
                record = _step_record(step, piece, judgement, judge)
                records[-1] = record | {"line": step.line, "note": note + record["note"]}
            if cur.values and judgement.verdict != "undecided":  # an undecided line is skipped over
                prev, prev_text = cur, piece
    first_wrong = next((k for k, r in enumerate(records) if r["verdict"] == "wrong"), None)
    final_text = steps[-1].pieces(judge.equation)[-1] if steps else answer
    outcome = final(final_text)
    return _combine(question, answer, outcome, records, first_wrong)


def decide_under_model(question: Question, text: str, limits: Limits = DEFAULT) -> dict[str, Any] | None:
    """A final statement the answer reader cannot read but the working reader can (a name the
    model defines, ``sum_i y_i (z_i - delta_ij)``), decided as a line is: against the asked
    quantity at the model's points. The fields of a check record, or None when unreadable there too."""
    if question.model is None:
        return None
    try:
        judge = Judge(question, limits)
        judge.name_free_indices(text)
        line = read_line(judge.model, text, limits, equation=judge.equation)
    except (AnswerError, RecursionError):
        return None  # the answer reader's message stands
    unfinished = line.expr.atoms(sp.Derivative, *OPERATORS.values())
    if unfinished:
        return {"verdict": "invalid", "score": 0.0, "diagnoses": [], "parsed": None, "status": "invalid",
                "feedback": f"not a finished answer: it still holds {sp.sstr(next(iter(unfinished)))[:60]}; "
                            "work it out to an expression in the question's names"}
    cur = judge.valued(text)
    starts = judge.reference_values()
    randoms = set().union(*(u.random for u in judge.units))
    if not cur.values or not starts or any(isinstance(v, sp.Basic) and v.free_symbols & randoms for v in cur.values):
        return None  # unreadable, or random (a finished answer is a number at each point)
    asked = _asked(starts, cur)
    j = judge.compare(asked, cur)
    record: dict[str, Any] = {"parsed": sp.sstr(line.expr), "latex": sp.latex(line.expr), "status": j.status}
    if j.verdict == "ok":
        how = {"proven": "proven", "rules": "exactly", "numeric": "to 40 digits"}.get(j.status, j.status)
        return record | {"verdict": "correct", "score": 1.0, "diagnoses": [],
                         "feedback": f"Correct (equal to the asked quantity at every point of the model, {how})."}
    if j.verdict == "wrong":
        codes = j.diagnoses or judge.name(asked, cur, "", starts)
        words = _mistake_words(question, codes)
        example = describe(j.counterexample).replace("the previous line", "the asked quantity") \
            if j.counterexample else ""
        return record | {"verdict": "incorrect", "score": 0.0, "diagnoses": codes,
                         "counterexample": j.counterexample, "feedback": f"{words} {example}".strip()
                         or "This does not match the derived answer."}
    return record | {"verdict": "undecided", "score": 0.0, "review": True, "diagnoses": [],
                     "feedback": f"Could not decide ({j.note or 'no decision'}); flagged for a person to read "
                                 "(0 points until then)."}


def _judge_piece(judge: Judge, prev: Valued | None, cur: Valued, prev_text: str,
                 starts: list[list[Any]] | None, first: bool) -> Judgement:
    if first:
        if cur.error or cur.leaked or cur.undecided:
            return Judgement("start", "start", note="read as the quantity the question asks for")
        if starts is not None and not judge.equation and not _asked_for(starts, cur):
            return Judgement("start", "start", note="This is not the quantity the question asks for; "
                                                    "the next line is judged against it.")
        return Judgement("start", "start")
    if cur.error:
        return Judgement("invalid", "invalid", note=cur.error)
    if cur.leaked:
        return Judgement("wrong", "counterexample", ["leaked_index"], note=cur.leaked)
    if cur.undecided:
        return Judgement("undecided", "undecided", note=cur.undecided)
    if prev is None or not prev.values:
        if starts is None:
            return Judgement("undecided", "undecided", note="the line before could not be valued")
        prev = _asked(starts, cur)
    judgement = judge.compare(prev, cur)
    if judgement.verdict == "wrong" and not judgement.diagnoses:
        judgement.diagnoses = judge.name(prev, cur, prev_text, starts)
    return judgement


def _asked_for(starts: list[list[Any]], cur: Valued) -> bool:
    """Whether line 0's values are the asked quantity's (one of its accepted forms) at every point."""
    return any(all(_same(row[k], v, set(), 0)[0] is True for row, v in zip(starts, cur.values, strict=True))
               for k in range(len(starts[0])))


def _asked(starts: list[list[Any]], cur: Valued) -> Valued:
    """The quantity asked for, as the line before line 1: the accepted form nearest ``cur``."""
    best = [row[0] for row in starts]
    for k in range(len(starts[0])):
        column = [row[k] for row in starts]
        if all(_same(a, b, set(), 0)[0] for a, b in zip(column, cur.values, strict=False)):
            best = column
    return Valued(best)


def _step_record(step: Step, piece: str, j: Judgement, judge: Judge) -> dict[str, Any]:
    read = latex = None
    try:
        expr = read_line(judge.model, piece, judge.limits, equation=judge.equation).expr
    except AnswerError:
        from .grader import read as read_answer

        try:
            expr = read_answer(judge.question, piece, judge.limits).expr
        except AnswerError:
            expr = None
    if expr is not None:
        read, latex = sp.sstr(expr), sp.latex(expr)
    parts = [j.note]
    words = _mistake_words(judge.question, j.diagnoses) if j.diagnoses else ""
    if words and words not in j.note:
        parts.append(words)
    if j.counterexample:
        parts.append(describe(j.counterexample))
    note = " ".join(_sentence(p) for p in parts if p.strip())
    return {"line": step.line, "read": read, "latex": latex, "verdict": j.verdict, "status": j.status,
            "diagnoses": j.diagnoses, "counterexample": j.counterexample, "alpha": j.alpha,
            "note": note.strip(), "reason": step.reason}


def _mistake_words(question: Question, codes: list[str]) -> str:
    words = {m.code: m.feedback for m in question.mistakes}
    words.update({r["code"]: r.get("feedback", "") for r in question.step_mistakes})
    return " ".join(words.get(c) or GENERIC_STEP_MISTAKES.get(c, "") for c in codes).strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def describe(example: dict) -> str:
    """A counterexample in words: where, and the two lines' values there."""
    at = ", ".join(f"{k} = {_fmt(v)}" for k, v in example.get("at", {}).items())
    if "difference" in example:
        return (f"At {at}, on {example['draws']:,} shared draws the two lines differ by "
                f"{_fmt(example['difference'])} (standard error {_fmt(example['standard_error'])}).")
    if "unknown" in example:
        u = example["unknown"]

        def solved(v: Any) -> str:
            values = v if isinstance(v, list) else [v]
            return f"no solution for {u} in its domain" if not values else \
                f"{u} = " + " or ".join(_fmt(x) for x in values)

        return f"At {at} the previous line gives {solved(example['previous_value'])} and this one gives " \
               f"{solved(example['value'])}."
    return f"At {at} the previous line is {_fmt(example['previous_value'])} and this one is {_fmt(example['value'])}."


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        return "{" + ", ".join(_fmt(u) for u in v) + "}" if v else "nothing (no solution)"
    if isinstance(v, dict) and set(v) == {"re", "im"}:
        return f"{_fmt(v['re'])} {'-' if v['im'] < 0 else '+'} {_fmt(abs(v['im']))}i"
    return str(v)


def _combine(question: Question, answer: str, outcome: dict[str, Any], records: list[dict[str, Any]],
             first_wrong: int | None) -> dict[str, Any]:
    """The derivation's verdict and score: credit only for what was decided.

    With n judged lines (every line after line 0), w of them wrong and u unsettled (invalid or
    undecided), working = max(0, 1 - u/n - per_wrong_step * w): an unsettled line earns nothing.
    score = final * [final statement correct] + working * working credit, and 1 when the final
    statement is correct and every line is ``ok``. ``review`` is set when deciding the unsettled
    lines (or an undecided final statement) could change the score. No readable judged line:
    ``invalid``, score 0.
    """
    credit = {**DEFAULT_CREDIT, **question.credit}
    judged = records[1:]
    wrong = [r for r in judged if r["verdict"] == "wrong"]
    unsettled = [k for k, r in enumerate(records) if k and r["verdict"] in ("invalid", "undecided")]
    final_verdict = outcome.get("verdict", "invalid")
    readable = any(r["read"] is not None for r in judged)

    def score_of(final_right: bool, unsettled_ok: bool) -> float:
        if not readable:
            return 0.0
        lost = 0.0 if unsettled_ok or not judged else len(unsettled) / len(judged)
        if final_right and not wrong and (unsettled_ok or not unsettled):
            return 1.0
        working = max(0.0, 1.0 - lost - credit["per_wrong_step"] * len(wrong)) if judged else 0.0
        return credit["final"] * final_right + credit["working"] * working

    score = score_of(final_verdict == "correct", False)
    best = score_of(final_verdict in ("correct", "undecided") or (final_verdict == "invalid" and readable), True)
    review = readable and best != score
    if not readable:
        verdict = "invalid"
    elif final_verdict == "correct":
        verdict = "incorrect" if wrong else ("undecided" if unsettled else "correct")
    else:
        verdict = final_verdict
    codes = list(dict.fromkeys([c for r in wrong for c in r["diagnoses"]] + list(outcome.get("diagnoses", []))))
    feedback = outcome.get("feedback", "")
    if not readable:
        feedback = "No line of this working could be read, so nothing in it can earn credit. " + feedback
    if final_verdict == "correct" and wrong:
        feedback = "The final statement is right, but the working that leads to it is not."
    if first_wrong is not None:
        first = records[first_wrong]
        note = first["note"]
        for said in _mistake_words(question, list(outcome.get("diagnoses", []))).split(". "):
            note = note.replace(said.strip(), "").replace(" . ", " ").strip(" .") if said.strip() else note
        feedback = f"{feedback} Working: line {first_wrong} is wrong. {_sentence(note) if note else ''}".strip()
        if len(wrong) > 1:
            feedback += f" ({len(wrong)} wrong lines in all.)"
    elif judged and not unsettled:
        feedback = f"{feedback} Working: every line follows from the one before.".strip()
    if unsettled and readable:
        which = ", ".join(str(k) for k in unsettled)
        feedback = (f"{feedback} Working: line{'s' if len(unsettled) > 1 else ''} {which} could not be "
                    f"read or decided and earn{'' if len(unsettled) > 1 else 's'} no credit"
                    f"{'; flagged for a person to read' if review else ''}.").strip()
    alphas = [r["alpha"] for r in records if r["alpha"]]
    record = {**outcome, "question": question.id, "answer": answer, "verdict": verdict,
              "score": round(score, 6), "diagnoses": codes, "feedback": feedback, "steps": records,
              "first_wrong": first_wrong, "alpha": sum(alphas) if alphas else None}
    record.pop("review", None)
    if review or verdict == "undecided":
        record["review"] = True
    return record


__all__ = ["ALPHA", "DEFAULT_CREDIT", "GENERIC_STEP_MISTAKES", "Judge", "check_derivation", "decide_under_model",
           "describe", "points_of"]
