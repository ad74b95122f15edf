"""The working written before a final statement is judged, never set aside unchecked.

An answer may state premises before its final statement (``d a^2/3 = 1, so a = sqrt(3/d)``,
``Var[w_i] = a^2/3; Var[y] = d a^2/3``, ``As Var(w_i) = a^2/3, Var(y) = d a^2/3``, ``forward nLK^2,
backward 2nLK^2: 3nLK^2``). The reader keeps the final statement as the answer
(:func:`.reader.statements`, :func:`.reader.after_colon`, the chain of :func:`.reader.split_chain`);
before it does, every claim of the working must hold in the question's model, as a line of working
must (:class:`.lines.Judge`):

- an equation ``A = B`` (or a chain ``A = B = C``, link by link) is valued side by side at the
  model's points and the sides compared as two consecutive lines are; in an equation question the
  unknown stands at its derived value there (``d a^2/12 = 1`` is false: at a = sqrt(3/d) its left
  side is 1/4), so a condition of the question (``Var[y] = 1``, ``d a^2/3 = 1``) is true and any
  other equation on the unknown is false;
- quantities written in words without ``=`` (``d terms of a^2/12 each``, ``forward nLK^2, backward
  2nLK^2``) are asserted to make up the final statement: their product or their sum must be it, or,
  where the working says the quantity is one unit's (``per``, ``for one``, ``for each``), the product
  times a count of the question's names (``nK^2 per layer, so nLK^2``: the factor L); otherwise the
  working is not decided (``each output needs C_in k multiplications, so n H W C_out C_in k^2``);
- words alone (``by linearity``, ``the loss is convex``) are set aside.

A claim that is false makes the answer's reading fail with :class:`PremiseError` naming it (the
final statement is not graded on false working); one that cannot be read or decided does too, so
a right final statement after unjudged mathematics is never graded correct. Claims are judged
only while a question's answer is being read (:func:`.labels.asking`), once per claim (never
again inside the reading of a claim's own sides).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import sympy as sp

from .errors import AnswerError
from .labels import TEXT_BOX, held
from .limits import DEFAULT

if TYPE_CHECKING:
    from .bank import Question
    from .lines import Judge, Valued

_JUDGING: ContextVar[bool] = ContextVar("judging_premises", default=False)

#: What joins the claims of working besides the reader's statement separators and consequences:
#: ``and``, ``which gives``, ``we get``, a colon (not ``:=``), LaTeX's ``\;`` between statements.
_LINKS = re.compile(r"(?<![A-Za-z\\])(?:and|which\s+gives|gives|giving|we\s+get|we\s+have|yields?|then)(?![A-Za-z])"
                    r"|(?<![\\:]):(?![=:])", re.IGNORECASE)
#: Words that introduce a claim or a consequence, at its start: ``We have``, ``Setting``, ``Since``,
#: ``which gives``, ``=>``.
_OPENING = re.compile(r"^\s*(?:(?:we|have|setting|set|from|with|where|let|since|as|because|using|given|that|then|"
                      r"which|gives|so|hence|thus|therefore|now|here|note|and|by|solving|solve|putting|put|"
                      r"i\.e\.|=>|⇒|->)(?![A-Za-z])[\s,:]*)+", re.IGNORECASE)
#: A word of a sentence: two letters or more (whether it is a name the question decides), or a lone
#: article ``a`` before another word.
_WORD = re.compile(r"(?<![A-Za-z_\\^{])[A-Za-z]{2,}(?![A-Za-z_(^{])|(?<![A-Za-z_\\])a(?=\s+[A-Za-z]{2,})")
#: Words that say a quantity is one unit's (``per layer``, ``for one layer``): the final statement may
#: count the units by names of the question the working does not write (``each layer costs``, too).
_PER = re.compile(r"(?<![A-Za-z])(?:per|for\s+(?:one|a\s+single|each|every)|(?:each|every)(?=\s+[A-Za-z]{2,}))"
                  r"(?![A-Za-z])", re.IGNORECASE)
#: One name, with a subscript (``w_i``): in a sentence, what it speaks of, no quantity it asserts.
_BARE_NAME = re.compile(r"\s*[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?\s*")
#: A closing scope of an equation, where it holds: ``for each i``, ``for all i, j``, ``for every d``.
CLOSING_SCOPE = re.compile(r"\s+(?:for|holds\s+for)\s+(?:all|every|any|each)\s+"
                                    r"[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?"
                                    r"(?:\s*(?:,|and)\s*[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?)*\s*$", re.IGNORECASE)
#: Mathematics: a digit, an operator, a bracket, a LaTeX command.
_MATHS = re.compile(r"[0-9^*/+\-=_\\()\[\]]")
#: An order between two quantities (``x_i - max(x) <= 0``, ``e^{-t} \\le 1``, ``≠``): a bound the working
#: states, no value of the final statement nor a quantity it is made of.
ORDER = re.compile(r"<=|>=|!=|≤|≥|≠|(?<![-=<])<(?![-=])|(?<![-=])>(?!=)"
                    r"|\\(?:le|leq|ge|geq|lt|gt|ne|neq|leqslant|geqslant)(?![A-Za-z])")


class PremiseError(AnswerError):
    """A claim of the working before the final statement that is false (``false``), or that cannot
    be read or decided: the answer is not graded on it (its message names the claim)."""

    false = False


class FalsePremise(PremiseError):
    """A claim of the working that is false at a point of the model."""

    false = True


@contextmanager
def _judging() -> Iterator[None]:
    token = _JUDGING.set(True)
    try:
        yield
    finally:
        _JUDGING.reset(token)


def hold(working: Iterable[str], final: str | None = None, question: Question | None = None) -> None:
    """Raise :class:`PremiseError` when a claim of ``working`` (the texts before ``final``, the
    final statement as written) is false or cannot be judged; nothing while no question's answer
    is being read, or while a claim's own sides are."""
    found = refuted(working, final, question)
    if found is not None:
        raise found


