"""Answers in words: a sentence that says a quantity is infinite ("no finite minimiser exists",
"the gap is unbounded", "it goes to +infinity"), read as a rule of the language rather than a
list of phrases. A sentence is infinite when it names infinity or the absence of a (finite)
optimum, and nothing in it turns that around ("not infinite", "there is a finite minimiser").

Also the words around an answer, each a rule of the language: remarks, set aside only when
recognisably ones that leave the value alone (:func:`explains`, :func:`modifies`, :func:`operated`),
introductions (:func:`leading_words`, :func:`introduces`), hedges (:func:`without_hedge`), one
operation said in words (:func:`spoken_arithmetic`) and a modal verb (:func:`modal_statement`).
"""
from __future__ import annotations

import re

from .labels import TEXT_BOX  # LaTeX's boxes of words a remark is written in: \text{(from } d a^2/3 = 1\text{)}
from .vocabulary import FUNCTION

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


#: What keeps a sentence from saying the quantity is (plus) infinite: a sign (``minus infinity``), a
#: denial of the claim (``infinite is wrong``), a restriction or condition (``only with label
#: smoothing``, ``if``, ``unless``, ``except``), an alternative (``or``), or a number that is no limit of
#: something else, a value of its own (``unbounded? I think it's 0``; ``the loss tends to 0`` is a limit).
_NOT_ONLY_INFINITE = re.compile(r"\b(?:minus|negative|negatively|wrong|incorrect|false|untrue|mistaken|unless"
                                r"|except|if|or|only\s+(?:with|if|when|for|in|under|at|without))\b"
                                r"|(?<!\bto )(?<!\bapproaches )(?<![A-Za-z0-9.])[0-9]")


#: Finiteness denied right before it: ``not finite``, ``isn't bounded``, ``never finite``.
_NEGATED_FINITE = re.compile(r"\b(?:not|never|isnt|arent|wasnt|cannot)\s+(?:(?:be|really|at all)\s+)?"
                             r"(?:finite|bounded)\b")


def says_infinite(text: str) -> bool:
    """Whether ``text`` (lower case, punctuation removed) says the quantity is infinite. A term
    that, read with its negations (:func:`_polarities`), says the quantity is finite ("the gap is
    finite", "it isn't infinite") turns any sentence around; one where every term says infinite and
    finiteness is denied right before its word ("the minimiser is not finite", "the gap isn't
    bounded") says infinite, unless a hedge, a condition or a contrast stands in it.

    >>> says_infinite("no minimiser exists"), says_infinite("there is a finite minimiser")
    (True, False)
    """
    text = _CONTRACTION.sub(r"\1nt", text)
    if _NOT_ONLY_INFINITE.search(text):
        return False  # "infinite is wrong", "infinite only with label smoothing", "unbounded? I think it's 0"
    polarities = _polarities(text)
    if any(polarities):
        return False
    if polarities and _NEGATED_FINITE.search(text) and not _UNSURE.search(text):
        return True  # "the minimiser is not finite", "the gap isn't bounded": every term says infinite
    if _NO_OPTIMUM.search(text):
        turned = _TURNED.sub(" ", _NO_OPTIMUM.sub(" ", text))
        return turned == _TURNED.sub(" ", turned) and not re.search(r"\bbut\b", text)
    if not _INFINITE.search(text):
        return False
    without = _INFINITE.sub(" ", text)
    return not _TURNED.search(text) and not re.search(r"\b(?:but|finite)\b", without)


#: What affirms that a quantity is finite: a finite or bounded value, convergence, an optimum that exists.
_FINITE = re.compile(r"\b(?:finite|bounded(?!\s+(?:from\s+)?(?:below|above))|converges?|convergent|attained|attains)\b"
                     r"|\b(?:there\s+(?:is|exists)|(?:has|have|admits?)|exists?)\s+an?\s+(?:unique\s+)?(?:finite\s+)?"
                     r"(?:minimi[sz]er|minimum|optimum|solution|optimal point)\b"
                     r"|\b(?:minimi[sz]er|minimum|optimum|solution)s?\s+(?:exists?|is attained)\b")
#: Words that flip what follows them in their clause.
_FLIPS = re.compile(r"\b(?:not|no|never|cannot|without|nor|neither"
                    r"|(?:is|are|was|were|does|do|did|has|have|had|ca|could|would|should|wo)nt)\b")
#: A contraction as a key spells it, "isn t", "doesn t": one word, "isnt".
_CONTRACTION = re.compile(r"\b(is|are|was|were|does|do|did|has|have|had|ca|could|would|should|wo)n\s?'?\s?t\b")
#: What makes a sentence no definite claim: a hedge, a condition, an alternative, a contrast.
_UNSURE = re.compile(r"\b(?:but|if|unless|or|maybe|perhaps|probably|possibly|might|may|could|approximately|roughly|"
                     r"about|almost|nearly|depends|sometimes|whether|only if|except)\b")
#: Where a clause ends.
_CLAUSE_END = re.compile(r"[,;.:!?]|\b(?:and|so|hence|thus|therefore|because|since|as)\b")


def _polarities(key: str) -> list[bool]:
    """For each term of ``key`` (lower case) that affirms finiteness or infinity, whether, read
    with the negations among the three words before it in its clause, it says the quantity is
    finite: "finite" and "not infinite" say so, "no finite minimiser", "does not stay bounded"
    and "unbounded" do not."""
    out = []
    for clause in _CLAUSE_END.split(key):
        for pattern, finite in ((_FINITE, True), (_INFINITE, False)):
            for m in pattern.finditer(clause):
                flips = len(_FLIPS.findall(" ".join(clause[:m.start()].split()[-3:])))
                out.append(finite != (flips % 2 == 1))
    return out


def says_finite(text: str) -> bool:
    """Whether ``text``, a sentence in words only, claims the quantity is finite: "there is a finite
    minimiser", "the gap is finite", "it stays bounded", "not infinite".

    The rule is one of polarity. In each clause, a term that affirms finiteness (:data:`_FINITE`:
    finite, bounded, converges, an optimum exists) or infinity (:data:`_INFINITE`) is flipped by an
    odd number of negations among the three words before it in its clause ("no finite minimiser",
    "not infinite", "does not stay bounded"). The sentence claims finiteness when every term, so read, says finite
    and at least one does; a hedge, a condition or a contrast ("probably", "if", "but", "or")
    makes it no definite claim. A claim of finiteness reads as some finite value, which a
    quantity that is infinite is not: it is a readable wrong answer, never a right one.

    >>> says_finite("there is a finite minimiser"), says_finite("there is no finite minimiser")
    (True, False)
    """
    if re.search(r"[0-9=*/^()\\+<>|]", text) or not re.search(r"[A-Za-z]{3,}", text):
        return False
    key = " ".join("".join(ch if ch.isalnum() or ch.isspace() or ch in ",;.:!?" else " " for ch in text.lower())
                   .split())
    key = _CONTRACTION.sub(r"\1nt", key)
    plain = re.sub(r"[,;.:!?]", " ", key)
    if _UNSURE.search(key) or _NO_OPTIMUM.search(plain) or says_infinite(plain):
        return False
    polarities = _polarities(key)
    return bool(polarities) and all(polarities)


#: Words before the answer that only introduce it: "The variance is ...", "We get ...", "Answer: ...",
#: "So ...". The introduction ends at a linking word (or a colon); each of its words is a word, not a
#: name of the question.
_LEADING = re.compile(r"^\s*(?P<words>(?:[A-Za-z']+\s+){0,8}?)(?P<link>is|are|equals|gives|becomes|get|got|so|"
                      r"thus|hence|therefore|(?:comes?|works?)\s+out\s+(?:as|to|at)|comes?\s+to|turns?\s+out\s+to\s+be|"
                      r"amounts?\s+to|evaluates?\s+to)\s*:?\s+(?P<rest>\S.*)$|^\s*(?P<label>[A-Za-z']+(?:\s+[A-Za-z']+){0,8})\s*:\s*"
                      r"(?P<after>\S.*)$", re.S | re.I)
#: Words that turn a statement around; an introduction holding one, or followed by one, is no label.
#: Words that leave out what they are said of: ``(padded zeros excluded)``, ``(bias ignored)``.
EXCLUSIONS = frozenset({"excluded", "excluding", "excl", "exclude", "excludes", "ignored", "ignoring", "omitted",
                        "omitting", "dropped", "uncounted", "skipped", "skipping"})
NEGATIONS = EXCLUSIONS | frozenset({"no", "not", "non", "never", "none", "nor", "isnt", "isn't", "isn", "cannot",
                                    "without", "except", "but", "wrong", "incorrect", "false", "untrue", "unless", "if",
                                    "or", "maybe", "approximately", "about", "roughly", "almost", "nearly", "only"})


#: Words of an introduction besides the sheets' nouns: ``We get``, ``The final answer is``, ``Answer:``.
_INTRO_KNOWN = frozenset({"we", "get", "got", "obtain", "have", "find", "final", "finally", "my", "our", "answer",
                          "there", "here", "then", "thus", "hence", "so", "therefore", "required", "optimal",
                          "deviation", "correct", "is", "are", "equals", "gives", "becomes", "of", "for", "in", "at",
                          "overall", "total", "minimum", "maximum", "best", "resulting", "asked", "desired",
                          "target", "needed", "wanted", "sought", "say", "write", "writing", "needs", "need",
                          "takes", "uses", "requires", "costs", "has", "stores", "keeps", "holds", "performs",
                          "does", "computes", "makes", "count", "counts", "comes", "out", "to", "come", "as", "work",
                          "works", "turn", "turns", "be", "amount", "amounts", "evaluate", "evaluates"})


def introduces(intro: str, names: set[str]) -> bool:
    """Whether every word of ``intro`` is one an introduction of the answer is made of: the sheets'
    nouns and properties, words of the answer (it, the result) and :data:`_INTRO_KNOWN` (``The
    variance is``, ``We get``, ``The final answer is``); never ``The other way round it is``."""
    return all(w in _INTRO_KNOWN or w in _DOMAIN or w in PROPERTIES or w in _AUTHORS or w in _DESCRIBING
               or w in _ANSWER_WORDS or w in _QUANTITY_NOUNS or w in FUNCTION for w in _content_words(intro, names))


def leading_words(text: str, names: set[str]) -> tuple[str, str] | None:
    """``(the statement, its introduction)`` for an answer that opens with words introducing it
    ("The variance is d sigma^2/2", "Answer: nLK^2"), or None. Nothing is set aside when a word of
    the introduction is a name of the question, a function or an operation ("The negative
    gradient is", "The inverted gradient is": :func:`operated`), when one of its words is none of
    an introduction's (:data:`_INTRO_KNOWN`, the sheets' nouns: never "The other way round it
    is"), or when a negation or a hedge ("not", "only", "approximately") stands in it or right
    after it."""
    m = _LEADING.match(text)
    if m is None:
        return None
    intro = (m.group("words") or "") + (m.group("link") or "") if m.group("rest") else m.group("label")
    rest = m.group("rest") or m.group("after")
    words = intro.split()
    first_after = re.match(r"[A-Za-z']+", rest.strip())
    if any(w.lower() in NEGATIONS or w in names or w in FUNCTION or w.lower() in OPERATION_WORDS
           or w.lower() in {"per", "each"} for w in words) or operated(intro, names) or (
            first_after and first_after.group(0).lower() in NEGATIONS):
        return None  # "The negated gradient is ...", "The inverted gradient is ...": an operation, no label
    if not introduces(intro, names):
        return None  # "The other way round it is ...": words of no introduction
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


