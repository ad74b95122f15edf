"""A derivation's text -> its lines: one statement a line, justifications set aside.

Line 0 names the quantity (``Var[y]``, ``\\frac{\\partial L}{\\partial x_j}``); every later line starts
with ``=`` (or ``&=``), or, in an equation question, is an equation (``=>``, ``\\iff`` in front are
dropped). ``# text`` and ``\\quad\\text{...}`` at the end of a line are justifications. One line
holding a chain (``Var[y] = E[y^2] = ... = d sigma^2/2``, or equations joined by ``=>``) is
split into the same lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .reader import _DEFINITION, _SEPARATOR, IMPLICATION, split_chain, split_equals, top_level, without_reason
from .sentences import asides

#: A justification at the end of a line: ``# ...``, ``\quad\text{...}``, ``\qquad (\text{...})``.
_COMMENT = re.compile(r"\s#(?P<hash>.*)$|^#(?P<whole>.*)$|(?<!\\)%(?P<percent>.*)$")
_TEXT_COMMENT = re.compile(r"\\q?quad\s*\(?\s*\\(?:text|mathrm|textrm)\{(?P<text>.*)$")
#: A bracketed justification after LaTeX's space: ``\quad (\mathbb{E}[y] = 0)``, ``\qquad [w_i iid]``.
_QUAD_ASIDE = re.compile(r"\\q?quad\s*(?P<text>[(\[].*[)\]])\s*$")
_ALIGN_LEAD = re.compile(r"^\s*&?\s*=")
_LEAD = re.compile(r"^\s*(?:&\s*)?(?:=>|==>|⇒|⟹|\\(?:Rightarrow|Longrightarrow|implies|iff|Leftrightarrow|therefore)"
                   r"(?![A-Za-z])|\\\\)\s*")
_ENVIRONMENT = re.compile(r"^\s*\\(?:begin|end)\{[a-z*]+\}\s*$")
#: A display environment's markers anywhere in a line (``\begin{align*} Var[y] &= ...``).
_DISPLAY = re.compile(r"\\(?:begin|end)\{(?:align|aligned|alignat|eqnarray|gather|gathered|split|multline|"
                      r"equation)\*?\}(?:\{\d+\})?")
#: LaTeX's line break ``\\`` (with an optional skip ``\\[2pt]``) between statements.
_BREAK = re.compile(r"\\\\(?:\[[^\]]{0,20}\])?")


def lines(answer: str) -> list[str]:
    """The non-empty lines of an answer: split at every line end Python knows (LF, CRLF, CR,
    U+2028, U+0085, ...) and at LaTeX's ``\\\\``; display-environment markers dropped."""
    out = []
    for ln in _DISPLAY.sub("\n", answer).splitlines():
        out.extend(_BREAK.split(ln))
    return [ln for ln in out if ln.strip() and not _ENVIRONMENT.match(ln)]


@dataclass(frozen=True)
class WorkingLine:
    """One line of working: the statement as typed (without ``=`` and justification), the line as
    the student wrote it, and the justification."""

    text: str
    line: str
    reason: str = ""
    definitions: tuple[tuple[str, str], ...] = ()  # (name, value) written beside the statement

    def pieces(self, equation: bool) -> list[str]:
        """The statements of the line, each judged against the one before. Otherwise than in an
        equation question, the pieces between top-level ``=`` (``Var[y] = E[y^2]`` holds two).
        In an equation question, the statements joined by ``=>``, ``so``...; an equation chain
        ``u = a = b`` holds the equations of each piece with the side that is a plain value
        (``Var[y] = d sigma^2/2 = 1``: Var[y] = 1, d sigma^2/2 = 1) or else with the first piece
        (``sigma = a = b``: sigma = a, sigma = b)."""
        if not equation:
            return [p.strip() for p, _ in split_equals(self.text) if p.strip()] or [self.text]
        out = []
        for statement, _ in split_chain(self.text):
            sides = [p.strip() for p, _ in split_equals(statement)]
            if len(sides) <= 2 or any(not s for s in sides):
                out.append(statement.strip())
                continue
            anchor = sides[-1] if _is_value(sides[-1]) else sides[0]
            out.extend(f"{s} = {anchor}" if anchor == sides[-1] else f"{anchor} = {s}"
                       for s in sides if s is not anchor)
        return out or [self.text]


