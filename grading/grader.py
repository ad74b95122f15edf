"""Grading one answer: parse, decide, diagnose, back a "wrong" with a counterexample.

``check(question, answer)`` returns the record of docs/interface.md: verdict (correct, incorrect, invalid,
undecided), score, diagnosis codes, feedback, the parsed expression, and for a wrong answer a
point where it differs from the reference, with the simulated measurement there when the
question has a simulation.
"""
from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp

from derivcheck.derivations.claim import to_latex

from .bank import Question
from .equivalence import (
    Decision,
    OutOfTime,
    _value,
    budget,
    decide,
    fmt,
    fmt_pair,
    fmt_point,
    overflows,
    telling_counterexample,
    varying_counterexample,
)
from .limits import DEFAULT, Limits
from .lines import judges_working
from .mistakes import constant, diagnose
from .numeric import Unsupported
from .reader import Parsed, Statement, read_statement
from .steps import is_derivation
from .symbolic import X, Y

if TYPE_CHECKING:
    from derivcheck.simulations.verification import Measurement

GENERIC = ("sign_flipped", "constant_factor", "additive_constant", "wrong_log_base")
#: ``e`` standing alone in an answer: Euler's number, often typed for epsilon.
LONE_E = re.compile(r"(?<![A-Za-z\\_])e(?![A-Za-z_(])")


def check(question: Question, answer: str, limits: Limits = DEFAULT, evidence: bool = True) -> dict[str, Any]:
    """Grade ``answer`` to ``question``; never raises on bad input.

    The reference is the bank's, already read and evaluated, so a failure inside SymPy or mpmath
    while grading is the answer's doing: the verdict is ``invalid`` with the reason (score 0),
    never ``undecided``, so one answer can never take a batch down nor earn a point.
    """
    try:
        equation = question.unknown is not None
        if judges_working(question) and isinstance(answer, str) and is_derivation(answer, equation):
            from .derivation import check_derivation

            start = time.perf_counter()
            # its lines are read with the sheet's variables it names, as its final statement is
            working = question.widened(question.sheet_variables_in(answer))
            return _finish(check_derivation(working, answer, lambda text: _check(question, text, limits, evidence),
                                            limits), start)
        return _check(question, answer, limits, evidence)
    except (RecursionError, MemoryError, OverflowError, ValueError, TypeError, ZeroDivisionError,
            AttributeError, NotImplementedError, IndexError, KeyError, ArithmeticError) as err:
        return {"question": question.id, "answer": answer, "verdict": "invalid", "score": 0.0,
                "diagnoses": [], "parsed": None, "status": "invalid",
                "feedback": f"This answer cannot be graded ({type(err).__name__}: {str(err)[:200]}).",
                "elapsed_ms": None}


def undecided(question_id: str, answer: str, reason: str) -> dict[str, Any]:
    """The undecided record (docs/interface.md): score 0 and a review flag, until a person decides."""
    return {"question": question_id, "answer": answer, "verdict": "undecided", "score": 0.0, "review": True,
            "diagnoses": [], "parsed": None, "status": "undecided",
            "feedback": f"Could not decide ({reason}); flagged for a person to read (0 points until then)."}


