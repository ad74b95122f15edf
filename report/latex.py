"""Jinja2 for LaTeX: \\VAR{...} for values, \\BLOCK{...} for statements, filters that escape prose
and format numbers. Templates hold prose and layout only.

This module is the one place text reaches the ``.tex``: every ``\\VAR{...}`` passes :func:`guard`
(the environment's ``finalize``), which refuses a value carrying a control sequence that reads or
writes files, runs programs or redefines TeX (``\\input``, ``\\write``, ``\\catcode``, ``\\def``, ...),
so a tampered store record cannot make LaTeX do more than typeset; prose goes through :func:`tex`.
A claim's template block printed into another template (:func:`claim_part`) is :class:`Typeset`:
its values passed the guard as it was rendered, the rest is the template's own LaTeX.
"""
# ruff: noqa: RUF001, RUF002 (the Unicode maths symbols of prose are this module's subject)
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import jinja2
import jinja2.runtime

from .wording import words

_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
            "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


class UnsafeLatex(ValueError):
    """A value for the ``.tex`` holds a control sequence the report never typesets."""


#: Control sequences no value may carry: file and terminal I/O, shell escape, definitions and
#: category codes (which could build any of the others), and ^^ escapes (which can spell them).
FORBIDDEN = re.compile(
    r"\\(?:input|include|includeonly|InputIfFileExists|IfFileExists|openin|openout|read|readline|write|"
    r"immediate|closein|closeout|newread|newwrite|special|directlua|latelua|luaexec|ShellEscape|"
    r"catcode|lccode|uccode|mathcode|delcode|sfcode|endlinechar|escapechar|newlinechar|"
    r"def|edef|gdef|xdef|let|futurelet|global|long|outer|protected|csname|expandafter|noexpand|"
    r"scantokens|everyeof|everyjob|everypar|everymath|everydisplay|afterassignment|aftergroup|"
    r"newcommand|renewcommand|providecommand|DeclareRobustCommand|DeclareMathOperator|newenvironment|"
    r"renewenvironment|usepackage|RequirePackage|documentclass|makeatletter|pdfprimitive|primitive|"
    r"jobname|endinput|end(?=\s*\{document\})|verbatiminput|lstinputlisting|includegraphics|pdfobj|"
    r"pdffiledump|pdfmdfivesum|filesize|pdfstrcmp|shipout|output|errhelp|message|typeout)(?![A-Za-z@])"
    r"|\^\^")


class Typeset(str):
    """Text a template rendered (a claim's block, :func:`claim_part`): every value in it has passed
    :func:`guard` already, and the rest is the template's own LaTeX, so it is printed as it is."""


def guard(value: Any) -> Any:
    """``value`` unchanged, unless as text it holds a forbidden control sequence
    (:data:`FORBIDDEN`): then :class:`UnsafeLatex`. Every value a template prints passes here."""
    if value is None or isinstance(value, (bool, int, float, Typeset)):
        return value
    found = FORBIDDEN.search(str(value))
    if found:
        raise UnsafeLatex(f"refusing to write {found.group(0)!r} into the report: the stored results hold LaTeX "
                          "that could read or write files (rebuild with --fresh)")
    return value


#: The maths symbols prompts write in Unicode, as LaTeX (each typeset in maths mode).
_MATH = {"⊙": r"\odot", "∈": r"\in", "∉": r"\notin", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx",
         "·": r"\cdot", "⋅": r"\cdot", "×": r"\times", "−": "-", "±": r"\pm", "∓": r"\mp", "∑": r"\sum",
         "∏": r"\prod", "∫": r"\int", "√": r"\surd", "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla",
         "→": r"\to", "←": r"\leftarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow",
         "∘": r"\circ", "⊤": r"\top", "′": "'", "∀": r"\forall", "∃": r"\exists", "∼": r"\sim",
         "≡": r"\equiv", "∝": r"\propto", "⊂": r"\subset", "⊆": r"\subseteq", "∪": r"\cup", "∩": r"\cap",
         "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "…": r"\dots", "⟨": r"\langle",
         "⟩": r"\rangle", "‖": r"\|", "÷": r"\div", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee"}
#: Greek capitals LaTeX has a command for (the others look like Latin letters).
_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}


