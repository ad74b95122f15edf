"""A derivation's text -> its lines: one statement a line, justifications set aside.

Line 0 names the quantity (``Var[y]``, ``\\frac{\\partial L}{\\partial x_j}``); every later line starts
with ``=`` (or ``&=``), or, in an equation question, is an equation (``=>``, ``\\iff`` in front are
dropped). ``# text`` and ``\\quad\\text{...}`` at the end of a line are justifications. One line
holding a chain (``Var[y] = E[y^2] = ... = d sigma^2/2``, or equations joined by ``=>``) is
split into the same lines. Math delimiters (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) around
the whole answer, a whole line, or a line's statement are set aside (:func:`unwrapped`).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import premises
from .reader import (
    _DEFINITION,
    _SEPARATOR,
    IMPLICATION,
    numeric_example,
    split_chain,
    split_equals,
    top_level,
    without_reason,
)
from .sentences import OPERATION_WORDS, QUANTITY_WORDS, asides
from .vocabulary import FUNCTION

#: The annotation column of an align environment: what follows ``&&`` explains the line
#: (``&= d E[w_1^2] && \text{(zero means)}``).
_ANNOTATION = re.compile(r"(?<!\\)&\s*&(?P<text>.*)$")
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


#: Math delimiters, display before inline: (opening, closing, what neither side may hold inside).
_MATH_PAIRS = (("$$", "$$", re.compile(r"\$")), ("\\[", "\\]", re.compile(r"(?<!\\)\\[\[\]]")),
               ("\\(", "\\)", re.compile(r"\\[()]")), ("$", "$", re.compile(r"\$")))
#: A line that is only a math delimiter (a display's ``$$`` or ``\\[`` on a line of its own).
_DELIMITER_LINE = re.compile(r"^\s*(?:\$\$?|\\[\[\]()])\s*$")


#: An equals sign with its justification written over or under it: ``\\stackrel{\\text{indep.}}{=}``,
#: ``\\overset{(a)}{=}``, ``\\underset{E[y]=0}{=}``.
_ANNOTATED_EQUALS = re.compile(r"\\(?:overset|stackrel|underset)\s*\{(?P<label>(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}"
                               r"\s*\{\s*=\s*\}")


def annotated_equals(line: str) -> tuple[str, list[str]]:
    """``line`` with every equals sign that carries a justification over or under it written as a
    plain ``=`` (``Var[y] \\stackrel{\\text{indep.}}{=} \\sum_i Var[w_i z_i]``), and the
    justifications: a label on an equals sign explains the step, it never changes what is stated."""
    labels: list[str] = []

    def plain(m: re.Match) -> str:
        labels.append(m.group("label").strip())
        return " = "

    return _ANNOTATED_EQUALS.sub(plain, line), [label for label in labels if label]


def unwrapped(text: str) -> str:
    """``text`` without a pair of math delimiters that wraps it whole (``$= \\frac{d\\sigma^2}{4}$``,
    ``\\(= d\\sigma^2/2\\)``, ``$$...$$``, ``\\[...\\]``), or ``text`` unchanged. A delimiter only marks
    where mathematics is typeset, never what it states: the pair is set aside when it opens the text
    and closes it and no delimiter of its kind stands between (``$a$ = $b$`` is two pieces of
    mathematics, not one, and stays as written); the text inside must not be empty."""
    stripped = text.strip()
    for left, right, inner in _MATH_PAIRS:
        if stripped.startswith(left) and stripped.endswith(right) and len(stripped) > len(left) + len(right):
            body = stripped[len(left):len(stripped) - len(right)]
            if body.strip() and inner.search(body) is None:
                return body.strip()
    return text


def lines(answer: str) -> list[str]:
    """The non-empty lines of an answer: split at every line end Python knows (LF, CRLF, CR,
    U+2028, U+0085, ...) and at LaTeX's ``\\\\``; display-environment markers, math delimiters around
    the whole answer and lines holding only a delimiter (``$$``, ``\\[``) dropped."""
    out = []
    for ln in _DISPLAY.sub("\n", unwrapped(answer)).splitlines():
        out.extend(_BREAK.split(ln))
    return [ln for ln in out if ln.strip() and not _ENVIRONMENT.match(ln) and not _DELIMITER_LINE.match(ln)]


@dataclass(frozen=True)
class WorkingLine:
    """One line of working: the statement as typed (without ``=`` and justification), the line as
    the student wrote it, and the justification."""

    text: str
    line: str
    reason: str = ""
    definitions: tuple[tuple[str, str], ...] = ()  # (name, value) written beside the statement
    laws: tuple[tuple[str, str], ...] = ()  # (new name, its law) written beside it: u ~ U(-1, 1)
    relations: tuple[tuple[str, str], ...] = ()  # (a name of the model, its value in a new one): w_1 = a u
    noted: tuple[tuple[str, str], ...] = ()  # (name, value) given in the justification: (with u = 1 + e^{-t})

    @property
    def defines_only(self) -> bool:
        """Whether the line holds definitions alone (``Let u = 1 + e^{-t}``): no statement to judge."""
        return not self.text and bool(self.definitions or self.laws)

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
    text = _strip_comment(annotated_equals(found[0] if found else answer)[0])[0]
    if len(top_level(text, _SEPARATOR)) > 1 or numeric_example(text) is not None:
        return False  # statements and definitions on one line (``log(a/b), where a = ...``): the reader's
    if equation:  # words in the working (``d a^2/3 = 1 and so ...``): the reader judges its claims
        chain = split_chain(text)
        return len(chain) >= 2 and not premises.worded(p for p, _ in chain[:-1])
    return len(split_equals(text)) >= 3 and not IMPLICATION.search(text)


#: What a bracketed remark states and a factor never holds: an equation, a law or a condition.
_RELATION = re.compile("(?<![<>!=])=(?!=)|==|~|\u223c|≈|<|>|≤|≥|≠|∈|→"
                       r"|\\(?:sim|le|ge|leq|geq|neq|ne|in|to|approx)(?![A-Za-z])|(?<![A-Za-z])w\.\s?p\.")
#: A word of a sentence: letters only (``n_in``, ``x_1``, ``\\sigma`` are names, not words).
_PLAIN_WORD = re.compile(r"[A-Za-z]{2,}")
#: Greek letters spelled out: names of a formula, never words of a remark.
_GREEK = frozenset({"alpha", "beta", "gamma", "delta", "epsilon", "eps", "zeta", "eta", "theta", "iota", "kappa",
                    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"})


def remark(line: str, names: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """``(the line without it, the remark)`` for a line that ends in a bracketed remark, or None.

    A bracket (round or square) at the very end of a line, after white space, is a remark (a
    justification, never part of the statement) when what it holds cannot be a factor: it states
    an equation, a law or a condition (``(s' = s(1-s))``, ``(m_i = 1 w.p. p)``, ``(y = 1)``, ``(w ~
    N(0, sigma))``, ``(t < 0)``: a relation at the bracket's own level), or it is words of a sentence
    (two words in a row of two letters or more, none a name of the question, a function or a Greek
    letter: ``(dropout does not change the variance)``) and no word that changes a quantity (``(per
    layer)``, ``(twice)``: the final-answer reader's, never set aside). A bracket that holds an expression is a
    factor and stays (``= x_i^2 (1-p)``, ``= d (a^2/3)``, ``= E[y^2]``), and so does one glued to what
    precedes it (``f(y = 1)``). The statement before the remark must not be empty."""
    text = line.rstrip()
    if not text or text[-1] not in ")]":
        return None
    depth, start = 0, None
    for pos in range(len(text) - 1, -1, -1):
        depth += text[pos] in ")]}"
        depth -= text[pos] in "([{"
        if depth == 0:
            start = pos
            break
    if start is None or start == 0 or not text[start - 1].isspace() or text[start] not in "([":
        return None
    body, inner = text[:start].rstrip(), text[start + 1:-1]
    if not body.strip(" =&\t"):
        return None
    level, depth = [], 0
    for ch in inner:
        level.append(ch if depth == 0 else " ")
        depth += ch in "([{"
        depth -= ch in ")]}"
    states = _RELATION.search("".join(level)) is not None

    def word(token: str) -> bool:
        token = token.strip(",.;:!?")
        return bool(_PLAIN_WORD.fullmatch(token)) and token not in names and token.lower() not in _GREEK \
            and token not in FUNCTION

    tokens = inner.split()
    changes = any(t.strip(",.;:!?").lower() in QUANTITY_WORDS for t in tokens)  # "(per layer)", "(squared)"
    sentence = not changes and any(word(a) and word(b) and len(a) + len(b) >= 5 for a, b in itertools.pairwise(tokens))
    if not (states or sentence or prose("".join(level), word) or _parts_named("".join(level), word)
            or deferred(inner) or _about_names(inner, names)):
        return None
    return body, text[start:].strip()


#: One name (a letter or a Greek name, with a subscript): ``z``, ``x_j``, ``\sigma``, ``C_{in}``.
_ONE_NAME = r"\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?"
#: A name described in words (``z the softmax output``, ``d is the number of inputs``) and a
#: quantifier over names (``any d``, ``for all i, j``).
_DESCRIPTION = re.compile(rf"\s*(?:(?:with|where)\s+)?(?P<name>{_ONE_NAME})\s+(?:is\s+|denotes\s+)?"
                          r"(?:the|a|an)\s+[A-Za-z][A-Za-z -]*\s*")
_QUANTIFIED = re.compile(rf"\s*(?:for\s+)?(?:any|all|every)\s+(?P<names>{_ONE_NAME}(?:\s*,\s*{_ONE_NAME})*)\s*",
                         re.I)


def _about_names(inner: str, names: frozenset[str]) -> bool:
    """Whether a bracket speaks about the question's names rather than multiplying by them: a
    name described in words (``(z the softmax output)``; whether the description is the
    question's, :func:`.derivation.false_remark` decides) or a quantifier over names (``(any d)``,
    ``(for all i)``); words alone, never a factor, whatever the names."""
    described = _DESCRIPTION.fullmatch(inner)
    if described is not None and (not names or described.group("name").lstrip("\\") in names):
        return True
    quantified = _QUANTIFIED.fullmatch(inner)
    return quantified is not None and all(
        not names or n.strip().lstrip("\\") in names for n in quantified.group("names").split(","))


#: Operations named by a bare verb: with no operand they say what is counted (``(multiply + add)``).
_BARE_VERBS = frozenset({"multiply", "multiplies", "add", "adds", "subtract", "divide", "multiplication",
                         "addition"})


def _parts_named(level: str, word: Callable[[str], bool]) -> bool:
    """Whether a bracket names the parts of what the line counts, words joined by ``+``, ``&``,
    ``/``, ``,`` or "and" (``(multiply + add)``, ``(weights + activations)``): two words or more, each
    a plain word of a sentence (no name of the question, so no factor), none changing the quantity
    but the bare verbs of an operation without an operand (``multiply``, ``add``: what is counted,
    never "multiply by 2")."""
    parts = [p.strip() for p in re.split(r"[+&/,]|(?<![A-Za-z])and(?![A-Za-z])", level)]
    return len(parts) >= 2 and all(
        p and len(p.split()) == 1 and word(p) and (_bare(p) not in QUANTITY_WORDS or _bare(p) in _BARE_VERBS)
        for p in parts)


#: Words that put an operation on a later step (``(sign dropped later)``, ``(halved in the next line)``).
_DEFERRED = re.compile(r"(?<![A-Za-z])(?:later|afterwards|afterward|subsequently|below|next\s+(?:line|step))"
                       r"(?![A-Za-z])", re.I)


def deferred(remark_text: str) -> bool:
    """Whether a remark puts what it says on a later step (``(sign dropped later)``, ``(we halve it
    in the next step)``): it is no operation on this line, which is judged as written, and no part
    of the statement. Holding no mathematics of its own (no digit nor sign), it is words alone."""
    return _DEFERRED.search(remark_text) is not None and re.search(r"[0-9=^*/+<>]", remark_text) is None


#: Finite forms of be, have, do and the modals: each makes a clause of the words around it.
_AUXILIARY = frozenset({"is", "are", "was", "were", "am", "be", "been", "has", "have", "had", "does", "do", "did",
                        "can", "cannot", "could", "will", "would", "shall", "should", "may", "might", "must",
                        "isn't", "aren't", "doesn't", "don't", "wasn't", "weren't", "hasn't", "haven't"})
#: Words that open a noun phrase: the clause's subject is the word after one.
_DETERMINER = frozenset({"the", "a", "an", "these", "those", "each", "every", "both", "all", "its", "their", "our",
                         "my", "no", "some", "any"})
#: Words that open a noun phrase or stand for one (``this layer costs``, ``this costs``).
_DEMONSTRATIVE = frozenset({"this", "that", "it", "which"})


#: Adverbs of multiplicity: closing a bracket, they count the line's quantity again (``(weight grads twice)``).
_MULTIPLICITY = frozenset({"once", "twice", "thrice"})


def _bare(token: str) -> str:
    return token.strip(",.;:!?").lower()


def prose(level: str, word: Callable[[str], bool]) -> bool:
    """Whether a bracket's text (its own level, inner brackets blanked) is a whole clause of prose,
    a justification whatever words it holds (a justification never changes a verdict), rather than
    a bare modifier of the quantity (``(per layer)``, ``(squared)``, ``(times 2)``, ``(twice the
    variance)``), which stays part of the line. Prose is:

    - a clause: three tokens or more, the first no word that changes a quantity (the final-answer
      reader's, ``twice``, ``per``, ``half``), the last no adverb of multiplicity (``twice``),
      holding a finite verb that changes none: a form of *be*, *have*, *do* or a modal anywhere
      (``(E[y] is zero)``, ``(the cross terms do not matter)``), or a verb of the third person, a
      word of three letters or more ending in ``s`` right after the subject, with words after it:
      the subject is the first token, the one after a determiner, or either after ``this``,
      ``that``, ``it`` (``(ReLU kills half)``, ``(this counts every product)``, ``(dropout
      inflates the variance by 1/p)``, ``(the mask zeroes half of them)``; ``(weights times
      inputs)`` names no verb, ``times`` changes a quantity);
    - an enumeration: two comma-separated phrases or more, each opening with a plain word of a
      sentence (``word``) that changes no quantity (``(fwd, weight grads, input grads except the
      first layer)``, ``(forward nLK^2, backward 2nLK^2)``; ``(per layer, twice)`` and ``(n samples,
      L layers)`` are not).

    Traps that stay modifiers: ``(twice the variance of x_1)`` (its first word changes the
    quantity), ``(halves it)``, ``(the ReLU halves it)`` (its verb does), ``(both passes per layer)``
    (after a determiner, ``passes per``: no verb), ``(weight grads twice)`` (a clause never ends in
    an adverb of multiplicity: a plural noun is no verb there)."""
    tokens = level.split()
    if not tokens:
        return False
    phrases = [p.split() for p in level.split(",")]
    if len(phrases) >= 2 and all(p and word(p[0]) and _bare(p[0]) not in QUANTITY_WORDS for p in phrases):
        return True
    if len(tokens) < 3 or _bare(tokens[0]) in QUANTITY_WORDS or _bare(tokens[-1]) in _MULTIPLICITY:
        return False
    if any(_bare(t) in _AUXILIARY for t in tokens):
        return True
    first = _bare(tokens[0])
    places = (1, 2) if first in _DEMONSTRATIVE else (2,) if first in _DETERMINER else (1,)
    return any(_third_person(tokens[at]) for at in places if at < len(tokens) - 1)  # words follow a verb


def _third_person(verb: str) -> bool:
    """Whether a word may be a verb of the third person: lower-case letters ending in ``s`` (not
    ``ss``, ``us``, ``is``), three at least, and no word that changes a quantity (``times``)."""
    return (len(verb) >= 3 and verb.isalpha() and verb.islower() and verb.endswith("s")
            and not verb.endswith(("ss", "us", "is")) and verb not in QUANTITY_WORDS)


def _strip_comment(line: str, names: frozenset[str] = frozenset()) -> tuple[str, str]:
    """The line's statement and its justification; math delimiters around the line or around the
    statement before its justification (``$= d\\sigma^2/2$   (ReLU kills half)``) set aside."""
    body, reason = _justification(unwrapped(line))
    found = remark(body, names)
    if found is None:
        return unwrapped(body), reason
    return unwrapped(found[0]), "; ".join(r for r in (found[1], reason) if r)


def _justification(line: str) -> tuple[str, str]:
    column = _ANNOTATION.search(line)
    if column is not None and line[:column.start()].strip(" &="):
        body, reason = _justification(line[:column.start()])
        text = re.sub(r"^\s*\\(?:text|mathrm|textrm)\{(?P<words>.*)\}\s*$", r"\g<words>", column.group("text").strip())
        return body, "; ".join(r for r in (reason, text.strip()) if r)
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


#: Words of a short justification that leave the line's value as it is stated: the step is done
#: to an equation's two sides (``squared both sides``), never to the line.
_BOTH_SIDES = frozenset({"both", "each", "sides", "side"})
#: Words that only open or join a short justification (``(the other way round)``, ``(then halved)``).
_OPENERS = frozenset({"the", "a", "an", "then", "and", "so", "it", "is", "this", "text"})


def changes_the_line(reason: str) -> bool:
    """Whether a line's justification says that the line's value is operated on, so that the line
    states something else than it shows: a short one (at most three words besides articles and
    openers, no mathematics) holding a participle of an operation (of a verb of
    :data:`.sentences.OPERATION_WORDS`: ``# negated``, ``(inverted)``, ``\\quad\\text{sign flipped}``,
    ``(then halved)``), or saying it is the other way round. A justification explains a step and
    never changes a verdict, so such a line is refused rather than judged as shown. A method on an
    equation's two sides (``squared both sides``), an operation put on a later step (``(sign
    dropped later)``: :func:`deferred`, the line is judged as written), a longer sentence and a note
    of a status (``expanded``, ``simplified``: no operation) stay justifications."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", reason) if w.lower() not in _OPENERS]
    if not words or deferred(reason) or len(words) > 3 or re.search(r"[0-9=^*/+<>]", reason) \
            or _BOTH_SIDES & set(words):
        return False
    if {"other", "way"} <= set(words):  # the other way round
        return True
    return any(w in {"opposite", "sign"} or (w.endswith("ed") and (
        w in OPERATION_WORDS or w[:-2] in OPERATION_WORDS or w[:-1] in OPERATION_WORDS)) for w in words)


