"""Pieces the commands share: parent parsers for the shared options, usage errors and strict JSON
output. Nothing heavy is imported here."""
from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from derivcheck.errors import InputError


def claims_help() -> str:
    """The default sheet's claim ids, for --help (read from its TOML: no SymPy, no torch)."""
    from derivcheck.sheets import sheet

    return " ".join(sheet().claims)


def sheet_help() -> str:
    """What --sheet takes, naming the built-in sheets."""
    from derivcheck.sheets import DEFAULT, builtin

    return (f"the exercise sheet: a built-in sheet ({', '.join(builtin())}) or the path of a folder holding a "
            f"sheet.toml (default: {DEFAULT})")


def sheet_option(bank: bool = False) -> argparse.ArgumentParser:
    """--sheet ID|PATH (and --bank FILE, a one-file sheet, when ``bank``)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--sheet", metavar="ID|PATH", help=sheet_help())
    if bank:
        p.add_argument("--bank", metavar="FILE",
                       help="an instructor's TOML question bank, a one-file sheet (instead of --sheet)")
    return p


class UsageError(InputError):
    """Bad usage detected after parsing (exit status 2)."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """``--help`` as written (the descriptions' line breaks kept), each option's default appended
    to its help unless the help already says it (flags that default to off say nothing)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or action.default in (None, False, [], argparse.SUPPRESS):
            return text
        if not action.option_strings and action.nargs not in ("?", "*"):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """The parser of every command: :class:`HelpFormatter` unless one is given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def run_options() -> argparse.ArgumentParser:
    """--seed, --device, --json and --quiet: the options of the commands that run simulations."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--seed", type=int, default=0, help="random seed; every seed should pass")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="where simulations run; auto picks cuda when PyTorch sees a GPU, else the CPU")
    p.add_argument("--json", action="store_true", help="one strict JSON document on stdout instead of text")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    return p


def grading_options(bank: bool = True, timeout: bool = True) -> argparse.ArgumentParser:
    """--sheet and --bank (unless ``bank`` is false), --timeout (unless ``timeout`` is false) and
    --json: the options of the grading commands."""
    p = argparse.ArgumentParser(add_help=False, parents=[sheet_option(bank=True)] if bank else [])
    if timeout:
        p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                       help="wall-clock seconds per answer; an answer that takes longer is undecided (never "
                            "counted wrong)")
    p.add_argument("--json", action="store_true", help="strict JSON on stdout instead of text")
    return p


def workers_option() -> argparse.ArgumentParser:
    """--workers, for the commands that grade in parallel."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--workers", type=int, default=2, help="sandboxed worker processes grading in parallel")
    return p


def strict(obj: Any) -> Any:
    """``obj`` as strict JSON data: non-finite numbers as "inf", "-inf", "nan", complex numbers as
    ``{"re": .., "im": ..}``, tuples as lists, anything else JSON cannot hold as its ``str``."""
    if isinstance(obj, dict):
        return {str(k): strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        if math.isfinite(obj):
            return obj
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, complex):
        return {"re": strict(obj.real), "im": strict(obj.imag)}
    if hasattr(obj, "item"):  # NumPy and PyTorch scalars
        try:
            return strict(obj.item())
        except (TypeError, ValueError):
            pass
    return str(obj)


def emit_json(doc: Any) -> None:
    """Write ``doc`` to stdout as one strict JSON document."""
    json.dump(strict(doc), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
