"""``derivcheck report``: derive, verify, run the exercises and build the solution PDF."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from derivcheck import engine

from .common import emit_json, run_options, sheet_option

NAME = "report"
EXTRA: str | None = "report"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[run_options(), sheet_option()], help="build the solution PDF",
                       description="Derive every claim, verify each by simulation, run the exercises and "
                                   "build the solution PDF with latexmk (the .tex and figures beside it). "
                                   "Stages are cached by a hash of their inputs: a second build takes "
                                   "seconds. Exit 1 if a verification failed.")
    p.add_argument("-o", "--output", default="out/solutions.pdf",
                   help="the PDF to write; its .tex and figures go beside it (LaTeX's working files go "
                        "to the cache directory, not there)")
    p.add_argument("--tex-only", action="store_true", help="write the .tex and figures only (no TeX Live needed)")
    p.add_argument("--fresh", action="store_true", help="recompute every stage instead of reusing the cache")
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    engine.resolve_device(args.device)  # a missing GPU is a usage error before any work
    result = engine.build_report(args.output, seed=args.seed, device=args.device, fresh=args.fresh,
                                 tex_only=args.tex_only, log=_log(args.quiet),
                                 progress=not args.quiet, sheet_name=args.sheet)
    if args.json:
        emit_json(result)
    else:
        print(result["pdf"] or result["tex"])
    return 0 if result["passed"] else 1


def _log(quiet: bool) -> Callable[[str], None]:
    if quiet:
        return lambda message: None
    return lambda message: print(message, file=sys.stderr)
