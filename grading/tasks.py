"""The units of work a sandboxed worker runs: one check, one equivalence. Plain functions of
picklable arguments, returning JSON-ready dicts; they never raise on bad input."""
from __future__ import annotations

from typing import Any

from .limits import DEFAULT, Limits


def check_task(bank_path: str | None, question_id: str, answer: str, evidence: bool = True,
               limits: Limits = DEFAULT) -> dict[str, Any]:
    """The one judgement of an answer: ``check``, ``grade``, the API, the page and Gradescope all
    run this (in a sandboxed worker) and pass its record on unchanged (:func:`outcome`)."""
    from .bank import load
    from .grader import check

    return check(load(bank_path)[question_id], answer, limits, evidence=evidence)


def outcome(question_id: str, answer: str, status: str, value: Any) -> dict[str, Any]:
    """The record of one sandboxed :func:`check_task`: its result, or ``undecided`` (score 0, review)
    when the worker ran out of time or died; every surface turns a sandbox result into a record here."""
    if status == "ok":
        return value
    from .grader import undecided

    return undecided(question_id, answer, str(value))


def equiv_task(student: str, teacher: str, assume: dict[str, str], limits: Limits = DEFAULT) -> dict[str, Any]:
    """docs/interface.md's equiv record (without the id); an input that breaks SymPy or mpmath is
    ``invalid`` with the reason, never an exception."""
    try:
        return _equiv(student, teacher, assume, limits)
    except (RecursionError, MemoryError, OverflowError, ValueError, TypeError, ZeroDivisionError,
            AttributeError, NotImplementedError, IndexError, KeyError, ArithmeticError) as err:
        return {"equivalent": None, "status": "invalid",
                "message": f"cannot be decided on this input ({type(err).__name__}: {str(err)[:200]})"}


def _equiv(student: str, teacher: str, assume: dict[str, str], limits: Limits) -> dict[str, Any]:
    import sympy as sp

    from .equations import compare
    from .equations import sides as equation_sides
    from .equivalence import Domain, decide
    from .errors import AnswerError
    from .reader import parse_answer
    from .symbolic import Vocabulary, symbol_for

    try:
        symbols = {name: symbol_for(name, kind) for name, kind in assume.items()}
    except ValueError as err:
        return {"equivalent": None, "status": "invalid", "message": str(err)}
    vocab = Vocabulary(symbols=symbols, open=True)
    equations = [equation_sides(text) for text in (student, teacher)]
    if (equations[0] is None) != (equations[1] is None):
        return {"equivalent": None, "status": "invalid",
                "message": "one side is an equation and the other is not: compare an equation with an equation"}
    parsed = {}
    for role, text, eq in (("student", student, equations[0]), ("teacher", teacher, equations[1])):
        try:
            if eq is None:
                parsed[role] = parse_answer(text, vocab, limits=limits).expr
            else:
                left, right = (parse_answer(side, vocab, limits=limits).expr for side in eq)
                parsed[role] = left - right
        except AnswerError as err:
            return {"equivalent": None, "status": "invalid", "message": f"{role}: {err.message}"}
    a, b = parsed["student"], parsed["teacher"]
    free = a.free_symbols | b.free_symbols
    kinds = {s: assume.get(s.name, "real") for s in free}
    # The same name typed twice must be one symbol: rebuild both with one set of symbols.
    canon = {s: symbol_for(s.name, kinds[s]) for s in free}
    a, b = a.xreplace(canon), b.xreplace(canon)
    domain = Domain({canon[s]: kinds[s] for s in free})
    decision = compare(a, b, domain) if equations[0] is not None else decide(a, b, domain)
    record: dict[str, Any] = {"equivalent": decision.equivalent, "status": decision.status,
                              "message": decision.message}
    if decision.counterexample:
        record["counterexample"] = decision.counterexample
    record["parsed"] = [sp.sstr(a), sp.sstr(b)]
    return record
