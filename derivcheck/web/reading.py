"""How an answer is read, for the live preview (``POST /api/read``): parsed, never evaluated.

:func:`read_task` runs in a sandboxed worker (a reading is bounded like a check). It reads the
answer with the grader's own reader (:func:`derivcheck.grading.reader.read_statement`: under the
question's model and in its own names, its limits, an equation solved for the question's
unknown) and returns SymPy's LaTeX of the expression read, its MathML, or the reader's message
with the 0-based position of the character it points at. Nothing is compared with the reference
and no number is computed beyond what building the expression does within the reader's bounds.

An answer of several lines is a derivation: each line is read on its own (a trailing ``# why`` or
``\\quad\\text{why}`` justification and the leading ``=`` set aside), positions counted in the
whole text; where the question has a model, as the derivation checker reads it (``E[...]``,
``Var``, sums, derivatives).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from derivcheck.grading.limits import DEFAULT, Limits

from .mathml import to_mathml

#: A justification at the end of a derivation line: never read.
JUSTIFICATION = re.compile(r"\s*(?:#.*|\\quad\s*\\text\{.*\}\s*)$")


def read_task(bank_path: str | None, question_id: str, answer: str, limits: Limits = DEFAULT) -> dict[str, Any]:
    """``{"latex", "mathml", "error": {"message", "position"} | None, "note"}`` for one line;
    for several lines also ``"lines"``: the same for each line, with ``"line"`` its number."""
    from derivcheck.grading.bank import load
    from derivcheck.grading.lines import judges_working

    question = load(bank_path)[question_id]
    rows = [(n, text, offset) for n, (text, offset) in enumerate(_lines(answer))]
    if len([r for r in rows if r[1].strip()]) <= 1:
        text, offset = next(((t, o) for _, t, o in rows if t.strip()), (answer, 0))
        return _read_one(question, text, offset, limits)
    lines = []
    for n, text, offset in rows:
        if not text.strip():
            continue
        body, start = _body(text, n)
        read = _read_step if judges_working(question) else _read_one
        lines.append({"line": n, "text": text, **read(question, body, offset + start, limits)})
    first_error = next((line["error"] for line in lines if line["error"]), None)
    return {"latex": None, "mathml": None, "error": first_error, "note": "", "lines": lines}


#: Every line break ``str.splitlines`` knows (CR LF, LF, CR, U+2028, ...), so that a derivation is
#: cut into the same lines here as wherever else it is split.
_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _lines(answer: str) -> list[tuple[str, int]]:
    """The lines of ``answer`` with the offset of each in it."""
    out, offset = [], 0
    for brk in _BREAK.finditer(answer):
        out.append((answer[offset:brk.start()], offset))
        offset = brk.end()
    out.append((answer[offset:], offset))
    return out


def _body(line: str, number: int) -> tuple[str, int]:
    """The part of a derivation line that is read, and its offset in the line: no justification,
    and after the first line no leading ``=``."""
    body = JUSTIFICATION.sub("", line)
    stripped = body.lstrip()
    start = len(body) - len(stripped)
    if number > 0 and stripped.startswith("=") and not stripped.startswith("=="):
        start += 1
    return body[start:], start


def _read_step(question: Any, text: str, offset: int, limits: Limits) -> dict[str, Any]:
    """A line of working, read as the derivation checker reads it (the one reader of statements
    under the question's model: expectations, sums, derivatives, or the question's own names); an
    equation question's line is an equation."""
    from derivcheck.grading.reader import read_statement

    equation = question.unknown is not None and "=" in text
    body = text.lstrip(" &\t")
    return _reading(lambda: read_statement(question, body.rstrip(), limits, equation=equation).expression(final=False),
                    offset + len(text) - len(body), "line")


def _read_one(question: Any, text: str, offset: int, limits: Limits) -> dict[str, Any]:
    """A final statement, read as the grader reads it (the same reader, the question's own names
    first)."""
    from derivcheck.grading.reader import read_statement

    return _reading(lambda: read_statement(question, text, limits).expression(final=True), offset, "answer")


def _reading(read: Callable[[], tuple[Any, str]], offset: int, what: str) -> dict[str, Any]:
    """``read()`` -> (expression, note) as the preview shows it: LaTeX and MathML, or the reader's
    message with its position in the whole answer."""
    from derivcheck.derivations.claim import to_latex
    from derivcheck.grading.errors import AnswerError

    try:
        expr, note = read()
    except AnswerError as err:
        position = None if err.position is None else offset + err.position
        return {"latex": None, "mathml": None, "error": {"message": str(err), "position": position}, "note": ""}
    except (RecursionError, MemoryError, OverflowError, ValueError, TypeError, ZeroDivisionError,
            AttributeError, NotImplementedError, IndexError, KeyError, ArithmeticError) as err:
        return {"latex": None, "mathml": None, "note": "",
                "error": {"message": f"this {what} cannot be read ({type(err).__name__})", "position": None}}
    latex = to_latex(expr)
    return {"latex": latex, "mathml": to_mathml(latex, display=True), "error": None, "note": note}