def unicode_math(char: str) -> str:
    """One non-ASCII character of prose as LaTeX: a maths symbol (:data:`_MATH`) or Greek letter
    (by its Unicode name: σ -> ``\\sigma``) typeset in maths mode; another Latin-1 character as
    it is (``inputenc`` knows them); anything else as its code point (``U+2603``), which LaTeX
    can always typeset."""
    if char in _MATH:
        return f"\\ensuremath{{{_MATH[char]}}}"
    name = unicodedata.name(char, "")
    greek = re.fullmatch(r"GREEK (SMALL|CAPITAL) LETTER ([A-Z]+)", name)
    if greek:
        letter = {"omicron": "o", "lamda": "lambda"}.get(greek.group(2).lower(), greek.group(2).lower())
        if greek.group(1) == "CAPITAL":
            letter = letter.capitalize()
            if letter not in _GREEK_CAPITALS:
                return f"\\texttt{{U+{ord(char):04X}}}"
        return f"\\ensuremath{{{letter}}}" if letter == "o" else f"\\ensuremath{{\\{letter}}}"
    if ord(char) < 0x100:
        return char
    return f"\\texttt{{U+{ord(char):04X}}}"


def tex(text: Any) -> str:
    """Escape prose for LaTeX: its special characters, and the Unicode maths symbols and Greek
    letters prompts use (``m ⊙ x``, ``x ∈ ℝ^d``, ``σ``) as maths (:func:`unicode_math`)."""
    return re.sub(r"[&%$#_{}~^\\<>|]|[^\x00-\x7f]",
                  lambda m: _SPECIAL.get(m.group(0)) or unicode_math(m.group(0)), str(text))


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
    if v < 0:  # a minus sign, not a hyphen, in text too
        return r"\ensuremath{-}" + num(-v, digits)
    if v.is_integer() and abs(v) < 1e12:
        return f"{int(v):,}".replace(",", "\\,")
    text = f"{v:.{digits}g}"
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6 or "e" in text):  # one power-of-ten form, never 6.3e+05
        mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
        return f"\\ensuremath{{{mantissa} \\times 10^{{{int(exponent)}}}}}"
    return text


def sig(value: Any, digits: int = 3) -> str:
    """A measured value to ``digits`` significant figures, trailing zeros kept (10.96 -> 11.0,
    1.419 -> 1.42): the figures the measurement supports, no fewer and no more."""
    v = float(value)
    if v < 0:  # a minus sign, not a hyphen, as in num
        return r"\ensuremath{-}" + sig(-v, digits)
    text = f"{v:#.{digits}g}"
    return text.rstrip(".") if "e" not in text else num(v, digits)


def sci(value: Any, digits: int = 3) -> str:
    """A value in scientific notation to ``digits`` significant figures, whatever its size, so
    that values compared in one sentence read alike (2.16e-3 and 5.35e-5, not 0.002158 and
    5.350e-5); safe in and out of math mode."""
    v = float(value)
    if v == 0 or not math.isfinite(v):
        return num(v)
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    return f"\\ensuremath{{{mantissa} \\times 10^{{{int(exponent)}}}}}"


def power10(value: Any) -> str:
    """A power of ten as LaTeX (safe in and out of math mode): 1e-06 -> 10^{-6}; another value with
    one significant figure, 2e-07 -> 2 x 10^{-7}."""
    return sci(value, 1).replace("{1 \\times ", "{")


def count(value: Any) -> str:
    """A count for prose: exact below a million, then in millions to 4 significant figures
    (16777216 -> 16.78 million)."""
    v = float(value)
    if abs(v) >= 1e6:
        return f"{v / 1e6:.4g} million"
    return num(v)


def sympy_latex(expr: Any) -> str:
    """The one printer of formulas (:func:`derivcheck.derivations.claim.to_latex`, also the grader's,
    the page's and the notebook's): SymPy's LaTeX with the sheet's typeset names and order of terms."""
    from derivcheck.derivations.claim import to_latex

    return to_latex(expr)


def _braced(text: str, start: int) -> tuple[str, int]:
    """The group ``{...}`` opening at ``text[start]`` (without its braces) and the index after it."""
    depth = 0
    for k in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        if depth == 0:
            return text[start + 1:k], k + 1
    raise ValueError(f"unbalanced braces in {text!r}")


