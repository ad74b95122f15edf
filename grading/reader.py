"""Untrusted answer text -> a SymPy expression, never through eval, sympify or parse_expr.

Steps: length check; Unicode/LaTeX normalisation (:mod:`.normalize`); Lark parse into an inert
tree with depth and node bounds (:mod:`.parser`, :mod:`.tree`); log-space bounds on every constant
(:mod:`.bounds`); SymPy construction under the question's vocabulary (:mod:`.symbolic`).
An equation ``lhs = rhs`` keeps its last side, unless the left side contains the question's
unknown (``sigma^2 = 2/d``), in which case it is solved for that unknown; a label such as
``Var[y] =`` or ``sigma =`` is dropped, and so is the asked quantity named on the right
(``x_i^2 (1-p)/p = Var[h_i]``, :func:`quantity_label`). A chain marker may open the answer
(``=> nLK^2``, ``Hence: ...``). A remark that explains the answer is set aside, one that modifies
it never is (:func:`.sentences.remarks`, :func:`.sentences.modifies`); before anything beside the
answer is set aside it is checked against the question (:func:`beside`: a label must name the asked
quantity, a reason's equation must hold under the model, a definition must agree with the sheet, a
value at a point must be the answer's), and two unequal sides of an equation are two answers.

:func:`read_statement` is the one reader of final answers and working lines alike: a statement
is read under the question's model (every question has one; a formula question's is the trivial
model of its variables), so whatever is a valid line of working is a valid final statement and
the reverse.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sympy as sp

from . import premises
from .bounds import bound
from .errors import AnswerError, TooLarge
from .labels import TEXT_BOX, asking, question_words, recognised, remark_recognised, stem, unrecognised_subscript
from .limits import DEFAULT, Limits
from .normalize import braced_names, to_plain
from .parser import _bracket_depth, parse_plain
from .sentences import (
    EXCLUSIONS,
    NAMED_MOMENT,
    NEGATIONS,
    NOUN_VALUE,
    OPERATION_WORDS,
    QUANTITY_WORDS,
    explains,
    modal_statement,
    modifies,
    names_the_answer,
    on_the_answer,
    operated,
    remarks,
    says_finite,
    spoken_arithmetic,
    without_hedge,
)
from .symbolic import Builder, Vocabulary
from .vocabulary import FUNCTION

if TYPE_CHECKING:
    from .bank import Question
    from .model import Model
    from .working import Line


@dataclass(frozen=True)
class Parsed:
    """A read answer: its expression, the plain text it was read as, whether it was typed as
    LaTeX, and a note on how it was read (an equation solved for the unknown)."""

    expr: sp.Expr
    plain: str
    latex: bool
    note: str = ""


#: What joins the statements of a chain: arrows and words of implication. The final statement
#: of a chain is the answer; the working before it is judged by :mod:`.premises`.
IMPLICATION = re.compile(r"\\(?:text|mathrm|textrm)\{\s*(?:so|hence|therefore|thus|implies)\s*\}"
                         r"|<=>|==>|=>|-+>|⇒|⟹|⇔|→|⟶|\\(?:Rightarrow|Longrightarrow|implies|therefore|iff|Leftrightarrow"
                         r"|Longleftrightarrow)(?![A-Za-z])|∴"
                         r"|(?<![A-Za-z\\])(?:so|hence|therefore|thus|implies)(?![A-Za-z])",
                         re.IGNORECASE)
WORKING_NOTE = ("the working before the final statement was not checked beyond its mathematics (grading/premises.py); "
                "only the final statement was graded")


def split_chain(text: str) -> list[tuple[str, int]]:
    """The statements of a chain (``a = b => c = d``, ``... so sigma = ...``) at top level (not
    inside brackets), each with its offset; empty pieces are dropped."""
    return top_level(text, IMPLICATION) or [(text, 0)]


def split_equals(text: str) -> list[tuple[str, int]]:
    """Top-level '=' splits (not inside brackets, not part of <=, >=, ==)."""
    parts, depth, start = [], 0, 0
    for pos, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "=" and depth == 0:
            prev = text[pos - 1] if pos else ""
            nxt = text[pos + 1] if pos + 1 < len(text) else ""
            if prev in "<>=!" or nxt == "=":
                continue
            parts.append((text[start:pos], start))
            start = pos + 1
    parts.append((text[start:], start))
    return parts


#: What separates statements at top level: ``;``, a comma (not LaTeX's ``\,``), ``where``/``with``
#: and LaTeX's ``\quad``, ``\qquad``, ``\text{where}``.
_SEPARATOR = re.compile(r"(?<!\\),|(?<!\\);|\\q?quad(?![A-Za-z])|\\(?:text|mathrm)\{\s*(?:where|with)\s*\}"
                        r"|(?<![A-Za-z\\])(?:where|with)(?![A-Za-z])", re.IGNORECASE)
#: A definition: a new name (with an optional subscript) set equal to something.
_DEFINITION = re.compile(r"\s*(?:\\[,;:!]\s*)*(?P<name>[A-Za-z]+(?:_\{?[A-Za-z0-9]\}?)?)\s*=\s*(?P<value>[^=]+?)\s*")


def top_level(text: str, pattern: re.Pattern) -> list[tuple[str, int]]:
    """``text`` split at the matches of ``pattern`` outside brackets and braces: the non-empty
    pieces, each with its offset."""
    depth_at, depth = [], 0
    for ch in text:
        depth_at.append(depth)
        depth += ch in "([{"
        depth -= ch in ")]}"
    pieces, start = [], 0
    for m in pattern.finditer(text):
        if depth_at[m.start()] == 0:
            pieces.append((text[start:m.start()], start))
            start = m.end()
    pieces.append((text[start:], start))
    return [(p, o) for p, o in pieces if p.strip()]


#: A name as it stands in a statement (not inside a longer name or after a backslash).
_NAME_AT = re.compile(r"(?<![A-Za-z\\])[A-Za-z]+(?:_\{?[A-Za-z0-9]\}?)?")


def _uses(text: str, name: str) -> bool:
    return any(m.group(0) == name for m in _NAME_AT.finditer(text))


def statements(text: str, unknowns: set[str]) -> tuple[str, str] | None:
    """An answer written as several statements, as one: ``(final statement, note)``, or None when
    ``text`` is a single statement. Statements are separated at top level by ``,``, ``;``,
    ``where``, ``with`` or ``\\quad``. A statement ``m = ...`` naming something another statement
    uses is a definition: it is put in, bracketed, where the
    name is used (``exp(x_i - m)/sum_k exp(x_k - m), where m = max_j x_j``; ``z - y, where z =
    softmax(x)``), unless it is the unknown the answer solves for. Of the other statements,
    the last is the answer when each of them is an equation (``σ² = 2/d, σ = √(2/d)``)."""
    pieces = [p for p, _ in top_level(text, _SEPARATOR)]
    if len(pieces) < 2:
        return None
    definitions: dict[str, str] = {}
    rest = []
    for piece in pieces:
        m = _DEFINITION.fullmatch(piece)
        if m and m.group("name") not in unknowns and any(_uses(p, m.group("name")) for p in pieces if p is not piece):
            definitions[m.group("name")] = m.group("value")
        else:
            rest.append(piece)
    if not rest:
        return None
    if definitions and len(rest) == 1:
        final = rest[0]
        def put_in(m: re.Match) -> str:
            value = definitions.get(m.group(0))
            return m.group(0) if value is None else f"({value})"

        final = _NAME_AT.sub(put_in, final)
        return final, "read with " + ", ".join(f"{n} = {v.strip()}" for n, v in definitions.items())
    if not definitions and all(split_equals(p)[1:] for p in rest):
        premises.hold(rest[:-1], rest[-1])  # the working before the final statement must hold
        return rest[-1], WORKING_NOTE
    return None


#: Words that open a reason for the answer (``d a^2/3, since Var(w_i) = a^2/3``), also as the first word of a
#: LaTeX text box (``\quad \text{because half of the } z_i \text{ are zeroed}``).
_REASON = re.compile(r"(?<![A-Za-z\\])(?:since|because|as|using|given\s+that)(?![A-Za-z])"
                     r"|\\(?:text|mathrm|textrm|mbox)\{\s*(?:since|because|as|using)(?![A-Za-z])|∵", re.IGNORECASE)
#: What ends a reason written before the answer: a top-level comma or semicolon.
_CLAUSE_END = re.compile(r"(?<!\\)[,;]")


def without_reason(text: str) -> tuple[str, str] | None:
    """``(the answer, its reason)`` for an answer that gives a reason beside it, or None. A reason
    follows the answer (``d a^2/3, since Var(w_i) = a^2/3``, ``x_i^2 (1-p)/p because ...``) or opens
    the answer up to its first top-level comma (``As Var(w_i) = a^2/3, Var(y) = d a^2/3``); only
    the answer is read, as a TA reads it. A reason that goes on to a conclusion (``since ..., so
    ...``) is a chain, read by :func:`split_chain`, never set aside here."""
    found = top_level(text, _REASON)
    if len(found) < 2 and not _REASON.match(text.lstrip()):
        return None
    first = _REASON.match(text.lstrip())
    if first is not None:  # "Since ..., answer"
        rest = text.lstrip()[first.end():]
        clause = top_level(rest, _CLAUSE_END)
        if len(clause) < 2:
            return None
        answer = rest[clause[1][1]:]
        reason = (first.group(0) + rest[:clause[1][1]]).rstrip(" ,;")
    else:
        start = found[1][1]
        match = next(m for m in _REASON.finditer(text) if m.end() <= start and text[m.end():start].strip() == "")
        answer, reason = text[:match.start()], text[match.start():]
        answer = re.sub(r"[\s,;]+$", "", answer)
    if not answer.strip() or IMPLICATION.search(reason) or IMPLICATION.search(answer):
        return None
    if premises.refuted([reason], answer) is not None:  # a false reason is never set aside
        return None
    return answer, reason.strip()


#: A colon at top level that ends working: not ``:=``, not LaTeX's ``\colon`` or a spacing command.
_COLON = re.compile(r"(?<![\\:]):(?![=:])")
#: Mathematics in the working before a colon (a digit, an operator, a subscript, a LaTeX command).
_MATHS = re.compile(r"[0-9^*/+\-=_\\]|[A-Za-z](?:[A-Za-z])?\s*\(")


def after_colon(text: str) -> str | None:
    """The statement after the last top-level colon of an answer whose part before the colon is working in words with
    mathematics in it (``k^2 C_in per output value, times n H W C_out outputs: n H W C_out C_in k^2``) or a
    count of a part in words (``three times the forward: ...``), or None. Words alone before a colon introduce
    the answer (``Answer: ...``, :func:`.sentences.leading_words`); ``:=`` is a definition."""
    pieces = top_level(text, _COLON)
    if len(pieces) < 2 or pieces[0][1] != 0:
        return None
    before = text[:pieces[-1][1]]
    words = [w for w in re.findall(r"(?<![A-Za-z_\\])[A-Za-z]{3,}(?![A-Za-z_(])", before) if w not in FUNCTION]
    if not (_MATHS.search(before) or _COUNTED_WORKING.search(before)) or not words or not pieces[-1][0].strip():
        return None  # "y - s: s - y": no working in words before the colon
    if on_the_answer(before, set()):
        raise AnswerError(f"'{before.strip()[:60]}' before the colon operates on the answer; write the answer alone",
                          None, text)
    premises.hold([before], pieces[-1][0])
    return pieces[-1][0]


#: Working in words: a count times a part of the computation (``three times the forward``, ``twice the forward
#: pass``), an arithmetic of parts without symbols.
_COUNTED_WORKING = re.compile(r"(?<![A-Za-z])(?:(?:two|three|four|five|six|\d+)\s+times|twice)\s+(?:the\s+)?"
                              r"(?:forward|backward|cost|count|work|matmuls?|multiplications?|pass(?:es)?)(?![A-Za-z])",
                              re.I)


def _built(segment: str, offset: int, vocab: Vocabulary, typed: str, where: list[int] | None,
                limits: Limits) -> sp.Expr:
    try:
        tree = parse_plain(braced_names(vocab.symbols, segment), limits)
        bound(tree, limits)
        return Builder(vocab, segment, limits).build(tree)
    except AnswerError as err:
        pos = err.position
        if pos is not None:
            pos += offset
            if where is not None:
                pos = where[min(pos, len(where) - 1)] if where else 0
                raise type(err)(str(err), pos, typed) from None
            raise type(err)(f"{err} (in the LaTeX read as {segment.strip()!r})", None, typed) from None
        raise type(err)(str(err), None, typed) from None


#: A sentence's full stop, or a list's comma or semicolon, after the answer (``K^2 n L.``, ``d a^2/3 ;``,
#: ``$d a^2/3$.``, ``\frac{d a^2}{3}\,.``; not a decimal point: ``2.`` stays a number).
_FULL_STOP = re.compile(r"(?<=[A-Za-z0-9)\]}$])(?:\s|\\[,;:! ])*[;,]\s*$|(?<=[A-Za-z)\]}$])(?:\s|\\[,;:! ])*\.\s*$")
#: Markdown around a whole answer, as a notebook or a forum box keeps it: ``**d a^2/3**``, `` `d*a**2/3` ``.
_MARKDOWN = re.compile(r"\s*(\*\*|__|`+)(?P<inner>.+)\1\s*", re.S)
#: Words in brackets, ``(weights)``, ``(the activations)``, ``(weights + activations)``.
_BRACKETED_WORDS = re.compile(r"\(\s*([A-Za-z]{2,}(?:(?:\s*[+&/,]\s*|\s+)[A-Za-z]+)*)\s*\)")  # one way to split: linear
#: Words after the last term, ``nLK^2 multiplications``, ``sqrt(2/d), the He scale.``, ``s - y, i.e.
#: prediction minus label`` (a gloss in words after "i.e." or "e.g.").
#: A closing word that the value is the whole count: ``, so nLK^2 in total``, ``3 n L K^2 overall``.
_TOTAL = re.compile(r"[\s,]+(?:in\s+total|overall|altogether|all\s+together|in\s+all)\s*[.]?\s*$", re.I)
#: A closing quantifier, with words before it: ``, stable for all t``, ``(for all d)``, ``for every t, y``.
_QUANTIFIER = re.compile(r"(?<![A-Za-z])(?:for|holds\s+for)\s+(?:all|every|any|each)\s+"
                         r"[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?(?:\s*(?:,|and)\s*[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)*"
                         r"\s*\)?\s*[.]?\s*$", re.IGNORECASE)
#: The quantifier's words before the names it quantifies, and those names.
_QUANTIFIER_HEAD = re.compile(r"^.*?(?:all|every|any|each)\s+", re.IGNORECASE | re.S)
_QUANTIFIED = re.compile(r"[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?")
#: The last word before a position (searched in a window of 40 characters).
_LAST_WORD = re.compile(r"(?<![A-Za-z])([A-Za-z]{2,})[\s,;(]*$")
#: A closing clause that explains the names in words: ``, where a is the bound``, ``with d the width``.
_EXPLANATION = re.compile(r"[\s,;]*(?<![A-Za-z\\])(?:where|with|here)\s+((?:[A-Za-z]+\s+)*[A-Za-z]+)\s*[.]?\s*$",
                          re.IGNORECASE)
_GLOSS = re.compile(r"i\.\s?e\.|e\.\s?g\.|viz\.")
_TRAILING_WORDS = re.compile(r"[\s,;:]+((?:(?:i\.\s?e\.|e\.\s?g\.|viz\.)\s*)?(?:[A-Za-z]{2,}\s+)*[A-Za-z]{2,})"
                             r"\s*[.!]?\s*$")  # words apart: linear
#: LaTeX's text box of words after the last term, ``n L K^2 \text{ multiplications}``: words as typed plainly.
_TEXT_LABEL = re.compile(r"\\(?:text|mathrm|textrm|mbox)\{\s*([A-Za-z][A-Za-z -]*)\}\s*[.]?\s*$")
#: Words before the first term of an answer (``The forward pass needs n H W ...``).
_LEADING_RUN = re.compile(r"\s*((?:[A-Za-z]{2,}\s+)+)(?=[A-Za-z0-9(\\])")
_WORD = re.compile(r"[A-Za-z]+")
#: Words that turn a statement around: never dropped as a label (before the answer also the hedges of
#: grading/sentences.py, "only", "about": ``It is only d sigma^2/2``).
_NEGATIONS = NEGATIONS - {"isn't", "about", "roughly", "almost", "nearly", "only"}


def without_labels(text: str, names: set[str], scalars: set[str] | None = None) -> tuple[str, list[str]] | None:
    """``text`` without its labels, and the labels: words in brackets and words after the last term
    (units, names of the quantity) that are not names of the question or functions and negate
    nothing (``LK^2 (weights) + 2nK (activations)``, ``nLK^2 multiplications``); None when it has none."""
    from .normalize import scalar_subscripts
    from .sentences import asides, introduces, leading_words, spelled_by_names

    def label_word(word: str) -> bool:
        return not (word.lower() in _NEGATIONS or word.lower() in QUANTITY_WORDS or word in names
                    or IMPLICATION.fullmatch(word)
                    or word in FUNCTION or spelled_by_names(word, names))

    def label(words: str) -> bool:  # a label names (explains); one that changes or hedges the quantity is none
        tokens = _WORD.findall(words)
        return any(len(t) >= 3 for t in tokens) and all(label_word(t) for t in tokens) \
            and explains(words, names) and not modifies(words, names) and recognised(words, text)

    found: list[str] = []

    def drop(m: re.Match) -> str:
        if not label(m.group(1)):
            return m.group(0)
        found.append(m.group(1).strip())
        return " "

    text = _TEXT_LABEL.sub(lambda m: f" {m.group(1)}", text)  # "nLK^2 \text{ multiplications}": its words
    out = _BRACKETED_WORDS.sub(drop, text)
    aside = asides(out)  # "(since E[x^2] = 1/2)" (grading/sentences.py)
    if aside is not None:
        out = aside[0]
        found.extend(aside[1])
    intro = leading_words(out, names)  # "The variance is ...", "Answer: ..." (grading/sentences.py)
    if intro is not None and not recognised(intro[1], text):  # "The mean is", "Std:" (grading/labels.py)
        intro = None
    if intro is not None:
        out = intro[0]
        found.append(intro[1])
    else:  # "The forward pass needs n H W k^2 ...": the words before the first term, each a label word
        run = _LEADING_RUN.match(out)
        end = 0
        for word in _WORD.finditer(out, 0, run.end(1) if run else 0):
            if not label_word(word.group(0)) or word.group(0).lower() in NEGATIONS:
                break
            end = word.end()
        if end and label(out[:end]) and introduces(out[:end], names):
            found.append(out[:end].strip())
            out = out[end:]
    subscripted = scalar_subscripts(out, scalars, names) if scalars else None  # \sigma_w: sigma labelled
    if subscripted is not None and all(recognised(s) for s in subscripted[1]):  # sigma_z, p_{drop}: none
        out = subscripted[0]
        found.extend(subscripted[1])
    total = _TOTAL.search(out)  # "nLK^2 in total": the value is the whole count asked for
    if total and out[:total.start()].strip():
        found.append(total.group(0).strip(" ,."))
        out = out[:total.start()]
    quantified = _QUANTIFIER.search(out)  # "..., stable for all t", "(for all d)": says where it holds
    if quantified and not all((v in names or spelled_by_names(v, names)) and re.search(
            rf"(?<![A-Za-z\\]){re.escape(v)}(?![A-Za-z])", out[:quantified.start()])
            for v in _QUANTIFIED.findall(_QUANTIFIER_HEAD.sub("", quantified.group(0))) if v.lower() != "and"):
        quantified = None  # "(for each layer)", "d a^2/3 (for each i)": a scope, not where the answer holds
    if quantified:
        cut = quantified.start()
        while (before := _LAST_WORD.search(out, max(0, cut - 40), cut)) and label_word(before.group(1)):
            cut = before.start()  # the label words before it: "stable for all t"
        cut = len(out[:cut].rstrip(" ,;("))
        if out[:cut].strip():
            found.append(out[cut:].strip(" ,;.()"))
            out = out[:cut]
    explained = _EXPLANATION.search(out)  # "... where a is the bound": words about the names, no value
    if explained and out[:explained.start()].strip() and not operated(explained.group(1), names) and not any(
            t.lower() in _NEGATIONS or t.lower() in QUANTITY_WORDS for t in _WORD.findall(explained.group(1))) \
            and (recognised(explained.group(1), text) or _agreeing_definition(explained.group(0))):
        found.append(explained.group(0).strip(" ,;."))
        out = out[:explained.start()]
    m = _TRAILING_WORDS.search(out)
    if m is not None and not label(m.group(1)):  # "nLK numbers": the names before the words are the value's
        for word in _WORD.finditer(m.group(1)):
            if label_word(word.group(0)):
                m = _TRAILING_WORDS.search(out, m.start(1) + word.start() - 1)
                break
    gloss = m is not None and _GLOSS.match(m.group(1)) is not None  # "i.e. prediction minus label" restates
    if m and (label(m.group(1)) or (gloss and not any(t.lower() in _NEGATIONS for t in _WORD.findall(m.group(1)))
                                    and explains(m.group(1), names) and not modifies(m.group(1), names))) \
            and out[:m.start()].strip():
        found.append(m.group(1).strip())
        out = out[:m.start()]
    return (out, found) if found else None


def parse_answer(text: str, vocab: Vocabulary, solve_for: sp.Symbol | None = None,
                 limits: Limits = DEFAULT, labels: bool = True) -> Parsed:
    """Parse an answer under ``vocab``; raises ``AnswerError`` (a clear, positioned message). With
    ``labels``, words that only label the answer (units, names of quantities) are set aside when
    the answer cannot be read with them (a question that accepts sentences passes False), in the
    whole answer and in the final statement of a chain (``..., so the variance is d a^2/3``)."""
    try:
        return _parse(text, vocab, solve_for, limits, labels)
    except AnswerError as err:
        readable = labels and isinstance(text, str) and len(text) <= limits.max_length  # a long text: its error
        stripped = without_labels(text, set(vocab.known_names()), set(vocab.symbols) - set(vocab.indices)) \
            if readable else None
        if stripped is None:
            raise
        try:
            parsed = _parse(stripped[0], vocab, solve_for, limits, labels)
        except AnswerError:
            raise err from None
        note = "; ".join(n for n in (parsed.note, "ignored the label(s) " + ", ".join(
            repr(w) for w in stripped[1])) if n)
        return Parsed(expr=parsed.expr, plain=parsed.plain, latex=parsed.latex, note=note)


#: Doubled braces that open no exponent's or subscript's group (``{{7*7}}``, ``{{ x }}``): a template.
_TEMPLATE = re.compile(r"(?<![\^_{])\{\s*\{")


def _template(text: str) -> AnswerError | None:
    """The error for a text with doubled braces outside LaTeX (no LaTeX command in it) that open
    no exponent's or subscript's group: a template's placeholder (``{{7*7}}``), never an answer."""
    if "\\" in text or not _TEMPLATE.search(text):
        return None
    return AnswerError("doubled braces '{{' outside LaTeX are template syntax, not mathematics: write the answer "
                       "itself", None, text)