#: The number sign glued to the word after it at the start of the working (``#mults``, ``#weights``).
_NUMBER_SIGN = re.compile(r"^(\s*)#(?=[A-Za-z\\])")


def split(answer: str, equation: bool, names: frozenset[str] = frozenset()) -> list[WorkingLine]:
    """The steps of a derivation, in order; ``names`` (the question's and its model's) are never
    words of a remark (:func:`remark`)."""
    raw = lines(answer)
    if raw:  # "#mults" opening the working: the number sign glued to a word names a count, no comment
        raw[0] = _NUMBER_SIGN.sub(r"\1\\#", raw[0], count=1)
    if len(raw) == 1:
        return _chain(raw[0], equation, names)
    steps = []
    for ln in raw:
        plain, labels = annotated_equals(ln)
        body, reason = _strip_comment(plain, names)
        body = defining_signs(body)
        reason = "; ".join([*labels, *([reason] if reason else [])])
        body = re.sub(r"\\\\\s*$", "", body)
        text = _LEAD.sub("", body) if equation else _ALIGN_LEAD.sub("", body)
        text = unwrapped(text.replace("&", " ").strip())  # "= $d\\sigma^2/2$": the statement wrapped
        steps.append(WorkingLine(text=text, line=ln.strip(), reason=reason))
    return steps


