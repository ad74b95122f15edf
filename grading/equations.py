"""Equations compared by their solution sets, as STACK's ATEquation: ``l1 = r1`` and ``l2 = r2``
are equivalent when ``l1 - r1`` is a non-zero constant multiple of ``l2 - r2`` (``x + y = 1`` and
``y = 1 - x``; ``2x = 2`` and ``x = 1``). A factor that is not constant (``a x = a y`` against
``x = y``, factor ``a``) changes the solution set where it vanishes: there the one equation holds
and the other need not, which is shown as the counterexample."""
from __future__ import annotations

import random
import re

import sympy as sp

from .equivalence import Decision, Domain, OutOfTime, budget, decide, sample
from .reader import split_equals

_EQ = re.compile(r"^\s*Eq\s*\((.*)\)\s*$", re.DOTALL)


def sides(text: str) -> tuple[str, str] | None:
    """The two sides of an equation typed as ``l = r`` or ``Eq(l, r)``, or None."""
    m = _EQ.match(text)
    if m:
        inner, depth = m.group(1), 0
        for pos, ch in enumerate(inner):
            depth += ch in "([{"
            depth -= ch in ")]}"
            if ch == "," and depth == 0:
                return inner[:pos], inner[pos + 1:]
        return None
    parts = split_equals(text)
    return (parts[0][0], parts[1][0]) if len(parts) == 2 else None


def compare(student: sp.Expr, teacher: sp.Expr, domain: Domain, seconds: float = 2.0) -> Decision:
    """Whether ``student = 0`` and ``teacher = 0`` (each an equation moved to one side) have
    the same solutions: proven for a constant factor, a counterexample where a factor vanishes."""
    if student == 0 or teacher == 0:
        same = student == teacher
        return Decision("proven" if same else "counterexample",
                        "both equations hold everywhere" if same
                        else "one equation holds everywhere, the other does not")
    try:
        with budget(seconds):
            ratio = sp.factor(sp.cancel(sp.together(student / teacher)))
    except (OutOfTime, RecursionError):
        return Decision("undecided", "could not compare the equations within the time limit")
    if not ratio.free_symbols:
        if ratio.is_zero is False and ratio.is_finite:
            return Decision("proven", f"the equations differ by the constant factor {sp.sstr(ratio)[:60]}")
        return Decision("undecided", "could not tell whether the factor between the equations is 0")
    numeric = decide(student, teacher * _constant_of(ratio, domain), domain, prove_seconds=0)
    if numeric.equivalent:
        return Decision("numeric", "the equations differ by a constant factor at every sample point")
    return _where_factor_vanishes(student, teacher, ratio, domain, seconds)


def _constant_of(ratio: sp.Expr, domain: Domain) -> sp.Expr:
    """The value of ``ratio`` at one sample point (a constant ratio has it everywhere)."""
    rng = random.Random(1)
    point = {s: sample(domain.kinds.get(s, "real"), rng) for s in ratio.free_symbols}
    return ratio.xreplace({s: sp.nsimplify(v) for s, v in point.items()})


def _where_factor_vanishes(student: sp.Expr, teacher: sp.Expr, ratio: sp.Expr, domain: Domain,
                           seconds: float) -> Decision:
    """A point where the factor (its numerator or denominator) is 0 and exactly one equation holds."""
    numerator, denominator = sp.fraction(ratio)
    rng = random.Random(2)
    for factor in (numerator, denominator):
        for symbol in sorted(factor.free_symbols, key=str):
            try:
                with budget(seconds):
                    roots = sp.solve(factor, symbol)
            except (OutOfTime, RecursionError, NotImplementedError, ValueError, TypeError):
                continue
            for root in roots[:3]:
                for _ in range(4):
                    others = {s: sp.nsimplify(sample(domain.kinds.get(s, "real"), rng))
                              for s in (student.free_symbols | teacher.free_symbols) - {symbol}}
                    value = root.xreplace(others)
                    if not value.is_real:
                        continue
                    at = {**others, symbol: value}
                    s_val, t_val = sp.N(student.xreplace(at), 30), sp.N(teacher.xreplace(at), 30)
                    if (abs(s_val) < 1e-25) != (abs(t_val) < 1e-25):
                        return Decision("counterexample", f"the solution sets differ where {sp.sstr(factor)} = 0",
                                        {"at": {str(k): float(v) for k, v in at.items()},
                                         "answer_value": f"{'holds' if abs(s_val) < 1e-25 else 'fails'}",
                                         "reference_value": f"{'holds' if abs(t_val) < 1e-25 else 'fails'}"})
    return Decision("undecided", "the equations differ by a factor that is not constant; their solution "
                                 "sets were not compared")
