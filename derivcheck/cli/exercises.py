"""``derivcheck exercises``: the notebook exercises of Problem 1 (figures and a JSON summary)."""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from derivcheck import engine

from .common import emit_json, run_options

NAME = "exercises"
EXTRA: str | None = "exercises"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[run_options()], help="run the notebook exercises of Problem 1",
                       description="Run the notebook exercises: basics (PyTorch tensors and autograd), fit2d "
                                   "(2-d function fit, width x depth sweep, piecewise-linearity count, logo), "
                                   "digits (MLP classifier; "
                                   "scikit-learn's digits offline, MNIST with --mnist), init (activation "
                                   "and gradient RMS across 32 layers, recommended scales). Writes PDF "
                                   "and PNG figures and exercises.json to --out.")
    p.add_argument("names", nargs="*", metavar="EXERCISE", help="basics, fit2d, digits, init (default: all of them)")
    p.add_argument("--out", default="out/exercises", help="the folder for the figures and the JSON summary")
    p.add_argument("--mnist", metavar="DIR",
                   help="train digits on MNIST from DIR's four IDX files (gzipped or not) instead of "
                        "scikit-learn's 8x8 digits")
    p.add_argument("--quick", action="store_true", help="a few training steps only (smoke test)")
    p.set_defaults(run=run, extra=EXTRA)


#: How long each exercise takes on 2 CPU cores (measured by `derivcheck report`'s cold build), to announce it.
SECONDS = {"basics": 1, "fit2d": 195, "digits": 20, "init": 30}


def run(args: argparse.Namespace) -> int:
    names = engine.exercises(args.names)
    device = engine.resolve_device(args.device)
    start = time.perf_counter()
    if not args.quiet:
        took = ", ".join(f"{n} ~{SECONDS.get(n, 5) // (20 if args.quick else 1)} s" for n in names)
        print(f"running {took} on 2 CPU cores (the exercises run in parallel; progress bars on a terminal)",
              file=sys.stderr, flush=True)
    summary = engine.run_exercises(names, out_dir=args.out, seed=args.seed, device=device, mnist=args.mnist,
                                   show=not args.quiet, quick=args.quick)
    if args.json:
        emit_json(summary)
        return 0
    print_summary(summary)
    print(f"figures and exercises.json in {args.out} ({time.perf_counter() - start:.1f} s)")
    return 0


def print_summary(summary: dict[str, Any]) -> None:
    """The headline numbers of each exercise that ran."""
    if "basics" in summary:
        b = summary["basics"]
        print(f"basics: x.grad {b['grad_first']:g} after one backward, {b['grad_after_second_backward']:g} after a "
              f"second without zeroing, {b['grad_after_zero']:g} after zero_()")
    if "fit2d" in summary:
        f = summary["fit2d"]
        print(f"fit2d: final MSE {f['final_mse']:.3g} (depth {f['config']['depth']}, width {f['config']['width']}, "
              f"{f['config']['steps']} Adam steps); logo MSE {f['logo']['final_mse']:.3g}, larger net "
              f"{f['logo']['runs']['large']['final_mse']:.3g}")
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
            shown = f"{scale:.3f}" if scale is not None else "none"
            found = i["search"][act]
            print(f"init {act:8s}: recommended scale {shown}  (calculate_gain {i['calculate_gain'][act]:.3f}; level "
                  f"at {found['best_scale']:.3f}, last-layer input correlation {found['correlation']:.3f}, "
                  f"{found['saturated']:.0%} saturated)")
    for name, part in summary.items():
        print(f"{name}: {part['seconds']:.1f} s")