#: A closing definition of a name by words alone: ``, p = keep prob``, ``; where q = drop probability``.
_WORDED_DEFINITION = re.compile(r"\s*[,;]\s*(?:(?:where|with)\s+)?(?P<name>[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?)\s*[=:]\s*"
                                r"(?P<words>(?:the\s+)?[A-Za-z]{2,}(?:\s+[A-Za-z]+){0,5})\s*\.?\s*$")


#: Working that gives the answer in words: ``Setting the variance to one gives a = ...``, ``..., which yields ...``.
_GIVES = re.compile(r"^(?P<working>.+?)[\s,]+(?:which\s+)?(?:gives|giving|yields|we\s+get|one\s+gets)\s*:?\s+"
                    r"(?P<final>\S.*)$", re.S | re.I)
#: Working in words that names a method: ``Setting the variance to one``, ``Summing the d terms``, ``Independence``.
_METHOD = re.compile(r"\s*(?:setting|solving|summing|adding|multiplying|using|applying|plugging|putting|substituting|"
                     r"requiring|imposing|equating|independence|linearity|symmetry|by|from)(?![A-Za-z])", re.I)
#: A pronoun with ``is`` contracted: ``it's``, ``answer's`` (not a possessive of a name).
_IS_CONTRACTED = re.compile(r"(?<![A-Za-z])(it|that|this|which|what|here|there)['\u2019]s(?![A-Za-z])", re.I)


def _read_aside(read: Callable[[str], Parsed], part: str, note: str) -> Parsed | None:
    """``part`` (the answer with something set aside) read by ``read``, with ``note`` added; None
    when it does not read, so the answer is read as written."""
    try:
        parsed = read(part)
    except AnswerError:
        return None
    return Parsed(expr=parsed.expr, plain=parsed.plain, latex=parsed.latex,
                  note="; ".join(n for n in (parsed.note, note) if n))


