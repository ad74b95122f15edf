"""The ``derivcheck`` command line. Imports are lazy: ``derivcheck --help`` never loads torch."""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Sequence

CLAIMS_HELP = ("relu_variance he_sigma stable_softmax softmax_ce_gradient unsmoothed_minimizer "
               "smoothing_gap forward_mults training_mults inference_memory training_memory")

DESCRIPTION = """\
Derive, verify and grade the mathematics of the neural-network exercise sheet.

  derivcheck derive                 every claim derived with SymPy, step by step
  derivcheck derive he_sigma --json one claim as JSON
  derivcheck verify                 every claim checked by a PyTorch simulation
  derivcheck verify relu_variance --seed 7 --alpha 1e-4
  derivcheck exercises              the notebook exercises of Problem 1 (figures + JSON)
  derivcheck exercises digits --mnist ~/data/mnist
  derivcheck questions              the question bank: ids, variables, syntax, examples
  derivcheck check p2.variance "d*sigma^2"          grade one answer (plain text or LaTeX)
  derivcheck equiv "sqrt(x^2)" "x" --assume x=positive
  derivcheck grade submissions.csv -o results.csv --gradescope out/gradescope
  derivcheck report -o out/solutions.pdf   everything above, as a PDF

Claims: """ + CLAIMS_HELP


class UsageError(Exception):
    """Bad usage detected after parsing (exit status 2)."""


def _claims(requested: Sequence[str]) -> list[str]:
    from derivcheck.derivations import claim_ids

    known = claim_ids()
    unknown = [c for c in requested if c not in known]
    if unknown:
        raise UsageError(f"unknown claim {unknown[0]!r}; choose from: {', '.join(known)}")
    return list(requested) or list(known)


def _emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def cmd_derive(args: argparse.Namespace) -> int:

    from derivcheck.derivations import derive

    claims = _claims(args.claims)
    derivations = [derive(c) for c in claims]
    if args.json:
        _emit_json({"claims": [d.to_dict() for d in derivations]})
        return 0
    for d in derivations:
        print(f"== {d.id} ==")
        print(f"  {d.statement}")
        print(f"  result: {d.expression}")
        print(f"  latex:  {d.latex}")
        print("  assumptions: " + ", ".join(f"{k}: {v}" for k, v in d.assumptions.items()))
        for n, step in enumerate(d.steps, 1):
            print(f"  {n}. {step.text}")
            print(f"     {_plain(step.expr)}")
        for name, expr in d.variants.items():
            print(f"  also right ({name}): {expr}")
        for name, expr in d.mistakes.items():
            print(f"  known mistake {name}: {expr}")
        print()
    return 0


def _plain(expr: Any) -> str:
    """lhs = rhs (or lhs <= rhs) in SymPy's string form."""
    import sympy as sp

    if isinstance(expr, sp.Rel):
        op = {"==": "=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "!=": "!="}[expr.rel_op]
        return f"{sp.sstr(expr.lhs)} {op} {sp.sstr(expr.rhs)}"
    return sp.sstr(expr)


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return str(v)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.6g}"
    return str(v)


