"""``derivcheck equiv``: decide whether two expressions are equal (one pair, or a JSONL batch)."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from derivcheck import engine

from .common import UsageError, emit_json, grading_options, workers_option

NAME = "equiv"
EXTRA: str | None = None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[grading_options(bank=False), workers_option()],
                       help="decide whether two expressions are equal",
                       description="Decide STUDENT == TEACHER: numeric refutation at 50 digits, then a "
                                   "symbolic proof. Status proven, numeric, counterexample, invalid or "
                                   "undecided. Names default to real; --assume NAME=KIND changes that "
                                   "(real, positive, nonnegative, negative, integer, positive_integer, "
                                   "complex, interval(a,b)).")
    p.add_argument("student", nargs="?", help="the expression to test, plain or LaTeX (e.g. 'sqrt(x^2)')")
    p.add_argument("teacher", nargs="?", help="the reference expression it should equal (e.g. 'x')")
    p.add_argument("--assume", action="append", default=[], metavar="NAME=KIND",
                   help="what a name ranges over, one option per name (e.g. --assume x=positive); names not "
                        "given are real")
    p.add_argument("--batch", metavar="FILE.jsonl",
                   help='decide many pairs: one JSON object a line, {"id", "student", "teacher", "assume": '
                        '{NAME: KIND}}; one JSON line out per line in, in order; - reads standard input')
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    if args.batch:
        return _batch(args)
    if args.student is None or args.teacher is None:
        raise UsageError("give STUDENT and TEACHER expressions (or --batch FILE.jsonl)")
    record = engine.equiv(args.student, args.teacher, assumptions(args.assume), timeout=args.timeout)
    if args.json:
        emit_json(record)
    else:
        from derivcheck.grading.errors import printable

        print(printable(f"{record['status']}: {record['message']}"))
        if record.get("counterexample"):
            c = record["counterexample"]
            print(printable(f"  at {c['at']}: student {c['answer_value']}, teacher {c['reference_value']}"))
    return 0


def _batch(args: argparse.Namespace) -> int:
    if args.student or args.teacher:
        raise UsageError("give either STUDENT TEACHER or --batch FILE, not both")
    engine.limits(args.timeout)  # a bad --timeout is reported before the input is opened
    try:
        handle = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
    except OSError as err:
        raise UsageError(f"{args.batch}: cannot read ({err.strerror})") from err
    with handle:
        engine.equiv_lines(handle, workers=args.workers, timeout=args.timeout)
    return 0


def assumptions(items: Sequence[str]) -> dict[str, str]:
    """``--assume NAME=KIND`` options as {name: kind}, each kind checked."""
    out = {}
    for item in items:
        name, sep, kind = item.partition("=")
        name, kind = name.strip(), kind.strip()
        if not sep or not name or not kind:
            raise UsageError(f"--assume {item!r}: write NAME=KIND, e.g. x=positive")
        engine.check_assumption(name, kind)
        out[name] = kind
    return out
