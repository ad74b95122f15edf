"""``derivcheck questions``: the question bank (ids, variables, syntax, examples)."""
from __future__ import annotations

import argparse

from derivcheck import engine

from .common import emit_json, grading_options

NAME = "questions"
EXTRA: str | None = None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[grading_options(timeout=False)], help="list the question bank",
                       description="List the questions: id, prompt, variables with assumptions, answer "
                                   "syntax, example and the known mistakes it diagnoses.")
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    described = engine.questions(args.bank, sheet=args.sheet)
    if args.json:
        emit_json({"questions": described})
        return 0
    for q in described:
        print(f"{q['id']}: {q['prompt']}")
        print("  variables: " + ", ".join(f"{k} ({v})" for k, v in q["variables"].items()))
        print(f"  syntax: {q['syntax']}")
        print(f"  example: {q['example']}")
        for working in (q.get("derivations") or {}).get("examples") or []:
            print("  example working:\n" + "\n".join(f"    {line}" for line in working.splitlines()))
        if q["diagnoses"]:
            print("  known mistakes: " + ", ".join(q["diagnoses"]))
        print()
    return 0