def _chain(line: str, equation: bool, names: frozenset[str] = frozenset()) -> list[WorkingLine]:
    plain, labels = annotated_equals(line)
    body, reason = _strip_comment(plain, names)
    body = defining_signs(body)
    reason = "; ".join([*labels, *([reason] if reason else [])])
    if equation:
        pieces = [p.strip() for p, _ in split_chain(body)]
        return [WorkingLine(p, p if k == 0 else "=> " + p, reason if k == len(pieces) - 1 else "")
                for k, p in enumerate(pieces)]
    pieces = [p.strip() for p, _ in split_equals(body)]
    return [WorkingLine(p, p if k == 0 else "= " + p, reason if k == len(pieces) - 1 else "")
            for k, p in enumerate(pieces)]


def _name(text: str) -> str:
    return re.sub(r"[{}\s]", "", text)


#: A law given to a name: ``u ~ U(-1, 1)``, ``u \\sim \\mathcal{U}(-1, 1)``, ``e \u223c N(0, 1)`` (U+223C).
_LAW_STATEMENT = re.compile(r"\s*(?:\\[,;:! ]\s*)*(?P<name>[A-Za-z]+(?:_\{?[A-Za-z0-9]\}?)?)\s*"
                            "(?:~|\u223c|\\\\sim(?![A-Za-z]))" r"\s*(?P<law>.+?)\s*")