def _check(question: Question, answer: str, limits: Limits, evidence: bool) -> dict[str, Any]:
    start = time.perf_counter()
    record: dict[str, Any] = {"question": question.id, "answer": answer}
    statement = read_statement(question, answer, limits)
    parsed = statement.answer
    if parsed is None:
        from .derivation import decide_under_model

        # one reader: a statement read under the question's model, not in its own names (a name the
        # model defines, a sum over its indices), is decided as a line is, against the asked quantity
        try:
            with budget(limits.seconds):  # the CPU a worker grants an answer: in-process alike
                under_model = decide_under_model(question, answer, limits) if judges_working(question) else None
        except OutOfTime:
            under_model = {"verdict": "undecided", "score": 0.0, "review": True, "diagnoses": [], "parsed": None,
                           "status": "timeout", "feedback": f"Could not decide (no decision within {limits.seconds:g} "
                                                            "s of CPU time); flagged for a person to read (0 points "
                                                            "until then)."}
        if under_model is not None and question.stability and under_model.get("verdict") == "correct":
            # a name the model defines (s = sigmoid(t), L) hides the exponentials whose arguments the
            # question asks about: the form's stability cannot be checked, so it earns nothing
            under_model = {**under_model, "verdict": "invalid", "score": 0.0, "status": "invalid", "feedback": (
                f"This question asks for a form whose exp never receives a positive argument, written in "
                f"{', '.join(sorted(question.variables))}; a name the model defines hides the exponentials, so "
                f"the form's stability cannot be checked. Write it out in those names.")}
        if under_model is not None:
            return _finish(record | under_model, start)
        widened = with_sheet_variables(question, statement, answer, limits)
        if widened is None:
            record.update(verdict="invalid", score=0.0, diagnoses=[], feedback=statement.error(final=True).message,
                          parsed=None)
            return _finish(record, start)
        question, parsed = widened
    expr = parsed.expr
    record["parsed"] = sp.sstr(expr)
    record["read"] = as_read(expr)
    record["latex"] = to_latex(expr)
    decision = decide(expr, question.reference, question.domain, vector=question.vector)
    note = parsed.note
    if decision.status == "counterexample":
        for alternative, alt_note in question.alternatives:
            alt = decide(expr, alternative, question.domain, vector=question.vector)
            if alt.equivalent:
                decision, note = alt, f"{note}; also right: {alt_note}".strip("; ")
                break
    if decision.status == "counterexample":
        named = _named_back(question, expr, limits)
        if named is not None:
            decision, expr = decide(named, question.reference, question.domain), named
    written = _written_out(question, expr, limits) if decision.status == "counterexample" else None
    if written is not None and written[1].status == "counterexample":
        decision = written[1]  # its point keeps s = sigmoid(t): never a point where s and t disagree
    if decision.equivalent and question.stability and overflows(
            expr, domain=None if question.vector else question.domain):
        overflow = _overflow_example(expr, question)
        record.update(verdict="incorrect", score=0.0, diagnoses=["not_stable"], counterexample=overflow,
                      feedback=_instability(question, overflow))
    elif decision.equivalent:
        record.update(verdict="correct", score=1.0, diagnoses=[],
                      feedback=f"Correct ({decision.status}: {decision.message})."
                      + (f" Note: {note}." if note else ""))
    elif written is not None and written[1].equivalent:
        record.update(verdict="correct", score=1.0, diagnoses=[], status=written[1].status, feedback=(
            f"Correct ({written[1].status}: equal to the reference once {written[0]} is put in). Note: it is "
            f"written in {', '.join(sorted(map(str, expr.free_symbols)))}; the question asks for "
            f"{question.syntax or 'it in its own names'}."))
    elif decision.status == "counterexample":
        codes = diagnose(question, expr)
        record.update(verdict="incorrect", score=0.0, diagnoses=codes)
        example, missing = decision.counterexample, ""
        foreign = sorted((s for s in expr.free_symbols if s.name in question.sheet_variables), key=str)
        if foreign:  # a variable of the sheet the reference does not depend on: two of its values
            example = varying_counterexample(expr, question.reference, question.domain, foreign[0]) or example
        elif not question.vector and question.mistakes and written is None:
            telling = telling_counterexample(expr, question.reference,
                                             tuple(m.formula for m in question.mistakes), question.domain)
            example = telling or example
        if evidence and not foreign:
            # evidence restates a decided verdict; whatever goes wrong in it never changes that verdict
            with contextlib.suppress(ArithmeticError, ValueError, TypeError, RecursionError, Unsupported):
                simulated, missing = _with_simulation(question, expr)
                example = simulated or example
        record["counterexample"] = example
        record["feedback"] = f"{incorrect_feedback(question, expr, codes, example)} {missing}".strip()
        if foreign:
            record["feedback"] = f"{_foreign_feedback(question, foreign)} {record['feedback']}"
        if "eps" in question.vocab.symbols and expr.has(sp.E) and LONE_E.search(parsed.plain):
            record["feedback"] += (" Note: e is Euler's number (2.71828...); for epsilon write eps, "
                                   "ε or \\varepsilon.")
    else:
        record.update(verdict="undecided", score=0.0, review=True, diagnoses=[],
                      feedback=f"Could not decide ({decision.message}); flagged for a person to read "
                               "(0 points until then).")
    record["status"] = decision.status
    return _finish(record, start)


#: The reader's messages for a name the question does not declare (:meth:`.symbolic.Builder.unknown`)
#: and for a subscript on one (``n_in`` where only ``d`` is declared: the name before the subscript).
UNKNOWN_NAME = re.compile(r"unknown name '(?P<name>[^']+)'|'(?P<base>[^']+)' has no entries to subscript")
#: The sheet's variables one answer is read with at most.
MOST_SHEET_VARIABLES = 4