#: A limit: an aside holding one says where the answer holds, never why.
_LIMIT = re.compile(r"→|->|⟶|\\to(?![A-Za-z])|\\(?:long)?rightarrow|\blim|\btends?\b|\bgoes to\b|\bapproach", re.I)


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
        if _LIMIT.search(text, m.start(), end):
            continue  # "(as d -> oo)": a condition on the answer, not a reason for it
        body = text[m.start() + 1:end]
        if operated(body, set()) or modifies(body, set()) or not explains(body, set()):
            return None  # "(since it is inverted)", "(by halving)": an operation, never a reason
        out.append(text[last:m.start()])
        found.append(text[m.start():end + 1].strip())
        last = end + 1
    if not found:
        return None
    out.append(text[last:])
    rest = "".join(out)
    return (rest, found) if rest.strip() else None
#: Words that operate on a quantity (``twice nLK^2``, ``d a^2/3 squared``): never a label.
OPERATION_WORDS = frozenset({"half", "halved", "twice", "double", "doubled", "triple", "tripled", "thrice", "square",
                              "squared", "cube", "cubed", "root", "sqrt", "inverse", "reciprocal", "minus", "negative",
                              "plus", "times", "over", "divided", "quarter", "third", "thirds", "fourth", "percent",
                              "factor", "log", "exp", "doubles", "triples", "halves", "squares", "cubes", "halve",
                              "multiply", "divide", "add", "subtract", "negate", "invert", "negated", "negates",
                              "reversed", "reverse", "flipped", "flip", "opposite", "sign",
                              "transposed", "swapped", "complement", "complemented", "mirrored", "reflected",
                              "substitute", "substituted", "replace", "plug", "swap"})
#: Words that change a quantity, its scope or its bound (the operations, ``nLK^2 per layer``, ``at
#: most``, ``O(n)``): never a label.
QUANTITY_WORDS = OPERATION_WORDS | frozenset({
    "per", "each", "more", "less", "fewer", "extra", "additional", "order", "big", "asymptotically", "proportional",
    "scales", "scaled", "up", "to", "at", "least", "most", "than", "once", "thousand", "million", "hundred", "dozen",
    "replaced", "instead", "becomes", "increased", "decreased", "multiplied", "added", "subtracted", "removed",
    "dropped"})
#: Words that set a quantity's scope or bound (``for one layer``, ``only the weights``, ``upper
#: bound``, ``in total``, ``with bias``).
SCOPE_WORDS = frozenset({"for", "in", "within", "only", "just", "upper", "lower", "bound", "bounds", "total",
                         "overall", "exactly", "with", "including", "incl", "excluding", "excl", "limit",
                         "asymptotic", "leading", "term", "terms", "before", "after", "during", "large", "small",
                         "regime"})
#: Words that hedge a statement or make it conditional, or deny it, wherever they stand in a remark.
HEDGES = frozenset({"approximately", "approx", "roughly", "about", "almost", "nearly", "maybe", "perhaps", "probably",
                    "around", "guess", "estimate", "estimated", "asymptotically", "ish", "or", "if", "unless", "except",
                    "but", "when", "whenever", "assuming", "otherwise", "wrong", "incorrect", "false", "untrue",
                    "think", "believe", "unsure", "sure", "hope", "suppose", "guessing", "likely"}) | frozenset({
    # a modal verb or a correction offers another value or an operation still to apply: ``(could be d a^2/12)``,
    # ``(the 3 should be 12)``, ``(see correction below: ...)``, ``(mistake: ...)``
    "could", "should", "might", "may", "must", "would", "ought", "correction", "corrected", "mistake",
    "mistaken", "typo", "erratum", "actually", "still", "instead", "rather"}) - {"correct"}
#: Words that deny what follows them (``not squared``); "no" and "without" before a noun say what is
#: absent (``no bias``) and deny nothing of the answer.
_DENIALS = frozenset({"not", "never", "isnt", "isn", "cannot", "nor", "non", "none", "neither"})
_ABSENT = frozenset({"no", "without"})
#: Words of finiteness: a remark opening with one states a value of its own (``+oo (finite)``).
_FINITENESS = frozenset({"finite", "infinite", "bounded", "unbounded"})
#: Words that name the answer itself (``(it is per layer)``, ``(the count for one layer)``).
_ANSWER_WORDS = frozenset({"it", "its", "this", "that", "which", "answer", "result", "value", "count", "number",
                           "quantity", "formula", "expression"})
#: Words that apply a function or a reduction (``(abs)``, ``(max)``, ``(mean)``, ``(absolute value)``): in a
#: short remark an operation, unless a property names its kind (``(natural log)``).
_REDUCTIONS = frozenset({"mean", "average", "averaged", "abs", "absolute", "magnitude", "norm", "modulus", "total",
                         "sum", "max", "min", "maximum", "minimum"})
#: Nouns of the asked quantities: a remark that says such a quantity is a formula, or speaks of it with an
#: operation, gives a value of its own.
_QUANTITY_NOUNS = _ANSWER_WORDS | frozenset({"gradient", "gradients", "derivative", "variance", "mean", "expectation",
                                             "std", "deviation", "bound", "gap", "memory", "solution", "output"})
#: A quantity noun with a value right after it: ``has variance a^2/12``, ``with mean 0``, ``std 1/sqrt(d)``.
NOUN_VALUE = re.compile(r"(?<![A-Za-z])(?P<moment>variance|std|mean|expectation|deviation|derivative|gradient)\s+"
                        r"(?=[-+(\d\\]|[A-Za-z](?:[_^*/ ]|$)|[A-Za-z]\w*\s*[\^*/(])", re.I)
#: A moment of a name said with its value: ``w_i has variance a^2/3``, ``z_i with mean 0``: the reader checks it.
NAMED_MOMENT = re.compile(r"(?<![A-Za-z\\])(?P<name>[A-Za-z]+(?:_\{?\w+\}?)?)\s+(?:has|have|with)\s+(?:a\s+)?"
                          r"(?P<moment>variance|mean|expectation)\s+(?P<value>[^,;()]*(?:\([^()]*\)[^,;()]*)*)", re.I)
#: Adjectives that name a value as the right one (``(simplified, exact is d a^2/12)``, ``(the true one is ...)``).
_VALUE_WORDS = frozenset({"exact", "exactly", "true", "real", "actual", "correct", "right", "proper", "full", "one"})
#: A value at a point anywhere in a remark: ``at t = 0``, ``for p = 1``.
_AT_VALUE_ANYWHERE = re.compile(r"(?<![A-Za-z])(?:for|at|when)\s+\\?[A-Za-z]+(?:_\{?\w+\}?)?\s*=\s*[-+]?[\d./]+",
                                re.I)
#: A copula or a relation that says what something is.
_IS = re.compile(r"(?<![A-Za-z])(?:is|are|equals|was|were|becomes|gives)(?![A-Za-z])|=", re.I)


def _own_value(clause: str, names: set[str]) -> bool:
    """Whether a clause says that the answer or an asked quantity (:data:`_QUANTITY_NOUNS`) is a
    formula: a copula after such a noun and mathematics after it (a digit, a sign, a name of the
    question): ``(the derivative is y - s)``, ``(the real answer is 1/(s - y))``."""
    if NOUN_VALUE.search(clause):  # "has variance a^2/12": a moment's value, which the reader checks
        return False
    m = _IS.search(clause)
    before = _content_words(clause[:m.start()], names) if m is not None else []
    if m is None or not any(w in _QUANTITY_NOUNS or w in _VALUE_WORDS for w in before):
        return False
    after = clause[m.end():]
    return bool(re.search(r"[0-9+\-*/^()]", after)) or any(
        t in names for t in re.findall(r"[A-Za-z]+(?:_\{?\w+\}?)?", after))


#: Counts in words: a short remark holding one names a scope (``(one layer)``, ``(both passes)``,
#: ``(all layers)``); in a sentence they count its own subject (``(all activations kept for backprop)``).
_NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "ten", "single", "both", "first", "second", "last",
                           "all", "every", "whole", "entire"})
#: Words that open a remark without being part of it: links and glosses; articles are no words of it.
_OPENERS = frozenset({"so", "and", "hence", "thus", "then", "ie", "eg", "viz", "namely"})
_ARTICLES = frozenset({"a", "an", "the"})
#: Openers of a gloss, which restates the answer in words: its operations are the answer's own.
_GLOSSES = frozenset({"ie", "eg", "viz", "namely"})
_MODIFIERS = QUANTITY_WORDS | SCOPE_WORDS | HEDGES | _DENIALS
#: A token of a remark: a LaTeX command, a name (``n_in``, ``xavier_uniform_``), a word (``one-hot``).
_TOKEN = re.compile(r"\\[A-Za-z]+|[A-Za-z][A-Za-z0-9]*(?:_\{?[A-Za-z0-9]*\}?)+|[A-Za-z]+(?:['-][A-Za-z]+)*")
#: A clause of a remark ends at a comma, a semicolon or "and".
_CLAUSE = re.compile(r"[,;]|(?<![A-Za-z])and(?![A-Za-z])", re.I)


#: Words whose "'s" is a verb (``it's``, ``that's``), never a possessive.
_PRONOUNS = frozenset({"that", "there", "what", "here", "which", "where", "who"})


def _content_words(clause: str, names: set[str]) -> list[str]:
    """The words of a remark's clause, lower case: not LaTeX commands, names of the question,
    articles, single letters or program names (``xavier_uniform_``); "i.e." is the word "ie"."""
    clause = re.sub(r"(?<![A-Za-z])([ie])\.\s?([eg])\.", r"\1\2", clause, flags=re.I)
    out = []
    for token in _TOKEN.findall(clause):
        if token.startswith("\\") or "_" in token or token in names or len(token) < 2 \
                or token.lower() in _ARTICLES:
            continue
        word = token.lower()
        if word.endswith("'s") and len(word) > 6 and word[:-2] not in _PRONOUNS:
            word = word[:-2]  # "the logistic's famous identity": the logistic
        out.append(word.replace("'", ""))
    return out