#: A law as written: its name (``U``, ``\\mathcal{U}``, ``\\operatorname{Uniform}``) and its parameters in
#: round or square brackets (``U[-1, 1]``, ``\\left(0, 1\\right)``).
_LAW_WRITTEN = re.compile(r"(?:\\(?:mathcal|mathrm|operatorname|text)\{(?P<tex>[A-Za-z]+)\}|(?P<plain>[A-Za-z]+))"
                          r"\s*(?:\\left)?\s*[(\[](?P<args>.*?)(?:\\right)?\s*[)\]]")


def law_of(text: str) -> str | None:
    """A law written by a student as the bank writes one (``U[-1, 1]`` -> ``U(-1, 1)``,
    ``\\mathcal{N}(0, 1)`` -> ``N(0, 1)``), or None when ``text`` is no law's shape; which names
    are laws, and their parameters, :func:`.laws.parse_law` decides."""
    m = _LAW_WRITTEN.fullmatch(text.strip())
    if m is None or not m.group("args").strip():
        return None
    return f"{m.group('tex') or m.group('plain')}({m.group('args').strip()})"


#: Words that introduce a definition: ``let u = ...``, ``with u := ...``, ``\\text{where } u = ...``,
#: ``substituting u = ...``, ``using the substitution u = ...``.
_INTRODUCER = re.compile(r"^\s*(?:(?:let|set|setting|put|putting|define|defining|denote|denoting|write|writing|"
                         r"substitute|substituting|with|where|using|the|substitution|and)(?![A-Za-z])"
                         r"\s*:?\s*\}?\s*)+", re.IGNORECASE)