def cmd_verify(args: argparse.Namespace) -> int:
    if not 0 < args.alpha < 1:
        raise UsageError("--alpha must lie in (0, 1)")
    claims = _claims(args.claims)
    from derivcheck.simulations import verify

    device = _device(args)
    start = time.perf_counter()
    results = []
    for n, claim in enumerate(claims, 1):
        if not args.quiet:
            print(f"[{n}/{len(claims)}] verifying {claim} ...", end="", file=sys.stderr, flush=True)
        check = verify(claim, seed=args.seed, device=device.type, alpha=args.alpha)
        results.append(check)
        if not args.quiet:
            print(f" {'ok' if check.passed else 'FAILED'} ({check.seconds:.2f} s)", file=sys.stderr)
    passed = all(c.passed for c in results)
    seconds = time.perf_counter() - start
    if args.json:
        claims_json = [c.to_dict() for c in results]
        if not args.details:
            for c in claims_json:
                c.pop("details", None)
        _emit_json({"passed": passed, "device": device.type, "seconds": round(seconds, 3),
                    "seed": args.seed, "claims": claims_json})
    else:
        header = ("claim", "pass", "prediction", "estimate", "interval", "p-value", "alpha",
                  "min power", "samples", "s")
        rows = [header]
        for c in results:
            lo, hi = c.interval
            rows.append((c.id, "yes" if c.passed else "NO", _fmt(c.prediction), _fmt(c.estimate),
                         f"[{_fmt(lo)}, {_fmt(hi)}]", _fmt(c.p_value), _fmt(c.alpha),
                         _fmt(min(c.power.values(), default=float("nan"))), str(c.samples),
                         f"{c.seconds:.2f}"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for r in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
        print(f"\n{'all passed' if passed else 'SOME CHECKS FAILED'} on {device.type} in {seconds:.1f} s "
              f"(seed {args.seed}); power = probability of rejecting each named wrong formula")
    return 0 if passed else 1


def cmd_exercises(args: argparse.Namespace) -> int:
    from derivcheck.simulations.exercises import EXERCISES, run
    from derivcheck.simulations.exercises.idx import DataError

    unknown = [n for n in args.names if n not in EXERCISES]
    if unknown:
        raise UsageError(f"unknown exercise {unknown[0]!r}; choose from: {', '.join(EXERCISES)}")
    device = _device(args)
    start = time.perf_counter()
    try:
        summary = run(tuple(args.names) or EXERCISES, out_dir=args.out, seed=args.seed, device=device.type,
                      mnist=args.mnist, show=not args.quiet, quick=args.quick)
    except DataError as err:
        raise UsageError(str(err)) from err
    if args.json:
        _emit_json(summary)
        return 0
    if "fit2d" in summary:
        f = summary["fit2d"]
        print(f"fit2d: final MSE {f['final_mse']:.3g} (depth {f['config']['depth']}, width {f['config']['width']}, "
              f"{f['config']['steps']} Adam steps); logo MSE {f['logo']['final_mse']:.3g}")
        for r in f["sweep"]:
            print(f"  depth {r['depth']}, width {r['width']:4d}: final MSE {r['final_mse']:.3g}")
        pw = f["piecewise"]
        print(f"  piecewise linear: {pw['line_pieces']} linear pieces on x2 = 0 (bound {pw['line_pieces_bound']}), "
              f"{pw['grid_patterns']} activation patterns on the grid (bound {pw['grid_region_bound']})")
    if "digits" in summary:
        d = summary["digits"]
        print(f"digits ({d['dataset']}): test accuracy {d['test_accuracy']:.2%} after {d['epochs']} epochs")
    if "init" in summary:
        i = summary["init"]
        for act, scale in i["recommended"].items():
            shown = f"{scale:.3f}" if scale is not None else "none keeps both stable"
            print(f"init {act:8s}: recommended scale {shown}  (calculate_gain {i['calculate_gain'][act]:.3f})")
    print(f"figures and exercises.json in {args.out} ({time.perf_counter() - start:.1f} s)")
    return 0


def _limits(args: argparse.Namespace):
    from derivcheck.grading.limits import Limits

    if not args.timeout > 0:
        raise UsageError("--timeout must be positive")
    return Limits(seconds=args.timeout)


def _bank(args: argparse.Namespace):
    from derivcheck.grading.bank import BankError, load

    try:
        return load(args.bank)
    except BankError as err:
        raise UsageError(str(err)) from err


def cmd_questions(args: argparse.Namespace) -> int:
    bank = _bank(args)
    if args.json:
        _emit_json({"questions": [q.describe() for q in bank.values()]})
        return 0
    for q in bank.values():
        print(f"{q.id}: {q.prompt}")
        print("  variables: " + ", ".join(f"{k} ({v})" for k, v in q.variables.items()))
        print(f"  syntax: {q.syntax}")
        print(f"  example: {q.example}")
        if q.mistakes:
            print("  known mistakes: " + ", ".join(m.code for m in q.mistakes))
        print()
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from derivcheck.grading.evidence import verification
    from derivcheck.grading.sandbox import run_one
    from derivcheck.grading.tasks import attach_evidence, check_task

    bank = _bank(args)
    if args.question not in bank:
        raise UsageError(f"unknown question {args.question!r}; see `derivcheck questions`")
    limits = _limits(args)
    status, record = run_one(check_task, (args.bank, args.question, args.answer, False, limits), limits)
    if status != "ok":
        record = {"question": args.question, "answer": args.answer, "verdict": "undecided", "score": None,
                  "diagnoses": [], "feedback": f"Could not decide ({record}).", "parsed": None}
    question = bank[args.question]
    if record["verdict"] == "incorrect" and question.simulation and not question.vector:
        verification(question.simulation)  # computed here, outside the sandbox, and cached
        status, with_sim = run_one(attach_evidence, (args.bank, args.question, args.answer, record), limits)
        if status == "ok":
            record = with_sim
    if args.json:
        _emit_json(record)
        return 0
    print(f"{record['verdict'].upper()}" + (f"  [{', '.join(record['diagnoses'])}]" if record["diagnoses"] else ""))
    if record.get("parsed"):
        print(f"  read as: {record['parsed']}")
    print(f"  {record['feedback']}")
    return 0


def _assumptions(items: Sequence[str]) -> dict[str, str]:
    from derivcheck.grading.symbolic import symbol_for

    out = {}
    for item in items:
        name, sep, kind = item.partition("=")
        if not sep or not name.strip() or not kind.strip():
            raise UsageError(f"--assume {item!r}: write NAME=KIND, e.g. x=positive")
        try:
            symbol_for(name.strip(), kind.strip())
        except ValueError as err:
            raise UsageError(str(err)) from err
        out[name.strip()] = kind.strip()
    return out


def cmd_equiv(args: argparse.Namespace) -> int:
    from derivcheck.grading.batch import equiv_batch
    from derivcheck.grading.sandbox import run_one
    from derivcheck.grading.tasks import equiv_task

    limits = _limits(args)
    if args.batch:
        if args.student or args.teacher:
            raise UsageError("give either STUDENT TEACHER or --batch FILE, not both")
        try:
            handle = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")
        except OSError as err:
            raise UsageError(f"{args.batch}: cannot read ({err.strerror})") from err
        with handle:
            equiv_batch(handle, workers=args.workers, limits=limits)
        return 0
    if args.student is None or args.teacher is None:
        raise UsageError("give STUDENT and TEACHER expressions (or --batch FILE.jsonl)")
    assume = _assumptions(args.assume)
    status, record = run_one(equiv_task, (args.student, args.teacher, assume, limits), limits)
    if status != "ok":
        record = {"equivalent": None, "status": "undecided", "message": str(record)}
    record = {"id": None, **record}
    if args.json:
        _emit_json(record)
    else:
        print(f"{record['status']}: {record['message']}")
        if record.get("counterexample"):
            c = record["counterexample"]
            print(f"  at {c['at']}: student {c['answer_value']}, teacher {c['reference_value']}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from derivcheck.grading.batch import BatchError, grade_csv

    _bank(args)
    limits = _limits(args)

    def progress(done: int, total: int) -> None:
        if not args.quiet and (done == total or done % 25 == 0):
            print(f"\rgraded {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)

    try:
        counts = grade_csv(args.submissions, args.output, bank=args.bank, workers=args.workers, limits=limits,
                           gradescope=args.gradescope, progress=progress)
    except BatchError as err:
        raise UsageError(str(err)) from err
    if args.json:
        _emit_json(counts)
    else:
        print(", ".join(f"{k}: {v}" for k, v in counts.items()) + f" -> {args.output}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from derivcheck.report.pdf import ReportError, build

    _device(args)
    try:
        result = build(args.output, seed=args.seed, device=args.device, fresh=args.fresh, tex_only=args.tex_only,
                       log=(lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr)))
    except ReportError as err:
        raise UsageError(str(err)) from err
    if args.json:
        _emit_json(result)
    else:
        print(result["pdf"] or result["tex"])
    return 0 if result["passed"] else 1


def _run_options(p: argparse.ArgumentParser) -> None:
    """--seed, --device, --json and --quiet, shared by the commands that run simulations."""
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0); any seed should pass")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="where simulations run (default: cuda when present)")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _device(args: argparse.Namespace):
    from derivcheck.simulations.device import resolve_device

    try:
        return resolve_device(args.device)
    except ValueError as err:
        raise UsageError(str(err)) from err


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="derivcheck", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("derive", help="derive claims with SymPy and print the steps",
                       description="Derive each claim with SymPy: statement, result, LaTeX, steps, "
                                   "and the formulas that known mistakes lead to.")
    p.add_argument("claims", nargs="*", metavar="CLAIM", help="claim ids (default: all). " + CLAIMS_HELP)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.set_defaults(func=cmd_derive)

    p = sub.add_parser("verify", help="check every claim with a PyTorch simulation",
                       description="Check each claim with a simulation. Monte Carlo checks are exact "
                                   "tests with false-alarm rate alpha and report their power against "
                                   "each named wrong formula; the others are exact comparisons "
                                   "(alpha 0). Exit status 1 when a check fails.")
    p.add_argument("claims", nargs="*", metavar="CLAIM", help="claim ids (default: all)")
    p.add_argument("--details", action="store_true", help="with --json: per-configuration records too")
    p.add_argument("--alpha", type=float, default=1e-6,
                   help="false-alarm rate of each Monte Carlo claim (default 1e-6)")
    _run_options(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("exercises", help="run the notebook exercises of Problem 1",
                       description="Run the notebook exercises: fit2d (2-d function fit, width x depth "
                                   "sweep, piecewise-linearity count, logo), digits (MLP classifier; "
                                   "scikit-learn's digits offline, MNIST with --mnist), init (activation "
                                   "and gradient RMS across 32 layers, recommended scales). Writes PDF "
                                   "and PNG figures and exercises.json to --out.")
    p.add_argument("names", nargs="*", metavar="EXERCISE", help="fit2d, digits, init (default: all)")
    p.add_argument("--out", default="out/exercises", help="output directory (default out/exercises)")
    p.add_argument("--mnist", metavar="DIR", help="directory with MNIST's IDX files (gzipped or not)")
    p.add_argument("--quick", action="store_true", help="a few training steps only (smoke test)")
    _run_options(p)
    p.set_defaults(func=cmd_exercises)

    p = sub.add_parser("report", help="build the solution PDF",
                       description="Derive every claim, verify each by simulation, run the exercises and "
                                   "build the solution PDF with latexmk (the .tex and figures beside it). "
                                   "Stages are cached by a hash of their inputs: a second build takes "
                                   "seconds. Exit 1 if a verification failed.")
    p.add_argument("-o", "--output", default="out/solutions.pdf", help="PDF to write (default out/solutions.pdf)")
    p.add_argument("--tex-only", action="store_true", help="write the .tex and figures, do not run latexmk")
    p.add_argument("--fresh", action="store_true", help="ignore cached stages")
    _run_options(p)
    p.set_defaults(func=cmd_report)

    def grading_options(p: argparse.ArgumentParser, bank: bool = True) -> None:
        if bank:
            p.add_argument("--bank", metavar="FILE", help="a TOML question bank (default: the built-in sheet)")
        p.add_argument("--timeout", type=float, default=5.0, help="seconds per answer before it is undecided")
        p.add_argument("--json", action="store_true", help="JSON on stdout")

    p = sub.add_parser("questions", help="list the question bank",
                       description="List the questions: id, prompt, variables with assumptions, answer "
                                   "syntax, example and the known mistakes it diagnoses.")
    grading_options(p)
    p.set_defaults(func=cmd_questions)

    p = sub.add_parser("check", help="grade one answer",
                       description="Grade one answer, typed (d*sigma^2/2, σ²d/2) or LaTeX "
                                   "(\\frac{d\\sigma^2}{2}). Verdict: correct, incorrect (with the "
                                   "known mistake it matches and a counterexample, simulated where the "
                                   "question has a simulation), invalid (unreadable, unsafe, too large) "
                                   "or undecided (time or size limit; never counted as wrong).")
    p.add_argument("question", help="question id, see `derivcheck questions`")
    p.add_argument("answer", help="the answer as typed")
    grading_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("equiv", help="decide whether two expressions are equal",
                       description="Decide STUDENT == TEACHER: numeric refutation at 50 digits, then a "
                                   "symbolic proof. Status proven, numeric, counterexample, invalid or "
                                   "undecided. Names default to real; --assume NAME=KIND changes that "
                                   "(real, positive, nonnegative, negative, integer, positive_integer, "
                                   "complex, interval(a,b)).")
    p.add_argument("student", nargs="?")
    p.add_argument("teacher", nargs="?")
    p.add_argument("--assume", action="append", default=[], metavar="NAME=KIND")
    p.add_argument("--batch", metavar="FILE.jsonl",
                   help='lines {"id", "student", "teacher", "assume": {NAME: KIND}}; one JSON line out per line in')
    p.add_argument("--workers", type=int, default=2, help="worker processes for --batch (default 2)")
    grading_options(p, bank=False)
    p.set_defaults(func=cmd_equiv)

    p = sub.add_parser("grade", help="grade a CSV of answers",
                       description="Grade SUBMISSIONS.csv (columns student_id,question,answer) into "
                                   "RESULTS.csv (adds verdict,score,diagnoses,feedback). Rows are written "
                                   "as they are decided; a re-run resumes where a killed run stopped.")
    p.add_argument("submissions", help="input CSV")
    p.add_argument("-o", "--output", required=True, help="output CSV")
    p.add_argument("--gradescope", metavar="DIR", help="also write DIR/<student_id>/results.json")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    grading_options(p)
    p.set_defaults(func=cmd_grade)
    return parser


def _version() -> str:
    from derivcheck import __version__

    return f"derivcheck {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"derivcheck {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `derivcheck derive | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
