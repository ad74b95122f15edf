"""``derivcheck verify``: each claim checked by a PyTorch simulation; exit 1 when one fails."""
from __future__ import annotations

import argparse
import math
import sys
import time
from typing import Any

from derivcheck import engine

from .common import UsageError, emit_json, run_options, sheet_option

NAME = "verify"
EXTRA: str | None = "sim"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[run_options(), sheet_option()],
                       help="check every claim with a PyTorch simulation",
                       description="Check each claim with a simulation. Monte Carlo checks are exact "
                                   "tests with false-alarm rate alpha and report their power against "
                                   "each named wrong formula; the others are exact comparisons "
                                   "(alpha 0). Exit status 1 when a check fails.")
    p.add_argument("claims", nargs="*", metavar="CLAIM",
                   help="claim ids to verify, any registered claim (default: the sheet's claims)")
    p.add_argument("--details", action="store_true", help="with --json: each configuration's record too")
    p.add_argument("--alpha", type=float, default=1e-6,
                   help="false-alarm rate of each Monte Carlo claim: the chance that a right formula fails")
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.alpha < 1:
        raise UsageError("--alpha must lie in (0, 1)")
    claims = engine.claims(args.claims, args.sheet)
    device = engine.resolve_device(args.device)
    start = time.perf_counter()
    results = []
    for n, claim in enumerate(claims, 1):
        if not args.quiet:
            print(f"[{n}/{len(claims)}] verifying {claim} ...", end="", file=sys.stderr, flush=True)
        check = engine.verify(claim, seed=args.seed, device=device, alpha=args.alpha)
        from derivcheck.grading.evidence import remember

        remember(check, args.alpha)  # the one stored record grading reads, whichever command made it
        results.append(check)
        if not args.quiet:
            print(f" {'ok' if check.passed else 'FAILED'} ({check.seconds:.2f} s)", file=sys.stderr)
    passed = all(c.passed for c in results)
    seconds = time.perf_counter() - start
    if args.json:
        claims_json = [c.to_dict(details=args.details) for c in results]
        emit_json({"passed": passed, "device": device, "seconds": round(seconds, 3), "seed": args.seed,
                   "claims": claims_json})
    else:
        print_table(results)
        print(f"\n{'all passed' if passed else 'SOME CHECKS FAILED'} on {device} in {seconds:.1f} s "
              f"(seed {args.seed}); power = probability of rejecting each named wrong formula")
    return 0 if passed else 1


def print_table(results: list[Any]) -> None:
    """One row per check, columns aligned."""
    header = ("claim", "pass", "prediction", "estimate", "interval", "p-value", "alpha", "min power", "samples", "s")
    rows = [header]
    for c in results:
        lo, hi = c.interval
        rows.append((c.id, "yes" if c.passed else "NO", _cell(c.prediction), _cell(c.estimate),
                     f"[{_cell(lo)}, {_cell(hi)}]", _cell(c.p_value), _cell(c.alpha),
                     fmt_power(min(c.power.values(), default=float("nan"))), str(c.samples), f"{c.seconds:.2f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def fmt_power(p: float) -> str:
    """Power as a cell: "1 to double precision" when the miss probability is below the spacing
    of doubles near 1 (never a rounded 0.9999999999999998), else 1 - miss or the value."""
    if p >= 1.0 - 2.3e-16:
        return "1 to double precision"
    if p > 0.999:
        return f"1 - {1 - p:.1e}"
    return _cell(p)


def _cell(v: Any) -> str:
    """A number as a table cell: integers without a point, others to 6 significant digits."""
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.6g}"
    return str(v)