def _parse(text: str, vocab: Vocabulary, solve_for: sp.Symbol | None, limits: Limits,
           labels: bool = True) -> Parsed:
    if isinstance(text, str):
        marked = _MARKDOWN.fullmatch(text)
        text = _FULL_STOP.sub("", marked.group("inner") if marked else text)
    if not isinstance(text, str):
        raise AnswerError("the answer must be text")
    if not text.strip():
        raise AnswerError("the answer is empty")
    if len(text) > limits.max_length:
        raise TooLarge(f"the answer is {len(text):,} characters long (at most {limits.max_length:,})")
    _bracket_depth(text.replace("\\{", "").replace("\\}", ""), limits)
    template = _template(text)  # "{{7*7}}": a template's placeholder, never mathematics
    if template is not None:
        raise template

    def answer(part: str) -> Parsed:
        return parse_answer(part, vocab, solve_for, limits, labels)

    def whole(part: str) -> Parsed:
        return _parse(part, vocab, solve_for, limits, labels)

    text = _IS_CONTRACTED.sub(r"\1 is", text)  # "I think it's z - y": it is
    hedged = without_hedge(text)  # "roughly 2LK^2 + LnK", "... but I'm not sure": graded as the value stated
    if hedged is not None and (found := _read_aside(whole, hedged[0], f"set aside the hedge {hedged[1]!r} (graded "
                                                                      "as the exact value it states)")):
        return found
    modal = modal_statement(text)  # "sigma should be sqrt(2/d)": the statement sigma = sqrt(2/d)
    if modal is not None and (found := _read_aside(whole, modal, "")):
        return found
    spoken = spoken_arithmetic(text)  # "half of d sigma^2": one operation said in words, read where unique
    if spoken is not None and (found := _read_aside(whole, spoken[0], f"read {spoken[1]!r} as arithmetic")):
        return found
    rejected = rejected_value(text)  # "d a^2/3 (not d a^2/12)", "not y - s but s - y": the other value denied
    if rejected is not None and (found := _read_aside(whole, rejected[0], f"set aside the rejected value "
                                                                          f"{rejected[1]!r}")) \
            and _another_value(found.expr, rejected[1], whole):
        return found
    scope = premises.CLOSING_SCOPE.search(text)  # "dL/dx_j = z_j - y_j for every j": where it holds
    if scope is not None and _subscripts(text[:scope.start()], scope.group(0)) and (
            found := _read_aside(whole, text[:scope.start()], f"set aside the scope {scope.group(0).strip()!r}")):
        return found
    restated = _restatement(text)  # "sigma^2 = 2/d, i.e. sigma = sqrt(2/d)": a premise, then the answer
    if restated is not None and (found := _read_aside(whole, restated[1], WORKING_NOTE)):
        premises.hold([restated[0]], restated[1])
        return found
    consequence = _consequence(text)  # "a = (3/d)^(1/2), so that d a^2/3 = 1": the answer, then what follows
    if consequence is not None and (found := _read_aside(whole, consequence[0], f"checked the consequence "
                                                                                f"{consequence[1]!r}")):
        premises.hold([consequence[1]], consequence[0])
        return found
    given = _GIVES.match(text)  # "Setting d sigma^2/2 = 1 gives sigma = sqrt(2/d)": working, then the answer
    if given is not None and (_MATHS.search(given.group("working")) or _METHOD.match(given.group("working"))) \
            and (found := _read_aside(whole, given.group("final"), WORKING_NOTE)):  # "The mistake gives ...": none
        premises.hold([given.group("working")], given.group("final"))
        return found
    example = numeric_example(text)
    if example is not None and (found := _read_aside(whole, example[0],
                                                     f"set aside the numeric example {example[1]!r}")):
        _example_agrees(found.expr, example[1], whole)
        return found
    worded = _WORDED_DEFINITION.search(text)  # "..., p = keep prob": the definition in words "where p is ..."
    if worded is not None and text[:worded.start()].strip() and (found := _read_aside(
            whole, f"{text[:worded.start()]}, where {worded.group('name')} is {worded.group('words')}", "")):
        return found
    reasoned = without_reason(text)  # not a reason after all when it does not read: read as written
    if reasoned is not None and not text.rstrip().endswith(reasoned[1]) and not recognised(reasoned[1], text):
        reasoned = None  # "As a is the std, ...": a leading reason in words the question does not use
    if reasoned is not None and (found := _read_aside(answer, reasoned[0], f"set aside the reason {reasoned[1]!r}")):
        return found
    remarked = remarks(text, set(vocab.known_names()))
    if remarked is not None and not all(_harmless(r, text) for r in remarked[1]):
        remarked = None  # "(FLOPs)", "(forward)": a remark that names something the question does not ask
    if remarked is not None and (found := _read_aside(answer, remarked[0], "set aside the remark(s) " + ", ".join(
            repr(r) for r in remarked[1]))):
        return found
    defined = _true_definition(text)  # "s - y (with s = sigma(t))": the model's own relation, stated
    if defined is not None and (found := _read_aside(answer, defined[0], f"set aside the definition {defined[1]!r} "
                                                                           "(true under the question's model)")):
        return found
    scoped = restated_scope(text)  # "(with weight gradients)", "(padded zeros counted)": the question's own scope
    if scoped is not None and (found := _read_aside(answer, scoped[0], f"set aside the remark {scoped[1]!r} (the "
                                                                          "question's own scope)")):
        if _apart(found.expr, scoped[2]):  # "L K^2 + L n K (with weight gradients)": not the count it says
            raise AnswerError(f"the remark {scoped[1]!r} says what is counted, but the answer is not that count",
                              None, text)
        return found
    several = statements(text, {solve_for.name} if solve_for is not None else set())
    if several is not None and (found := _read_aside(whole, several[0], several[1])):
        return found
    concluded = after_colon(text)  # "k^2 C_in per output value, times n H W C_out outputs: n H W C_out C_in k^2"
    if concluded is not None and (found := _read_aside(whole, concluded, WORKING_NOTE)):
        return found
    statements_ = split_chain(text)
    if len(statements_) > 1 or statements_[0][1] > 0:  # "a => b", or a marker opening it: "=> b", "Hence: b"
        final, offset = statements_[-1]
        if offset + len(final) < len(text.rstrip()):
            raise AnswerError("the answer ends with an arrow or 'so': write what it leads to after it",
                              None, text)
        opened = len(final) - len(_FINAL_OPENER.sub("", final))  # "Hence: b", "Therefore, b", "so in total b"
        final, offset = final[opened:], offset + opened
        if final.count("$") % 2:  # "$\Rightarrow \frac{d\sigma^2}{2}$": the marker was inside the maths
            final = final.replace("$", " ")
        premises.hold([p for p, _ in statements_[:-1]], final)
        try:
            parsed = parse_answer(final, vocab, solve_for, limits, labels)
        except AnswerError as err:
            position = None if err.position is None else err.position + offset
            raise type(err)(str(err), position, text) from None
        note = "; ".join(n for n in (parsed.note, WORKING_NOTE if len(statements_) > 1 else "") if n)
        return Parsed(expr=parsed.expr, plain=parsed.plain, latex=parsed.latex, note=note)
    return _statement(text, vocab, solve_for, limits)


#: What opens the final statement of a chain: a colon or comma, and words that say it is the whole
#: count the working adds up (``so in total nLK^2``, ``hence overall: ...``).
_FINAL_OPENER = re.compile(r"^\s*[:,]?\s*(?:(?:in\s+total|in\s+all|overall|altogether)(?![A-Za-z])\s*[:,]?)?", re.I)


#: An approximation sign between statements.
_APPROX = re.compile(r"≈|≃|\\approx(?![A-Za-z])|\\simeq(?![A-Za-z])")
#: A decimal number (``0.33``, ``1.41421``, ``1e-3``): a numeric approximation, never an exact value.
_DECIMAL = re.compile(r"(?<![A-Za-z_])(?:\d*\.\d+|\d+(?:\.\d*)?[eE][-+]?\d+)")


#: How far a decimal approximation beside the answer may be from the answer's value, relatively: a value
#: rounded so coarsely that it is further off (0.1 for 0.141) checks nothing and states a second answer.
APPROXIMATION = 0.05


#: A decimal value said for (at, when) given values of the names, after the answer: ``≈ 4.51 for d = 10, eps = 0.1``,
#: ``\approx 0.5 \text{ for } d = 64,\ \sigma = 1/8`` (each given value a number).
_EXAMPLE = re.compile(r"\s*(?:≈|≃|~=|\\approx(?![A-Za-z])|\\simeq(?![A-Za-z]))\s*"
                      r"(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
                      r"(?:(?:\s|\\quad|\\,|\()*(?:\\text\{\s*(?:for|at|when)\s*\}|(?<![A-Za-z])(?:for|at|when)(?![A-Za-z]))"
                      r"|\s*\((?=[^()]*\)\s*\.?\s*$))"
                      r"(?P<given>.*)$")
_GIVEN = re.compile(r"\s*\\?[^\W\d][\w{}\\]{0,24}\s*=\s*[-+]?\d[\d./^{} ]*\s*")
_GIVEN_SEP = re.compile(r"\\[,;: ]|,|;|(?<![A-Za-z])and(?![A-Za-z])")


def numeric_example(text: str) -> tuple[str, str] | None:
    """``(the answer, the example)`` for an answer followed by its decimal value at given values of
    the names (``log(1 + d(1 - eps)/eps) ≈ 4.51 for d = 10, eps = 0.1``): the example only
    illustrates; its given values are never definitions of the names. None otherwise."""
    m = _EXAMPLE.search(text)
    if m is None or not text[:m.start()].strip():
        return None
    given = m.group("given").strip().rstrip(".)").strip()
    parts = [p for p in _GIVEN_SEP.split(given) if p.strip()]
    if not parts or not all(_GIVEN.fullmatch(p) for p in parts):
        return None
    return text[:m.start()], text[m.start():].strip()


#: A value denied after the answer: ``(not d a^2/12)``, ``, not sqrt(1/d) like Xavier``, ``; but not 2/d``.
_REJECTED_AFTER = re.compile(r"(?:[,;]|\s)\s*(?P<open>\()?\s*(?:but\s+)?not\s+(?P<value>[^()]*?(?:\([^()]*\)[^()]*?)*)"
                             r"\s*(?(open)\))\s*[.]?\s*$", re.I)
#: A value denied before the answer: ``not y - s but s - y``, ``not sqrt(1/d), but sqrt(2/d)``.
_REJECTED_BEFORE = re.compile(r"^\s*not\s+(?P<value>.+?)\s*,?\s+but\s+(?P<answer>.+?)\s*$", re.I)
#: Words after a denied value that say whose value it is: ``like Xavier``, ``as in LeCun init``.
_WHOSE = re.compile(r"\s+(?:like|as\s+(?:in|for|with)|as|from|for)\s+[A-Za-z][\w' -]*$", re.I)


#: A restatement between two statements: ``, i.e.``, ``; that is,``.
_RESTATED = re.compile(r"\s*[,;]?\s*(?<![A-Za-z])(?:i\.\s?e\.?|that\s+is)(?![A-Za-z])\s*,?\s*", re.I)
#: A consequence said after the answer: ``, so that d a^2/3 = 1``, ``such that Var[y] = 1``.
_SO_THAT = re.compile(r"\s*[,;]?\s*(?<![A-Za-z])(?:so\s+that|such\s+that)(?![A-Za-z])\s*", re.I)


def _subscripts(text: str, scope: str) -> bool:
    """Whether every index a closing scope quantifies (``for every j``, ``for all i, j``) is a
    subscript in ``text`` (``z_j``, ``x_{ij}``): a scope of the answer's own indices, where it
    holds; over a name the answer does not hold (``d a^2/3 for each i``) it is no scope."""
    indices = re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", re.sub(r"^\s*(?:for|holds\s+for)\s+(?:all|every|any|"
                                                                     r"each)", "", scope, flags=re.I))
    found = re.findall(r"_\{?([A-Za-z0-9]+)", text)
    return bool(indices) and all(any(i in sub for sub in found) for i in indices)


def _restatement(text: str) -> tuple[str, str] | None:
    """``(the premise, the answer)`` for an equation restated as the answer after ``i.e.`` or ``that
    is`` (``sigma^2 = 2/d, i.e. sigma = sqrt(2/d)``): the first is working, checked as working before
    a final statement is (:func:`.premises.hold`). None when the first holds no ``=`` (``d a^2/3 (i.e.
    the std)`` is a label) or the text has no such restatement at its own depth."""
    pieces = top_level(text, _RESTATED)
    if len(pieces) != 2 or "=" not in pieces[0][0] or not pieces[1][0].strip():
        return None
    return pieces[0][0], pieces[1][0]


def _consequence(text: str) -> tuple[str, str] | None:
    """``(the answer, the consequence)`` for an equation said to follow from the answer (``a =
    (3/d)^(1/2), so that d a^2/3 = 1``): the consequence is checked under the model as a claim of
    working is (:func:`.premises.hold`; the unknown at its derived value). None otherwise."""
    pieces = top_level(text, _SO_THAT)
    if len(pieces) != 2 or "=" not in pieces[1][0] or not pieces[0][0].strip():
        return None
    return pieces[0][0], pieces[1][0]


def rejected_value(text: str) -> tuple[str, str] | None:
    """``(the answer, the denied value)`` for an answer beside another value it denies with ``not``
    (``d a^2/3 (not d a^2/12)``, ``sqrt(2/d), not sqrt(1/d) like Xavier``, ``not y - s but s - y``):
    the denied value is no second answer. None otherwise (``(or d a^2/12)`` offers one)."""
    before = _REJECTED_BEFORE.match(text)
    if before is not None:
        return before.group("answer"), _WHOSE.sub("", before.group("value"))
    after = _REJECTED_AFTER.search(text)
    if after is None or not text[:after.start()].strip():
        return None
    return text[:after.start()], _WHOSE.sub("", after.group("value")).strip()


def _another_value(expr: sp.Basic, denied: str, read: Callable[[str], Parsed]) -> bool:
    """Whether ``denied`` reads as a value in the question's names (not a word, not a bare number:
    ``(not 2)`` may say an operation) that is not the answer ``expr``: a value the student rules
    out. One equal to the answer contradicts it; one that does not read is not a value."""
    try:
        other = read(denied).expr
    except AnswerError:
        return False
    if not isinstance(other, sp.Expr) or not isinstance(expr, sp.Expr) or not other.free_symbols:
        return False
    try:
        return sp.simplify(other - expr) != 0
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return False


