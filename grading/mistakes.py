"""Naming a mistake, for final answers and for lines of working alike.

A wrong final answer is named by the question's known mistakes it equals (numerically, on the
same points as the reference), else by its relation to the reference (``sign_flipped``: ratio -1;
``constant_factor``; ``additive_constant``; ``wrong_log_base``; the question's ``ratio_diagnosis``
for vectors). A wrong line is named by the bank's step rules (``agrees_only_where``,
``chain_rule_dropped``), then by the final-answer mistakes whose form it has: the ratio of this
line to the one before equals the mistake's ratio to the reference, or the line before is the
reference and this one the mistake.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp

from .bank import Question
from .equivalence import _DOMAINS, Domain, _domain_key, _value, decide, varies
from .errors import AnswerError
from .lines import Judge, Valued, _same, _scalar
from .model import Model
from .numeric import Unsupported
from .symbolic import X
from .unroll import NotBound
from .working import plain_line, read_line

#: Step mistakes that need no bank entry: what any model can show.
GENERIC_STEP_MISTAKES = {
    "random_equals_number": "A random quantity is set equal to a number: they agree at best in expectation "
                            "(an E[...] is missing or was dropped).",
    "leaked_index": "An index is used outside the sum that binds it.",
}

def mistake_words(question: Question, codes: list[str]) -> str:
    words = {m.code: m.feedback for m in question.mistakes}
    words.update({r["code"]: r.get("feedback", "") for r in question.step_mistakes})
    return " ".join(words.get(c) or GENERIC_STEP_MISTAKES.get(c, "") for c in codes).strip()


def diagnose(question: Question, expr: sp.Expr) -> list[str]:
    """Known mistakes the answer equals (numerically), else a generic relation to the reference."""
    codes = [m.code for m in question.mistakes
             if m.code != "not_stable" and decide(expr, m.formula, question.domain, vector=question.vector,
                                                  prove_seconds=0).equivalent]
    if codes:
        return codes
    if question.reference.has(sp.oo, -sp.oo, sp.zoo) or expr.has(sp.oo, -sp.oo, sp.zoo):
        return []  # no factor or shift relates a finite value to an infinite one
    relation = _relation(question, expr)
    if relation is None and _wrong_log_base(question, expr):
        return ["wrong_log_base"]
    return [relation] if relation else []


def _wrong_log_base(question: Question, expr: sp.Expr) -> bool:
    """Whether the answer is right once its logarithms to base 2 or 10 are natural ones."""
    natural = expr.subs({sp.log(2): 1, sp.log(10): 1})
    return natural != expr and bool(decide(natural, question.reference, question.domain, vector=question.vector,
                                           prove_seconds=0).equivalent)


def _relation(question: Question, expr: sp.Expr) -> str | None:
    """sign_flipped (ratio -1), constant_factor (constant ratio), additive_constant, or the
    question's ``ratio_diagnosis`` for vectors whose ratio is constant within each vector."""
    domain = question.domain
    if question.vector:
        ratios, points = _vector_ratios(expr, question.reference)
        rows = [r for r in ratios if r is not None]
        if rows and len(rows) == len(ratios):
            flat = [v for r in rows for v in r]
            if all(abs(v + 1) < 1e-20 for v in flat):
                return "sign_flipped"
            if all(max(r) - min(r) < 1e-20 * max(1, abs(max(r))) for r in rows):
                # one factor per vector: the same everywhere is a constant factor; a factor
                # e^(c s(x)) for a shift s (max, min or mean of x) is an inconsistent shift
                if max(flat) - min(flat) < 1e-20 * max(1, abs(max(flat))):
                    # a ratio of 1 at these points names nothing: the answer differs elsewhere
                    return "constant_factor" if abs(flat[0] - 1) > 1e-12 else None
                if question.ratio_diagnosis and _is_shift([r[0] for r in rows], points):
                    return question.ratio_diagnosis
        return None
    ratio = constant(expr / question.reference, domain)
    if ratio is not None and ratio != 1:
        return "sign_flipped" if ratio == -1 else "constant_factor"
    shift = constant(expr - question.reference, domain)
    if shift is not None and shift != 0:
        return "additive_constant"
    return None


def constant(expr: sp.Expr, domain: Domain) -> sp.Expr | None:
    """The exact constant ``expr`` equals on the domain (a simple rational or float), or None."""
    return _constant(expr, _domain_key(domain))


