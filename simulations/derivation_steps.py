"""The derivations' own steps, judged by derivcheck's line checker: the judge students' working gets.

For each claim the built-in sheets' first question whose reference is that claim, and whose model says what its
lines may name, judges the steps as a student's working would be judged (``grading.derivation``'s
public entry, called in :func:`_judge` and nowhere else):

- a question asking for a value (``Var[y]``, a gradient, a count): each step ``lhs = rhs`` on its
  own, as one line holding a chain, whose link must be ``ok``;
- an equation question (solve for sigma): the steps, one per line, each line judged against the
  one before (same solutions).

A step is *true* when every judged line of it is ``start`` or ``ok``. A step the checker cannot
judge carries its reason (``Step.unjudged``) and is reported, not judged; a claim whose question's
model names nothing but the question's variables (the trivial model of a question that names no
model) reports every step so. ``verify`` fails a claim with a false step.

Needs the grading package (SymPy, lark); nothing here imports torch.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from derivcheck.derivations import derive

#: Verdicts of a line the checker finds true.
TRUE = ("start", "ok")


def _final(text: str) -> dict[str, Any]:
    """The final statement is not graded here: only the lines are."""
    return {"verdict": "correct", "score": 1.0}


def _judge(question: Any, working: str) -> list[dict[str, Any]]:
    """The line checker's records of ``working`` under ``question`` (the one call of grading)."""
    from derivcheck.grading.derivation import check_derivation

    return list(check_derivation(question, working, _final)["steps"])


@cache
def _questions() -> dict[str, Any]:
    """Claim id -> the first question checked against it that has a model for derivations, over
    the built-in sheets (the default sheet first): a claim's verification is the claim's own, the
    same whichever sheet a command names."""
    from derivcheck.grading.bank import load
    from derivcheck.grading.lines import judges_working
    from derivcheck.sheets import DEFAULT, builtin

    found: dict[str, Any] = {}
    for sheet_id in sorted(builtin(), key=lambda s: s != DEFAULT):
        for q in load(sheet_id).values():
            model = q.model
            # a model that says what the derivation's lines may name: more than the question's own
            # variables (a question that names no model has the trivial model of its variables)
            names = model is not None and bool(model.indices or model.random or model.vectors or model.free
                                               or model.definitions)
            if q.simulation and names and judges_working(q):
                found.setdefault(q.simulation, q)
    return found


@cache
def judged_steps(claim_id: str) -> tuple[dict[str, Any], ...]:
    """One record per step of ``claim_id``'s derivation: ``step`` (its number), ``latex``,
    ``verdict`` (``true``, ``false`` or ``unjudged``), ``lines`` (the checker's verdict per
    line) and ``why`` (the checker's note on a false step, the reason for an unjudged one)."""
    steps = derive(claim_id).steps
    question = _questions().get(claim_id)
    records: list[dict[str, Any]] = []
    if question is None:
        why = ("its question names no model in the bank (its trivial model has only the question's variables), "
               "so the line checker cannot read its steps")
        return tuple({"step": n, "latex": s.latex, "verdict": "unjudged", "lines": [], "why": s.unjudged or why}
                     for n, s in enumerate(steps))
    judged = [(n, s) for n, s in enumerate(steps) if not s.unjudged]
    if question.unknown is not None:
        lines = _judge(question, "\n".join(s.latex for _, s in judged)) if judged else []
        by_step = {n: [line] for (n, _), line in zip(judged, lines, strict=False)}
    else:
        by_step = {n: _judge(question, s.latex) for n, s in judged}
    for n, s in enumerate(steps):
        if s.unjudged:
            records.append({"step": n, "latex": s.latex, "verdict": "unjudged", "lines": [], "why": s.unjudged})
            continue
        lines = by_step.get(n, [])
        true = bool(lines) and all(line["verdict"] in TRUE for line in lines)
        note = next((line.get("note", "") for line in lines if line["verdict"] not in TRUE), "")
        records.append({"step": n, "latex": s.latex, "verdict": "true" if true else "false",
                        "lines": [line["verdict"] for line in lines], "why": note or ("" if true else "not judged")})
    return tuple(records)


def false_steps(claim_id: str) -> list[dict[str, Any]]:
    """The steps of ``claim_id`` the line checker finds false."""
    return [r for r in judged_steps(claim_id) if r["verdict"] == "false"]