def with_sheet_variables(question: Question, statement: Statement, answer: str,
                         limits: Limits) -> tuple[Question, Parsed] | None:
    """An answer that reads only with names of the sheet's other questions (``n``, the batch size,
    in an answer to the weights count; :attr:`.bank.Question.sheet_variables`): (the question with
    each name the reader finds unknown that is such a variable declared too, the reading), or None
    when it names no such variable or still does not read (then the first reading's message
    stands). A name unknown to the whole sheet is never added; an unknown subscripted name
    (``n_in``) adds the sheet's variables of that base and a subscript (``n_in``, ``n_out``)."""
    added: list[str] = []
    error = statement.answer_error
    while error is not None and len(added) < MOST_SHEET_VARIABLES:
        found = UNKNOWN_NAME.match(str(error))
        if found is None:
            return None
        name, base = found.group("name"), found.group("base")
        new = [name] if name in question.sheet_variables else \
            [n for n in question.sheet_variables if base is not None and n.startswith(f"{base}_")]
        if not new or set(new) <= set(added):
            return None
        added.extend(n for n in new if n not in added)
        widened = question.widened(added)
        again = read_statement(widened, answer, limits)
        if again.answer is not None:  # n C_in C_out k^2 / n: n cancels, the reading stands
            used = [n for n in added if widened.vocab.symbols[n] in again.answer.expr.free_symbols]
            return question.widened(used), again.answer  # the point shows the names the answer holds
        error = again.answer_error
    return None


def _foreign_feedback(question: Question, foreign: list[sp.Symbol]) -> str:
    """Why an answer that depends on the sheet's other variables is wrong."""
    names = ", ".join(s.name for s in foreign)
    own = ", ".join(sorted(question.variables)) or "none"
    which = "a variable of another question" if len(foreign) == 1 else "variables of other questions"
    return (f"Your answer depends on {names}, {which} of the sheet; the answer to this question does not "
            f"(its variables: {own}).")


def as_read(expr: sp.Basic) -> str:
    """The answer as the grader understood it, for a person to audit: SymPy's reading with ^ for
    powers (``d*sigma^2/2``)."""
    return sp.sstr(expr).replace("**", "^")


def incorrect_feedback(question: Question, expr: sp.Expr, codes: list[str], example: dict | None) -> str:
    """The feedback on a wrong answer: what its diagnosis says, then where it differs."""
    text = _feedback(question, codes) or _generic_feedback(question, expr, codes)
    return f"{text} {_describe(example)}".strip()


def warm(question: Question) -> None:
    """Evaluate the question's reference, alternatives and mistakes at the sample points now
    (e.g. in a parent process before it forks its workers, which then share the tables)."""
    from .equivalence import _domain_key, _reference_table

    key = _domain_key(question.domain)
    for expr in (question.reference, *(a for a, _ in question.alternatives), *(m.formula for m in question.mistakes)):
        with contextlib.suppress(Exception):  # warming is an optimisation only
            _reference_table(expr, key, question.vector)


def _finish(record: dict, start: float) -> dict:
    """The record as strict JSON data (non-finite numbers as "inf"/"nan", complex as {re, im})."""
    from derivcheck.store import jsonable

    record["elapsed_ms"] = round(1000 * (time.perf_counter() - start), 2)
    return jsonable(record)


def _named_back(question: Question, expr: sp.Expr, limits: Limits) -> sp.Expr | None:
    """``expr`` with the model's definition of each question variable it defines (s = sigmoid(t))
    put back as that variable wherever it holds it, powers included: ``sigma(t)(1 - sigma(t))``
    and ``sigma(t) - sigma(t)^2`` are ``s(1 - s)`` and ``s - s^2``; ``e^{-t}/(1 + e^{-t})^2``
    stays in t. None when nothing was put back (a vector question, no such definition)."""
    out = expr
    for symbol, definition in _definitions(question, limits).items():
        out = out.subs(definition, symbol)
    return None if out == expr else out


def _definitions(question: Question, limits: Limits) -> dict[sp.Symbol, sp.Expr]:
    """The model's definition of each question variable it defines (``s: sigmoid(t)``), read as
    the answers are; empty for a vector question or one without a model."""
    model = question.model
    out: dict[sp.Symbol, sp.Expr] = {}
    if model is None or question.vector:
        return out
    for d in model.definitions:
        symbol = question.vocab.symbols.get(d.name)
        if d.index is not None or symbol is None or d.name in model.parameters:
            continue
        definition = read_statement(question, d.text, limits).answer
        if definition is not None and not definition.expr.is_Atom:
            out[symbol] = definition.expr
    return out