@lru_cache(maxsize=1024)
def _constant(expr: sp.Expr, key: tuple) -> sp.Expr | None:
    """:func:`constant`, memoised (the diagnosis and the feedback ask for the same ratio). An
    expression seen to vary is no constant: no number is guessed for it."""
    domain = _DOMAINS[key]
    d = decide(expr, sp.Integer(0), domain, prove_seconds=0)
    if d.status != "counterexample":
        return sp.Integer(0) if d.equivalent else None
    if d.counterexample is None:
        return None
    value = d.counterexample["answer_value"]
    if not isinstance(value, float) or varies(expr, domain):
        return None
    guesses = (lambda: _simple_rational(value),
               *(lambda c=c: _simple_rational(value / float(c)) * c for c in _CONSTANT_FACTORS),
               lambda: sp.nsimplify(value, [sp.pi, sp.sqrt(2), sp.sqrt(3)], tolerance=1e-12))  # costly: last
    for guessed in guesses:
        guess = guessed()
        simple = (isinstance(guess, sp.Rational) and abs(guess.q) <= 1000) or \
            (not isinstance(guess, sp.Float) and sp.count_ops(guess) <= 6)
        if simple and decide(expr, guess, domain, prove_seconds=0).equivalent:
            return guess
    return None


#: The constants a factor between an answer and the reference is tried as (a rational times one of them).
_CONSTANT_FACTORS = (sp.pi, 1 / sp.pi, sp.sqrt(2), 1 / sp.sqrt(2), sp.sqrt(3), 1 / sp.sqrt(3), sp.pi ** 2, sp.E)


def _simple_rational(value: float) -> sp.Expr:
    """The rational of smallest denominator bound (1000, 10^6, 10^9) within 1e-12 of ``value``
    (relative), else ``value`` as a Float: what ``nsimplify(rational=True)`` gives, without its
    general search."""
    from fractions import Fraction

    if not math.isfinite(value):
        return sp.Float(value)
    exact = Fraction(value)
    for bound in (1000, 10**6, 10**9):
        near = exact.limit_denominator(bound)
        if abs(near - exact) <= 1e-12 * abs(exact):
            return sp.Rational(near.numerator, near.denominator)
    return sp.Float(value)


def _vector_ratios(expr: sp.Expr, reference: sp.Expr) -> tuple[list[list[float] | None], list[list[float]]]:
    """answer/reference entry by entry on a few random vectors (and those vectors); empty where
    the ratio is undefined or not real."""
    import random

    from .equivalence import vector_points

    out, points = [], []
    for point in list(vector_points(random.Random(7)))[:6]:
        try:
            a, b = _value(expr, point, 40), _value(reference, point, 40)
        except (Unsupported, ZeroDivisionError, ValueError, TypeError):
            return [], []
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return [], []
        if any(isinstance(u, mpmath.mpc) or isinstance(v, mpmath.mpc) for u, v in zip(a, b, strict=False)):
            return [], []
        out.append([float(u / v) for u, v in zip(a, b, strict=False)] if all(v != 0 for v in b) else None)
        points.append([float(v) for v in point[X]])
    return out, points


def _is_shift(factors: list[float], vectors: list[list[float]]) -> bool:
    """Whether log(factor) = a max(x) + b min(x) + c mean(x) on every vector, for coefficients not
    all 0: numerator and denominator shifted by different statistics of x (the same one by
    different multiples, or max in one and min in the other)."""
    import numpy as np

    if len(factors) < 4 or any(f <= 0 or not math.isfinite(f) for f in factors):
        return False
    logs = np.log(np.array(factors))
    basis = np.array([[max(v), min(v), sum(v) / len(v)] for v in vectors])
    coefficients, *_ = np.linalg.lstsq(basis, logs, rcond=None)
    fitted = basis @ coefficients
    scale = max(1.0, float(np.max(np.abs(logs))))
    return bool(np.max(np.abs(fitted - logs)) <= 1e-9 * scale and np.max(np.abs(coefficients)) > 1e-6)


# --- lines of working -------------------------------------------------------------------

def name_line(judge: Judge, prev: Valued, cur: Valued, prev_text: str, starts: list[list[Any]] | None,
              text: str = "") -> list[str]:
    """The codes of a wrong line: the bank's step rules, then (where the line's form is a step's,
    not the line before with something applied to it) the final-answer mistakes it shows."""
    codes: list[str] = []
    for rule in judge.question.step_mistakes:
        if rule["rule"] == "agrees_only_where" and _only_where(judge, prev, cur, rule.get("indices", [])) \
                and _differs_by(judge, prev, cur, rule.get("difference")):
            codes.append(rule["code"])
        elif rule["rule"] == "chain_rule_dropped":
            # the inner derivative dropped, or a defined entry differentiated as the variable's own
            for wrong in (judge.valued(prev_text, naive=True), _as_own_variable(judge, prev_text)):
                if wrong is not None and wrong.values and wrong.values != prev.values \
                        and judge.compare(wrong, cur).verdict == "ok":
                    codes.append(rule["code"])
                    break
    if codes or judge.question.vector:
        return codes or (["sign_flipped"] if _ratio_is(judge, prev, cur, -1) and _has(judge, "sign_flipped") else [])
    if applied_to_whole(prev_text, text):
        return []
    return _final_mistakes(judge, prev, cur, starts)