def modifies(remark: str, names: set[str]) -> bool:
    """Whether a remark beside an answer changes or hedges the quantity rather than explains it.

    A remark explains when it is a phrase about the answer: where it comes from (``(from d a^2/3
    = 1)``), a property (``(unbiased, so no rescaling at test time)``), what it is elsewhere
    (``(same as xavier_uniform_ with gain 1)``), what is absent (``(no bias)``), what is counted
    (``(matmuls only)``), a sentence with a subject of its own (``(the loss only tends to 0)``,
    ``(one n x K by K x K matmul per layer)``, ``(ReLU keeps half)``). It modifies when, in any
    of its clauses (split at ``,``, ``;``, "and"; articles and the openers "so", "then", "i.e."
    skipped):

    0. it opens with an arithmetic sign or a relation (``(+ C_out for the bias)``, ``(< d/2)``);
    1. its first word is a quantity, scope, hedge or denial word (``(squared)``, ``(per layer)``,
       ``(times 2)``, ``(for one layer)``, ``(not squared)``, ``(upper bound)``, ``(in total)``,
       ``(then halve it)``) or a word of finiteness (``(finite)``), unless it is a function's name
       that is the subject of a sentence of three words or more (``(exp never gets a positive
       argument)``);
    2. it says an operation or a scope is absent (``(no square root)``, ``(without the factor 2)``)
       or is a bare "no";
    3. it is short, at most two words, and one of them is a quantity, hedge or denial word or a
       count (``(one layer)``, ``(all layers)``, ``(keep half)``);
    4. it speaks of the answer itself (it, this, which, the answer, the count) and holds such a
       word or a scope word anywhere (``(it is an upper bound)``, ``(the count for one layer)``,
       ``(the variance is actually twice this)``), or it says what something is and denies it
       (``(the variance is not d sigma^2/2)``);
    5. it holds a hedge, a condition or an alternative anywhere (``approximately``, ``if``,
       ``or``, ``but``, ``wrong``);
    6. it applies an operation: an operation word with its operand after it (a number, a name or
       a symbol, a sign, "by", "of", "it", "again": ``(need to add C_out)``, ``(multiply by d)``,
       ``(half of it)``, ``(then halve again)``) or a postfix one (``(prediction minus target
       squared)``; after a name it squares that name: ``(units of y squared)``), unless it is a
       gloss that restates the answer in words (``i.e. predicted probabilities minus the one-hot
       label``). Operations named without an operand, and operation verbs
       (multiply, add, halve, ...) anywhere but before an operand, explain (``(multiply and
       add)``, ``(prediction minus target)``).

    7. it claims the quantity is finite (:func:`_polarities`: ``(the gap is finite)``,
       ``(bounded in practice)``), a value of its own beside the answer;
    8. it names the answer itself with arithmetic, a relation or a denial and no verb
       (:func:`on_the_answer`: ``(solution / 2)``, ``(answer != this)``, ``(no final answer)``).

    A remark that modifies is never set aside: the answer stays unread (invalid), never graded
    without it.
    """
    said_before = _SAID_BEFORE.match(remark)  # "(reduces to d sigma^2/2 when p = 1)": checked by the reader
    if said_before and not any((w in OPERATION_WORDS and w not in FUNCTION) or (w in HEDGES and w != "when")
                               for w in _content_words(said_before.group("value"), names)):
        return False
    at_value = _AT_VALUE.match(remark)
    if at_value and any(w in _SENTENCE_VERBS for w in _content_words(remark[at_value.end():], names)):
        remark = remark[at_value.end():]  # "(for p = 1 this is He's d sigma^2/2)": a special case, stated
        said = _SAID_AT.match(remark)
        if said and re.search(r"[0-9]", said.group("value") + " ".join(
                t for t in re.findall(r"[A-Za-z]+", said.group("value")) if t in names)) and not any(
                (w in OPERATION_WORDS and w not in FUNCTION) or w in HEDGES for w in _content_words(said.group("value"),
                                                                                                   names)):
            return False  # "(for q = 0.5 this is 1/sqrt(d))": a value at a point, which the reader checks
    opening = _content_words(remark, names)
    claim = _claims(opening) or opening[:1] == ["which"]  # "(positive when ...)", ", which blows up when ..."
    if any(w in HEDGES and not (claim and w in _CONDITIONS) for w in opening):
        return True
    if _SIGN.match(remark):  # "(+ C_out for the bias)", "(/2 per pass)": arithmetic on the answer
        return True
    if on_the_answer(remark, names):  # "(solution / 2)", "(answer != this)", "(no final answer)"
        return True
    if any(_polarities(_CONTRACTION.sub(r"\1nt", remark.lower()))):  # "the gap is finite": a value of its own
        return True
    if _LABEL_CONTRAST.match(remark) or _WRT_ONLY.match(remark):  # the reader checks the label, the variable
        return False
    named = _FOR_NAME.match(remark)
    if named and named.group(1) in names:  # "(for d inputs)": a definition, which the reader checks
        return False
    at_a_point = at_value is not None or _AT_VALUE_ANYWHERE.search(remark) is not None
    if _MISSING.search(remark):  # "(needs the 1/4 from the width)": a factor still to apply
        return True
    for number, clause in enumerate(_CLAUSE.split(remark)):
        if _own_value(clause, names) and not at_a_point:  # "(the derivative is y - s)": a value of its own
            return True
        own = _OWN_SUBJECT.match(clause)  # "(L -> 0 only in the limit)": a sentence of another quantity
        stated = (claim and number == 0) or (own is not None and own.group(1) not in names)
        words = _content_words(clause, names)
        gloss = False
        while words and words[0] in _OPENERS:
            gloss, words = gloss or words[0] in _GLOSSES, words[1:]
        if not words:
            continue
        if number and words[0] == "plus" and all(w in _DOMAIN or w in FUNCTION for w in words[1:]) and words[1:]:
            continue  # "(forward, plus grads wrt inputs and weights)": one more part of what is counted
        verb_at = next((k for k, w in enumerate(words) if k and (w in _SENTENCE_VERBS or w in _COPULAS)), None)
        if verb_at is not None and any(w in _DOMAIN and w not in _LINKS and w not in _QUANTITY_NOUNS
                                       for w in words[:verb_at]):
            stated = True  # "(half the inputs are zeroed)": a sentence of the inputs, not of the answer
        if not gloss and _applies_operation(clause, names):
            return True
        first = words[0]
        subject = first in FUNCTION and len(words) >= 3  # "(exp never gets a positive argument)"
        if first in _DENIALS and len(words) > 1 and words[1] in _BEHAVIOUR:
            continue  # "(never overflows)": a property of the answer's computation
        if (first in _MODIFIERS or first in _FINITENESS) and not subject and first not in _VERBS and not stated:
            return True
        if first in _ABSENT and (len(words) == 1 or words[1] in QUANTITY_WORDS or words[1] in SCOPE_WORDS):
            return True
        called = {c.lower() for c in re.findall(r"([A-Za-z]+)\s*[(\[]", clause)}  # "E[ReLU(z)^2]": mathematics
        if len(words) <= 2 and not stated and any(
                (((w in QUANTITY_WORDS and w not in _VERBS
                   and not (w in _TIMES and k and words[k - 1] in _DOMAIN and words[k - 1] not in _QUANTITY_NOUNS))
                  or ((w in FUNCTION or w in _REDUCTIONS) and w not in called))
                 and not ((w in FUNCTION or w in _REDUCTIONS) and k and words[k - 1] in PROPERTIES))
                or w in _DENIALS or w in _NUMBER_WORDS for k, w in enumerate(words)):
            return True
        if not gloss and any(w in _QUANTITY_NOUNS for w in words) and any(w in OPERATION_WORDS for w in words):
            return True  # "(the gradient has the opposite sign)", "(actual variance is double)"
        if any(w in _ANSWER_WORDS for w in words) and any(
                w in _MODIFIERS and not (k and words[k - 1] in _PARTICLES.get(w, ()))
                and not (claim and w in _CONDITIONS) for k, w in enumerate(words)):
            return True
        if any(w in _COPULAS for w in words) and any(w in _DENIALS for w in words):
            return True
    return False


#: A label of the answer in words with the quantity it is not: ``standard deviation, not variance``, ``the
#: variance, not the std``.
_LABEL_CONTRAST = re.compile(r"^[\s(]*(?:(?:the|a)\s+)?(?:[A-Za-z-]+\s+){0,2}?(?:variance|std|deviation|mean|gradient"
                             r"|derivative|expectation)\s*[,;]\s*(?:but\s+)?not\s+(?:(?:the|a)\s+)?(?:[A-Za-z-]+\s+){0,2}?"
                             r"(?:variance|std|deviation|mean|gradient|derivative|expectation)\s*[).]?\s*$", re.I)
#: A name of the question said with what it counts: ``for d inputs``, ``for n examples`` (a definition in words).
_FOR_NAME = re.compile(r"^[\s(]*for\s+(\\?[A-Za-z]+(?:_\{?\w+\}?)?)\s+(?:[A-Za-z][A-Za-z-]*\s*){1,3}[).]?\s*$", re.I)
#: What is still missing from the answer: a verb of need or lack with mathematics after it (``(needs the 1/4
#: from the width)``, ``(missing a factor 2)``), or a replacement (``(using a^2 in place of a)``, ``instead of``).
_MISSING = re.compile(r"(?<![A-Za-z])(?:needs?|requires?|missing|lacks?|lacking)(?![A-Za-z])[^()]*?(?:\d|\\frac)"
                      r"|(?<![A-Za-z])(?:in\s+place\s+of|instead\s+of|rather\s+than)(?![A-Za-z])", re.I)
#: What a computation does, said of the answer: ``(never overflows)``, ``(does not underflow)``.
_BEHAVIOUR = frozenset({"overflows", "overflow", "underflows", "underflow", "saturates", "explodes", "diverges",
                        "blows", "vanishes", "fails"})
#: What a derivative is taken by, alone in a remark: ``(w.r.t. x)``, ``(with respect to the logits)``.
_WRT_ONLY = re.compile(r"^[\s(]*(?:w\.?\s?r\.?\s?t\.?|with\s+respect\s+to)\s+(?:the\s+)?[A-Za-z]\w*(?:\s+[A-Za-z]\w*)?"
                       r"\s*[).]?\s*$", re.I)
#: How many times a part is done, after the part (``forward once, backward twice``): a count of that part.
_TIMES = frozenset({"once", "twice", "thrice"})
#: A remark that opens with an arithmetic sign or a relation operates on the answer or bounds it.
_SIGN = re.compile("\\s*(?:[-+*/^\u00d7\u00b7\u00f7<>\u2264\u2265\u2248~=]|"
                   r"\\(?:times|cdot|div|pm|mp|le|ge|leq|geq|approx|sim)(?![A-Za-z]))")
#: Operations written after what they apply to: ``y squared``.
_POSTFIX = frozenset({"squared", "cubed", "halved", "doubled", "tripled"})
#: What an operation word takes as its operand, in words.
_OPERAND_WORDS = frozenset({"by", "of", "it", "this", "that", "them", "again", "once", "twice"})
#: Operations named by a verb: they modify only with their operand (``(add C_out)``, ``(halve it)``);
#: named alone they say what is counted (``(multiply and add)``). A verb with a subject of its own
#: ("dropout divides by p") describes that subject, not an operation on the answer.
_VERBS = frozenset({"multiply", "divide", "add", "subtract", "halve", "negate", "invert"})
#: Verbs that say what something is.
_COPULAS = frozenset({"is", "are", "was", "were", "equals", "gives", "becomes"})
_RAW_TOKEN = re.compile(r"\\[A-Za-z]+|[A-Za-z][A-Za-z0-9]*(?:_\{?[A-Za-z0-9]*\}?)*|\d+(?:\.\d+)?|\S")


