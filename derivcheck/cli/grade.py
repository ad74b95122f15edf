"""``derivcheck grade``: grade a CSV of answers (optionally into Gradescope's format)."""
from __future__ import annotations

import argparse
import sys

from derivcheck import engine
from derivcheck.errors import InputError

from .common import emit_json, grading_options, workers_option

NAME = "grade"
EXTRA: str | None = None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[grading_options(), workers_option()], help="grade a CSV of answers",
                       description="Grade SUBMISSIONS.csv (columns student_id,question,answer) into "
                                   "RESULTS.csv (adds verdict,score,diagnoses,feedback). Rows are written "
                                   "as they are decided; a re-run resumes where a killed run stopped.")
    p.add_argument("submissions", help="the answers: a CSV with columns student_id,question,answer (a cell with "
                                       "line breaks is a derivation)")
    p.add_argument("-o", "--output", required=True, metavar="RESULTS.csv",
                   help="the graded rows: the input's columns plus verdict,score,diagnoses,feedback,review "
                        "(a re-run on the same file resumes)")
    p.add_argument("--gradescope", metavar="DIR",
                   help="also write DIR/<student id>/results.json in Gradescope's autograder format")
    p.add_argument("--gradebook", metavar="FILE.csv",
                   help="also write one row per student: id, total, per-question scores and the questions "
                        "to review by hand")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    def progress(done: int, total: int) -> None:
        if not args.quiet and (done == total or done % 25 == 0):
            print(f"\rgraded {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)

    counts = engine.grade(args.submissions, args.output, bank=args.bank, sheet=args.sheet, gradescope=args.gradescope,
                          workers=args.workers, timeout=args.timeout, progress=progress)
    if args.gradebook:
        from derivcheck.grading import gradebook
        from derivcheck.grading.batch import BatchError

        try:
            questions = list(engine.load_bank(args.bank, sheet=args.sheet))
            counts["students"] = gradebook.write(args.output, args.gradebook, questions)
        except BatchError as err:
            raise InputError(str(err)) from err
    if args.json:
        emit_json(counts)
    else:
        from derivcheck.grading.errors import printable

        print(printable(", ".join(f"{k}: {v}" for k, v in counts.items()) + f" -> {args.output}"
                        + (f", gradebook -> {args.gradebook}" if args.gradebook else "")))
    return 0