def refuted(working: Iterable[str], final: str | None = None, question: Question | None = None) -> PremiseError | None:
    """What :func:`hold` raises, or None when every claim of ``working`` holds (``question``: the
    one being asked, by default the one whose answer is being read)."""
    question = question if question is not None else held()
    if question is None or _JUDGING.get():
        return None
    texts = [w for w in working if isinstance(w, str) and w.strip()]
    if not texts:
        return None
    with _judging():
        try:
            found = _refuted(question, texts, final)
        except RecursionError:
            found = PremiseError("the working before the final statement is nested too deeply to be checked")
        if found is not None and final is not None and not _right(question, final):
            return None  # a wrong final statement is graded as it stands: incorrect, whatever its working
    return found


def _right(question: Question, final: str) -> bool:
    """Whether the final statement, graded alone as an answer (:func:`.grader.check`), is correct."""
    from .grader import check

    return check(question, final, evidence=False).get("verdict") == "correct"


def worded(pieces: Iterable[str]) -> bool:
    """Whether statements of working hold more than one claim each, or words around it (``d a^2/12
    = 1 and``, ``We have d a^2/12 = 1``): working the reader judges claim by claim."""
    return any(claims(p) != [p.strip(" ,;.")] for p in pieces if p.strip(" ,;."))


def claims(text: str) -> list[str]:
    """The claims of working: split at the reader's statement separators and consequences and at
    :data:`_LINKS`, each without the words that open it (``We have``, ``Since``)."""
    from .reader import _SEPARATOR, IMPLICATION, top_level

    pieces = [TEXT_BOX.sub(lambda m: f" {m.group(1)} ", text).replace("$", " ")]
    for pattern in (_SEPARATOR, IMPLICATION, _LINKS):
        pieces = [p for piece in pieces for p, _ in top_level(piece, pattern)]
    out = []
    for piece in pieces:
        piece = _OPENING.sub("", piece).strip(" ,;.")
        if piece:
            out.append(piece)
    return out