def _written_out(question: Question, expr: sp.Expr, limits: Limits) -> tuple[str, Decision] | None:
    """An answer that differs from the reference with the question's variables independent, but
    holds a name the model's definitions are made of (t in s = sigmoid(t)), decided again with
    the definitions put in on both sides: (the definitions, ``s = 1/(1 + exp(-t))``, that
    decision), or None when the answer holds no such name. Equal so (``e^t/(1 + e^t) - y`` for
    ``s - y``), its value is right (``correct``, with a note that it is not written in the asked
    names); apart, the decision's point is one where s and t agree, never a refutation by
    s = 0.1, t = 2."""
    definitions = _definitions(question, limits)
    inner = {x for d in definitions.values() for x in d.free_symbols}
    if not expr.free_symbols & inner:
        return None
    decision = decide(expr.subs(definitions), question.reference.subs(definitions), question.domain)
    at = (decision.counterexample or {}).get("at")
    if at:  # the defined names at their values there (s = sigmoid(t)), not at the domain's own point
        values = {x: at[x.name] for x in inner if x.name in at}
        at.update({k.name: float(v.subs(values)) for k, v in definitions.items() if v.free_symbols <= set(values)})
    return ", ".join(f"{k} = {sp.sstr(v)}" for k, v in definitions.items()), decision


def _feedback(question: Question, codes: list[str]) -> str:
    texts = [m.feedback for m in question.mistakes if m.code in codes and m.feedback]
    return " ".join(dict.fromkeys(texts))


def _generic_feedback(question: Question, expr: sp.Expr, codes: list[str]) -> str:
    if "sign_flipped" in codes:
        return "Your answer has the wrong sign."
    if "wrong_log_base" in codes:
        return "Your logarithm has the wrong base: the natural logarithm (log, ln) is meant here."
    if "constant_factor" in codes and question.vector:
        return "Your answer is a constant multiple of the reference: check the constant factors."
    if "constant_factor" in codes and not question.vector:
        ratio = constant(expr / question.reference, question.domain)
        factor = f"{sp.sstr(ratio)}x" if isinstance(ratio, sp.Rational) else f"{sp.sstr(ratio)} times"
        return f"Your answer is {factor} the reference: check the constant factors."
    if "additive_constant" in codes:
        shift = constant(expr - question.reference, question.domain)
        return f"Your answer differs from the reference by the constant {sp.sstr(shift)}."
    if codes:
        return ""
    return "This does not match the derived answer."


def _describe(example: dict | None) -> str:
    if not example:
        return ""
    at = ", ".join(f"{k} = {fmt_point(v)}" for k, v in example.get("at", {}).items())
    where = f"For example at {at}: your" if at else "Your"
    answer, reference = fmt_pair(example["answer_value"], example["reference_value"])
    text = f"{where} answer gives {answer}, the reference {reference}."
    if "difference" in example:  # equal in every digit shown: how far apart they are
        text = text[:-1] + f"; they differ by {fmt(example['difference'])}."
    varying = example.get("varying")
    if varying:
        text += (f" With {varying['name']} = {fmt_point(varying['value'])} instead, your answer gives "
                 f"{fmt(varying['answer_value'])}.")
    largest = example.get("largest_exp_argument")
    if isinstance(largest, float) and largest > 0:
        text += f" There exp receives {fmt(largest)} (a positive argument)."
    sim = example.get("simulated")
    if sim:
        lo, hi = sim["interval"]
        text += f" The simulation measured {sim['quantity']} = {fmt(sim['estimate'])} " \
                f"(interval [{fmt(lo)}, {fmt(hi)}])."
    return text


