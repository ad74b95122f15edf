"""``derivcheck derive``: each claim derived with SymPy, as text or JSON."""
from __future__ import annotations

import argparse
from typing import Any

from derivcheck import engine

from .common import claims_help, emit_json, sheet_option

NAME = "derive"
EXTRA: str | None = None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[sheet_option()], help="derive claims with SymPy and print the steps",
                       description="Derive each claim with SymPy: statement, result, LaTeX, steps, "
                                   "and the formulas that known mistakes lead to.")
    p.add_argument("claims", nargs="*", metavar="CLAIM",
                   help="claim ids, any registered claim (default: the sheet's claims). " + claims_help())
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    derivations = [engine.derive(c) for c in engine.claims(args.claims, args.sheet)]
    if args.json:
        emit_json({"claims": [d.to_dict() for d in derivations]})
        return 0
    for d in derivations:
        print(f"== {d.id} ==")
        print(f"  {d.statement}")
        print(f"  result: {d.expression}")
        print(f"  latex:  {d.latex}")
        print("  assumptions: " + ", ".join(f"{k}: {v}" for k, v in d.assumptions.items()))
        for n, step in enumerate(d.steps, 1):
            print(f"  {n}. {step.text}")
            print(f"     {plain(step.expr)}")
        for name, expr in d.variants.items():
            print(f"  also right ({name}): {expr}")
        for name, expr in d.mistakes.items():
            print(f"  known mistake {name}: {expr}")
        print()
    return 0


def plain(expr: Any) -> str:
    """lhs = rhs (or lhs <= rhs) in SymPy's string form."""
    import sympy as sp

    if isinstance(expr, sp.Rel):
        op = {"==": "=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "!=": "!="}[expr.rel_op]
        return f"{sp.sstr(expr.lhs)} {op} {sp.sstr(expr.rhs)}"
    return sp.sstr(expr)