def _example_agrees(expr: sp.Basic, example: str, read: Callable[[str], Parsed]) -> None:
    """Raise :class:`AnswerError` when a numeric example (``≈ 4.51 for d = 10, eps = 0.1``) says a
    value the answer does not have at the given values: the student states two answers. The value
    is compared to the digits written (half a unit of the last digit, and one more for a value
    truncated rather than rounded) and must be within :data:`APPROXIMATION` of it (``sqrt(2/d) ≈ 0.1
    for d = 100``, where the answer is 0.141, checks nothing: a second answer); an example whose
    names are not all the answer's, or that cannot be valued, only illustrates and is left as it is.

    An equation's example is its value: each side whose names are all given must have the value
    said (``a = sqrt(3/d) ≈ 0.17 for d = 100``: the side sqrt(3/d); ``a^2 = 3/d ≈ 0.03``: 3/d); a
    side that holds a name not given (the unknown ``a``) is what the value is said of."""
    given = _EXAMPLE.match(example)
    if given is None or not isinstance(expr, (sp.Expr, sp.Equality)):
        return
    values: dict[str, sp.Expr] = {}
    for part in (p for p in _GIVEN_SEP.split(given.group("given").strip().rstrip(".)")) if p.strip()):
        name, _, number = part.partition("=")
        try:
            symbol, value = read(name.strip()).expr, read(number.strip()).expr
        except AnswerError:
            return
        if not isinstance(symbol, sp.Symbol) or not value.is_number:
            return
        values[symbol.name] = value
    sides = [expr] if isinstance(expr, sp.Expr) else [s for s in expr.args if isinstance(s, sp.Expr)]
    for side in sides:
        names = {s.name for s in side.free_symbols if isinstance(s, sp.Symbol)}
        if side.free_symbols and len(names) == len(side.free_symbols) and names <= set(values):
            _side_agrees(side, values, given)


def last_digit(written: str) -> float:
    """The value of one unit of a written decimal's last digit: 0.01 for ``0.14``, 100 for ``1.5e3``,
    1 for ``7``."""
    mantissa, _, exponent = written.strip().lstrip("+-").replace("E", "e").partition("e")
    return 10.0 ** ((int(exponent) if exponent else 0) - (len(mantissa.split(".")[1]) if "." in mantissa else 0))


def _side_agrees(side: sp.Expr, values: dict[str, sp.Expr], given: re.Match[str]) -> None:
    """Raise :class:`AnswerError` when ``side`` at the example's ``values`` (by name) is not the
    decimal value the example says (:func:`_example_agrees`)."""
    try:
        at = complex(sp.N(side.xreplace({s: values[s.name] for s in side.free_symbols if isinstance(s, sp.Symbol)}),
                          30))
    except (TypeError, ValueError, ArithmeticError):
        return
    said = float(given.group("value"))
    tolerance = 1.5 * last_digit(given.group("value"))
    if at.imag or abs(at.real - said) > tolerance or abs(at.real - said) > APPROXIMATION * abs(at.real):
        where = given.group("given").strip(" .)")
        raise AnswerError(f"the example says {given.group('value')} at {where}, but the answer is {sp.N(at.real, 6)} "
                          "there: which is your answer?")


#: A number alone on a side of an approximation sign: ``≈ -1``, ``≈ 100``.
_NUMBER_ALONE = re.compile(r"\s*[-+]?\d+\s*\.?\s*")


def exact_sides(text: str) -> str | None:
    """``d a^2/3 ≈ 0.33 d a^2`` -> ``d a^2/3``; ``1.7320508/√d ≈ √(3/d)`` -> ``√(3/d)``: of statements
    joined by an approximation sign, those with a decimal number are numeric approximations of
    the others and are set aside, as is a number alone (``d sigma^2/2 ≈ -1``); None when all or none
    of them are approximations."""
    pieces = top_level(text, _APPROX)
    if len(pieces) < 2:
        return None
    exact = [p for p, _ in pieces if not (_DECIMAL.search(p) or _NUMBER_ALONE.fullmatch(p))]
    if not exact or len(exact) == len(pieces):
        return None
    return " = ".join(p.strip() for p in exact)


#: The values an approximation is given for: ``0.33 d a^2 for d = 1``, ``\text{ for } d = 64``.
_FOR = re.compile(r"(?:\\text\{\s*for\s*\}|(?<![A-Za-z])for(?![A-Za-z]))(?P<given>.*)$", re.S)


def _approximates(piece: str, exact: sp.Basic, vocab: Vocabulary, limits: Limits) -> bool:
    """Whether a decimal side of an approximation (``0.33 d a^2``, ``1.41/sqrt(d)``, ``0.33 a^2 for
    d = 1``) is the exact side's value within :data:`APPROXIMATION`, at its given values and at three
    points of the other names. A name given a value that the side still holds (``0.33 d a^2 for d =
    1``) makes no sense; a side that cannot be read or valued is no approximation of the answer."""
    given = _FOR.search(piece)
    values: dict[sp.Symbol, sp.Expr] = {}
    body = piece
    if given is not None:
        body = piece[:given.start()]
        for part in (p for p in _GIVEN_SEP.split(given.group("given").strip().rstrip(".)")) if p.strip()):
            *given_names, number = part.split("=")  # "n_in = n_out = 100": both names given 100
            try:
                symbols = [parse_answer(n.strip(), vocab, limits=limits, labels=False).expr for n in given_names]
                value = parse_answer(number.strip(), vocab, limits=limits, labels=False).expr
            except AnswerError:
                return False
            if not symbols or not all(isinstance(x, sp.Symbol) for x in symbols) or not value.is_number:
                return False
            values.update({x: value for x in symbols if isinstance(x, sp.Symbol)})
    try:
        approx = _equation(body, vocab, None, limits).expr
    except AnswerError:
        return False
    if given is None and isinstance(approx, sp.Expr) and approx.is_number and isinstance(exact, sp.Expr) \
            and exact.free_symbols:  # "sqrt(2/d) ≈ 0.14": a value at names the student did not state
        return _attained(approx, exact, written=body.strip())
    if not isinstance(approx, sp.Expr) or not isinstance(exact, sp.Expr) or set(values) & approx.free_symbols \
            or exact.has(sp.oo, -sp.oo, sp.zoo):  # "oo ≈ 100": no number approximates an infinity
        return False
    a, e = approx.xreplace(values), exact.xreplace(values)
    rest = sorted(a.free_symbols | e.free_symbols, key=str)
    for k in range(3):
        point = {s: sp.Rational(3 + 2 * k + j, 5 + j) for j, s in enumerate(rest)}
        try:
            x, y = complex(sp.N(a.xreplace(point), 20)), complex(sp.N(e.xreplace(point), 20))
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            return False
        if abs(x - y) > APPROXIMATION * abs(y):
            return False
    return True


#: How many points of the question's domain :func:`_attained` values an answer at.
ATTAINED_POINTS = 400


def _attained(value: sp.Expr, expr: sp.Expr, question: Question | None = None, written: str = "") -> bool:
    """Whether ``expr`` takes the decimal ``value`` at some point of the question's domain: at one of
    :data:`ATTAINED_POINTS` points (the names all 1, 2 or 3, then sampled as the comparison samples
    them, an integer log-uniformly up to 10^6) it is within :data:`APPROXIMATION` of the value and
    within one and a half units of the ``written`` value's last digit, or, where no name is an
    integer, the value lies between two of its values (``sqrt(2/d) ≈ 0.14`` is its value near d =
    100; ``≈ 2.0``, ``≈ 1.2``, ``≈ 1.48``, ``≈ -0.14`` are none it takes, nor ``0.3`` of s(1 - s)):
    the illustration of a value at names the student did not state, or a second answer."""
    import random
    import warnings

    from .equivalence import interval_bounds, sample
    from .labels import held
    from .numeric import NP, Unsupported, evaluate

    question = question if question is not None else held()
    kinds = {s.name: k for s, k in question.domain.kinds.items()} if question is not None else {}
    symbols = sorted(expr.free_symbols, key=str)
    kind = {s: kinds.get(s.name) or ("positive" if s.is_positive else "real") for s in symbols}
    integers = {s for s in symbols if kind[s] in ("positive_integer", "integer") or s.is_integer}
    rng = random.Random(f"attained {expr}")
    target = float(value)
    tolerance = min(APPROXIMATION * abs(target), 1.5 * last_digit(written) if written else float("inf"))
    seen: list[float] = []
    backend = NP()

    def drawn(s: sp.Symbol) -> float:
        if s in integers:
            return float(round(10 ** rng.uniform(0, 6)))
        return float(sample(kind[s], rng)) if kind[s] != "complex" else 0.0

    def landmark(s: sp.Symbol, k: int) -> float:  # an interval's names stay inside it
        if kind[s].startswith("interval"):
            lo, hi = interval_bounds(kind[s])
            return (lo + hi) / 2
        return float(k)

    points = [[landmark(s, k) for s in symbols] for k in (1, 2, 3)]
    points += [[drawn(s) for s in symbols] for _ in range(ATTAINED_POINTS)]
    for point in points:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # float64 as a program computes: inf and nan are skipped below
                v = complex(evaluate(expr, dict(zip(symbols, point, strict=True)), backend))
        except (Unsupported, TypeError, ValueError, ArithmeticError, RecursionError):
            continue
        if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)) or v.real != v.real or abs(v.real) == float("inf"):
            continue
        if abs(v.real - target) <= tolerance:
            return True
        seen.append(v.real)
    return not integers and bool(seen) and min(seen) <= target <= max(seen)


#: A decimal after the answer with no values given for it: ``≈ 0.14``, ``\approx 2.0``.
_BARE_APPROXIMATION = re.compile(r"(?<=\S)\s*(?:≈|≃|\\approx(?![A-Za-z])|\\simeq(?![A-Za-z]))\s*"
                                 r"(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\.?\s*$")


def bare_approximation(question: Question, text: Any, expr: sp.Basic) -> AnswerError | None:
    """The error for a decimal after a statement read under the model (``sigma = sqrt(2/d) ≈ 2.0``)
    that is no value of the statement (:func:`_attained`: of its value, or of an equation's side
    without the unknown); None when it is one, or there is none."""
    m = _BARE_APPROXIMATION.search(text) if isinstance(text, str) else None
    if m is None:
        return None
    unknown = question.unknown.name if question.unknown is not None else None
    sides = [expr] if isinstance(expr, sp.Expr) else list(getattr(expr, "args", ()))
    if any(isinstance(s, sp.Expr) and s.has(sp.oo, -sp.oo, sp.zoo) for s in sides):
        return AnswerError(f"the approximation {m.group('value')!r} of an infinite value: which is your answer?",
                           None, text)
    valued = [s for s in sides if isinstance(s, sp.Expr) and s.free_symbols
              and unknown not in {x.name for x in s.free_symbols if isinstance(x, sp.Symbol)}]
    if not valued or any(_attained(sp.Float(m.group("value")), s, question, m.group("value")) for s in valued):
        return None
    return AnswerError(f"the approximation {m.group('value')!r} is no value the answer takes: which is your answer?",
                       None, text)


def _statement(text: str, vocab: Vocabulary, solve_for: sp.Symbol | None, limits: Limits) -> Parsed:
    """One statement: an expression, or an equation (a chain of equalities ``a = b = c``); a
    numeric approximation beside it is set aside when the rest reads (:func:`exact_sides`)."""
    exact = exact_sides(text)
    if exact is not None:
        try:
            parsed = _equation(exact, vocab, solve_for, limits)
        except AnswerError:
            pass  # read as written: the approximation sign is an equals sign
        else:
            for piece, _ in top_level(text, _APPROX):
                if (_DECIMAL.search(piece) or _NUMBER_ALONE.fullmatch(piece)) \
                        and not _approximates(piece, parsed.expr, vocab, limits):
                    raise AnswerError(f"the approximation {piece.strip()!r} is not the answer's value to "
                                      f"{APPROXIMATION:.0%}: which is your answer?", None, text)
            note = "; ".join(n for n in (parsed.note, "set aside the numeric approximation") if n)
            return Parsed(expr=parsed.expr, plain=parsed.plain, latex=parsed.latex, note=note)
    return _equation(text, vocab, solve_for, limits)


#: A name of a quantity: a name (``sigma_h``, ``Var``) with at most one bracketed argument after it
#: (``Var[h_i]``, ``Var(y)``, ``E[y^2 | x]``), nothing else: no arithmetic around it.
_LABEL_HEAD = re.compile(r"\s*(?P<head>[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)\s*")


def quantity_label(side: str) -> bool:
    """Whether one side of an equation only names the asked quantity: a name with at most one
    bracketed argument (``Var[h_i]``, ``\\operatorname{Var}(y)`` read as ``Var(y)``, ``E[h_i^2]``,
    ``sigma_h``) whose head is no word that negates, hedges or changes a quantity (``not``,
    ``twice``, ``approximately``). A power, a factor or a sum around it (``Var[h_i]^2``,
    ``2 Var[h_i]``), or arithmetic in its argument (``Var(2y)``), makes it a formula, never a
    label."""
    m = _LABEL_HEAD.match(side)
    if m is None or m.group("head").lower() in _NEGATIONS or m.group("head").lower() in QUANTITY_WORDS \
            or m.group("head").lower() in NEGATIONS:
        return False
    rest = side[m.end():].rstrip()
    if not rest:
        return True
    if rest[0] not in "([":
        return False
    depth = 0
    for pos, ch in enumerate(rest):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0:
            return pos == len(rest) - 1 and not _SCALED.search(rest[1:pos])
    return False


def names_quantity(side: str, limits: Limits = DEFAULT) -> bool:
    """Whether one side of an equation (plain text) only names a quantity: a :func:`quantity_label`,
    or a derivative of a name with respect to a name (``dL/dt``, ``\\frac{\\partial L}{\\partial t}``,
    ``dσ/dt`` read as ``d/dt sigma(t)``), nothing around it (``2 dL/dt``, ``dL/dt^2`` are formulas)."""
    from .tree import Call, Deriv, Name

    if quantity_label(side):
        return True
    try:
        tree = parse_plain(side, limits)
    except (AnswerError, RecursionError):
        return False
    if not isinstance(tree, Deriv) or not isinstance(tree.wrt, Name):
        return False
    arg = tree.arg
    return isinstance(arg, Name) or (isinstance(arg, Call) and all(isinstance(a, Name) for a in arg.args))


