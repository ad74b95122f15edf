"""Jinja2 for LaTeX: \\VAR{...} for values, \\BLOCK{...} for statements, filters that escape prose
and format numbers. Templates hold prose and layout only."""
from __future__ import annotations

import math
import re
from typing import Any

import jinja2

_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
            "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def tex(text: Any) -> str:
    """Escape prose for LaTeX."""
    return re.sub(r"[&%$#_{}~^\\<>|]", lambda m: _SPECIAL[m.group(0)], str(text))


def num(value: Any, digits: int = 4) -> str:
    """A number for a table: integers exactly, others to ``digits`` significant figures (safe in
    and out of math mode)."""
    if value is None:
        return "--"
    if isinstance(value, str):
        if value in ("inf", "-inf", "nan"):
            return {"inf": r"\ensuremath{\infty}", "-inf": r"\ensuremath{-\infty}", "nan": "NaN"}[value]
        return tex(value)
    v = float(value)
    if math.isinf(v):
        return r"\ensuremath{\infty}" if v > 0 else r"\ensuremath{-\infty}"
    if math.isnan(v):
        return "NaN"
    if v.is_integer() and abs(v) < 1e12:
        return f"{int(v):,}".replace(",", "\\,")
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
        mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
        return f"\\ensuremath{{{mantissa} \\times 10^{{{int(exponent)}}}}}"
    return f"{v:.{digits}g}"


def count(value: Any) -> str:
    """A count for prose: exact below a million, then in millions to 4 significant figures
    (16777216 -> 16.78 million)."""
    v = float(value)
    if abs(v) >= 1e6:
        return f"{v / 1e6:.4g} million"
    return num(v)


def sympy_latex(expr: Any) -> str:
    """SymPy's LaTeX with the sheet's typeset names."""
    from derivcheck.derivations.claim import to_latex

    return to_latex(expr)


def pct(value: float, digits: int = 2) -> str:
    """A fraction as a LaTeX percentage (0.983 -> 98.30\\%)."""
    return f"{100 * float(value):.{digits}f}\\%"


def environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """A Jinja2 environment with the LaTeX-safe delimiters, the filters tex, num, pct, count, latex,
    at_point and the mistakes' human names (``mistake_name(question, code)``)."""
    env = jinja2.Environment(
        loader=loader, block_start_string=r"\BLOCK{", block_end_string="}", variable_start_string=r"\VAR{",
        variable_end_string="}", comment_start_string=r"\#{", comment_end_string="}", line_statement_prefix="%%",
        line_comment_prefix="%#", trim_blocks=True, lstrip_blocks=True, autoescape=False,
        undefined=jinja2.StrictUndefined)
    from .wording import MEASURED, VARIANTS, at_point, mistake_name

    env.filters.update(tex=tex, num=num, pct=pct, latex=sympy_latex, count=count, at_point=at_point)
    env.globals.update(mistake_name=mistake_name, measured=MEASURED, variant_notes=VARIANTS)
    env.tests["endswith"] = lambda value, suffix: str(value).endswith(suffix)
    return env