def _operand(token: str, names: set[str]) -> bool:
    """Whether a token of a remark is mathematics an operation word may join: a name, a number, a
    single letter or a closing bracket."""
    return token in names or token in ")]}" or (len(token) == 1 and token.isalpha()) \
        or re.fullmatch(r"\d+(?:\.\d+)?", token) is not None


def _applies_operation(clause: str, names: set[str]) -> bool:
    """Whether ``clause`` applies an operation (rule 6 of :func:`modifies`): a postfix operation
    word, or an operation word (not a function's name) followed by an operand."""
    tokens = _RAW_TOKEN.findall(clause)
    for pos, token in enumerate(tokens):
        word = token.lower()
        if word in _POSTFIX:
            if pos and (tokens[pos - 1] in names or (len(tokens[pos - 1]) == 1 and tokens[pos - 1].isalpha())):
                continue  # "(units of y squared)": a name of the remark squared, not the answer
            return True
        if word not in OPERATION_WORDS or token in FUNCTION or pos + 1 == len(tokens):
            continue
        after = tokens[pos + 1]
        if pos and _operand(tokens[pos - 1], names) and _operand(after, names):
            continue  # "(one n x K times K x K matmul per layer)": a product inside the remark, not the answer
        if after in names or after.lower() in _OPERAND_WORDS or not after.isalpha():
            return True
    return False


#: LaTeX spacing left at the end once a remark is set aside.
_TRAILING_SPACE = re.compile(r"(?:\s|\\q?quad(?![A-Za-z])|\\[,;:! ]|~)+$")


#: A citation: ``(He et al. 2015)``, ``(Glorot and Bengio, 2010)``, ``(He init)``.
_CITATION = re.compile(r"(?<![A-Za-z])et\.?\s*al(?![A-Za-z])|(?<![\d.])(?:19|20)\d\d(?![\d.])|arxiv", re.I)
#: Names of authors and libraries a remark cites (lower case, as :func:`_content_words` gives them).
_AUTHORS = frozenset({"he", "hes", "kaiming", "glorot", "glorots", "bengio", "xavier", "xaviers", "lecun", "hinton",
                      "srivastava", "kingma", "goodfellow", "bishop", "pytorch", "pytorchs", "torch", "tensorflow",
                      "keras", "numpy", "jax", "scipy"})
#: Words that open an explanation: a reason, a source, a gloss, a relative clause.
_EXPLAINING_OPENERS = frozenset({"since", "because", "as", "using", "from", "via", "cf", "see", "ie", "eg", "viz",
                                 "namely", "which", "where", "what", "following", "thanks", "due", "note", "recall"})
#: Adjectives that state a property of the answer (``(unbiased)``, ``(maximal 1/4 at t = 0)``, ``(positive
#: when the prediction overshoots)``, ``(same as xavier_uniform_)``): a claim about the value, never an
#: operation on it.
PROPERTIES = frozenset({"stable", "unbiased", "unchanged", "exact", "symmetric", "antisymmetric", "positive",
                        "nonnegative", "non-negative", "nonzero", "non-zero", "maximal", "minimal", "largest",
                        "smallest", "monotone", "monotonic", "increasing", "decreasing", "convex", "concave",
                        "smooth", "continuous", "differentiable", "constant", "independent", "same", "identical",
                        "consistent", "elementwise", "entrywise", "element-wise", "entry-wise", "uniform", "natural",
                        "standard", "dimensionless", "invariant", "numerically", "well-defined", "valid",
                        "vectorised", "vectorized", "analytic", "closed-form", "maximum", "minimum", "negative",
                        "zero"})
#: Properties that are also values or operations (``(negative)`` may mean the negative, ``(zero)`` a value
#: of its own): a claim only with the condition or the value it holds at (``(negative when ...)``).
_CONDITIONAL = frozenset({"maximal", "minimal", "maximum", "minimum", "largest", "smallest", "negative", "zero"})
#: Nouns and links of a phrase naming what the answer is or counts (``(weights + activations)``, ``(He
#: init)``, ``(natural log)``, ``(log-sum-exp trick)``, ``(one n x K by K x K matmul per layer)``).
_DOMAIN = frozenset({
    "weight", "weights", "bias", "biases", "activation", "activations", "gradient", "gradients", "grad", "grads",
    "parameter", "parameters", "param", "params", "multiplication", "multiplications", "mult", "mults", "matmul",
    "matmuls", "product", "products", "flop", "flops", "number", "numbers", "float", "floats", "entry", "entries",
    "element", "elements", "input", "inputs", "output", "outputs", "buffer", "buffers", "layer", "layers", "unit",
    "units", "neuron", "neurons", "sample", "samples", "example", "examples", "batch", "minibatch", "channel",
    "channels", "filter", "filters", "kernel", "kernels", "logit", "logits", "probability", "probabilities", "prob",
    "label", "labels", "target", "targets", "prediction", "predictions", "predicted", "error", "loss", "variance",
    "std", "expectation", "derivative", "init", "initialisation", "initialization", "initializer",
    "initialiser", "scale", "trick", "formula", "rule", "scheme", "identity", "definition", "forward", "backward",
    "backprop", "pass", "passes", "training", "inference", "memory", "storage", "shape", "vector", "matrix", "tensor",
    "scalar", "logistic", "dropout", "mask", "keep", "one-hot", "log-sum-exp", "wrt", "of", "and", "use", "test",
    "time", "value", "values", "signal", "cross-entropy", "softplus", "function", "gain", "fan", "fan-in", "fan-out",
    "term", "terms", "count", "counts", "operations", "ops", "multiply-adds", "multiply-add", "fwd", "bwd", "by",
    "plus", "minus", "same", "as", "than", "both", "each", "residual", "logarithm", "log-loss",
    "log-likelihood", "likelihood", "nats", "counted", "included", "network", "model", "pytorch", "convention",
    "independence", "symmetry", "linearity", "chain", "iid", "zero-mean", "mean-zero", "assumption", "lemma",
    "theorem", "property", "expansion", "substitution", "hint", "step", "algebra", "simplification", "cancellation",
    "bayes", "lotus", "tower", "conditioning", "taylor", "jensen", "fact", "notation", "recap", "check", "proof",
    "law", "result", "above", "below", "earlier", "previous", "lecture", "notes", "slides", "sheet", "exercise",
    "question", "part", "form", "closed", "usual", "well-known", "known", "classic", "standard", "bernoulli",
    "gaussian", "normal", "binomial", "distribution", "random", "variable", "variables", "simulation", "experiment",
    "code", "implementation", "library", "paper", "book", "textbook", "reference", "solution", "multiply", "width",
    "height", "depth", "size", "dimension", "dimensions", "length", "stride", "padding", "image", "feature",
    "features", "map", "maps", "hidden", "pre-activation", "pre-activations", "post-activation", "deviation",
    "on", "their", "famous", "common", "zeros", "zeroes", "dot", "inner", "outer", "convolution", "convolutions",
    "window", "windows", "position", "positions", "pixel", "pixels", "location", "locations", "scalars", "doubles"})
#: Links of a phrase, no nouns of it.
_LINKS = frozenset({"of", "and", "by", "wrt", "plus", "minus", "as", "than", "both", "each", "use", "on", "their"})
#: Verbs that make a remark a sentence of its own (``(the loss only tends to 0)``, ``(ReLU keeps half)``).
_SENTENCE_VERBS = frozenset({
    "is", "are", "was", "were", "be", "been", "isnt", "arent", "has", "have", "had", "does", "do", "did", "doesnt",
    "dont", "can", "cannot", "cant", "will", "would", "must", "equals", "gives", "comes", "goes", "gets", "tends",
    "grows", "keeps", "stays", "remains", "holds", "means", "uses", "needs", "counts", "cancels", "reaches",
    "decreases", "increases", "divides", "multiplies", "inflates", "approaches", "agrees", "matches", "vanishes",
    "saturates", "explodes", "blows", "dominates", "follows", "appears", "makes", "takes", "kills", "zeroes",
    "zeros", "draws", "returns", "computes", "works", "applies", "avoids", "prevents", "overflows", "underflows",
    "rescales", "preserves", "drops", "sets", "stores", "keep", "need", "cancel", "agree", "reach", "tend",
    "thats", "its", "theres", "whats", "heres", "reduces", "simplifies", "recovers", "coincides",
    "corresponds", "peaks", "behaves", "shows", "says", "scales", "includes", "excludes", "contributes", "involves",
    "requires", "costs", "accumulates", "removes", "affects"})
#: The nouns that name an answer as such, and the words that say whose it is or what kind: a remark of these
#: alone names the answer it stands beside (``(official solution)``, ``(my final answer)``).
_SELF_NAMES = frozenset({"answer", "solution", "result"})
_SELF_KINDS = frozenset({"my", "our", "final", "official", "exact", "complete", "full", "simplified", "simplest",
                         "reference", "model", "textbook", "sample", "this", "the"})
#: The answer itself, as a pronoun; and arithmetic or a relation: a sign, a superscript, a digit (not a
#: subscript's: ``Q2``), x as "times", or LaTeX's operators.
_THE_ANSWER = frozenset({"it", "this"})
_ARITHMETIC = re.compile(r"[-+*/^=<>!\u00d7\u00f7\u00b7\u2212\u2260\u2264\u2265\u00b2\u00b3\u00b9\u2070-\u209f]"
                         r"|(?<![A-Za-z])\d|(?<![A-Za-z])x(?![A-Za-z])"
                         r"|\\(?:times|cdot|div|frac|neq|ne|leq?|geq?|pm)(?![A-Za-z])")


def on_the_answer(text: str, names: set[str]) -> bool:
    """Whether words that name the answer itself (:data:`_SELF_NAMES`, it, this) stand, with no verb,
    beside arithmetic or a relation (``(solution / 2)``, ``(result x 2)``, ``(answer != this)``,
    ``(solution²)``, ``Answer/2: ...``) or a denial (``(no final answer)``): the answer operated on,
    compared or disowned, never a remark to set aside."""
    words = _content_words(text, names)
    if not any(w in _SELF_NAMES or w in _THE_ANSWER for w in words) \
            or any(w in _SENTENCE_VERBS or w in _COPULAS for w in words):
        return False
    return _ARITHMETIC.search(text) is not None or any(w in _ABSENT or w in _DENIALS for w in words)


_SELF_PHRASE = re.compile(r"[\s(\[,;\u2014\u2013-]*(?P<words>[A-Za-z]+(?:\s+[A-Za-z]+)*)[\s)\].]*")


def names_the_answer(remark: str) -> bool:
    """Whether a remark is words alone that name the answer it stands beside: a noun of
    :data:`_SELF_NAMES` with words of :data:`_SELF_KINDS` (``(official solution)``, ``(my final
    answer)``); never with mathematics (``(solution / 2)``) nor another word (``(half the answer)``)."""
    phrase = _SELF_PHRASE.fullmatch(TEXT_BOX.sub(lambda m: m.group(1), remark))
    if phrase is None:
        return False
    words = phrase.group("words").lower().split()
    return any(w in _SELF_NAMES for w in words) and all(w in _SELF_NAMES or w in _SELF_KINDS for w in words)