#: What makes a bracketed argument a formula of its own (``Var(2y)``, ``E[y/2]``): arithmetic, or a
#: number that is no exponent or index.
_SCALED = re.compile("[-+*/\u00b7\u00d7]|(?<![\\^_{\\d])\\d")


def _equation(text: str, vocab: Vocabulary, solve_for: sp.Symbol | None, limits: Limits) -> Parsed:
    plain, where, is_latex = to_plain(text)
    segments = split_equals(plain)
    if any(not seg.strip() for seg, _ in segments):
        raise AnswerError("an equation needs something on both sides of '='", None, text)
    for left, _ in segments[:-1]:
        if len(top_level(left, _CLAUSE_END)) > 1:  # "d a^2/12, Var = d a^2/3": which is the answer?
            raise AnswerError("several statements separated by ',' or ';' before '=': write one answer "
                              "(or each statement as an equation)", None, text)
    labelled = ""
    if len(segments) > 1 and names_quantity(segments[-1][0], limits) \
            and recognised(segments[-1][0], text, side=True):  # "x_i^2 (1-p)/p = Var[h_i]": a label last
        try:
            _built(segments[-1][0], segments[-1][1], vocab, text, where, limits)
        except AnswerError:
            labelled, segments = segments[-1][0].strip(), segments[:-1]
    if len(segments) > 1:  # an unreadable first side names the asked quantity or nothing (grading/labels.py)
        try:
            first = _built(segments[0][0], segments[0][1], vocab, text, where, limits)
        except AnswerError:
            first = None
        if (first is None or (isinstance(first, sp.Symbol) and (solve_for is None or first.name != solve_for.name))) \
                and not recognised(segments[0][0], text, side=True):  # "Std[y] =", "L =": another quantity
            raise AnswerError(f"{segments[0][0].strip()!r} is not recognised as the asked quantity; write "
                              "the answer alone", None, text) from None
    for left, _ in segments[:-1]:
        # "not = 2/d", "half of Var[y] = ...": words that deny or change the quantity are no label of it
        if any((w.lower() in _NEGATIONS or w.lower() in OPERATION_WORDS) and w not in FUNCTION
               and w not in vocab.symbols for w in _WORD.findall(left)) and not quantity_label(left):
            raise AnswerError("a side of the equation is words that change or deny the quantity; "
                              "write the answer alone", None, text)
    last, offset = segments[-1]
    expr = _built(last, offset, vocab, text, where, limits)
    for side_text, side_offset in segments[:-1]:  # "d a^2/12 = d a^2/3": two answers, not one equation
        try:
            side = _built(side_text, side_offset, vocab, text, where, limits)
        except AnswerError:
            continue  # a label such as Var[y], judged above
        if not isinstance(side, sp.Symbol) and not (solve_for is not None and side.has(solve_for)) \
                and _apart(side, expr):
            raise AnswerError(f"the sides {side_text.strip()!r} and {last.strip()!r} of the equation are not equal: "
                              "which is your answer?", None, text)
    note = WORKING_NOTE if len(segments) > 2 else ""
    if labelled:
        note = "; ".join(n for n in (note, f"read {labelled!r} as the name of the asked quantity") if n)
    if len(segments) > 1 and solve_for is not None:
        lhs = None
        for lhs_text, lhs_offset in reversed(segments[:-1]):  # the statement nearest the end
            try:
                candidate = _built(lhs_text, lhs_offset, vocab, text, where, limits)
            except AnswerError:
                continue  # a label such as Var[y]
            if candidate.has(solve_for):
                lhs = candidate
                break
        if lhs is not None and lhs.has(solve_for):
            expr = solve(lhs, expr, solve_for, text)
            note = "; ".join(n for n in (f"solved {sp.sstr(lhs)} = "
                                         f"{sp.sstr(_built(last, offset, vocab, text, where, limits))} "
                                         f"for {solve_for}", note) if n)
    if isinstance(expr, sp.Basic) and expr.has(sp.zoo, sp.nan):
        raise AnswerError("the answer is undefined (division by zero)", None, text)
    return Parsed(expr=expr, plain=plain, latex=is_latex, note=note)


def _apart(a: sp.Basic, b: sp.Basic) -> bool:
    """Whether two sides of an equation written as the answer differ: sides in the same names whose
    values differ at one of three points (each name at a rational in (0, 1), distinct per name), by
    more than a relative 1e-9. Sides in different names (``s - y = sigma(t) - y``, where the sheet
    relates s and t) and sides that cannot be valued there (vectors, sums) are not judged apart."""
    if not isinstance(a, sp.Expr) or not isinstance(b, sp.Expr):
        return False
    a, b = (x.xreplace({s: sp.Symbol(s.name) for s in x.free_symbols}) for x in (a, b))  # a line's symbols, by name
    if a.free_symbols != b.free_symbols:
        return False
    names = sorted(a.free_symbols | b.free_symbols, key=str)
    for k in range(3):
        point = {s: sp.Rational(2 + 3 * k + j, 11 + 2 * j + k) % 1 or sp.Rational(1, 2) for j, s in enumerate(names)}
        try:
            x, y = complex(sp.N(a.xreplace(point), 20)), complex(sp.N(b.xreplace(point), 20))
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            return False
        if abs(x - y) > 1e-9 * max(abs(x), abs(y), 1e-30):
            return True
    return False


def solve(lhs: sp.Expr, rhs: sp.Expr, unknown: sp.Symbol, text: str) -> sp.Expr:
    """The unique solution of lhs = rhs for ``unknown`` (which carries its assumptions); an equation
    SymPy has no method for (``sigma! = sqrt(2/d)``) is the answer's to rewrite, never an error."""
    try:
        solutions = sp.solve(sp.Eq(lhs, rhs), unknown)
        if not solutions:  # none in the unknown's domain (sigma = -sqrt(2/d)): the value written, to be judged wrong
            free = sp.Symbol(unknown.name, real=True)
            solutions = sp.solve(sp.Eq(lhs.xreplace({unknown: free}), rhs.xreplace({unknown: free})), free)
    except NotImplementedError:
        raise AnswerError(f"the equation cannot be solved for {unknown}; give {unknown} itself", None, text) from None
    if len(solutions) != 1:
        raise AnswerError(f"the equation does not determine {unknown} uniquely "
                          f"({len(solutions)} solutions); give {unknown} itself", None, text)
    return solutions[0]


# --- the one reader of statements under a question's model ------------------------------------

#: What a sentence that claims finiteness reads as: some finite value, never an infinite one.
FINITE_VALUE = sp.Symbol("finite", real=True, finite=True)


def read_answer(question: Question, answer: str, limits: Limits = DEFAULT) -> Parsed:
    """A statement in the question's own names (words the bank accepts, equations solved for its
    unknown, labels set aside, vectors entry by entry): the reading :mod:`.equivalence` decides.

    A question that accepts words reads them with an explaining remark set aside too (``infinite
    (no finite optimum)``, :func:`.sentences.remarks`). One whose words spell infinity (``oo``)
    also reads a sentence that claims the quantity is finite (:func:`.sentences.says_finite`:
    "there is a finite minimiser", "not infinite") as :data:`FINITE_VALUE`, some finite value:
    decided against an infinite reference, it is wrong."""
    text: str | None = answer
    note = ""
    if question.words and isinstance(answer, str) and len(answer) <= limits.max_length:
        text, note = _in_words(question, answer)
        if text is None:
            return Parsed(expr=FINITE_VALUE, plain=answer, latex=False,
                          note="; ".join(n for n in ("read as a claim that the quantity is finite (some finite "
                                                     "value)", note) if n))
    with asking(question):
        token = _READING.set(question)
        try:
            parsed = parse_answer(answer if text is None else text, question.vocab, question.unknown, limits,
                                  labels=not question.words)
        except AnswerError as err:
            wrong = None if isinstance(err, premises.PremiseError) or (text is not None and text != answer) \
                else _wrong_beside_remark(question, answer, limits)
            if wrong is None:
                raise
            parsed = wrong
        finally:
            _READING.reset(token)
    if question.unknown is not None and parsed.expr.has(question.unknown):
        raise AnswerError(f"the answer still contains {question.unknown}; give it in terms of "
                          f"{', '.join(s for s in question.variables)}")
    refused = beside(question, answer, parsed.expr)  # a false reason, another quantity's label, ...
    if refused is not None:
        raise refused
    if note:
        parsed = Parsed(expr=parsed.expr, plain=parsed.plain, latex=parsed.latex,
                        note="; ".join(n for n in (parsed.note, note) if n))
    return parsed


#: A remark closing an answer: a bracket of a phrase (``(variance of a uniform is (b-a)^2/12)``), or
#: words after the value (``2 n L K^2 FLOPs``).
_CLOSING_REMARK = re.compile(r"(?:\s+\((?P<bracket>[^()]*(?:\([^()]*\)[^()]*)*)\)|(?<=[\w)}\]])\s+"
                             r"(?P<words>[A-Za-z][A-Za-z' -]*))\s*[.]?\s*$")
#: Words that offer another value or an operation still to do: never an explanation.
_NO_EXPLANATION = re.compile(r"(?<![A-Za-z])(?:or|could|should|would|might|may|maybe|must|perhaps|probably|still|yet|"
                             r"then|before|after|not|instead|correct\w*|typo|mean[st]?|know|sure|think|guess|idea)(?![A-Za-z])|[=<>]"
                             r"|^\s*[-+*/\u00d7\u00f7^\u00b7]",
                             re.I)
_SETTING_ASIDE: ContextVar[bool] = ContextVar("setting_aside_a_remark", default=False)


def _wrong_beside_remark(question: Question, text: str, limits: Limits) -> Parsed | None:
    """The reading of the value before a closing remark that explains it (no operation, alternative
    or hedge: :data:`OPERATION_WORDS`, :data:`_NO_EXPLANATION`) when
    that value alone is graded ``incorrect``: a wrong value stays wrong whatever is said beside it
    (``d (a^2/12)  (variance of a uniform is (b-a)^2/12)``). None otherwise: a right value beside
    a remark the reader does not set aside stays unread."""
    from .grader import check

    found = _CLOSING_REMARK.search(text) if isinstance(text, str) and len(text) <= limits.max_length else None
    if found is None or _SETTING_ASIDE.get() or not text[:found.start()].strip():
        return None
    remark = found.group("bracket") or found.group("words") or ""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", remark)}
    value = text[:found.start()]
    if found.group("words") and set(re.findall(r"[A-Za-z]+", remark)) & set(question.vocab.known_names()):
        return None  # "n L K layers": the words start inside the value (K), no remark beside it
    phrase = r"[A-Za-z]{2,}\s+[A-Za-z]{2,}|^\s*[A-Za-z]{3,}\s*$" if found.group("bracket") else r"[A-Za-z]{2,}"
    # a bracket of words, or one word ("(LeCun)"), not mathematics ("(z_j - delta_ij)")
    if not re.search(phrase, remark) or words & OPERATION_WORDS or _NO_EXPLANATION.search(remark) \
            or not re.search(r"[0-9^*/+\-_\\]", value):  # "I don't know": no value
        return None
    token = _SETTING_ASIDE.set(True)
    try:
        if check(question, value, limits, evidence=False).get("verdict") != "incorrect":
            return None
        parsed = parse_answer(value, question.vocab, question.unknown, limits, labels=not question.words)
    except AnswerError:
        return None
    finally:
        _SETTING_ASIDE.reset(token)
    return Parsed(expr=parsed.expr, plain=parsed.plain, latex=parsed.latex, note="; ".join(n for n in (
        parsed.note, f"set aside the remark {remark.strip()!r}: the value beside it is wrong whatever it says") if n))


#: Infinity with a minus sign or word before it: ``-oo``, ``minus infinity``, ``negative infinity``,
#: ``\\to -\\infty`` (never the arrow ``->`` itself).
_NEGATIVE_INFINITY = re.compile(r"(?:(?<![-<])[-\u2212](?!>)|(?<![A-Za-z])(?:minus|negative|negatively)\s+)"
                                r"\s*(?:oo|\u221e|\\infty|inf(?:inite|inity)?)(?![A-Za-z])", re.I)
#: A difference of two names, ``x_y - x_j``: the first one a prompt writes is the quantity it asks for.
_DIFFERENCE = re.compile(r"(?<![A-Za-z0-9_\\])([A-Za-z]+_[A-Za-z0-9]+)\s*-\s*([A-Za-z]+_[A-Za-z0-9]+)")