#: Signs that define the name on their left: ``:=``, ``≔``, ``\\coloneqq``, ``\\triangleq``, ``≜``,
#: ``\\overset{\\text{def}}{=}``, ``\\stackrel{def}{=}``; and ``=:``, ``\\eqqcolon`` the name on their right.
_DEFINES = re.compile(r":=|≔|≜|≡|\\(?:coloneqq|coloneq|triangleq|equiv)(?![A-Za-z])"
                      r"|\\(?:overset|stackrel)\{\s*(?:\\(?:text|mathrm)\{\s*)?def\.?\s*\}?\s*\}\{=\}")
_DEFINED_BY = re.compile(r"=:|≕|\\eqqcolon(?![A-Za-z])")
#: The words that close a definition by saying what the name stands for: ``Let P = H W be the
#: number of positions``, ``u = 1 + e^{-t} denote the denominator``.
_NAMING = re.compile(r"\s+(?:be|denote|denotes|stand\s+for|stands\s+for)\s+(?:the|a|an|our)\s+[A-Za-z ,'-]*\.?\s*$")
#: A name written as a function of names on the left of a definition: ``u(t) = ...``, ``g(s, t) = ...``.
_CALLED = re.compile(r"^(?P<name>[A-Za-z]+(?:_\{?[A-Za-z0-9]\}?)?)\s*\(\s*[A-Za-z]+(?:\s*,\s*[A-Za-z]+)*\s*\)\s*=")
#: The sign that gives a name its law: ``~``, ``\\sim``, U+223C.
_LAW_SIGN = re.compile("~|\u223c|\\\\sim(?![A-Za-z])")
#: A box of words in LaTeX (``\\text{with }``), set aside to its words when a justification is read.
_WORDS_BOX = re.compile(r"\\(?:text|textrm|mathrm|mbox|textit|emph)\{([^{}]*)\}")
#: What separates the statements of one justification besides the statement separators: ``and`` and
#: the words and arrows of a consequence (``u = 1 + e^{-t}, so du/dt = -e^{-t}``, ``=> du/dt = ...``).
_AND = re.compile(r"(?<![A-Za-z\\])(?:and|so|hence|thus|then|therefore)(?![A-Za-z])|=>|⇒|⟹"
                  r"|\\(?:Rightarrow|implies|Longrightarrow)(?![A-Za-z])", re.IGNORECASE)


