"""The ``derivcheck`` command line: one module per command, registered in :data:`COMMANDS`.

Imports are lazy: building the parser (and ``--help``) loads no torch, sympy or scipy; a command
imports what it needs when it runs, after checking that its optional extra is installed.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from derivcheck.errors import InputError
from derivcheck.extras import MissingExtra, require

from . import check, derive, equiv, exercises, grade, gradescope, questions, report, serve, sheet, verify
from .common import Parser, UsageError, claims_help

#: The commands, in the order ``--help`` lists them. Each module has NAME, EXTRA, register and run.
COMMANDS = (derive, verify, exercises, report, questions, check, equiv, grade, gradescope, serve, sheet)

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
  derivcheck grade submissions.csv -o results.csv --gradebook gradebook.csv
  derivcheck gradescope-bundle out/autograder   a Gradescope autograder (upload out/autograder.zip)
  derivcheck report -o out/solutions.pdf   everything above, as a PDF
  derivcheck serve                  the self-check page for students, http://127.0.0.1:8000/
  derivcheck sheet new my_sheet     a new exercise sheet to edit; then --sheet my_sheet on any command

Claims: """


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each sets ``run`` (its function) and ``extra`` (or None)."""
    parser = argparse.ArgumentParser(prog="derivcheck", description=DESCRIPTION + claims_help(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for command in COMMANDS:
        command.register(sub)
    return parser


def _version() -> str:
    from derivcheck import __version__

    return f"derivcheck {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status (0 done, 1 failed check, 2 bad usage or input)."""
    args = build_parser().parse_args(argv)
    try:
        if args.extra:
            require(args.extra)
        return args.run(args)
    except MissingExtra as err:
        print(f"derivcheck {args.command}: {err}", file=sys.stderr)
        return 2
    except InputError as err:
        print(f"derivcheck {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `derivcheck derive | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


__all__ = ["COMMANDS", "UsageError", "build_parser", "main"]