def _in_words(question: Question, answer: str) -> tuple[str | None, str]:
    """``(the answer with the bank's words spelled out, a note)``: the words as written, else
    without an explaining remark; None for the text where the question's words spell infinity and
    the sentence claims the quantity is finite.

    Where the words spell infinity, the claim has a direction: a minus sign or word before
    infinity (``minus infinity``, ``the gap goes to -oo``) and the asked difference written the
    other way round (``x_j - x_y -> oo`` where the prompt asks for x_y - x_j) each turn it over; a
    claim turned over an odd number of times is minus infinity, read as ``-oo`` (a wrong answer)."""
    if "oo" in question.words.values():
        turned, flips = answer, 0
        asked = _DIFFERENCE.search(question.prompt)
        if asked is not None:
            first, second = (re.escape(asked.group(k)) for k in (1, 2))
            turned, reversed_ = re.subn(rf"(?<![A-Za-z0-9_]){second}\s*-\s*{first}(?![A-Za-z0-9_])",
                                        f"{asked.group(1)} - {asked.group(2)}", turned)
            flips += reversed_
        turned, negated = _NEGATIVE_INFINITY.subn(" infinity", turned)
        flips += negated
        if flips:
            text, note = _in_words(question, turned) if turned != answer else (turned, "")
            if flips % 2 and text is not None:
                spelled = text.strip()
                return ("-oo" if spelled == "oo" else f"-({spelled})"), note
            return text, note
    candidates = [(answer, "")]
    unboxed = TEXT_BOX.sub(lambda m: m.group(1), answer).replace("$", " ") if "\\" in answer else answer
    if unboxed != answer:  # "\text{there is a finite minimiser}": the words in LaTeX's text box
        candidates.append((unboxed, ""))
    hedged = without_hedge(answer)
    if hedged is not None:
        candidates.append((hedged[0], f"set aside the hedge {hedged[1]!r} (graded as the exact value it states)"))
    remarked = remarks(answer, set(question.vocab.known_names()))
    if remarked is not None:
        candidates.append((remarked[0], "set aside the remark(s) " + ", ".join(repr(r) for r in remarked[1])))
    chain = split_chain(unboxed)
    if len(chain) > 1 and chain[-1][1] + len(chain[-1][0]) >= len(unboxed.rstrip()) \
            and premises.refuted([p for p, _ in chain[:-1]], question=question) is None:  # "..., so it is infinite"
        candidates.append((re.sub(r"^\s*[:,]?", "", chain[-1][0]), WORKING_NOTE))
    for text, note in candidates:
        spelled = question.spelled_out(text)
        if spelled != text:
            return spelled, note
    if "oo" in question.words.values():
        for text, note in candidates:
            if _tends_to_infinity(question.prompt, text):
                return "oo", note
        for text, note in candidates:
            located = _LOCATION.search(text)  # "The minimum is attained at x = y": a claim with its place
            valued = _VALUE_AFTER.search(text)  # "finite, equal to log(d - 1)": a claim with its value
            if says_finite(text) or any(
                    where and text[:where.start()].strip() and not _NOT_LOCATION.search(where.group(0))
                    and says_finite(text[:where.start()]) for where in (located, valued)):
                return None, note
    return answer, ""


#: Where a claimed optimum lies, after the claim: ``, at x_y - x_j = log(d)``, ``where softmax(x) = y``.
_LOCATION = re.compile(r"[\s,;]+(?:at|where|when|for)\s+[^,;]*=[^,;]*?\s*\.?\s*$", re.I)
#: The value given after a claim, past its first comma, colon or semicolon (``finite, equal to log(d - 1)``,
#: ``It is not infinite, it converges to log(d-1)``).
_VALUE_AFTER = re.compile(r"\s*[,:;]\s*(?=\S).*$", re.S)
#: What makes the place no place of a finite optimum: infinity, a denial, a contrast or an alternative.
_NOT_LOCATION = re.compile(r"oo|inf|∞|(?<![A-Za-z])(?:not|no|never|but|or|if|unless)(?![A-Za-z])", re.I)
#: A limit statement: what tends to infinity.
_TO_INFINITY = re.compile(r"^\s*(?P<quantity>.+?)\s*(?:->|→|⟶|\\to(?![A-Za-z])|\\(?:long)?rightarrow(?![A-Za-z]))"
                          r"\s*\+?\s*(?:oo|\\infty|∞|infinity)\s*\.?\s*$", re.I)


def _tends_to_infinity(prompt: str, text: str) -> bool:
    """Whether ``text`` says that the asked quantity, as the question's prompt names it, tends to
    infinity (``x_y - x_j \\to \\infty`` where the prompt asks for the gap x_y - x_j): it is infinite.
    Another quantity tending to infinity (``L \\to \\infty``) says nothing of the asked one."""
    m = _TO_INFINITY.match(text.replace("$", " "))
    if m is None:
        return False
    quantity = "".join(m.group("quantity").replace("\u2212", "-").split())
    return len(quantity) > 1 and not re.fullmatch(r"[A-Za-z]", quantity) \
        and quantity in "".join(prompt.replace("\u2212", "-").split())


class Statement:
    """One statement, a final answer or a line of working, read under a question's model.

    It has two readings of the same text, each made once when first asked for: :attr:`line`, under
    the model (its families, indices, sums, expectations, derivatives and defined names:
    :mod:`.working`), valued at the model's points; and :attr:`answer`, in the question's own names
    (:func:`read_answer`), decided against the reference at the answers' points. The statement is
    valid when either reading succeeds, whether it stands on a line of working or at the end."""

    def __init__(self, question: Question, text: str, limits: Limits = DEFAULT, model: Model | None = None,
                 equation: bool = False):
        self.question, self.text, self.limits = question, text, limits
        self.model = model if model is not None else question.model
        self.equation = equation
        self.line_error: AnswerError | None = None
        self.answer_error: AnswerError | None = None

    @cached_property
    def line(self) -> Line | None:
        """The reading under the model (an equation question's line is ``Eq``); None when it fails,
        or when what stands beside it makes it no statement (:func:`beside`)."""
        read = self._line()
        if read is None:
            return None
        refused = beside(self.question, self.text, read.expr, line=True)
        if refused is not None:
            self.line_error = refused
            return None
        approximated = bare_approximation(self.question, self.text, read.expr)
        if approximated is not None:  # "sigma = sqrt(2/d) ≈ 2.0": no value the answer takes
            self.line_error = approximated
            return None
        example = numeric_example(self.text) if isinstance(self.text, str) else None
        if example is not None:  # "a = sqrt(3/d) ≈ 0.3 for d = 100": the example is checked as the answer's is
            try:
                _example_agrees(read.expr, example[1], lambda part: parse_answer(
                    part, self.question.vocab, None, self.limits, labels=False))
            except AnswerError as err:
                self.line_error = err
                return None
        return read

    def _line(self) -> Line | None:
        from .working import read_line

        if self.model is None:
            self.line_error = AnswerError("this question has no model")
            return None
        template = _template(self.text) if isinstance(self.text, str) else None
        if template is not None:  # "{{7*7}}": read by no reading
            self.line_error = template
            return None
        with asking(self.question):
            unlabelled = unrecognised_subscript(self.text)
        if unlabelled is not None:  # sigma_z, p_{drop}: a subscript that says another quantity (grading/labels.py)
            self.line_error = AnswerError(f"the subscript of {unlabelled!r} is not recognised as naming what the "
                                          "question asks")
            return None
        try:
            return read_line(self.model, self.text, self.limits, equation=self.equation)
        except AnswerError as err:
            self.line_error = err
        except RecursionError:
            self.line_error = AnswerError("this statement is nested too deeply to read")
            return None
        with asking(self.question):
            token = _READING.set(self.question)
            try:
                asides = self._asides()
            finally:
                _READING.reset(token)
        for aside in asides:  # as a final answer is read: its reason or its labels set aside
            try:
                return read_line(self.model, aside, self.limits, equation=self.equation)
            except (AnswerError, RecursionError):
                continue
        return None

    def _asides(self) -> list[str]:
        """The statement without a reason beside it (:func:`without_reason`), and without the words
        that only label it (:func:`without_labels`), for the model's names: the same set-asides the
        final-answer reader makes, so a line and a final statement read alike."""
        if not isinstance(self.text, str) or len(self.text) > self.limits.max_length:
            return []
        model = self.model
        assert model is not None
        names = {*self.question.vocab.known_names(), *model.names, *model.functions}
        out = []
        reasoned = without_reason(self.text)
        if reasoned is not None and (self.text.rstrip().endswith(reasoned[1]) or recognised(reasoned[1], self.text)):
            out.append(reasoned[0])
        remarked = remarks(self.text, names)
        if remarked is not None and all(_harmless(r, self.text) for r in remarked[1]):
            out.append(remarked[0])
        labelled = without_labels(self.text, names, set(model.parameters))
        if labelled is not None:
            out.append(labelled[0])
        return out

    @cached_property
    def answer(self) -> Parsed | None:
        """The reading in the question's own names; None when it fails."""
        try:
            return read_answer(self.question, self.text, self.limits)
        except AnswerError as err:
            self.answer_error = err
            return None
        except RecursionError:
            self.answer_error = AnswerError("this statement is nested too deeply to read")
            return None

    @property
    def expr(self) -> sp.Basic | None:
        """The statement as read: under the model where it reads there, else in the question's names."""
        if self.line is not None:
            return self.line.expr
        return self.answer.expr if self.answer is not None else None

    def expression(self, final: bool) -> tuple[sp.Basic, str]:
        """(the statement as read, the reader's note): for a final statement the reading in the
        question's names first (the one decided against the reference), for a line the model's;
        raises :meth:`error` when neither reads."""
        readings: list[Parsed | Line | None] = [self.answer, self.line]
        for reading in readings if final else readings[::-1]:
            if reading is not None:
                return reading.expr, reading.note if isinstance(reading, Parsed) else ""
        raise self.error(final)

    def error(self, final: bool) -> AnswerError:
        """Why neither reading succeeds: the final-answer reader's message for a final statement
        (it points into the whole answer), the model's for a line of working."""
        first, second = ("answer", "line") if final else ("line", "answer")
        for reading in (first, second):  # a reading is made only when its message is wanted
            if getattr(self, reading) is None:
                found = self.answer_error if reading == "answer" else self.line_error
                if found is not None:
                    return found
        return AnswerError("cannot read this statement")


def read_statement(question: Question, text: str, limits: Limits = DEFAULT, *, model: Model | None = None,
                   equation: bool = False) -> Statement:
    """``text`` read under ``model`` (default: the question's own; a derivation may name its free
    indices on line 0, see :meth:`.lines.Judge.name_free_indices`)."""
    return Statement(question, text, limits, model, equation)


# --- what stands beside a statement, checked against the question ------------------------------

#: Words that open a reason or a source: the words after one, up to the end of its clause, are checked.
_REASON_OPENER = re.compile(r"(?<![A-Za-z\\])(?:since|because|(?<!same )(?<!such )(?<!well )(?<!known )(?<!so )as"
                            r"|using|given(?:\s+that)?|from|via)(?![A-Za-z])|∵", re.I)
#: What ends a clause opened inside a statement: a comma or semicolon at its own depth, "and", "so".
_CLAUSE_STOP = re.compile(r"[,;]|(?<![A-Za-z])(?:and|so|hence|thus|which|where)(?![A-Za-z])", re.I)
#: A value at a point beside the answer: ``(for q = 0.5 this is 1/sqrt(d))``, ``at t = 0 it equals 1/4``.
_VALUE_AT = re.compile(r"(?<![A-Za-z])(?:for|at|when|with)\s+(?P<name>\\?[A-Za-z]+(?:_\{?\w+\}?)?)\s*=\s*"
                       r"(?P<point>[-+]?\d+(?:\.\d+)?(?:/\d+)?)\s*,?\s*(?:this|it|that|the\s+answer)\s+"
                       r"(?:is|gives|equals|becomes|reads|=)\s+(?P<value>[^()]*?(?:\([^()]*\)[^()]*?)*)\s*$", re.I)
#: The same, the value said before its point: ``(reduces to d sigma^2/2 when p = 1)``.
_VALUE_BEFORE = re.compile(r"^\s*(?:(?:this|it|which)\s+)?(?:reduces|simplifies|becomes|equals|is|gives|goes)\s+"
                           r"(?:to\s+)?(?P<value>.+?)\s+(?:for|at|when|if)\s+(?P<name>\\?[A-Za-z]+(?:_\{?\w+\}?)?)\s*=\s*"
                           r"(?P<point>[-+]?\d+(?:\.\d+)?(?:/\d+)?)\s*$", re.I)
_GUARDING: ContextVar[bool] = ContextVar("guarding", default=False)
#: The question whose statement is being read (set by :func:`read_answer` and :class:`Statement`).
_READING: ContextVar[Question | None] = ContextVar("reading", default=None)


def _harmless(remark: str, whole: str) -> bool:
    """Whether a remark the reader would set aside may be: recognised by :func:`.labels.remark_recognised`,
    a definition that agrees with the sheet (:func:`_agreeing_definition`), or a label of the answer
    with the quantity it is not (``(standard deviation, not variance)``) whose label is recognised."""
    from .sentences import label_phrase

    question = _READING.get()
    said = {w.lower() for w in _WORD.findall(remark)}
    if EXCLUSIONS & said:  # "(padded zeros excluded)": it leaves out what the question may count
        rest = said - EXCLUSIONS - {"the", "a", "an", "and", "all", "any"}
        denied = _denied(question.prompt) if question is not None else set()
        return bool(rest) and all({_word_stem(w), _word_stem(w.removesuffix("es")), _word_stem(w.removesuffix("s"))}
                                  & denied for w in rest)  # "(biases excluded)" where the prompt says "(no bias)"
    if question is not None and _leaves_out_what_is_counted(remark, question):
        return False  # "(without the backward pass)" beside the training step's count
    if names_the_answer(remark) or remark_recognised(remark, whole) or _agreeing_definition(remark):
        return True  # "(official solution)": the answer, named
    if question is None:
        return False
    labelled = label_phrase(remark, set(question.vocab.known_names()))
    return labelled is not None and re.search(r"(?<![A-Za-z])not(?![A-Za-z])", remark) is not None \
        and _names_asked(question, *labelled, whole)