def defining_signs(text: str) -> str:
    """``text`` with every sign that defines the name on its left written ``=`` (``p := 1 - q``,
    ``u \\coloneqq ...``): a definition states an equality, judged as one where it defines no new
    name (``... =: u`` is left to :func:`definition`, which names its right side)."""
    return _DEFINES.sub("=", text)


def definition(piece: str) -> tuple[str, str] | None:
    """``(name, value)`` for a piece that defines one name, else None: ``u = 1 + e^{-t}``, with a
    word that introduces it in front (``let``, ``with``, ``where``, ``substituting``, ``using the
    substitution``: :data:`_INTRODUCER`) and any defining sign (``:=``, ``≔``, ``\\coloneqq``,
    ``\\triangleq``, ``\\equiv``, ``\\overset{def}{=}``; ``1 + e^{-t} =: u`` names the right side;
    ``u(t) = ...`` defines u, a function of t). What closes it and only explains the name is set
    aside (``... be the number of positions``, ``(the forward pass)``), and so is a law stated with
    it (``u := w_1/a ~ U(-1, 1)``). Whether the name is new the caller decides; the value is read
    when the definition is put in force."""
    text = _WORDS_BOX.sub(lambda m: f" {m.group(1)} ", _DEFINES.sub("=", piece))
    text = _INTRODUCER.sub(" ", text.replace("\\ ", " "))
    right = _DEFINED_BY.split(text)
    if len(right) == 2:
        text = f"{right[1]} = {right[0]}"
    text = _CALLED.sub(r"\g<name> =", _NAMING.sub("", text).strip().rstrip(".:"))  # u(t) = ...: u, a function of t
    m = _DEFINITION.fullmatch(text)
    if m is None or not m.group("value").strip():
        return None
    value = m.group("value").strip()
    aside = remark(value)  # u = 1 + e^{-t} (the denominator): the bracket of words explains the name
    value = aside[0].strip() if aside is not None else value
    stated = _LAW_STATEMENT.fullmatch(f"{m.group('name')} ~ {_LAW_SIGN.split(value, 1)[-1]}") \
        if _LAW_SIGN.search(value) else None
    if stated is not None and law_of(stated.group("law")) is not None:  # u := w_1/a ~ U(-1, 1): its law, stated
        value = _LAW_SIGN.split(value, 1)[0].strip()
    return _name(m.group("name")), value