def applied_to_whole(prev_text: str, text: str) -> bool:
    """Whether a line is the line before with a factor, a divisor or a term put to the whole of it
    (``d sigma^2/2 * 2``, ``2 (E[y^2])``, ``E[y^2] + 1``): the student did something else than a
    step's known mistake, whose value the line may still have. Compared as read (plain spelling,
    spaces dropped)."""
    if not prev_text.strip() or not text.strip():
        return False
    try:
        before, now = (re.sub(r"\s+", "", plain_line(t)[0]) for t in (prev_text, text))
    except AnswerError:
        return False
    if len(before) < 2 or before == now or before not in now:
        return False
    if f"({before})" in now:
        return True
    head, tail = now.startswith(before), now.endswith(before)
    return (head and now[len(before)] in "*/+-") or (tail and (now[-len(before) - 1] in "*+-" or
                                                               now[:-len(before)].replace(".", "").isdigit()))

def _dependents(model: Model, vector: str) -> set[str]:
    """The defined families whose definition depends on ``vector`` (through other definitions too)."""
    found: set[str] = set()
    while True:
        more = {d.name for d in model.definitions if d.index and d.name not in found and any(
            re.search(rf"(?<![A-Za-z0-9]){n}(?![A-Za-z0-9])", d.text) for n in (vector, *found))}
        if not more:
            return found
        found |= more


def _as_own_variable(judge: Judge, prev_text: str) -> Valued | None:
    """The line before with every derivative taken as if a defined family's entry were the
    variable's own entry (``dz_i/dx_j`` = delta_ij, ``d/dx_j log z_i`` = delta_ij / z_i): the chain
    rule through the definition (the softmax's own dependence on x) dropped. None when the line
    has no such derivative or cannot be valued."""
    try:
        expr = read_line(judge.model, prev_text, judge.limits, equation=judge.equation).expr
    except AnswerError:
        return None
    changed = False

    def own(d: sp.Derivative) -> sp.Expr:
        nonlocal changed
        if len(d.variables) != 1 or not isinstance(d.variables[0], sp.Indexed):
            return d
        wrt = d.variables[0]
        inner = _dependents(judge.model, str(wrt.base))
        entries = [e for e in d.expr.atoms(sp.Indexed) if str(e.base) in inner and len(e.indices) == 1]
        if not entries:
            return d
        changed = True
        return sp.diff(d.expr, wrt) + sp.Add(*(sp.diff(d.expr, e) * sp.KroneckerDelta(e.indices[0], wrt.indices[0])
                                               for e in entries))

    expr = expr.replace(lambda e: isinstance(e, sp.Derivative), own)
    if not changed:
        return None
    try:
        return Valued([judge._generic(unit, expr).xreplace(point.vectors)
                       for unit, point in zip(judge.units, judge.points, strict=True)])
    except (Unsupported, NotBound, ValueError, TypeError, ZeroDivisionError, NotImplementedError, RecursionError,
            AttributeError, KeyError, IndexError):
        return None


def _has(judge: Judge, code: str) -> bool:
    return any(m.code == code for m in judge.question.mistakes)

def _only_where(judge: Judge, prev: Valued, cur: Valued, pair: list[str]) -> bool:
    if len(pair) != 2:
        return False
    inside = outside = False
    for point, a, b in zip(judge.points, prev.values, cur.values, strict=True):
        equal = _same(a, b, set(), 0)[0]
        on = point.free.get(pair[0]) == point.free.get(pair[1])
        if on and equal is not True:
            return False
        inside |= on
        outside |= (not on) and equal is False
    return inside and outside

def _differs_by(judge: Judge, prev: Valued, cur: Valued, text: str | None) -> bool:
    """Whether (this line - the previous one) is a constant multiple of ``text`` valued at the
    points (a step mistake's signature, e.g. y_j - 1 for the one-hot sum dropped); True
    when the rule names none."""
    if not text:
        return True
    shape = judge.valued(text)
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

def _ratio_is(judge: Judge, prev: Valued, cur: Valued, r: float) -> bool:
    try:
        return all(abs(float(sp.N(b, 20)) - r * float(sp.N(a, 20))) <= 1e-9 * (1 + abs(float(sp.N(a, 20))))
                   for a, b in zip(prev.values, cur.values, strict=True))
    except (TypeError, ValueError):
        return False

def _final_mistakes(judge: Judge, prev: Valued, cur: Valued, starts: list[list[Any]] | None) -> list[str]:
    q = judge.question
    codes: list[str] = []
    for m in q.mistakes:
        ratio_ok = absolute_ok = True
        for k in range(len(judge.points)):
            subs = judge.named(k)
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