#: A remark that says what is counted: ``(with weight gradients)``, ``\text{(including the input)}``,
#: ``(padded zeros counted)``, ``(bias included)``.
_SCOPE_REMARK = re.compile(r"(?:\s|\\q?quad|\\[,;: ])*\(\s*(?:(?:with|including|incl\.?|counting|plus)\s+"
                           r"(?P<after>[A-Za-z][A-Za-z' -]*?)|(?P<before>[A-Za-z][A-Za-z' -]*?)\s+"
                           r"(?:counted|included|incl\.?))\s*\)\s*[.]?\s*$", re.I)
#: Words that deny what follows them in a prompt: ``(no bias)``, ``without``; and a "-free" after a word.
_DENIED_BEFORE = frozenset({"no", "not", "without", "excluding", "never", "except"})


#: A definition by an equation in a bracket after the answer: ``(with s = sigma(t))``, ``(where p = 1 - q)``.
_DEFINITION_REMARK = re.compile(r"(?:\s|\\q?quad|\\[,;: ])*\(\s*(?:with|where|here|using|for)\s+(?P<equation>[^()=]+="
                                r"[^=]*?)\s*\)\s*[.]?\s*$", re.I)


def _true_definition(text: str) -> tuple[str, str] | None:
    """``(the answer, the remark)`` when a bracket after the answer defines a name by an equation that
    holds under the question's model (``s - y (with s = sigma(t))``): it only restates the sheet, as a
    true reason does (:func:`_holds`). None otherwise (a false one is no definition of the sheet's name:
    the answer is read with it, and refused)."""
    question = _READING.get()
    if question is None or question.unknown is not None or not isinstance(text, str):
        return None
    plain = TEXT_BOX.sub(lambda m: m.group(1), text) if "\\" in text else text
    m = _DEFINITION_REMARK.search(plain)
    if m is None or not plain[:m.start()].strip() or not _holds(question, m.group("equation"), None):
        return None
    return plain[:m.start()], m.group(0)[m.group(0).index("("):].strip()


def restated_scope(text: str) -> tuple[str, str, sp.Basic] | None:
    """``(the answer, the remark, the count it says)`` when a remark in a bracket after the answer says what is counted,
    with or including the things it names (``(with weight gradients)``, ``(padded zeros counted)``), and
    every one of its words is said, not denied, in one text of the question being read: its prompt
    (``(padded zeros included)``) or the note of one of its accepted forms ("counting the weight
    gradients too"). The count it says is the reference, or that accepted form: an answer of another
    value is refused by the reader. ``(bias included)`` where the prompt says "(no bias)" or "bias-free"
    restates nothing: it changes what is counted, and is never set aside. None otherwise."""
    question = _READING.get()
    if question is None or not isinstance(text, str):
        return None
    plain = TEXT_BOX.sub(lambda m: m.group(1), text) if "\\" in text else text
    m = _SCOPE_REMARK.search(plain)
    if m is None or not plain[:m.start()].strip():
        return None
    words = {_word_stem(w) for w in re.findall(r"[A-Za-z]+", m.group("after") or m.group("before"))} - {
        "the", "a", "an", "of", "and", "for", "too", "all", "their", "its", "wrt"}
    if not words:
        return None
    for said, count in ((question.prompt, question.reference), *((n, e) for e, n in question.alternatives)):
        tokens = re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", said.lower())
        stems = {_word_stem(t) for k, t in enumerate(tokens) if not (k and tokens[k - 1] in _DENIED_BEFORE)}
        if words <= stems:
            return plain[:m.start()], m.group(0)[m.group(0).index("("):].strip(), count
    return None


def _denied(prompt: str) -> set[str]:
    """The stems of the words a prompt denies: after ``no``, ``without``, ... (:data:`_DENIED_BEFORE`)
    and before ``-free`` (``(no bias)``, ``bias-free``: bias)."""
    tokens = re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", prompt.lower())
    out = {_word_stem(t) for k, t in enumerate(tokens) if k and tokens[k - 1] in _DENIED_BEFORE}
    return out | {_word_stem(t[:-len("-free")]) for t in tokens if t.endswith("-free")}


#: The parts of a computation a count or a memory may hold: what an absence (``(without the backward
#: pass)``) can leave out of the asked count.
_COUNTED_PARTS = frozenset({"weight", "bias", "activation", "gradient", "grad", "parameter", "param", "input", "output",
                            "forward", "backward", "pass", "multiplication", "mult", "matmul", "product", "buffer",
                            "padding", "zero", "channel", "kernel"})


def _leaves_out_what_is_counted(remark: str, question: Question) -> bool:
    """Whether a remark that opens with ``no`` or ``without`` leaves out a part of a computation
    (:data:`_COUNTED_PARTS`) the question speaks of (its own words, :func:`.labels.question_words`)
    that its prompt does not itself deny
    (``(without the backward pass)``, ``(without the weight gradient)`` beside the training step's
    count; ``(no bias)`` under "(no bias)", or where the question never speaks of a bias, leaves
    nothing out)."""
    words = [w.lower() for w in _WORD.findall(TEXT_BOX.sub(lambda m: m.group(1), remark))]
    if not words or words[0] not in ("no", "without"):
        return False
    spoken, _ = question_words(question)
    denied = _denied(question.prompt)
    return any(stem(w) in spoken and not {_word_stem(w), _word_stem(w.removesuffix("s"))} & denied
               for w in words[1:] if {stem(w), _word_stem(w)} & _COUNTED_PARTS)


def _agreeing_definition(remark: str) -> bool:
    """Whether a remark is definitions in words of the question's names (``where d is the number of
    inputs``, ``(for d inputs)``), each agreeing with the sheet (:func:`_described`): harmless, though
    its words are not the question's own."""
    from .sentences import definitions

    question = _READING.get()
    if question is None:
        return False
    found = definitions(remark, set(question.vocab.known_names()) | _model_names(question))
    return bool(found) and all(_described(question, name, words) for name, words in found)


def _plain_words(text: str) -> str:
    """``text`` with LaTeX's text boxes unwrapped and dollar signs dropped: the words as typed. A box
    of one letter is mathematics set upright, no word (``\\mathrm{d}t``, the differential ``dt``)."""
    return TEXT_BOX.sub(lambda m: m.group(1).strip() if len(m.group(1).strip()) == 1 else f" {m.group(1)} ",
                        text).replace("$", " ") if "\\" in text or "$" in text else text


def _clause_after(text: str, start: int) -> str:
    """The clause of ``text`` from ``start``: up to a comma, semicolon or linking word at its own
    depth, or the bracket that closes around it."""
    depth = 0
    for pos in range(start, len(text)):
        ch = text[pos]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return text[start:pos]
            depth -= 1
        elif depth == 0 and (stop := _CLAUSE_STOP.match(text, pos)) and (stop.group(0) in ",;" or pos == 0
                                                                          or not text[pos - 1].isalpha()):
            return text[start:pos]
    return text[start:]


class Refused(AnswerError):
    """What stands beside a statement makes it no answer (:func:`beside`)."""


def beside(question: Question, text: str, expr: sp.Basic | None = None, *, line: bool = False) -> AnswerError | None:
    """Why what stands beside a statement makes it no answer, or None. The reader sets reasons,
    glosses, definitions and remarks aside; each is first checked against the question:

    1. a reason or source (since, because, as, using, given that, from, via) that says the answer
       is still to change or could be another value (:func:`.sentences.alters`: ``since it must
       still be halved``, ``because we then divide by 2``);
    2. a label of the answer (:func:`.sentences.label_phrase`: ``as the standard deviation``,
       ``(i.e. the std)``, ``as Std[y]``, ``(the variance of one term)``), or a list of what it counts
       (:func:`.sentences.counted_phrase`: ``(weights and their gradients)``), that does not name what
       the question asks (:func:`.labels.recognised`; a label holding the unknown of an equation
       question must be the unknown itself: ``sqrt(3/d) as a^2`` is refused);
    3. an equation in a reason (``since Var[y] = d a^2/12``, ``As Var[w_i] = a^2/12, ...``) must hold
       under the question's model, as a working line is checked (:class:`.lines.Judge`): each side
       valued at the model's points and compared; for an equation question, the reason holds for
       every value of the unknown or has the answer's solution (``from d a^2/3 = 1``). A false or
       undecidable equation leaves the statement unread; in a line of working (``line``) an
       equation question's reasons are not checked (the line has no answer to compare with);
    4. a definition in words of a name of the question (``where d is the number of inputs``,
       ``(q the drop probability)``) must agree with what the sheet says of that name
       (:func:`_described`): ``where d is the number of layers``, ``(p the one-hot target)`` are
       refused;
    5. a value said at a point (``(for q = 0.5 this is 1/sqrt(d))``) must be the answer's value
       there (``expr`` at the point, compared to the value at the point), as a numeric example is;
    6. what a derivative is taken with respect to (``(w.r.t. the logits)``) must be the variable of the
       prompt's derivative (``dL/dx``) or words that describe it (:func:`_described`): ``(w.r.t. the
       probabilities)`` for dL/dx is refused;
    7. a definition of a name of the question's model by an equation (``where h_i = m_i x_i/p``,
       ``with s = sigma(t)``) must hold under the model, as a reason's equation (``where h_i = m_i x_i``
       is refused); a new name (``where m = max_j x_j``) is the reader's to put in.
    """
    if not isinstance(text, str) or _GUARDING.get() or len(text) > DEFAULT.max_length:
        return None
    token = _GUARDING.set(True)
    try:
        with asking(question):
            return _beside(question, text, expr, line)
    finally:
        _GUARDING.reset(token)


def _beside(question: Question, text: str, expr: sp.Basic | None, line: bool) -> Refused | None:
    from .sentences import alters, counted_phrase, definitions, label_phrase

    plain = _plain_words(text)
    names = set(question.vocab.known_names()) | _model_names(question)
    for m in _REASON_OPENER.finditer(plain):
        body = _clause_after(plain, m.end())
        if not body.strip():
            continue
        body = premises.copula(body)  # "because Var[y] is d sigma^2": the equation Var[y] = d sigma^2
        if len(top_level(body, premises.ORDER)) > 1:  # "since x_i - max(x) <= 0": a bound, judged as working's are
            bound = premises.refuted([body], None, question)
            if bound is not None:
                return Refused(str(bound), None, text)
            continue
        if alters(body, names):
            return Refused(f"the reason {(m.group(0) + body).strip()!r} says the answer still changes or could "
                               "be another value: write the one final answer", None, text)
        labelled = label_phrase(m.group(0) + " " + body, names) if m.group(0).lower() in {"as", "since", "because"} \
            else None
        if labelled is not None and not _names_asked(question, *labelled, text):
            return Refused(f"{labelled[0]!r} is not recognised as naming what the question asks", None, text)
        if "=" in body and not (line and question.unknown is not None) and not _LIMIT_ARROW.search(body) \
                and not _holds(question, body, expr):
            return Refused(f"the reason {(m.group(0) + body).strip()!r} is not true under the question's model "
                               "(or cannot be checked): write the answer with true reasons only", None, text)
    for bracket in _brackets(plain) + [p for p, _ in top_level(plain, _CLAUSE_END)[1:]]:  # "(i.e. the std)"
        labelled = label_phrase(bracket, names)
        if labelled is not None and not _names_asked(question, *labelled, text):
            return Refused(f"{labelled[0]!r} is not recognised as naming what the question asks", None, text)
        counted = counted_phrase(bracket, names)  # "(weights and their gradients)" for the weights alone
        if counted is not None and not recognised(counted, text):
            return Refused(f"{counted!r} is not recognised as what the question counts", None, text)
    asked = _DERIVATIVE_OF.search(question.prompt)  # "The gradient dL/dx of ...": derivatives by x
    variable = asked.group("var") if asked is not None else ""
    for wrt in _WRT.finditer(plain) if variable else ():  # "(w.r.t. the probabilities)"
        said = [w for w in _clause_after(wrt.group("desc"), 0).split() if w.lower() not in _DESCRIPTION_LINKS]
        words = [w for w in said if w not in names]
        if any(w in names and w != variable for w in said) or (words and not _described(question, variable, words)):
            return Refused(f"the derivative is asked with respect to {variable}, not {' '.join(said)!r}", None,
                               text)
    for valued in NOUN_VALUE.finditer(plain):  # "w_i has variance a^2/3", "(uniform variance a^2/3)"
        if not _moment_holds(question, plain, valued, expr):
            return Refused(f"{plain[valued.start():].strip(' )')!r} is not true under the question's model", None,
                           text)
    for defined in _DEFINES.finditer(plain) if question.unknown is None else ():  # "(where h_i = m_i x_i)"
        name = defined.group("name")
        worded = _WORDED_DEFINITION.match(", " + _clause_after(plain, defined.start("name")))
        if worded is not None:  # "where p = keep prob": a definition in words, as "where p is keep prob"
            for defined_name, described in definitions(f"where {name} is {worded.group('words')}", names):
                if not _described(question, defined_name, described):
                    return Refused(f"the definition of {defined_name} as {' '.join(described)!r} does not agree "
                                   f"with the question's {defined_name}", None, text)
            continue
        if (name in names or name.split("_")[0] in _model_names(question)) \
                and not _holds(question, _clause_after(plain, defined.start("name")), expr):
            return Refused(f"the definition of {name} beside the answer is not the question's: "
                               f"{_clause_after(plain, defined.start('name')).strip()!r}", None, text)
    for name, words in definitions(plain, names):
        if not _described(question, name, words):
            return Refused(f"the definition of {name} as {' '.join(words)!r} does not agree with the question's "
                               f"{name}", None, text)
    if expr is not None:
        for bracket in _brackets(plain):
            at = _VALUE_AT.search(bracket[1:-1]) or _VALUE_BEFORE.match(bracket[1:-1])
            if at is not None and not _agrees_at(question, expr, at):
                return Refused(f"the answer is not {at.group('value').strip()!r} at {at.group('name')} = "
                                   f"{at.group('point')}: which is your answer?", None, text)
    return None


