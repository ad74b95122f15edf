"""``derivcheck check``: grade one answer, as text or the JSON record."""
from __future__ import annotations

import argparse

from derivcheck import engine

from .common import emit_json, grading_options

NAME = "check"
EXTRA: str | None = None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[grading_options()], help="grade one answer",
                       description="Grade one answer, typed (d*sigma^2/2, σ²d/2) or LaTeX "
                                   "(\\frac{d\\sigma^2}{2}). Verdict: correct, incorrect (with the "
                                   "known mistake it matches and a counterexample, simulated where the "
                                   "question has a simulation), invalid (unreadable, unsafe, too large) "
                                   "or undecided (time or size limit; never counted as wrong). Exit "
                                   "status 0 when correct, 1 otherwise, 2 on bad usage.")
    p.add_argument("question", help="question id, see `derivcheck questions`")
    p.add_argument("answer", help="the answer as typed")
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    record = engine.check(args.question, args.answer, bank=args.bank, timeout=args.timeout)
    status = 0 if record["verdict"] == "correct" else 1  # the interface: 1 when the answer is not correct
    if args.json:
        emit_json(record)
        return status
    from derivcheck.grading.errors import printable

    diagnoses = f"  [{', '.join(record['diagnoses'])}]" if record["diagnoses"] else ""
    print(record["verdict"].upper() + diagnoses + ("  (review: 0 points until a person decides)"
                                                   if record.get("review") else ""))
    if record.get("parsed"):
        print(f"  read as: {printable(record['parsed'])}")
    print(f"  {printable(record['feedback'])}")
    return status