def beside(steps: list[WorkingLine], known: set[str]) -> list[WorkingLine]:
    """The steps with the definitions written beside a statement set apart (``= m + log(e^{-m} +
    e^{t-m}) - yt, \\quad m = max(t, 0)``; ``= d/du (1/u) du/dt, u = 1 + e^{-t}``): the trailing
    statements that follow the line's statement, separated as the final-answer reader separates
    statements (``,``, ``;``, ``where``, ``with``, ``\\quad``: :func:`.reader.statements`), each
    ``name = value`` for a NEW name, one that is none of ``known`` (the model's names, the question's
    variables, functions, constants, the unknown) nor defined on an earlier line. A definition holds
    for its line and the lines after it; a statement about a known name (``y = 1``) is never one.
    The line's statement must remain: a line that is only ``name = value`` defines nothing. A
    definition may be introduced by a word (``let u = ...``, ``substituting u = ...``) and written
    with any defining sign (``u := ...``, ``u \\coloneqq ...``, ``... =: u``): :func:`definition`.

    The line's justification defines the same way (``= \\frac{d}{dt} u^{-1} \\quad\\text{with } u =
    1 + e^{-t}``, ``(let u = 1 + e^{-t})``, ``# u := 1 + e^{-t}``): each of its pieces (separated as
    above, by ``and`` or by a consequence, ``so``, ``=>``) that defines a new name is ``noted``; the
    judge puts them in force when their values read under the model, and otherwise judges the line
    without them (a justification never makes its line invalid).

    A line of its own (not continuing the chain with ``=``, ``=>``) may hold definitions alone
    (``Let u = 1 + e^{-t}``, ``u := 1 + e^{-t}``, ``\\text{Write } w_1 = a u \\text{ with } u \\sim
    U(-1, 1)``): its statement is then empty. A name defined so must be used by a later line (a
    line ``mults = n H W ...`` that no later line uses names the quantity; it defines nothing).

    A random variable introduced with its law is set apart the same way, beside the statement or as
    the whole of the line's justification (``= d a^2 E[u^2]   # w_1 = a u, u ~ U(-1, 1)``): ``name ~
    law`` for a new name (:func:`law_of`), with the statements that give a known name's value in
    the new ones (``w_1 = a u``, a relation the judge checks: :meth:`.lines.Judge.introduce`). A
    justification holding anything else (``# since u ~ U(-1, 1)``) introduces nothing."""
    out = []
    seen = set(known)

    def new(name: str, found: list[tuple[str, str]]) -> bool:
        return name not in seen and name.split("_")[0] not in seen and all(n != name for n, _ in found)

    for n, step in enumerate(steps):
        pieces = [p for p in top_level(step.text, _SEPARATOR) if p[0].strip(" \\,;:!~")]  # not LaTeX's spaces alone
        found: list[tuple[str, str]] = []
        laws: list[tuple[str, str]] = []
        relations: list[tuple[str, str]] = []
        k = len(pieces)
        later = " ".join(f"{s.text} {s.reason}" for s in steps[n + 1:])
        alone = len(steps) > 1 and not _CONTINUED.match(step.line)
        while k > (0 if alone else 1):
            piece = pieces[k - 1][0]
            law = _law_statement(_introduced_text(piece), seen, laws)
            if law is not None:
                laws.insert(0, law)
                k -= 1
                continue
            m = _DEFINITION.fullmatch(_introduced_text(piece))
            name = _name(m.group("name")) if m else ""
            if m is not None and _relates(name, m.group("value"), seen, laws):
                relations.insert(0, (name, m.group("value").strip()))
                k -= 1
                continue
            defined = definition(piece)
            if defined is None or not new(defined[0], found) or (k == 1 and not _used(defined[0], later)):
                break
            found.insert(0, defined)
            k -= 1
        if k == 0 and not (laws or any(_used(name, later) for name, _ in found)):
            k, found, laws, relations = len(pieces), [], [], []  # a line of its own defines what later lines use
        if not laws and step.reason:
            laws, relations = _introduced(step.reason, seen)
        laws = [law for law in laws if all(name != law[0] for name, _ in found)]  # u = w_1/a, u ~ U(-1, 1): u is w_1/a
        noted: list[tuple[str, str]] = []
        if step.reason and not laws:
            for piece in _reason_pieces(step.reason):
                defined = definition(piece)
                if defined is not None and new(defined[0], found + noted):
                    noted.append(defined)
        if not (found or laws or noted):
            out.append(step)
            continue
        statement, offset = pieces[k - 1] if k else ("", 0)
        seen.update(part for name, _ in (*found, *laws, *noted) for part in (name, name.split("_")[0]))
        out.append(WorkingLine(step.text[:offset + len(statement)].rstrip(), step.line, step.reason, tuple(found),
                               tuple(laws), tuple(relations), tuple(noted)))
    return out