def _top_level(text: str) -> list[str]:
    """The characters of ``text`` outside every brace group and ``\\left( ... \\right)`` pair."""
    out, depth = [], 0
    for k, ch in enumerate(text):
        if ch == "{" or text.startswith(r"\left", k):
            depth += 1
        elif ch == "}" or text.startswith(r"\right", k):
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return out


def inline_fractions(latex: str) -> str:
    r"""A formula for running text: every ``\frac{a}{b}`` written ``a / b`` (a sum of terms in
    parentheses; so is a denominator that is a product), so no small stacked fraction opens up the
    line: ``\frac{e^{x_i}}{\sum_{k=1}^{d} e^{x_k}}`` -> ``e^{x_i} / \sum_{k=1}^{d} e^{x_k}``,
    ``\frac{d \sigma^{2}}{2}`` -> ``d \sigma^{2} / 2``,
    ``\frac{1 - x}{2 y}`` -> ``\left(1 - x\right) / \left(2 y\right)``."""
    out, k = [], 0
    while (at := latex.find(r"\frac{", k)) >= 0:
        numerator, after = _braced(latex, at + 5)
        denominator, end = _braced(latex, after)
        numerator, denominator = inline_fractions(numerator), inline_fractions(denominator)
        top, bottom = _top_level(numerator.strip().removeprefix("-")), _top_level(denominator.strip())
        if "+" in top or "-" in top:
            numerator = rf"\left({numerator}\right)"
        if "+" in bottom or "-" in bottom or (" " in bottom and not denominator.lstrip().startswith(r"\sum")):
            denominator = rf"\left({denominator}\right)"
        out += [latex[k:at], f"{{{numerator}}} / {{{denominator}}}"]
        k = end
    return "".join(out) + latex[k:]


def pct(value: float, digits: int = 2) -> str:
    """A fraction as a LaTeX percentage (0.983 -> 98.30\\%)."""
    return f"{100 * float(value):.{digits}f}\\%"


#: The template of a claim: its blocks ``glance`` (its row of the answers at a glance), ``body`` (its
#: section: question, derivation, evidence, mistakes) and ``appendix`` (how it was checked).
CLAIM_TEMPLATE = "claims/{claim}.tex.j2"


@jinja2.pass_context
def claim_part(context: jinja2.runtime.Context, claim: str, block: str) -> Typeset:
    """The block ``block`` of ``claim``'s template rendered with the calling template's context
    (``claim`` set to the claim), without its last line break; empty when the claim has no
    template or no such block."""
    try:
        template = context.environment.get_template(CLAIM_TEMPLATE.format(claim=claim))
    except jinja2.TemplateNotFound:
        return Typeset("")
    if block not in template.blocks:
        return Typeset("")
    scope = template.new_context({**context.get_all(), "claim": claim}, shared=True)
    return Typeset("".join(template.blocks[block](scope)).rstrip("\n"))  # the line calling it ends it


def environment(loader: jinja2.BaseLoader, sheet: Any = None) -> jinja2.Environment:
    """A Jinja2 environment with the LaTeX-safe delimiters, the filters inline (:func:`inline_fractions`),
    tex, num, sig, sci, power10, pct, count,
    latex, at_point and the words of ``sheet`` (a :class:`~derivcheck.sheets.Sheet` or its id; default: the default
    sheet): the mistakes' human names (``mistake_name(question, code)``), ``measured``, ``variant_notes``,
    ``glance(question)`` and ``problem_heading(problem)``; and ``part(claim, block)``, a block of a
    claim's template (:func:`claim_part`)."""
    env = jinja2.Environment(
        loader=loader, block_start_string=r"\BLOCK{", block_end_string="}", variable_start_string=r"\VAR{",
        variable_end_string="}", comment_start_string=r"\#{", comment_end_string="}", line_statement_prefix="%%",
        line_comment_prefix="%#", trim_blocks=True, lstrip_blocks=True, autoescape=False,
        undefined=jinja2.StrictUndefined, finalize=guard)
    said = words(sheet)
    env.filters.update(inline=inline_fractions,
                       tex=tex, num=num, sig=sig, sci=sci, power10=power10, pct=pct, latex=sympy_latex, count=count,
                       at_point=said.at_point)
    env.globals.update(mistake_name=said.mistake_name, measured=said.measured, variant_notes=said.variants,
                       glance=said.glance, problem_heading=said.problem_heading, part=claim_part)
    env.tests["endswith"] = lambda value, suffix: str(value).endswith(suffix)
    return env
