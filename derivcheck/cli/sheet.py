"""``derivcheck sheet new PATH``: a new sheet folder, a commented ``sheet.toml`` to edit."""
from __future__ import annotations

import argparse

from derivcheck.errors import InputError

NAME = "sheet"
EXTRA: str | None = None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="start a new exercise sheet (a folder holding a sheet.toml)",
                       description="Exercise sheets. `derivcheck sheet new PATH` writes PATH/sheet.toml: a "
                                   "commented sheet with one question checked against a typed formula and one "
                                   "whose working is checked line by line under a model (a uniform and a "
                                   "Bernoulli law, a derivative in a scalar). Edit it, then give the folder to "
                                   "any command as --sheet PATH. An existing sheet.toml is never overwritten.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True,
                               help="new: write a commented skeleton sheet folder")
    new = actions.add_parser("new", help="write a commented skeleton sheet folder",
                             description="Write PATH/sheet.toml, a commented skeleton (the folder is created).")
    new.add_argument("path", metavar="PATH", help="the sheet's folder (created; must not hold a sheet.toml)")
    new.add_argument("--json", action="store_true", help='print {"sheet": PATH, "file": PATH/sheet.toml}')
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    from derivcheck.sheets import SheetError
    from derivcheck.sheets.skeleton import new

    try:
        written = new(args.path)
    except SheetError as err:
        raise InputError(str(err)) from err
    if args.json:
        from .common import emit_json

        emit_json({"sheet": str(written.parent), "file": str(written)})
    else:
        print(written)
    return 0