#: A line that continues the chain of statements (``= ...``, ``&= ...``, ``=> ...``), never one of
#: definitions alone.
_CONTINUED = re.compile(r"^\s*(?:&\s*)?(?:=|⇒|⟹|⇔|\\(?:Rightarrow|Longrightarrow|implies|iff|Leftrightarrow|therefore)"
                        r"(?![A-Za-z]))")


def _used(name: str, text: str) -> bool:
    """Whether ``text`` uses the name (``u``, ``u_i``): as a name of its own, not inside a longer one."""
    return re.search(rf"(?<![A-Za-z\\]){re.escape(name)}(?![A-Za-z])", text) is not None


def _introduced_text(piece: str) -> str:
    """A statement without the words that introduce it (``\\text{Write } w_1 = a u`` -> ``w_1 = a u``,
    ``let u ~ U(-1, 1)``)."""
    text = _INTRODUCER.sub(" ", _WORDS_BOX.sub(lambda m: f" {m.group(1)} ", piece).replace("\\ ", " "))
    return re.sub(r"[.:]\s*$", "", text)  # the full stop of a sentence


def _reason_pieces(reason: str) -> list[str]:
    """The statements of a justification: a bracket around it all set aside, its boxes of words
    opened (``with } u = ...`` of ``\\quad\\text{with } u = ...``), split at the statement
    separators, ``and`` and the consequences (``so``, ``hence``, ``=>``)."""
    text = reason.strip()
    if text[:1] + text[-1:] in ("()", "[]"):
        text = text[1:-1]
    text = _WORDS_BOX.sub(lambda m: f" {m.group(1)} ", text)
    text = re.sub(r"^([^{}=]*)\}", r"\1", text)  # the rest of an opened box: "with } u = ..."
    text = text.replace("\\ ", " ")
    return [p for p, _ in top_level(text, _SEPARATOR) for p in (q for q, _ in top_level(p, _AND))]


def _law_statement(piece: str, seen: set[str], laws: list[tuple[str, str]]) -> tuple[str, str] | None:
    """``(name, law)`` for a piece ``name ~ law`` of a new name (none of ``seen``, not given a law
    already), else None."""
    m = _LAW_STATEMENT.fullmatch(piece)
    law = law_of(m.group("law")) if m else None
    if m is None or law is None:
        return None
    name = _name(m.group("name"))
    if name in seen or name.split("_")[0] in seen or any(n.split("_")[0] == name.split("_")[0] for n, _ in laws):
        return None
    return name, law


def _relates(name: str, value: str, seen: set[str], laws: list[tuple[str, str]]) -> bool:
    """Whether ``name = value`` gives a known name's value in a name given a law beside it."""
    new = {n.split("_")[0] for n, _ in laws}
    return (name in seen or name.split("_")[0] in seen) and any(
        re.search(rf"(?<![A-Za-z\\]){re.escape(n)}(?![A-Za-z])", value) for n in new)


def _introduced(reason: str, seen: set[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The laws and relations of a justification that holds nothing else (``w_1 = a u, u ~ U(-1,
    1)``); nothing when any piece of it is something else."""
    text = reason.strip()
    if text[:1] + text[-1:] in ("()", "[]"):  # a bracketed remark: (u ~ U(-1, 1))
        text = text[1:-1]
    pieces = [p for p, _ in top_level(text, _SEPARATOR)]
    laws: list[tuple[str, str]] = []
    for piece in pieces:
        law = _law_statement(piece, seen, laws)
        if law is not None:
            laws.append(law)
    relations = []
    for piece in pieces:
        if _LAW_STATEMENT.fullmatch(piece):
            continue
        m = _DEFINITION.fullmatch(piece)
        if m is None or not _relates(_name(m.group("name")), m.group("value"), seen, laws):
            return [], []
        relations.append((_name(m.group("name")), m.group("value").strip()))
    if len(laws) != sum(1 for p in pieces if _LAW_STATEMENT.fullmatch(p)):
        return [], []
    return laws, relations