#: Participles that describe what is counted or kept (``(activations freed after use)``, ``(bias not
#: counted)``); any other participle names an operation on the answer (``(inverted)``, ``(mirrored)``).
_DESCRIBING = frozenset({
    "excluded", "ignored", "omitted", "stored", "freed", "cached", "saved", "needed",
    "required", "used", "computed", "shared", "assumed", "defined", "fixed", "attained", "reached", "allocated",
    "measured", "evaluated", "obtained", "derived", "neglected", "unbiased", "unchanged", "based", "called", "named",
    "expected", "detached", "initialised", "initialized", "sampled", "zeroed", "predicted", "kept", "vectorised",
    "vectorized", "well-defined", "closed-form", "checked", "verified", "confirmed", "tested", "simulated", "proven",
    "proved", "simplified", "factored", "factorised", "factorized", "rearranged", "rewritten", "quoted", "cited",
    "stated", "explained", "discussed", "padded"})
#: Terms of the subject whose adjective is a participle: never an operation on the answer.
_TERMS = frozenset({"inverted dropout", "weighted sum", "expected value", "centered data", "centred data"})
#: Verbs whose particle is no bound or scope (``which blows up``, ``which goes to 0``).
_PARTICLES = {"up": frozenset({"blows", "blow", "blew", "blown", "adds", "sums", "shoots", "ends"}),
              "to": frozenset({"goes", "go", "tends", "tend", "converges", "drops", "falls", "decays", "shrinks",
                               "grows", "rises", "jumps"})}
#: Conditions that a property of the answer may hold under (``(positive when the prediction overshoots)``).
_CONDITIONS = frozenset({"when", "whenever", "if", "assuming"})
#: A sentence whose subject is a letter of its own (not a name of the question) and a relation:
#: ``(L -> 0 only in the limit)``.
_OWN_SUBJECT = re.compile(r"\s*(?:the\s+)?(\\?[A-Za-z]|\\[A-Za-z]+)(?:_\{?\w+\}?)?\s*(?:->|=|<|>|\\to(?![A-Za-z])"
                          r"|[\u2192\u27f6\u2264\u2265])")
#: A relation in a remark: it states something of its own (``(L -> 0 only in the limit)``, ``(sigma = std
#: of the weights)``).
_RELATION = re.compile(r"=|->|\\to(?![A-Za-z])|<|>|\\(?:le|ge|leq|geq)(?![A-Za-z])|[\u2192\u27f6\u2264\u2265]")
#: The answer's value said after a condition at a value: ``this is 1/sqrt(d)``, ``it equals d sigma^2/2``.
_SAID_AT = re.compile(r"\s*(?:this|it|that|the\s+answer)\s+(?:is|equals|gives|becomes|reads)\s+(?P<value>.+)$",
                      re.I | re.S)
#: A value said before the point it holds at: ``reduces to d sigma^2/2 when p = 1``.
_SAID_BEFORE = re.compile(r"^[\s(]*(?:(?:this|it|which)\s+)?(?:reduces|simplifies|becomes|equals|gives|goes)\s+"
                          r"(?:to\s+)?(?P<value>.+?)\s+(?:for|at|when|if)\s+\\?[A-Za-z]+(?:_\{?\w+\}?)?\s*=\s*"
                          r"[-+]?[\d./]+\s*[)]?\s*$", re.I)
#: A condition at a value that opens a remark: ``for p = 1``, ``at t = 0``.
_AT_VALUE = re.compile(r"\s*(?:for|at|when|with)\s+\\?[A-Za-z]+(?:_\{?\w+\}?)?\s*=\s*[-+]?[\d./]+\s*,?\s*", re.I)


#: The opener of a gloss, with the brackets and spaces before it.
_GLOSS_OPENER = re.compile(r"^[\s(\[]*(?:i\.\s?e\.?|e\.\s?g\.?|ie|eg|viz\.?|namely|that\s+is)(?![A-Za-z])\s*[,:]?\s*",
                           re.I)


def _claims(words: list[str]) -> bool:
    """Whether a remark's words (:func:`_content_words`) open with a property of the answer
    (:data:`PROPERTIES`); one that is also a value or an operation (:data:`_CONDITIONAL`) only with
    more after it (``(maximal 1/4 at t = 0)``, ``(negative when ...)``, never ``(negative)``)."""
    return bool(words) and words[0] in PROPERTIES and (words[0] not in _CONDITIONAL or len(words) > 1)


def _participle(word: str) -> bool:
    return len(word) >= 5 and word.endswith("ed") and word not in _DESCRIBING


#: Gerunds that say how the answer was found, never an operation on it (``by using``, ``by counting``).
_METHODS = frozenset({"using", "counting", "including", "excluding", "ignoring", "keeping", "storing", "following",
                      "assuming", "taking", "noting", "writing", "plugging", "substituting", "expanding",
                      "differentiating", "applying", "setting", "conditioning", "computing", "evaluating",
                      "definition", "linearity", "symmetry", "independence", "matching", "comparing"})


def operated(text: str, names: set[str]) -> bool:
    """Whether words speak of an operation done to something: a participle that describes no
    count or storage (:data:`_DESCRIBING`: ``inverted``, ``mirrored``, ``halved``), unless negated
    (``not counted``), the adjective of a term of the subject (:data:`_TERMS`: ``inverted dropout
    is unbiased``), or a name's own after "of" (``units of y squared``);
    or a gerund of a method that is none of finding the answer (``by inverting it``, ``after
    halving``; :data:`_METHODS` are ways of finding it)."""
    words = _content_words(" ".join(t for t in _TOKEN.findall(text) if not spelled_by_names(t, names)), names)
    tokens = _RAW_TOKEN.findall(text)
    for k, word in enumerate(words):
        if len(word) >= 6 and word.endswith("ing") and word not in _METHODS and (
                (k and words[k - 1] in {"by", "via", "after", "then", "when", "before"})
                or (k + 1 < len(words) and words[k + 1] in _ANSWER_WORDS)):
            return True
        if not _participle(word) or (k and words[k - 1] in _DENIALS | _ABSENT) or " ".join(words[k:k + 2]) in _TERMS:
            continue
        at = next((p for p, t in enumerate(tokens) if t.lower() == word), None)
        if at is not None and at >= 2 and tokens[at - 2].lower() == "of" and tokens[at - 1] in names | {
                tokens[at - 1]} and len(tokens[at - 1]) <= 2:
            continue  # "(units of y squared)": the name's own
        return True
    return False


def explains(remark: str, names: set[str], gloss: bool = False) -> bool:
    """Whether a remark is recognisably one that leaves the value alone. The rule is positive: a
    remark is set aside only when it is one of

    1. a citation (``(He et al. 2015)``, ``(Glorot and Bengio, 2010)``);
    2. an explanation opened by a reason, a source or a method (``(from d a^2/3 = 1)``, ``(since
       ...)``, ``(by linearity)``, never ``(by 2)``; ``, which blows up as p -> 0``), or a gloss
       whose words are themselves recognised (``, i.e. the prediction error``; never ``, i.e. the
       other way round``);
    3. what is absent (``(no bias)``, ``(without any bias term)``);
    4. a property of the answer (:data:`PROPERTIES`: ``(unbiased)``, ``(maximal 1/4 at t = 0)``,
       ``(positive when the prediction overshoots)``);
    5. a sentence of its own: a verb (:data:`_SENTENCE_VERBS`) or a relation after a subject
       (``(the loss only tends to 0)``, ``(L -> 0 only in the limit)``, ``(for p = 1 this is He's d
       sigma^2/2)``), or a verb with the answer as its subject left out (``(matches PyTorch)``);
       where the subject is the answer (it, this), it says what the answer is, with mathematics or
       the nouns of item 6 (and :func:`modifies` refuses a formula of its own);
    6. a phrase naming what the answer is or counts, each word a noun or link of the sheets'
       subject (:data:`_DOMAIN`), a property, a count, a scope or a function (``(weights +
       activations)``, ``(natural log)``, ``(He init)``);
    7. a name of the answer itself (:data:`_SELF_NAMES`), each word such a noun or whose answer it
       is or what kind (``(official solution)``, ``(my final answer)``, ``(model answer)``).

    Whatever else (``(inverted)``, ``(other way round)``, ``(mirrored)``) may change the value and
    is never set aside, and neither is a remark that speaks of an operation (:func:`operated`:
    ``(the answer is transposed)``, ``(by inverting it)``).
    """
    text = TEXT_BOX.sub(lambda m: m.group(1), remark)
    if _WRT_ONLY.match(text):
        return True  # "(w.r.t. x)": what the derivative is taken by, which the reader checks
    at_value = _AT_VALUE.match(text)
    if at_value and text[at_value.end():].strip():
        text = text[at_value.end():]  # "for p = 1 this is ...": the sentence after the condition
    words = _content_words(" ".join(t for t in _TOKEN.findall(text) if not spelled_by_names(t, names)), names)
    if not words:
        return False
    first = words[0]
    while first in _OPENERS - _GLOSSES and len(words) > 1:
        words = words[1:]
        first = words[0]
    said = _GLOSS_OPENER.sub("", text, count=1)
    if said != text or first in _GLOSSES:  # "i.e. the prediction error": a gloss is recognised by what it says
        return said != text and bool(said.strip()) and explains(said, names, gloss=True)
    if not gloss and operated(text, names):  # a gloss restates the answer: its operations are the answer's own
        return False
    verb_at = next((k for k, w in enumerate(words) if w in _SENTENCE_VERBS and k > 0), None)
    if _CITATION.search(text) or first in _EXPLAINING_OPENERS or first in _ABSENT:
        return True
    if first == "by" and re.match(r"\s*\(?\s*by\s+(?:the\s+)?[A-Za-z]{3,}", text, re.I):
        return True  # "(by linearity)", "(by the chain rule)"; never "(by 2)"
    if first in _SENTENCE_VERBS - _COPULAS - {"be", "been", "isnt", "arent", "do", "did", "does", "can", "will",
                                              "would", "must", "have", "had", "keep", "need", "cancel", "agree",
                                              "reach", "tend"} and len(words) > 1:
        return True  # "(matches PyTorch)", "(agrees with the simulation)": a sentence of the answer
    if _claims(words):
        return True
    if names_the_answer(text):
        return True
    known = _DOMAIN | _DESCRIBING | (PROPERTIES - _CONDITIONAL) | _AUTHORS | QUANTITY_WORDS | SCOPE_WORDS \
        | _NUMBER_WORDS | _ABSENT | _DENIALS | _OPENERS
    nouns = (_DOMAIN - _LINKS) | PROPERTIES | _AUTHORS | _DESCRIBING
    if all(w in known or w in FUNCTION for w in words) and any(w in nouns or w in FUNCTION for w in words):
        return True  # a phrase with a noun of its own: never links alone, "(by 2)"
    relation = _RELATION.search(text)
    if verb_at is not None or (relation and text[:relation.start()].strip()):
        if first in _ANSWER_WORDS:  # "(this is He's d sigma^2/2)": what the answer is, said with mathematics
            after = words[verb_at + 1:] if verb_at is not None else []
            return bool(re.search(r"[0-9=^/]", text)) or (bool(after) and all(
                w in known or w in FUNCTION for w in after))
        return True
    return False


