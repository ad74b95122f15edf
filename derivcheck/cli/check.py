"""``derivcheck check``: grade one answer, as text or the JSON record."""
from __future__ import annotations

import argparse
import sys

from derivcheck import engine

from .common import HelpFormatter, UsageError, emit_json, grading_options

NAME = "check"
EXTRA: str | None = None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[grading_options()], help="grade one answer",
                       description="Grade one answer, typed (d*sigma^2/2, σ²d/2) or LaTeX "
                                   "(\\frac{d\\sigma^2}{2}). Verdict: correct, incorrect (with the "
                                   "known mistake it matches and a counterexample, simulated where the "
                                   "question has a simulation), invalid (unreadable, unsafe, too large) "
                                   "or undecided (time or size limit; never counted as wrong). A derivation "
                                   "(several lines, --file, or one line holding a chain a = b = c) is "
                                   "judged line by line: line 0 names the quantity, each later line starts "
                                   "with '=' and must equal the line before under the question's model; "
                                   "'# why' at the end of a line is a justification. Exit status 0 when "
                                   "correct, 1 otherwise, 2 on bad usage.",
                       epilog="examples:\n  derivcheck check p2.variance 'd*sigma^2/2'\n"
                              "  derivcheck check p2.variance --file working.txt --json\n"
                              "  printf 'Var[y]\\n= d sigma^2 E[ReLU(z)^2]\\n= d sigma^2/2\\n' | "
                              "derivcheck check p2.variance --file -",
                       formatter_class=HelpFormatter)
    p.add_argument("question", help="the question's id, e.g. p2.variance (`derivcheck questions` lists them)")
    p.add_argument("answer", nargs="?", help="the answer as a student typed it, plain or LaTeX (or use --file)")
    p.add_argument("--file", metavar="FILE", help="read the answer (a derivation: one step a line) from FILE; "
                                                   "- reads standard input")
    p.set_defaults(run=run, extra=EXTRA)


def _answer(args: argparse.Namespace) -> str:
    if args.file is not None and args.answer is not None:
        raise UsageError("give the answer or --file FILE, not both")
    if args.file is None:
        if args.answer is None:
            raise UsageError("give the answer, or --file FILE with the derivation (- for standard input)")
        return str(args.answer)
    try:
        if args.file == "-":
            return sys.stdin.read()
        with open(args.file, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{args.file}: cannot read ({getattr(err, 'strerror', None) or err})") from None


def run(args: argparse.Namespace) -> int:
    record = engine.check(args.question, _answer(args), bank=args.bank, sheet=args.sheet, timeout=args.timeout)
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
    for n, step in enumerate(record.get("steps") or []):
        mark = {"ok": "ok", "start": "  ", "wrong": "WRONG", "invalid": "?", "undecided": "~"}.get(step["verdict"], "")
        print(f"  {n:>2} {mark:>5}  {printable(step['line'])}")
        if step["verdict"] not in ("ok", "start") and step.get("note"):
            print(f"           {printable(step['note'])}")
    print(f"  {printable(record['feedback'])}")
    return status