def _instability(question: Question, example: dict) -> str:
    """What is unstable, as it is: a positive argument to exp (the bank's ``not_stable`` words,
    which speak of overflow), or, with none, every exp underflowing to 0 (0/0)."""
    largest = example.get("largest_exp_argument")
    finite = all(isinstance(v, float) and math.isfinite(v) for v in example.get("answer_value", []))
    if not question.vector:
        return (_feedback(question, ["not_stable"]) or "Equal, but exp receives a positive argument, which "
                "overflows for large arguments.") + " In float64: " + _describe(example)
    if isinstance(largest, float) and largest > 0 and finite:
        at = ", ".join(f"{k} = {fmt(v)}" for k, v in example.get("at", {}).items())
        return (f"This equals the reference, but exp receives a positive argument (up to {fmt(largest)} at {at}), "
                "which the question rules out. The shift keeps it small, so it does not overflow here, but "
                "subtract exactly max_j x_j so that every argument is at most 0.")
    if isinstance(largest, float) and largest > 0:
        return (_feedback(question, ["not_stable"]) or "Equal, but exp receives a positive argument, which "
                "overflows for large logits.") + " In float64: " + _describe(example)
    return ("This equals the reference, but exp never receives a positive argument and still fails: for some "
            "logits every exp underflows to 0, so the result is 0/0 (NaN). In float64: " + _describe(example)
            + " Shift by max_j x_j, so that the largest term is exp(0) = 1.")


def _overflow_example(expr: sp.Expr, question: Question) -> dict:
    import numpy as np

    from .equivalence import evaluate_answer, scalar_unstable_at, unstable_at
    from .numeric import NP

    if not question.vector:
        where = scalar_unstable_at(expr, question.domain)
        point, top = where if where is not None else ({}, float("nan"))
        with np.errstate(all="ignore"):
            value = evaluate_answer(expr, point, NP())
            ref = evaluate_answer(question.reference, point, NP())
        return {"at": {s.name: v for s, v in point.items()}, "answer_value": [float(v) for v in np.atleast_1d(value)],
                "reference_value": [float(v) for v in np.atleast_1d(ref)], "float64": True,
                "largest_exp_argument": top}
    found = unstable_at(expr)
    probe, largest = found if found is not None else (np.array([1000.0, 1001.0, 1002.0]), float("nan"))
    y = np.eye(len(probe))[0]
    with np.errstate(all="ignore"):
        # the probe spread out until the fault shows (a shift by min(x) overflows only for a wide spread)
        for factor in (1.0, 10.0, 100.0, 1000.0):
            x = probe * factor
            value = evaluate_answer(expr, {X: x, Y: y}, NP())
            if not np.all(np.isfinite(value)):
                break
        else:
            x = probe
            value = evaluate_answer(expr, {X: x, Y: y}, NP())
        ref = evaluate_answer(question.reference, {X: x, Y: y}, NP())
    return {"at": {"x": x.tolist()}, "answer_value": [float(v) for v in np.atleast_1d(value)],
            "reference_value": [float(v) for v in np.atleast_1d(ref)], "float64": True,
            "largest_exp_argument": largest}


# --- simulated evidence ----------------------------------------------------------------------

def value_pair(question: Question, expr: sp.Expr, values: Mapping[str, Any]) -> tuple[float, float] | None:
    """(answer, reference) at a point given by variable names, or None where undefined."""
    point = {question.vocab.symbols[k]: v for k, v in values.items() if k in question.vocab.symbols}
    try:
        with mpmath.workdps(30):
            a = _value(expr, point, 30)
            b = _value(question.reference, point, 30)
        return float(a), float(b)
    except (Unsupported, ZeroDivisionError, ValueError, TypeError):
        return None


def _with_simulation(question: Question, expr: sp.Expr) -> tuple[dict | None, str]:
    """(the counterexample at a simulated point or None, a note when evidence is missing), from
    the stored verification of the question's claim (computed once when missing, with torch)."""
    if not question.simulation or question.vector:
        return None, ""
    from derivcheck.simulations import recorded

    record = recorded(question.simulation, compute=False)  # a worker never simulates: see engine.check
    if record is None:
        return None, ("No simulation record is available to back this counterexample (it needs the "
                      "'sim' extra once: pip install 'derivcheck-ml[sim]', then `derivcheck verify`).")
    return simulated_counterexample(question, expr, record.measurements), ""


def simulated_counterexample(question: Question, expr: sp.Expr, measurements: Iterable[Measurement]) -> dict | None:
    """The first measurement where ``expr`` and the reference differ, confronted with ``expr``:
    the measured quantity there and whether it refutes ``expr`` (its interval excludes what
    ``expr`` predicts); None when no measurement tells them apart."""
    for m in measurements:
        pair = value_pair(question, expr, m.at)
        if pair is None:
            continue
        answer_value, reference_value = pair
        if abs(answer_value - reference_value) <= 1e-9 * max(1.0, abs(reference_value)):
            continue
        return {"at": dict(m.at), "answer_value": answer_value, "reference_value": reference_value,
                "simulated": m.confront(answer_value, reference_value)}
    return None