def _refuted(question: Question, texts: list[str], final: str | None) -> PremiseError | None:
    from .lines import Judge
    from .reader import top_level

    said = [copula(c) for t in texts for c in claims(t)]
    if question.model is None:
        equations = [c for c in said for piece, _ in top_level(c, ORDER) if len(_sides(piece)) >= 2]
        if equations and not question.words:
            return _cannot(equations[0], "this question has no model to judge working in")
        return None  # a bound alone (x_i - max(x) <= 0) is set aside: there is nothing to value it on
    judge = Judge(question, DEFAULT)
    judge.equation = False  # each side is a value; the unknown stands at its derived value
    quantities: list[str] = []
    for claim in said:
        pieces = top_level(claim, ORDER)
        if len(pieces) > 1:  # "E[x^2] = 1/2 <= 1": each equation of the chain, then each bound
            found = _bounds(question, judge, claim, pieces)
            if found is not None:
                return found
            continue
        sides = _sides(claim)
        if len(sides) >= 2:
            found = _equation(question, judge, claim, sides)
            if found is not None and (found.false or not question.words):
                return found  # a question answered in words: its model may not speak of the working
        elif _fragments(claim):
            quantities.append(claim)
    if quantities and final is not None and question.unknown is None and not question.words:
        return _composed(question, quantities, final)
    return None


#: A copula between two pieces of mathematics: ``E[w_i^2] is sigma^2``, ``P(z_i > 0) equals 1/2``.
_COPULA = re.compile(r"^(?P<left>.+?)\s+(?:(?P<not>is\s+not\s+equal\s+to|is\s+not|isn'?t|does\s+not\s+equal|"
                     r"doesn'?t\s+equal|are\s+not|aren'?t)|is\s+equal\s+to|is|equals|are)\s+(?P<right>.+)$",
                     re.S | re.I)


def copula(claim: str) -> str:
    """``claim`` with a copula between two pieces of mathematics written as ``=`` (``E[w_i^2] is
    sigma`` is the equation E[w_i^2] = sigma, judged as one), a negated one as ``!=`` (``E[x_i^2]
    isn't 1/2``, a bound); a sentence keeps its words (``E[z^2] is halved by ReLU``)."""
    m = _COPULA.match(claim)
    if m is None or "=" in claim:
        return claim
    left, right = m.group("left"), m.group("right")
    if all(_MATHS.search(side) and "\0" not in _blanked(side) for side in (left, right)):
        return f"{left} {'!=' if m.group('not') else '='} {right}"
    return claim


def _bounds(question: Question, judge: Judge, claim: str, pieces: list[tuple[str, int]]) -> PremiseError | None:
    """The error for a chain of bounds (``E[relu(z)^2] = 1/4 <= 1``, ``Var[y] <= d sigma^2/4``; its
    pieces between order signs, with their offsets): each equation in it must hold as working's
    equations do; each order between neighbouring sides is judged at the model's points where both
    have real values, and set aside where they have none (a bound is no value of the final statement)."""
    from .reader import split_equals

    for piece, _ in pieces:
        sides = _sides(piece)
        if len(sides) >= 2:
            found = _equation(question, judge, claim, sides)
            if found is not None:
                return found
    for (left, start), (right, end) in itertools.pairwise(pieces):
        relation = claim[start + len(left):end].strip()
        a, b = split_equals(left)[-1][0], split_equals(right)[0][0]
        if _order_fails(question, judge, a, b, relation):
            return FalsePremise(f"Working: the bound '{claim.strip()[:80]}' is false under the question's model: "
                                f"'{a.strip()[:40]}' {relation} '{b.strip()[:40]}' fails at a point of the model. "
                                "The final statement is not graded on false working.")
    return None


#: Each order relation by what it says: le, ge, lt, gt, ne.
_RELATIONS = {**dict.fromkeys(("<=", "≤", "\\le", "\\leq", "\\leqslant"), "le"),
              **dict.fromkeys((">=", "≥", "\\ge", "\\geq", "\\geqslant"), "ge"),
              "<": "lt", "\\lt": "lt", ">": "gt", "\\gt": "gt",
              **dict.fromkeys(("!=", "≠", "\\ne", "\\neq"), "ne")}