def _is_remark(body: str, names: set[str], phrase: int) -> bool:
    """Whether ``body`` is words about the answer (``phrase`` words of three or more letters at
    least) that are recognisably an explanation (:func:`explains`) and change nothing
    (:func:`modifies`)."""
    called = re.sub(r"(?<![A-Za-z\\])[A-Za-z]\w*\s*\(", "(", body)  # a call is mathematics: (softplus(t)) is a factor
    words = [w for w in _content_words(called, names) if len(w) >= 3 or w in _ABSENT]
    cited = _CITATION.search(body) is not None or _WRT_ONLY.match(body) is not None  # "(He et al.)", "(w.r.t. x)"
    return (cited or (len(words) >= phrase and any(len(w) >= 3 for w in words))) and explains(body, names) \
        and not modifies(body, names)


#: What makes the words after a comma a conclusion, the answer itself, never a remark on it.
_CONCLUSION = re.compile(r"(?<![A-Za-z])(?:so|hence|thus|therefore|implies|giving|gives)(?![A-Za-z])"
                         r"|=>|⇒|→|∴|\\therefore", re.I)


#: A relative clause after the answer (``, which blows up as p -> 0``): it says something of the answer, and
#: the limit in its condition (as, when, for, if) is its own, no conclusion of a chain.
_RELATIVE = re.compile(r"\s*(?:which|that)(?![A-Za-z])", re.I)
_LIMIT_CONDITION = re.compile(r"(?<![A-Za-z])(?:as|when|for|if)\s+\\?[A-Za-z]+(?:_\{?\w+\}?)?\s*"
                              r"(?:->|\u2192|\u27f6|\\to(?![A-Za-z])|\\rightarrow(?![A-Za-z]))", re.I)


#: A dash that opens a remark: an em or en dash, or a double hyphen, with space around it (never a minus).
_DASH = re.compile(r"\s(?:\u2014|\u2013|--)\s")
#: A comment as a program writes it, after a space: ``# no bias``.
_COMMENT = re.compile(r"(?<=\s)#")


def _depth_at(text: str, pos: int) -> int:
    """How many brackets are open at ``pos`` of ``text``."""
    return sum(ch in "([{" for ch in text[:pos]) - sum(ch in ")]}" for ch in text[:pos])


def remarks(text: str, names: set[str]) -> tuple[str, list[str]] | None:
    """``(text without the remarks that explain it, the remarks)``, or None when it has none.

    A remark stands at the end of the answer: a program's comment (``C_in*C_out*k**2  # no bias``), the words
    after a dash (``3 n L K^2 — forward once, backward twice``), a bracket after a space (``C_in C_out k^2 (no
    bias)``, in LaTeX also in a text box, ``\\quad\\text{(from } d a^2/3 = 1\\text{)}``), or the words after its
    last top-level comma (``sqrt(6/(n_in+n_out)), the same bound xavier_uniform_ uses with gain 1``, ``p - y,
    i.e. predicted probabilities minus the one-hot label``), where a comma's remark is a phrase of two words or
    more, or opens with "i.e."/"e.g.", and holds no ``=`` and no conclusion ("so", "hence", an arrow: ``d
    a^2/12, so the variance is d a^2/3`` is a chain, its last statement the answer). It is set aside only when
    it explains the answer rather than modifies it (:func:`modifies`); the answer before it must be left.
    """
    out = TEXT_BOX.sub(lambda m: m.group(1), text) if "\\" in text else text
    found: list[str] = []
    comment = _COMMENT.search(out)  # "C_in*C_out*k**2  # no bias": a program's comment
    if comment and _depth_at(out, comment.start()) == 0 and _is_remark(out[comment.end():], names, 1):
        found.append(out[comment.start():].strip())
        out = out[:comment.start()]
    dash = _DASH.search(out)  # "3 n L K^2 — forward once, backward twice": a remark after a dash
    if dash and _depth_at(out, dash.start()) == 0 and out[:dash.start()].strip() \
            and not _CONCLUSION.search(out[dash.end():]) and _is_remark(out[dash.end():], names, 1):
        found.append(out[dash.start():].strip())
        out = out[:dash.start()]
    while True:
        stripped = out.rstrip().rstrip(".")
        if stripped.endswith((")", "]")):
            depth, start = 0, None
            for pos in range(len(stripped) - 1, -1, -1):
                depth += stripped[pos] in ")]}"
                depth -= stripped[pos] in "([{"
                if depth == 0:
                    start = pos
                    break
            if start is None or not _TRAILING_SPACE.search(stripped[:start]) \
                    or not _is_remark(stripped[start + 1:-1], names, 1):
                break
            found.append(stripped[start:].strip())
            out = _TRAILING_SPACE.sub("", stripped[:start])
            continue
        depth_at, depth = [], 0
        for ch in stripped:
            depth_at.append(depth)
            depth += ch in "([{"
            depth -= ch in ")]}"
        commas = [pos for pos, ch in enumerate(stripped) if ch in ",;" and depth_at[pos] == 0
                  and (pos == 0 or stripped[pos - 1] != "\\")]
        if not commas:
            break
        body = stripped[commas[-1] + 1:]
        gloss = re.match(r"\s*(?:i\.\s?e\.|e\.\s?g\.|viz\.|that is|namely)", body, re.I) is not None
        said = _LIMIT_CONDITION.sub(" ", body) if _RELATIVE.match(body) else body  # "which blows up as p -> 0"
        if "=" in body or _CONCLUSION.search(said) or not _is_remark(body, names, 1 if gloss else 2):
            break
        found.append(body.strip())
        out = _TRAILING_SPACE.sub("", stripped[:commas[-1]])
    if not found or not out.strip():
        return None
    return out, found


#: A hedge: words that say how sure the student is, never what the value is (``roughly``, ``I think``,
#: ``but I'm not sure``). Bounds (``at least``, ``at most``, ``up to``, ``almost``, ``nearly``) are no hedges.
_HEDGE_WORDS = (r"(?:i\s*'?\s*d\s+say|i\s+think|i\s+believe|i\s+guess|i\s+reckon|i\s+suppose|probably|maybe|perhaps"
                r"|roughly|approximately|approx\.?|about|around|likely|presumably)")
_FULLY = r"(?:(?:100\s*%|completely|entirely|totally|quite|very)\s+)?"
_UNSURE_TAIL = (r"(?:(?:i\s*'?\s*a?m|im)\s+not\s+" + _FULLY + r"(?:sure|certain)"
                r"|not\s+" + _FULLY + r"(?:sure|certain)|unsure"
                r"|i\s+think|i\s+believe|i\s+guess|i\s+hope|i\s+suppose|probably|maybe|perhaps|roughly|approximately"
                r"|approx\.?|or\s+so|hopefully|if\s+i\s*'?\s*m\s+not\s+mistaken)")
_LEADING_HEDGE = re.compile(r"^\s*(?:" + _HEDGE_WORDS + r"\s*[:,]?\s+)+", re.I)
#: A hedge after the words that introduce the answer: ``The memory is roughly ...``.
_INTRO_HEDGE = re.compile(r"^(?P<intro>\s*(?:[A-Za-z']+\s+){1,8}?(?:is|are|equals|gives|becomes|get|so)\s+)"
                          r"(?P<hedge>" + _HEDGE_WORDS + r")\s+(?=\S)", re.I)
_TRAILING_HEDGE = re.compile(r"(?:\s|,|;|\\[,;: ]|\\q?quad(?![A-Za-z])|-{1,2}|\u2013|\u2014)*"
                             r"(?P<hedge>\(\s*(?:(?:but|though)\s+)?" + _UNSURE_TAIL
                             + r"\s*[.!?]*\s*\)|(?:(?:but|though)\s+)?" + _UNSURE_TAIL
                             + r")\s*[.!?]*\s*$", re.I)
#: A decimal number: a hedged decimal is an approximation of its own, never set aside.
_HEDGED_DECIMAL = re.compile(r"(?<![\w.])\d*\.\d+|\d+[eE][-+]?\d+")


#: Hedges of approximation, and what they never hedge: an infinite value.
_APPROXIMATE = re.compile(r"roughly|approx|about|around|or\s+so", re.I)
_UNBOUNDED = re.compile(r"oo|\\infty|\u221e|infinit|unbounded|diverg|without bound", re.I)


def without_hedge(text: str) -> tuple[str, str] | None:
    """``(the answer, its hedge)`` for an answer that says how sure its author is, or None: a hedge
    word before it (``roughly 2 L K^2 + L n K``, ``I think d sigma^2/2``, ``The memory is about ...``)
    or a hedge after it (``..., but I'm not sure``, ``... (I think)``, ``... (probably)``). A hedge
    changes nothing of the value: the answer is graded as the exact value it states, with a note;
    a hedged wrong value stays wrong. A hedged decimal (``roughly 0.14``) is an approximation, and
    a bound (``at most``, ``up to``, ``almost``) or an alternative (``or``) is no hedge: neither is
    set aside."""
    plain = TEXT_BOX.sub(lambda m: m.group(1), text) if "\\text" in text or "\\mbox" in text else text
    hedges, out = [], plain
    while True:
        m = _TRAILING_HEDGE.search(out)
        if m is None or not out[:m.start()].strip():
            break
        hedges.append(m.group("hedge").strip())
        out = out[:m.start()]
    lead = _LEADING_HEDGE.match(out)
    if lead and out[lead.end():].strip():
        hedges.insert(0, lead.group(0).strip(" ,:"))
        out = out[lead.end():]
    else:
        inner = _INTRO_HEDGE.match(out)
        if inner:
            hedges.insert(0, inner.group("hedge"))
            out = inner.group("intro") + out[inner.end():]
    if not hedges or _HEDGED_DECIMAL.search(out) or not out.strip():
        return None
    if _APPROXIMATE.search(" ".join(hedges)) and _UNBOUNDED.search(out):
        return None  # "unbounded (approximately)": very large, perhaps finite, is no hedge of infinity
    return out, ", ".join(hedges)


#: An operation said in words before the whole answer: ``half of d sigma^2``, ``twice nLK^2``, ``a third of
#: d a^2``, ``the square root of (2/d)``; the plain mathematics each stands for, around the operand.
_SPOKEN_PREFIX = re.compile(r"^\s*(?P<op>(?:(?:a|one)\s+)?half\s+of|(?:a|one)\s+third\s+of"
                            r"|(?:a|one)\s+(?:quarter|fourth)\s+of|twice|double|(?:the\s+)?square\s+root\s+of|(?:the\s+)?cube\s+root\s+of)"
                            r"\s+(?P<x>\S.*)$", re.I | re.S)
#: An operation said in words after the whole answer: ``sqrt(2/d) squared``.
_SPOKEN_POSTFIX = re.compile(r"^(?P<x>.*\S)\s+(?P<op>squared|cubed)\s*[.]?\s*$", re.I | re.S)