#: What a derivative is taken with respect to, in a remark: ``w.r.t. the logits``, ``with respect to t``.
_WRT = re.compile(r"(?<![A-Za-z])(?:w\.?\s?r\.?\s?t\.?|with\s+respect\s+to)\s+(?P<desc>[A-Za-z][A-Za-z_ -]*)", re.I)
#: The variable a prompt's derivative is taken by: ``dL/dx``, ``dsigma/dt``.
_DERIVATIVE_OF = re.compile(r"(?<![A-Za-z])d\s*\\?[A-Za-z]+\s*/\s*d\s*(?P<var>[A-Za-z]+)")
#: Words of a description that say nothing of whose it is.
_DESCRIPTION_LINKS = frozenset({"the", "a", "an", "of", "its", "their", "each", "all"})
#: A definition of a name by an equation beside a statement: ``where h_i = m_i x_i/p``, ``with s = sigma(t)``.
_DEFINES = re.compile(r"(?<![A-Za-z\\])(?:where|with|here)\s+(?P<name>[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)\s*=(?!=)",
                      re.I)
#: An arrow in a reason: a limit, no equation to check.
_LIMIT_ARROW = re.compile(r"->|→|\\to(?![A-Za-z])")


def _moment_holds(question: Question, plain: str, said: re.Match, expr: sp.Basic | None) -> bool:
    """Whether a moment said with its value beside the answer holds under the model: of the name
    said with it (``w_i has variance a^2/3``: Var[w_i] = a^2/3), or, said of no name (``(uniform
    variance a^2/3)``), of one of the model's random families at entry 1; a variance or a mean only
    (another quantity's value, ``std 1/sqrt(d)``, or one that cannot be checked, holds not)."""
    moment = said.group("moment").lower()
    if moment not in {"variance", "mean", "expectation"} or question.model is None:
        return False
    operator = "Var" if moment == "variance" else "E"
    value = _clause_after(plain, said.end())
    named = next((m for m in NAMED_MOMENT.finditer(plain) if m.start("moment") == said.start("moment")
                  and (len(m.group("name")) == 1 or "_" in m.group("name"))), None)  # w_i, z: a name, never "terms"
    if named is not None:
        return _holds(question, f"{operator}[{named.group('name')}] = {value}", expr)
    return any(_holds(question, f"{operator}[{family}_1] = {value}", expr) for family in sorted(question.model.random))


def _brackets(text: str) -> list[str]:
    """The top-level round brackets of ``text`` that hold words (a remark, never a factor)."""
    out, depth, start = [], 0, 0
    for pos, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = pos
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0 and re.search(r"[A-Za-z]{2,}[\s,;+&/]+[A-Za-z]", text[start:pos]):
                out.append(text[start:pos + 1])
    return out


def _model_names(question: Question) -> set[str]:
    model = question.model
    if model is None:
        return set(question.variables)
    return {*question.variables, *model.parameters, *model.random, *model.vectors, *model.indices, *model.free,
            *(d.name for d in model.definitions)}


def _names_asked(question: Question, label: str, mathematics: bool, whole: str) -> bool:
    """Whether a label of the answer names what the question asks (:func:`.labels.recognised`);
    for an equation question a label holding the unknown is the unknown itself."""
    unknown = question.unknown.name if question.unknown is not None else None
    if mathematics and unknown is not None and re.search(rf"(?<![A-Za-z]){unknown}(?![A-Za-z])",
                                                         to_plain(label)[0]):
        return to_plain(label)[0].strip() == unknown
    return recognised(label, whole, side=mathematics)


def _holds(question: Question, body: str, expr: sp.Basic | None) -> bool:
    """Whether the equation stated in a reason's ``body`` holds under the question's model (words
    before its first side and after its last are set aside): every pair of consecutive sides equal
    at the model's points (:meth:`.lines.Judge.compare`), or for an equation question each equation
    of the chain holds for every value of the unknown or has the answer's solution (``Var[y] = d a^2/3
    = 1``)."""
    from .lines import Judge, Valued, judges_working

    sides = [s for s, _ in split_equals(body)]
    if len(sides) < 2 or not judges_working(question):
        return False
    names = set(question.vocab.known_names()) | _model_names(question)
    sides[0], sides[-1] = _trim_words(sides[0], names, True), _trim_words(sides[-1], names, False)
    if not all(s.strip() for s in sides):
        return False
    try:
        judge = Judge(question)
        if question.unknown is not None:  # each equation of the chain: an identity, or the answer's own
            answers = Valued([(float(sp.N(expr.xreplace(judge.named(k)), 30)),) for k in range(len(judge.points))]) \
                if expr is not None else None
            for left, right in itertools.pairwise(sides):
                valued = judge.valued(f"{left} = {right}")
                if valued.identity:
                    continue
                if answers is None or valued.error or valued.undecided or not valued.values \
                        or judge.compare(answers, valued).verdict != "ok":
                    return False
            return True
        values = [judge.valued(s) for s in sides]
        loose = {m.group(1) for v in values if v.leaked for m in [_LOOSE_INDEX.search(v.leaked)] if m}
        if loose:  # "h_i = m_i x_i/p": an entry's definition, for every i; checked at i = 1
            at_one = re.compile(r"_\{?(" + "|".join(map(re.escape, loose)) + r")\}?(?![A-Za-z0-9])")
            values = [judge.valued(at_one.sub("_1", s)) for s in sides]
        if any(v.error or v.undecided or v.leaked or not v.values for v in values):
            return False
        return all(judge.compare(a, b).verdict == "ok" for a, b in itertools.pairwise(values))
    except (AnswerError, ValueError, TypeError, ArithmeticError, RecursionError):
        return False


#: The index a statement leaves unbound, in the judge's message: ``the index i is not bound by a sum``.
_LOOSE_INDEX = re.compile(r"the index ([A-Za-z]) is not bound")
#: A word before an equation's first side or after its last (``we have Var[w_i] = a^2/3 for each i``).
_FIRST_WORD = re.compile(r"^\s*([A-Za-z]{2,}(?:'[a-z]+)?)\s+(?=\S)")
_A_WORD = re.compile(r"\s([A-Za-z]{2,})(?![A-Za-z_(\[{])")


def _trim_words(side: str, names: set[str], leading: bool) -> str:
    """``side`` without the words before it (``leading``) or after it: words that are no name of
    the question and no function (``we have Var[w_i]``, ``a^2/3 for uniform weights``)."""
    if not leading:  # "a^2/3 for each i": from the first word on
        for word in _A_WORD.finditer(side):
            if word.group(1) not in names and word.group(1) not in FUNCTION and side[:word.start()].strip():
                return side[:word.start()]
        return side
    while (m := _FIRST_WORD.search(side)) and m.group(1) not in names and m.group(1) not in FUNCTION \
            and side[m.end():].strip():
        side = side[m.end():]
    return side


def _agrees_at(question: Question, expr: sp.Basic, at: re.Match) -> bool:
    """Whether ``expr`` at the point (``q = 0.5``) equals the value said there, for every value of
    the other names (compared at a few points); a value that cannot be read or compared disagrees."""
    try:
        vocab = question.vocab
        symbol = parse_answer(at.group("name"), vocab, labels=False).expr
        point = parse_answer(at.group("point"), vocab, labels=False).expr
        said = (top_level(at.group("value"), _CLAUSE_END) or [("", 0)])[0][0]  # "d sigma^2/2, no dropout"
        value = parse_answer(_trim_words(said, set(vocab.known_names()), True), vocab, labels=False).expr
    except AnswerError:
        return True  # a value in words (``this is He's value``): left to the rules of remarks
    if not isinstance(symbol, sp.Symbol) or not point.is_number or not isinstance(expr, sp.Expr):
        return False
    answer = expr.xreplace({s: point for s in expr.free_symbols if s.name == symbol.name})
    rest = sorted({s.name for s in answer.free_symbols | value.free_symbols})  # by name: a line's own symbols
    for k in range(3):
        by_name = {n: sp.Rational(3 + 2 * k + j, 7 + j) for j, n in enumerate(rest)}
        try:
            x = complex(sp.N(answer.xreplace({s: by_name[s.name] for s in answer.free_symbols}), 20))
            y = complex(sp.N(value.xreplace({s: by_name[s.name] for s in value.free_symbols}), 20))
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            return False
        if abs(x - y) > 1e-9 * (abs(y) + 1e-12):
            return False
    return True


def _described(question: Question, name: str, words: list[str]) -> bool:
    """Whether a definition in words of ``name`` agrees with the question: each content word is
    one the sheet's texts use for that name (:func:`_descriptions`: ``keep probability p``, ``q the
    drop probability``, ``the bound a``), one of its kind (:data:`.vocabulary.ROLE_WORDS`: a one-hot
    y is the target), of a name that bounds an index (:data:`.vocabulary.SIZE_WORDS`: ``d`` in ``z
    in R^d`` is the number of inputs), or what the letter conventionally stands for
    (:data:`.vocabulary.CONVENTIONAL`: ``k`` the kernel size). Anything else (``d`` the number of
    layers, ``q`` the keep probability, ``a`` the std) gives the name another meaning."""
    from .vocabulary import CONVENTIONAL, ROLE_WORDS, SIZE_WORDS

    own = set(_descriptions(question).get(name, ()))
    own |= ROLE_WORDS.get(question.variables.get(name, ""), frozenset())
    own |= CONVENTIONAL.get(name, frozenset())
    model = question.model
    if model is not None and name in {*model.indices.values(), *model.free.values()}:
        own |= SIZE_WORDS
    return all(_word_stem(w) in own or w in own for w in words)


def _word_stem(word: str) -> str:
    """A word compared in a description: lower case, a plural as its singular, a gerund as its verb
    (``probabilities``, ``layers``, ``dropping``)."""
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
        return w[:-1] if len(w) > 2 and w[-1] == w[-2] else w
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


_DESCRIPTIONS: dict[int, tuple[Question, dict[str, frozenset[str]]]] = {}
#: A token of a prompt: a name with its subscript (``w_i``, ``C_in``) or a word.
_PROMPT_TOKEN = re.compile(r"[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?(?:-[A-Za-z]+)?")


def _descriptions(question: Question) -> dict[str, frozenset[str]]:
    """For each name of the question, the words the sheet's texts put within four words of it in its clause
    (the prompts of its problem's questions and their report title, glance and prompt: ``keep
    probability p``, ``q the drop probability``, ``L layers of width K``), as :func:`_word_stem`
    gives them; a name with a subscript (``w_i``, ``x_y``) is its base's (w, x)."""
    cached = _DESCRIPTIONS.get(id(question))
    if cached is not None and cached[0] is question:
        return cached[1]
    names = _model_names(question) | set(question.vocab.known_names())
    found: dict[str, set[str]] = {}
    for text in _problem_texts(question):
        text = re.sub(r"\\(?:texttt|mathrm|operatorname|text|mathbf|mathit)\b|\\[A-Za-z]+|[${}]", " ", text)
        for clause in _TEXT_CLAUSE.split(text):  # "a stride-1, same-padded, bias-free k x k": k's own clause
            _describe(_PROMPT_TOKEN.findall(clause), names, found)
    out = {n: frozenset(w) for n, w in found.items()}
    if len(_DESCRIPTIONS) > 64:
        _DESCRIPTIONS.clear()
    _DESCRIPTIONS[id(question)] = (question, out)
    return out


#: Where a clause of a prompt ends: a comma, semicolon, colon, bracket or full stop.
_TEXT_CLAUSE = re.compile(r"[,;:()\[\]]|\.\s")


def _describe(tokens: list[str], names: set[str], found: dict[str, set[str]]) -> None:
    """Add to ``found`` the words within four tokens of each name among ``tokens`` (one clause)."""
    for k, token in enumerate(tokens):
        name = token if token in names else token.split("_")[0]
        if name not in names:
            continue
        for near in tokens[max(0, k - 4):k + 5]:
            if near not in names and near.split("_")[0] not in names and len(near) > 1:
                found.setdefault(name, set()).add(_word_stem(near))


def _problem_texts(question: Question) -> list[str]:
    """The question's prompt, and for a built-in sheet whose bank holds it, the prompts of every
    question of its problem (``p2.*``) and their report titles, glances and prompts."""
    from derivcheck.sheets import builtin, sheet

    texts = [question.prompt]
    problem = question.id.split(".")[0]
    for name in builtin():
        try:
            data = sheet(name).data
        except Exception:  # noqa: BLE001 - a sheet that cannot be read adds no words
            continue
        questions = data.get("question", [])
        if not any(q.get("id") == question.id and q.get("prompt") == question.prompt for q in questions):
            continue
        report = data.get("report", {}).get("questions", {})
        for q in questions:
            if str(q.get("id", "")).split(".")[0] == problem:
                texts.append(str(q.get("prompt", "")))
                entry = report.get(q.get("id"), {})
                texts.extend(str(entry.get(k, "")) for k in ("title", "glance", "prompt"))
    return texts