def _order_fails(question: Question, judge: Judge, left: str, right: str, relation: str) -> bool:
    """Whether ``left relation right`` is false under the model: an order broken at some point where
    both sides have real values, ``!=`` between sides equal at every point (values within 1e-9
    relatively are equal); False where the sides cannot be valued."""
    kind = _RELATIONS.get(relation.strip())
    if kind is None:
        return False
    try:
        a, b = (_at_answer(question, judge, judge.valued(side)).values for side in (left, right))
        if not a or len(a) != len(b):
            return False
        pairs = [(complex(sp.N(x, 30)), complex(sp.N(y, 30))) for x, y in zip(a, b, strict=True)]
    except (TypeError, ValueError, ArithmeticError, RecursionError, AnswerError, AttributeError):
        return False
    if any(abs(x.imag) > 1e-12 or abs(y.imag) > 1e-12 for x, y in pairs):
        return False
    gaps = [(x.real - y.real, 1e-9 * max(1.0, abs(x.real), abs(y.real))) for x, y in pairs]
    if kind == "ne":
        return all(abs(gap) <= slack for gap, slack in gaps)
    broken = {"le": lambda g, s: g > s, "ge": lambda g, s: g < -s, "lt": lambda g, s: g >= -s,
              "gt": lambda g, s: g <= s}[kind]
    return any(broken(gap, slack) for gap, slack in gaps)


def _sides(claim: str) -> list[str]:
    """The sides of a claim's chain of equations, without a closing scope (``for each i``)."""
    from .reader import split_equals

    return [s for s, _ in split_equals(CLOSING_SCOPE.sub("", claim))]


def _cannot(claim: str, why: str) -> PremiseError:
    return PremiseError(f"Working: the statement '{claim.strip()[:80]}' before the final one cannot be judged "
                        f"({why.splitlines()[0][:160]}); the final statement is not graded on unchecked working: "
                        "write it alone, or write the working so that it reads")


def _equation(question: Question, judge: Judge, claim: str, sides: list[str]) -> PremiseError | None:
    """The error for an equation (chain) of the working that does not hold at every point of the
    model, or cannot be valued; None when it holds."""
    if any(not s.strip() for s in sides):
        return _cannot(claim, "an equation needs something on both sides of '='")
    if judge.model.free:
        judge.name_free_indices(sides[0])
    valued = []
    for side in sides:
        v = judge.valued(side)
        problem = v.error or v.leaked or v.undecided
        if problem:
            return _cannot(claim, f"'{side.strip()[:40]}': {problem}")
        valued.append(_at_answer(question, judge, v))
    for (left, a), (right, b) in zip(zip(sides, valued, strict=True), zip(sides[1:], valued[1:], strict=True),
                                     strict=False):
        judgement = judge.compare(a, b)
        if judgement.verdict == "wrong":
            return FalsePremise(f"Working: the statement '{claim.strip()[:80]}' before the final one is wrong: "
                                f"{_shown(question, judgement.counterexample, left, right)} The final statement is "
                                "not graded on false working.")
        if judgement.verdict != "ok":
            return _cannot(claim, judgement.note or "not decided")
    return None


def _at_answer(question: Question, judge: Judge, valued: Valued) -> Valued:
    """An equation question's values with its unknown at the derived value at each point."""
    from .lines import Valued

    unknown = question.unknown
    if unknown is None:
        return valued
    out = []
    for k, v in enumerate(valued.values):
        at = question.reference.xreplace(judge.named(k))
        out.append(v.xreplace({s: at for s in v.free_symbols if s.name == unknown.name}) if isinstance(v, sp.Basic)
                   else v)
    return Valued(out, reduced=valued.reduced, read=valued.read)