def _is_value(text: str) -> bool:
    """Whether a side is a plain number (``1``, ``2/d`` is not: it names a parameter)."""
    return bool(re.fullmatch(r"[\d\s.+\-*/^()]+", text))


def is_derivation(answer: str, equation: bool) -> bool:
    """Whether an answer is working to be judged line by line: several non-empty lines, or one
    line holding a chain of at least three statements (``a = b = c``; equations joined by ``=>``)."""
    found = lines(answer)
    if len(found) > 1:
        return True
    text = _strip_comment(found[0] if found else answer)[0]
    if len(top_level(text, _SEPARATOR)) > 1:
        return False  # statements and definitions on one line (``log(a/b), where a = ...``): the reader's
    if equation:
        return len(split_chain(text)) >= 2
    return len(split_equals(text)) >= 3 and not IMPLICATION.search(text)


def _strip_comment(line: str) -> tuple[str, str]:
    m = _TEXT_COMMENT.search(line) or _QUAD_ASIDE.search(line)
    if m:
        return line[:m.start()].rstrip(), m.group("text").strip()
    aside = asides(line)
    if aside is not None and aside[0].strip() and line.rstrip().endswith(aside[1][-1]):
        body, found = aside
        return body.rstrip(), "; ".join(found)
    m = _COMMENT.search(line)
    if m:
        return line[:m.start()].rstrip(), (m.group("hash") or m.group("whole") or m.group("percent") or "").strip()
    reasoned = without_reason(line)  # "= E[y^2]  since E[y] = 0": the reason is the line's justification
    if reasoned is not None and reasoned[0].strip(" =&"):
        return reasoned[0].rstrip(), reasoned[1]
    return line.rstrip(), ""


def split(answer: str, equation: bool) -> list[WorkingLine]:
    """The steps of a derivation, in order."""
    raw = lines(answer)
    if len(raw) == 1:
        return _chain(raw[0], equation)
    steps = []
    for ln in raw:
        body, reason = _strip_comment(ln)
        body = re.sub(r"\\\\\s*$", "", body)
        text = _LEAD.sub("", body) if equation else _ALIGN_LEAD.sub("", body)
        text = text.replace("&", " ").strip()
        steps.append(WorkingLine(text=text, line=ln.strip(), reason=reason))
    return steps


def _chain(line: str, equation: bool) -> list[WorkingLine]:
    body, reason = _strip_comment(line)
    if equation:
        pieces = [p.strip() for p, _ in split_chain(body)]
        return [WorkingLine(p, p if k == 0 else "=> " + p, reason if k == len(pieces) - 1 else "")
                for k, p in enumerate(pieces)]
    pieces = [p.strip() for p, _ in split_equals(body)]
    return [WorkingLine(p, p if k == 0 else "= " + p, reason if k == len(pieces) - 1 else "")
            for k, p in enumerate(pieces)]


def _name(text: str) -> str:
    return re.sub(r"[{}\s]", "", text)


def beside(steps: list[WorkingLine], known: set[str]) -> list[WorkingLine]:
    """The steps with the definitions written beside a statement set apart (``= m + log(e^{-m} +
    e^{t-m}) - yt, \\quad m = max(t, 0)``; ``= d/du (1/u) du/dt, u = 1 + e^{-t}``): the trailing
    statements that follow the line's statement, separated as the final-answer reader separates
    statements (``,``, ``;``, ``where``, ``with``, ``\\quad``: :func:`.reader.statements`), each
    ``name = value`` for a NEW name, one that is none of ``known`` (the model's names, the question's
    variables, functions, constants, the unknown) nor defined on an earlier line. A definition holds
    for its line and the lines after it; a statement about a known name (``y = 1``) is never one.
    The line's statement must remain: a line that is only ``name = value`` defines nothing."""
    out = []
    seen = set(known)
    for step in steps:
        pieces = top_level(step.text, _SEPARATOR)
        found: list[tuple[str, str]] = []
        k = len(pieces)
        while k > 1:
            m = _DEFINITION.fullmatch(pieces[k - 1][0])
            name = _name(m.group("name")) if m else ""
            if m is None or name in seen or name.split("_")[0] in seen or any(n == name for n, _ in found):
                break
            found.insert(0, (name, m.group("value").strip()))
            k -= 1
        if not found:
            out.append(step)
            continue
        statement, offset = pieces[k - 1]
        seen.update(n for n, _ in found)
        out.append(WorkingLine(step.text[:offset + len(statement)].rstrip(), step.line, step.reason, tuple(found)))
    return out
