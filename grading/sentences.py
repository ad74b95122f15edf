"""Answers in words: a sentence that says a quantity is infinite ("no finite minimiser exists",
"the gap is unbounded", "it goes to +infinity"), read as a rule of the language rather than a
list of phrases. A sentence is infinite when it names infinity or the absence of a (finite)
optimum, and nothing in it turns that around ("not infinite", "there is a finite minimiser").
"""
from __future__ import annotations

import re

#: Words that name infinity or a quantity without bound.
_INFINITE = re.compile(r"\b(?:infinite|infinity|infinitely|unbounded|diverges?|divergent|divergence|oo|inf|"
                       r"arbitrarily large|without bound|no bound|no upper bound|blows? up)\b")
#: The absence of an optimum: "no (finite) minimiser", "minimiser does not exist", "none exists".
_NO_OPTIMUM = re.compile(r"\b(?:no|never an?|not an?|without an?)\s+(?:finite\s+)?(?:minimi[sz]er|minimum|optimum|"
                         r"optimal (?:point|gap|solution)|argmin|solution|minimi[sz]ing)s?\b"
                         r"|\b(?:minimi[sz]er|minimum|optimum|argmin)s?\s+(?:does not|doesnt|dont|do not|never|cannot)"
                         r"\s+(?:exist|be attained|attained)")
#: What turns it around: a negated infinity, a finite optimum that exists, a bounded quantity.
_TURNED = re.compile(r"\b(?:not|isnt|never|no longer|is finite|are finite|stays finite|remains finite"
                     r"|finite (?:value|gap)|converges?|bounded(?! below)"
                     r"|there is a (?:finite )?(?:minimi[sz]er|minimum|optimum)"
                     r"|(?:has|have|exists?) a (?:finite )?(?:minimi[sz]er|minimum|optimum)|finite (?:minimi[sz]er|"
                     r"minimum|optimum) exists)\b")


def says_infinite(text: str) -> bool:
    """Whether ``text`` (lower case, punctuation removed) says the quantity is infinite.

    >>> says_infinite("no minimiser exists"), says_infinite("there is a finite minimiser")
    (True, False)
    """
    if _NO_OPTIMUM.search(text):
        turned = _TURNED.sub(" ", _NO_OPTIMUM.sub(" ", text))
        return turned == _TURNED.sub(" ", turned) and not re.search(r"\bbut\b", text)
    if not _INFINITE.search(text):
        return False
    without = _INFINITE.sub(" ", text)
    return not _TURNED.search(text) and not re.search(r"\b(?:but|finite)\b", without)


#: Words before the answer that only introduce it: "The variance is ...", "We get ...", "Answer: ...",
#: "So ...". The introduction ends at a linking word (or a colon); each of its words is a word, not a
#: name of the question.
_LEADING = re.compile(r"^\s*(?P<words>(?:[A-Za-z']+\s+){0,8}?)(?P<link>is|are|equals|gives|becomes|get|so|thus|hence|"
                      r"therefore)\s*:?\s+(?P<rest>\S.*)$|^\s*(?P<label>[A-Za-z']+(?:\s+[A-Za-z']+){0,8})\s*:\s*"
                      r"(?P<after>\S.*)$", re.S | re.I)
#: Words that turn a statement around; an introduction holding one, or followed by one, is no label.
NEGATIONS = frozenset({"no", "not", "non", "never", "none", "nor", "isnt", "isn't", "isn", "cannot", "without",
                       "except", "but", "wrong", "incorrect", "false", "untrue", "unless", "if", "or", "maybe",
                       "approximately", "about", "roughly", "almost", "nearly", "only"})


def leading_words(text: str, names: set[str]) -> tuple[str, str] | None:
    """``(the statement, its introduction)`` for an answer that opens with words introducing it
    ("The variance is d sigma^2/2", "Answer: nLK^2"), or None. Nothing is set aside when a word of
    the introduction is a name of the question or a function, or when a negation or a hedge
    ("not", "only", "approximately") stands in it or right after it."""
    from .vocabulary import FUNCTION

    m = _LEADING.match(text)
    if m is None:
        return None
    intro = (m.group("words") or "") + (m.group("link") or "") if m.group("rest") else m.group("label")
    rest = m.group("rest") or m.group("after")
    words = intro.split()
    first_after = re.match(r"[A-Za-z']+", rest.strip())
    if any(w.lower() in NEGATIONS or w in names or w in FUNCTION for w in words) or (
            first_after and first_after.group(0).lower() in NEGATIONS):
        return None
    return rest, intro.strip()


def spelled_by_names(word: str, names: set[str]) -> bool:
    """Whether ``word`` is names of the question written together (``nLK`` with n, L, K): a product,
    never a word of a sentence."""
    if not word or len(word) > 24:
        return False
    reachable = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reachable[end] = any(reachable[end - len(n)] and word.endswith(n, 0, end) for n in names if 0 < len(n) <= end)
    return reachable[-1]


#: A bracketed aside that justifies rather than states: "(since E[ReLU(z)^2] = 1/2)", "(by symmetry)".
_ASIDE_WORDS = r"(?:since|because|as|by|using|from|via|cf|see|ie|i\.e\.|eg|e\.g\.|which|where)"
_ASIDE = re.compile(r"(?:(?<=\s)|^)[(\[]\s*" + _ASIDE_WORDS + r"\b", re.I)


def asides(text: str) -> tuple[str, list[str]] | None:
    """``(text without its asides, the asides)``: a bracket opening with a word that justifies
    (since, because, by, using, where, ...) after a space, up to its matching bracket, is a
    justification, never part of the answer; None when there is none."""
    found: list[str] = []
    out, last = [], 0
    for m in _ASIDE.finditer(text):
        if m.start() < last:
            continue
        depth, end = 0, None
        for pos in range(m.start(), len(text)):
            depth += text[pos] in "([{"
            depth -= text[pos] in ")]}"
            if depth == 0:
                end = pos
                break
        if end is None:
            return None
        out.append(text[last:m.start()])
        found.append(text[m.start():end + 1].strip())
        last = end + 1
    if not found:
        return None
    out.append(text[last:])
    rest = "".join(out)
    return (rest, found) if rest.strip() else None
