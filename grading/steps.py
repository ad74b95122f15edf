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

from .reader import IMPLICATION, split_chain, split_equals

#: A justification at the end of a line: ``# ...``, ``\quad\text{...}``, ``\qquad (\text{...})``.
_COMMENT = re.compile(r"\s#(?P<hash>.*)$|^#(?P<whole>.*)$")
_TEXT_COMMENT = re.compile(r"\\q?quad\s*\(?\s*\\(?:text|mathrm|textrm)\{(?P<text>.*)$")
_ALIGN_LEAD = re.compile(r"^\s*&?\s*=")
_LEAD = re.compile(r"^\s*(?:&\s*)?(?:=>|==>|⇒|⟹|\\(?:Rightarrow|Longrightarrow|implies|iff|Leftrightarrow|therefore)"
                   r"(?![A-Za-z])|\\\\)\s*")
_ENVIRONMENT = re.compile(r"^\s*\\(?:begin|end)\{[a-z*]+\}\s*$")


@dataclass(frozen=True)
class Step:
    """One line of working: the statement as typed (without ``=`` and justification), the line as
    the student wrote it, and the justification."""

    text: str
    line: str
    reason: str = ""

    def pieces(self, equation: bool) -> list[str]:
        """The statements of the line: an equation whole; otherwise the pieces between top-level
        ``=`` (a line ``Var[y] = E[y^2]`` holds two, each judged against the one before)."""
        if equation:
            return [self.text]
        return [p.strip() for p, _ in split_equals(self.text) if p.strip()] or [self.text]


def is_derivation(answer: str, equation: bool) -> bool:
    """Whether an answer is working to be judged line by line: several non-empty lines, or one
    line holding a chain of at least three statements (``a = b = c``; equations joined by ``=>``)."""
    lines = [ln for ln in answer.splitlines() if ln.strip() and not _ENVIRONMENT.match(ln)]
    if len(lines) > 1:
        return True
    text = _strip_comment(answer)[0]
    if equation:
        return len(split_chain(text)) >= 2
    return len(split_equals(text)) >= 3 and not IMPLICATION.search(text)


def _strip_comment(line: str) -> tuple[str, str]:
    m = _TEXT_COMMENT.search(line)
    if m:
        return line[:m.start()].rstrip(), m.group("text").strip()
    m = _COMMENT.search(line)
    if m:
        return line[:m.start()].rstrip(), (m.group("hash") or m.group("whole") or "").strip()
    return line.rstrip(), ""


def split(answer: str, equation: bool) -> list[Step]:
    """The steps of a derivation, in order."""
    raw = [ln for ln in answer.splitlines() if ln.strip() and not _ENVIRONMENT.match(ln)]
    if len(raw) == 1:
        return _chain(raw[0], equation)
    steps = []
    for ln in raw:
        body, reason = _strip_comment(ln)
        body = re.sub(r"\\\\\s*$", "", body)
        text = _LEAD.sub("", body) if equation else _ALIGN_LEAD.sub("", body)
        text = text.replace("&", " ").strip()
        steps.append(Step(text=text, line=ln.strip(), reason=reason))
    return steps


def _chain(line: str, equation: bool) -> list[Step]:
    body, reason = _strip_comment(line)
    if equation:
        pieces = [p.strip() for p, _ in split_chain(body)]
        return [Step(p, p if k == 0 else "=> " + p, reason if k == len(pieces) - 1 else "")
                for k, p in enumerate(pieces)]
    pieces = [p.strip() for p, _ in split_equals(body)]
    return [Step(p, p if k == 0 else "= " + p, reason if k == len(pieces) - 1 else "")
            for k, p in enumerate(pieces)]