def _atom(text: str) -> bool:
    """Whether ``text`` is one operand with no operator outside its brackets: a name, a number, a
    bracket or a call (``d``, ``(2/d)``, ``sqrt(2/d)``, ``\\sqrt{2/d}``)."""
    stripped = text.strip()
    if re.fullmatch(r"\\?[A-Za-z]+(?:_\{?\w+\}?)?|\d+(?:\.\d+)?", stripped):
        return True
    m = re.match(r"(?:\\?[A-Za-z]+)?\s*(?=[({\[])", stripped)
    if m is None:
        return False
    depth, pos = 0, m.end()
    while pos < len(stripped):
        depth += stripped[pos] in "([{"
        depth -= stripped[pos] in ")]}"
        if depth == 0:
            rest = stripped[pos + 1:]
            if not rest.strip():
                return True
            if rest[0] in "({[":  # a command's next group: \frac{a}{b}
                pos += 1
                continue
            return False
        pos += 1
    return False


def _one_product(text: str) -> bool:
    """Whether ``text`` is one product or quotient: no ``+``, ``-`` (but a leading sign), ``=``,
    ``,`` or ``;`` outside its brackets, and no words of a sentence."""
    depth = 0
    body = text.strip()
    for pos, ch in enumerate(body):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and (ch in "=,;<>" or (ch in "+-\u2212" and pos > 0 and body[pos - 1] not in "^_e*/(")):
            return False
    return depth == 0


def spoken_arithmetic(text: str) -> tuple[str, str] | None:
    """``(the answer in symbols, the words read)`` for an answer that says its one operation in
    words, or None. Read only where the reading is unique: a prefix (``half of``, ``a third of``,
    ``a quarter of``, ``twice``, ``double``) before one product or quotient, whose value does not
    depend on where the factor attaches (``half of d sigma^2`` is d sigma^2/2; ``twice a + b`` is
    refused), and a root or a power (``the square root of``, ``squared``, ``cubed``) only of one
    atom (``the square root of (2/d)``, ``sqrt(2/d) squared``; never ``the square root of 2/d``)."""
    m = _SPOKEN_PREFIX.match(text)
    if m is not None:
        op, x = " ".join(m.group("op").lower().split()), m.group("x")
        if _SPOKEN_WORD.search(x):  # "half of d sigma squared", "the square root of 2 over d": x said in words too
            spoken = _spoken(x.strip().rstrip(".").strip(), False)
            if spoken is None:
                return None
            x = f"({spoken})"
        if "root" in op:
            if not _atom(x):
                return None
            return (f"sqrt({x})" if "square" in op else f"({x})^(1/3)"), op
        if not _one_product(x):
            return None
        factor = {"half": "/2", "third": "/3", "quarter": "/4", "fourth": "/4"}
        for word, applied in factor.items():
            if word in op:
                return f"({x}){applied}", op
        return f"2*({x})", op
    m = _SPOKEN_POSTFIX.match(text)
    if m is not None and _atom(m.group("x")):
        power = "2" if m.group("op").lower() == "squared" else "3"
        return f"({m.group('x')})^{power}", m.group("op").lower()
    return spoken_formula(text)


#: The words of a product, quotient, power or root said in words (:func:`spoken_formula`).
_SPOKEN_WORD = re.compile(r"(?<![A-Za-z\\])(?P<op>times|multiplied\s+by|over|divided\s+by|squared|cubed"
                          r"|(?:the\s+)?(?:square\s+root|sqrt)\s+of)(?![A-Za-z])", re.I)
#: A statement's side said before ``=``: one name, or one with its bracket (``Var[y] =``).
_SIDE = re.compile(r"^(?P<lhs>\s*\\?[A-Za-z]+(?:_\{?\w+\}?)?(?:\s*[\[(][^\[\]()]*[\])])?\s*=)(?P<rhs>.*)$", re.S)


def spoken_formula(text: str) -> tuple[str, str] | None:
    """``(the answer in symbols, the words read)`` for a product, quotient, power or root said in words, or None: ``d
    times sigma squared over 2`` is d*(sigma)^2/2, ``sqrt of 2 over d`` is sqrt(2/d), ``sigma = the square root of
    3/d`` is sigma = sqrt(3/d). The usual spoken precedence: ``squared``/``cubed`` bind tightest, to the one
    operand before them (an atom: a name, a number, a bracket; the last of atoms side by side: ``d a squared`` is
    d a^2; ``d sigma^2/2 squared`` is refused); ``times``/``multiplied by``/``over``/``divided by`` then apply
    left to right, each between products (the operand after ``over`` an atom: ``x over 2 d`` is refused); ``the
    square root of``/``sqrt of`` takes everything after it. A root takes a written quotient (``the square root of
    3/d``) only in a statement (``a = ...``) or when its operand has words of its own: a bare ``square root of
    2/d`` stays ambiguous, refused. No sum is read (where would ``plus`` attach?), and a text with no such word is
    None."""
    side = _SIDE.match(text)
    lhs, body = (side.group("lhs"), side.group("rhs")) if side else ("", text)
    words = [m.group("op") for m in _SPOKEN_WORD.finditer(body)]
    if not words:
        return None
    out = _spoken(body.strip().rstrip(".").strip(), bool(lhs))
    return None if out is None else (f"{lhs} {out}".strip(), ", ".join(" ".join(w.lower().split()) for w in words))


def _spoken(body: str, statement: bool) -> str | None:
    """The symbols of ``body`` said in words (:func:`spoken_formula`), or None where it is no such formula."""
    m = _SPOKEN_WORD.search(body)
    if m is None:
        return f"({body})" if body and _one_product(body) else None
    before, op, after = body[:m.start()].strip(), " ".join(m.group("op").lower().split()), body[m.end():].strip()
    if "of" in op.split():  # a root: everything after it
        if before or not after:
            return None
        if not _SPOKEN_WORD.search(after) and not statement and not _atom(after):
            return None  # "square root of 2/d": sqrt(2)/d or sqrt(2/d)?
        inner = _spoken(after, statement)
        return None if inner is None else f"sqrt({inner})"
    if not before or not _one_product(before):
        return None
    if op in {"squared", "cubed"}:
        power = _powered(before, 2 if op == "squared" else 3)
        if power is None:
            return None
        rest = after
        if not rest:
            return power
        nxt = _SPOKEN_WORD.match(rest)
        if nxt is None:
            return None  # "sigma squared d": no operation joins them
        return _spoken_chain(power, rest, statement)
    return _spoken_chain(f"({before})", body[m.start():].strip(), statement)


def _powered(operand: str, power: int) -> str | None:
    """``operand`` raised to ``power`` said after it: the power binds tightest, to its last factor of
    a product of atoms written side by side (``d a squared`` is d (a)^2); None after anything else
    (``d sigma^2/2 squared``: which part is squared?)."""
    if _atom(operand):
        return f"(({operand})^{power})"
    factors = operand.split()
    if len(factors) < 2 or not all(_atom(f) for f in factors):
        return None
    return f"({' '.join(factors[:-1])} ({factors[-1]})^{power})"


def _spoken_chain(left: str, rest: str, statement: bool) -> str | None:
    """``left`` followed by ``rest``, which opens with a word of an operation (times, over), read left to right."""
    m = _SPOKEN_WORD.match(rest)
    if m is None:
        return None
    op = " ".join(m.group("op").lower().split())
    after = rest[m.end():].strip()
    if op in {"squared", "cubed"} or not after:
        return None
    symbol = "/" if op in {"over", "divided by"} else "*"
    if "of" in op.split():
        return None
    nxt = _SPOKEN_WORD.search(after)
    if nxt is not None and "of" in nxt.group("op").lower().split():  # "x times the square root of y"
        if after[:nxt.start()].strip():
            return None
        inner = _spoken(after, statement)
        return None if inner is None else f"{left}{symbol}{inner}"
    operand = after[:nxt.start()].strip() if nxt else after
    if not operand or not _one_product(operand) or (symbol == "/" and not _atom(operand)):
        return None
    rest_after = after[nxt.start():].strip() if nxt else ""
    if nxt is not None and " ".join(nxt.group("op").lower().split()) in {"squared", "cubed"}:
        power = _powered(operand, 2 if nxt.group("op").lower().startswith("s") else 3)
        if power is None:
            return None
        tail = rest_after[nxt.end() - nxt.start():].strip()
        joined = f"{left}{symbol}{power}"
        return joined if not tail else _spoken_chain(joined, tail, statement)
    joined = f"{left}{symbol}({operand})"
    return joined if not rest_after else _spoken_chain(joined, rest_after, statement)


#: A statement with a modal verb: ``sigma should be sqrt(2/d)``, ``the variance must be d sigma^2/2``.
_MODAL = re.compile(r"^(?P<lhs>\s*\S.*?)\s+(?:should|must|would|will|has\s+to|have\s+to|needs\s+to|ought\s+to)\s+be"
                    r"\s+(?P<rhs>\S.*)$", re.I | re.S)
#: A name's copula in words: ``a equals sqrt(3/d)``, ``sigma is equal to ...``, ``sigma is ...``.
_NAMED_COPULA = re.compile(r"^(?P<lhs>\s*\S.*?)\s+(?:equals|is\s+equal\s+to|is)\s+(?P<rhs>\S.*)$", re.I | re.S)
_A_NAME = re.compile(r"\s*\\?[A-Za-z]+(?:_\{?\w+\}?)?(?:\s*[\[(][^\[\]()]*[\])])?\s*")
_WORDS = re.compile(r"\s*[A-Za-z']+(?:\s+[A-Za-z']+){0,8}\s*")


def modal_statement(text: str) -> str | None:
    """``text`` with its modal verb as the statement it makes, or None: ``sigma should be
    sqrt(2/d)`` says ``sigma = sqrt(2/d)`` (one name before it, or one with its bracket, ``Var[y]``), ``the
    variance must be d
    sigma^2/2`` says ``the variance is d sigma^2/2`` (words before it, read as an introduction by
    :func:`leading_words`). A name's copula in words is the same statement: ``a equals sqrt(3/d)``,
    ``sigma is equal to ...``, ``sigma is ...`` say ``a = ...``. A negation after it (``should not be``,
    ``is not``) is no such statement: the right side then does not read."""
    m = _MODAL.match(text)
    if m is None:
        named = _NAMED_COPULA.match(text)  # "a equals the square root of 3/d": a name's copula in words
        if named is None or not _A_NAME.fullmatch(named.group("lhs")):
            return None
        return f"{named.group('lhs').strip()} = {named.group('rhs')}"
    lhs, rhs = m.group("lhs"), m.group("rhs")
    if _A_NAME.fullmatch(lhs):
        return f"{lhs.strip()} = {rhs}"
    if _WORDS.fullmatch(lhs):
        return f"{lhs.strip()} is {rhs}"
    return None


# --- what a reason, a gloss or a definition beside the answer says -----------------------------

#: A step still to take or another value to consider: a modal verb, "still", "then", "has to".
_MODALS = ("must", "should", "could", "would", "might", "may", "ought")
_STILL_WORDS = ("still", "yet", "later", "then")
_PENDING = re.compile(r"(?<![A-Za-z])(?:" + "|".join(_MODALS + _STILL_WORDS)
                      + r"|(?:has|have|needs?)\s+to)(?![A-Za-z])", re.I)
#: Subjects that are the answer or its author: a sentence of theirs that modifies speaks of the answer.
_SELF = frozenset({"it", "its", "this", "that", "we", "you", "which", "one", "i"})
_PENDING_WORDS = frozenset(_MODALS) | {"has", "have", "need", "needs"}


