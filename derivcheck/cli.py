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

Claims: """ + CLAIMS_HELP


class UsageError(Exception):
    """Bad usage detected after parsing (exit status 2)."""


def _claims(requested: Sequence[str]) -> list[str]:
    from derivations import CLAIM_IDS

    unknown = [c for c in requested if c not in CLAIM_IDS]
    if unknown:
        raise UsageError(f"unknown claim {unknown[0]!r}; choose from: {', '.join(CLAIM_IDS)}")
    return list(requested) or list(CLAIM_IDS)


def _emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def cmd_derive(args: argparse.Namespace) -> int:
    import sympy as sp

    from derivations import derive

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
    from simulations import verify
    from simulations.device import resolve_device

    try:
        device = resolve_device(args.device)
    except ValueError as err:
        raise UsageError(str(err)) from err
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
    from simulations.device import resolve_device
    from simulations.exercises import EXERCISES, run
    from simulations.idx import DataError

    unknown = [n for n in args.names if n not in EXERCISES]
    if unknown:
        raise UsageError(f"unknown exercise {unknown[0]!r}; choose from: {', '.join(EXERCISES)}")
    try:
        device = resolve_device(args.device)
    except ValueError as err:
        raise UsageError(str(err)) from err
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
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.add_argument("--details", action="store_true", help="with --json: per-configuration records too")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0); any seed should pass")
    p.add_argument("--alpha", type=float, default=1e-6,
                   help="false-alarm rate of each Monte Carlo claim (default 1e-6)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="where simulations run (default: cuda when present)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
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
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.add_argument("--quick", action="store_true", help="a few training steps only (smoke test)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_exercises)
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