def _shown(question: Question, example: dict[str, Any] | None, left: str, right: str) -> str:
    """Where the two sides differ, in the words of a wrong line's feedback."""
    from .lines import describe

    if not example:
        return "its two sides differ."
    said = describe(example).replace("the previous line", f"'{left.strip()[:40]}'") \
        .replace("this one", f"'{right.strip()[:40]}'")
    if question.unknown is not None:
        said = f"{said.rstrip('.')} (with {question.unknown} at its derived value)."
    return said


#: The moments and probability of working's mathematics (``Var[w_i]``, ``Cov(a, b)``): no words.
_MOMENTS = frozenset({"Var", "var", "Cov", "cov", "Std", "std", "Pr", "operatorname", "mathbb", "mathrm"})


def _held_names() -> set[str]:
    """The names of the question being read and of its model (none while no question is held)."""
    question = held()
    names = set(question.vocab.known_names()) if question is not None else set()
    if question is not None and question.model is not None:
        names |= set(question.model.names)
    return names


def _blanked(claim: str) -> str:
    """``claim`` with each word of its sentence (not a name of the question or its model, not a
    function) replaced by a NUL: what is left is its mathematics."""
    from .vocabulary import FUNCTION

    names = _held_names()
    return _WORD.sub(lambda m: m.group(0) if m.group(0) in names or m.group(0) in FUNCTION or m.group(0) in _MOMENTS
                     else "\0", claim)


def _fragments(claim: str) -> list[str]:
    """The pieces of mathematics in a claim in words (``d terms of a^2/12 each``: ``d``,
    ``a^2/12``): what is left between its words; none for words alone."""
    names = _held_names()
    out = []
    for part in _blanked(claim).split("\0"):
        part = part.strip(" ,;.")
        if part and (_MATHS.search(part) or any(t in names for t in re.findall(r"[A-Za-z]+(?:_\{?\w+\}?)?", part))):
            out.append(part)
    return out


def _composed(question: Question, quantities: list[str], final: str) -> PremiseError | None:
    """None when the quantities of the working in words make up the final statement (their product,
    their sum, or their product times a count of the question's names said only in words), else
    why the working is not decided."""
    from .reader import parse_answer

    parts = []
    try:
        whole = parse_answer(final, question.vocab, None).expr
        for claim in quantities:
            for fragment in _fragments(claim):
                try:
                    part = parse_answer(fragment, question.vocab, None).expr
                    if part != 0:  # "half the z_i are clipped to 0": a number of the sentence, never a factor
                        parts.append(part)
                except AnswerError:
                    if not (_BARE_NAME.fullmatch(fragment) or "\0" in _blanked(claim)):
                        raise
                    # "the w_i are independent", "E[z^2] is halved by ReLU": what a sentence speaks of,
                    # no quantity of the answer's value
    except (AnswerError, RecursionError) as err:
        return _cannot(quantities[0], str(err))
    if not parts:
        return None  # names in sentences, no quantity
    if not isinstance(whole, sp.Expr) or whole == 0:
        return _cannot(quantities[0], "what it counts cannot be read")
    product = sp.Mul(*parts)
    if sp.simplify(whole - sp.Add(*parts)) == 0 or sp.simplify(whole - product) == 0:
        return None
    units = sum(len(_PER.findall(q)) for q in quantities)
    if units and _count(sp.simplify(whole / product), question, product, units):
        return None  # "nK^2 per layer, so nLK^2": the count of layers said in words
    return _cannot(quantities[0], "its quantities neither add up nor multiply to the final statement")


def _count(ratio: sp.Expr, question: Question, written: sp.Expr, units: int) -> bool:
    """Whether ``ratio`` is a product of at most ``units`` of the question's names (one for each
    ``per``/``each`` of the working), each to the first power and none in what the working
    ``written``: a count said only in words (``nK^2 per layer`` is a factor L; ``K^2 per layer``
    never stands for n L K^2, nor ``C_in k per filter`` for C_in k^2)."""
    names = set(question.vocab.symbols.values()) - written.free_symbols
    coefficient, factors = ratio.as_coeff_mul()
    return coefficient == 1 and len(factors) <= units and all(f in names for f in factors)