#: What a modal said of still speaks of the answer: its subject, or a step still to come.
_ANSWER_SUBJECTS = frozenset({"answer", "result", "value", "formula", "expression", "variance", "std"})
_STILL = re.compile(r"(?<![A-Za-z])(?:" + "|".join(_STILL_WORDS) + r")(?![A-Za-z])", re.I)


def _operation(word: str) -> bool:
    """Whether ``word`` is an operation word or a form of one (``halve``, ``halving``, ``halved``, ``divide``)."""
    return word in OPERATION_WORDS or any(word.endswith(end) and (word[:-len(end)] in OPERATION_WORDS
                                                                  or word[:-len(end)] + "e" in OPERATION_WORDS)
                                          for end in ("ed", "d", "ing", "s"))


def _own_subject(reason: str, names: set[str]) -> bool:
    """Whether a reason's modal is said of a subject of its own, not of the answer nor by its author
    and with no step still to come (``since every layer's input must be kept for the backward pass``;
    not ``since it must still be halved``, ``because we must divide by 2``, ``as the answer must be
    halved``)."""
    words = _content_words(reason, names)
    return bool(words) and words[0] not in _SELF and words[0] not in _ANSWER_SUBJECTS \
        and words[0] not in OPERATION_WORDS and words[0] not in _VERBS and words[0] not in _PENDING_WORDS \
        and not _participle(words[0]) and not _STILL.search(reason) \
        and not any(_operation(w) for w in words)


def alters(reason: str, names: set[str]) -> bool:
    """Whether a reason beside the answer (its words after since, because, as, ...) says the answer
    is not yet the value: a step still to take or another value (a modal verb, "still", "then":
    ``since it must still be halved``, ``because we then divide by 2``), something missing or
    replaced (:data:`_MISSING`: ``using a^2 in place of a``), or a remark that modifies
    (:func:`modifies`) said of the answer or by its author, or opening with the operation (``since
    we divide that by d``, ``since this is for one of the d terms``, ``because halved``). A sentence
    with a subject of its own that modifies something else explains (``because half of the z_i are
    zeroed``, ``since only half of the z_i survive``)."""
    if _MISSING.search(reason) or (_PENDING.search(reason) and not _own_subject(reason, names)):
        return True
    if not (modifies(reason, names) or operated(reason, names)):
        return False
    words = _content_words(reason, names)
    verb = any(w in _SENTENCE_VERBS or w in _COPULAS for w in words[1:])
    return bool(words) and (words[0] in _SELF or (not verb and (words[0] in OPERATION_WORDS or words[0] in _VERBS
                                                                 or _participle(words[0]))))


#: Nouns that name a quantity: a phrase holding one beside the answer labels it, and must name what is asked.
LABEL_NOUNS = frozenset({"variance", "var", "std", "stdev", "standard", "deviation", "mean", "expectation",
                         "average", "gradient", "derivative", "bound", "gap", "moment"})
#: Openers that say what the answer is: a gloss, "as", "it is".
_LABEL_OPENER = re.compile(r"^\s*(?:(?P<gloss>i\.\s?e\.?|ie|that\s+is|namely|viz\.?)|(?P<as>as)"
                           r"|(?:(?:because|since|as)\s+)?(?:it|this|that|which)\s+(?:is|'s)"
                           r"|(?:because|since)\s+(?:it|this|that)\s+(?:is|'s))(?![A-Za-z])\s*[,:]?\s*(?P<rest>.*)$",
                           re.I | re.S)
#: A noun phrase headed by a quantity noun: ``the variance of one term``, ``std of the output``, ``Bernoulli
#: variance``, ``standard deviation``.
_HEADED = re.compile(r"^\s*(?:(?:the|a|an)\s+)?(?:[A-Za-z'-]+\s+)?(?:" + "|".join(sorted(LABEL_NOUNS)) + r")s?"
                     r"(?![A-Za-z])(?:\s+(?:deviation|of|for|over|per)(?![A-Za-z]).*)?\s*$", re.I | re.S)
#: Mathematics in a phrase: an operator, a bracket, a subscript, a LaTeX command.
_MATH = re.compile(r"[\^_*/+=\[\]()\\]|\d")


def label_phrase(remark: str, names: set[str]) -> tuple[str, bool] | None:
    """``(the label, whether it is mathematics)`` when a remark or reason beside the answer names
    what the answer is, else None; the reader then requires the label to name what the question
    asks (:func:`.labels.recognised`). A remark labels the answer when

    * it opens with a gloss, "as" or "it is" and the rest is a phrase with no verb or relation
      that holds a quantity noun (:data:`LABEL_NOUNS`: ``(i.e. the std)``, ``as the standard
      deviation``, ``(because it is the std)``), or after "as" is mathematics (``as Std[y]``,
      ``as a^2``, ``\\text{ as } \\sigma^2``);
    * it is a bare noun phrase in a bracket that holds a quantity noun (``(the variance of one
      term)``, ``(std of the output)``).

    Clauses that deny (``not variance`` in ``(standard deviation, not variance)``) are no part of
    the label; a limit (``as d -> oo``) is a condition, never a label."""
    body = remark.strip()
    if body[:1] in "([" and body[-1:] in ")]":
        body = body[1:-1]
    body = TEXT_BOX.sub(lambda m: m.group(1), body).replace("$", " ").strip()
    if not body or _LIMIT.search(body):
        return None
    opened = _LABEL_OPENER.match(body)
    rest = opened.group("rest").strip() if opened else body
    kept = [c.strip() for c in re.split(r"(?<!\\),|;", rest)
            if c.strip() and not re.match(r"\s*(?:not|no|never|rather than)(?![A-Za-z])", c, re.I)]
    if not kept:
        return None
    phrase = ", ".join(kept).rstrip(". ")
    words = _content_words(phrase, names)
    if any(w in _SENTENCE_VERBS or w in _COPULAS for w in words) or "=" in phrase or _RELATION.search(phrase):
        return None
    nouns = any(w in LABEL_NOUNS for w in words)
    if opened is None and not _HEADED.match(phrase):
        return None  # "(dropout scales the second moment by 1/p)": a sentence, its noun no head of a label
    if opened is not None and opened.group("as") and _MATH.search(phrase) and not words:
        return phrase, True  # "as Std[y]", "as a^2"
    if opened is not None and opened.group("as") and _MATH.search(phrase) and any(
            t in names for t in re.findall(r"[A-Za-z]+(?:_\{?\w+\}?)?", phrase)) and not nouns:
        return phrase, True
    if nouns:
        return phrase, bool(_MATH.search(phrase))
    return None


#: A definition in words of a name: ``where d is the number of inputs``, ``(d the depth)``, ``using a as the
#: width``, ``given that a is the std``, ``(z the target, y the prediction)``.
_DEFINED_HEAD = re.compile(r"(?<![A-Za-z])(?:where|with|here|letting|let|given\s+that|given|assuming|using|and|for)\s+"
                           r"|[(,;]\s*", re.I)
_DEFINED = re.compile(r"(?P<name>\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)\s+"
                      r"(?:(?:is|are|be|being|denotes|denoting|as|means|stands\s+for|=)\s+)?"
                      r"(?P<desc>[A-Za-z][A-Za-z' -]*?)\s*(?=$|[),;.]|\s+and\s)", re.I)
#: Words of a description that say nothing of whose it is.
_DESCRIPTION_LINKS = frozenset({"the", "a", "an", "of", "number", "value", "our", "my", "its", "in", "on", "for",
                                "to", "used", "given", "here"})


#: Usual abbreviations in a description of a name, and the words they abbreviate (``p = keep prob``).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "prob": ("probability",), "probs": ("probabilities",), "std": ("standard", "deviation"),
    "var": ("variance",), "approx": ("approximately",), "avg": ("average",), "num": ("number",),
    "dim": ("dimension",), "dims": ("dimensions",), "param": ("parameter",),
    "params": ("parameters",), "init": ("initialisation",), "mult": ("multiplication",),
    "mults": ("multiplications",), "fwd": ("forward",), "bwd": ("backward",), "grad": ("gradient",),
    "grads": ("gradients",), "pred": ("prediction",), "preds": ("predictions",), "max": ("maximum",),
    "min": ("minimum",), "prev": ("previous",), "act": ("activation",), "acts": ("activations",),
    "lr": ("learning", "rate")}


def expanded(words: list[str]) -> list[str]:
    """``words`` (lower case) with each usual abbreviation (:data:`ABBREVIATIONS`) as the words it abbreviates:
    ``keep prob`` is ``keep probability``, ``num inputs`` is ``number inputs``."""
    return [full for w in words for full in ABBREVIATIONS.get(w, (w,))]


def definitions(text: str, names: set[str]) -> list[tuple[str, list[str]]]:
    """The definitions in words beside an answer: ``(name, the description's content words)`` for
    each name of the question defined by words only (:data:`_DEFINED`), usual abbreviations read as
    the words they abbreviate (:func:`expanded`: ``keep prob``); links (the, number, of) are no
    content words. A definition by mathematics (``where m = max_j x_j``) is none."""
    plain = TEXT_BOX.sub(lambda m: m.group(1), text).replace("$", " ")
    out = []
    for head in _DEFINED_HEAD.finditer(plain):
        m = _DEFINED.match(plain, head.end())
        if m is None:
            continue
        name = m.group("name").lstrip("\\")
        if name not in names:
            continue
        words = expanded([w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", m.group("desc"))])
        content = [w for w in words if w not in _DESCRIPTION_LINKS]
        if content and not any(w in names for w in re.findall(r"[A-Za-z]+", m.group("desc"))):
            out.append((name, content))
    return out


#: Words of a list's item besides its noun: ``their gradients``, ``the activations``, ``plus``.
_LIST_LINKS = frozenset({"their", "its", "the", "plus", "all"})


def counted_phrase(remark: str, names: set[str]) -> str | None:
    """The nouns of a remark that lists what the answer counts (``(weights and their gradients)``,
    ``(weights, their gradients, activations)``): two items or more, joined by commas, "and", "+",
    each one noun of the subject (:data:`_DOMAIN`) with at most "their", "the"; None for anything
    else (``(forward, plus grads wrt inputs and weights)`` describes a computation). Such a list
    names the quantity, so the reader requires the question's own words for it
    (:func:`.labels.recognised`), as it does for a label."""
    body = remark.strip()
    if body[:1] in "([" and body[-1:] in ")]":
        body = body[1:-1]
    body = TEXT_BOX.sub(lambda m: m.group(1), body)
    if re.search(r"[0-9=^_*/\\()\[\]]", body) or any(t in names for t in re.findall(r"[A-Za-z]+", body)):
        return None  # mathematics, or definitions of names: "(z the prediction, y the target)"
    items = [_content_words(item, names) for item in re.split(r"\s*(?:,|\+|&|(?<![A-Za-z])and(?![A-Za-z]))\s*", body)]
    nouns = [w for item in items for w in item if w not in _LIST_LINKS]
    if len(items) < 2 or any(len([w for w in item if w not in _LIST_LINKS]) != 1 for item in items) \
            or not all(w in _DOMAIN and w not in _LINKS for w in nouns):
        return None
    return " ".join(nouns)
