"""Labels beside an answer: set aside only when RECOGNISED as naming what the question asks.

The reader sets aside words before an answer (``The variance is``, ``Answer:``), words after it
(``nLK^2 multiplications``, ``(weights)``), a side of ``=`` that names the quantity (``Var[y] =``,
``= dL/dt``), a clause that explains the names (``, where a is the bound``) and a word subscript on a
scalar (``\\sigma_w``). None of these is ever checked as mathematics, so each is set aside only when
it is recognised, positively, as a name of what the question asks in the question's own words
(:func:`recognised`); anything else keeps its place and the answer is read with it (usually: not
readable, so invalid). Never a list of bad words: ``FLOPs``, ``bytes``, ``Std:``, ``The mean is``,
``sigma_z`` are refused because the question does not speak of them, not because they are listed.

* **Words** (a leading or trailing label, a bracket of words, an explaining clause, a reason that
  opens the answer): every word is a word of the question (:func:`question_words`: its prompt, its
  syntax hint, its id, its variables, unknown and words, the names of its model, with ``Var`` read
  as "variance" and ``E`` as "mean"/"expectation"), or a word of :data:`GENERIC` (the vocabulary of
  answering: answer, result, total, so, we get, is, the, ...). A plural is its singular, a word
  shares the family of a question word whose first seven letters it has (``independence``), and
  one of four letters or more that begins a question word abbreviates it (``init``). The
  question's words include the claim its answer is derived from (``he_sigma``) and its title,
  glance and prompt in its sheet's ``[report]`` tables and its problem's glance. A label
  that names one side of a coordination of the question (``forward`` of "a forward and backward
  pass", ``weights`` of "weights and activations") names a part, not the whole: it is recognised
  only when the answer names the other part too (``LK^2 (weights) + 2nK (activations)``); an
  abbreviation names the part it abbreviates (``fwd``, ``mults_bwd``: :func:`_with_parts_named`).
  A side that is one name of words joined by underscores (``mults_train``, ``num_weights``) is
  read as its words.
* **Another quantity's words** (any label): a word the prompt says only after a negation (``no
  bias``, ``bias-free``, ``without label smoothing``) or one describing another quantity of the
  question, right beside one of its names or a number (``L layers``, ``width K``, ``n x K
  minibatch``, ``keep probability p``, ``stride-1``), never names the asked one
  (:attr:`Wording.others`), except the unknown's own nouns (``bound a``) and the prompt's opening
  words (``The optimal gap x_y - x_j``).
* **Derivative order** (any label): a label holding marks of a derivative's order (``s'``,
  ``σ''``, ``σ″``, ``\\sigma^{(2)}``, ``\\prime``, ``\\ddot``) names the asked quantity only when that
  order is the asked one (:attr:`Wording.order`: 1 for ``dsigma/dt``, "The gradient dL/dx", else
  0): ``s'(t)`` names ds/dt, ``s''(t)`` never, ``L'(t)`` never names L(t).
* **An entry's index** (a side of an equation): an index on the label (a letter of the model or a
  number: ``h_j``, ``h_1``, ``x_{k}``) binds the answer's: a side holding an index is set aside only
  when every other side naming entries names the same ones (:func:`_indices_apart`; an index bound
  by ``sum_k`` or ``max_j`` names none): ``E[h_i] = x_i`` and ``dL/dx_j = z_j - y_j`` agree,
  ``E[h_j] = x_i``, ``E[h_1] = x_i``, ``dL/dx_j = z_i - y_i`` do not.
* **A moment of parameters** (a side valued under a model with random families): a moment
  (``E[...]``, ``Var(...)``) must be taken of a random family or a defined quantity of the model
  (:func:`_names_a_random_quantity`): ``E[x_i]`` with x fixed equals x_i = E[h_i], yet names no
  quantity of the model.
* **A side of an equation** (``side=True``): words as above, or a name with a word subscript as
  below, or, for a question with a model, a statement whose values under the model are the asked
  quantity's at every point of the model, exactly as line 0 of a derivation is decided
  (:func:`.derivation._asked_for`): ``Var[y]``, ``\\operatorname{Var}(y)``, ``dL/dt``, ``ds/dt`` with
  s = sigma(t). ``Std[y]``, ``Var[y]/2``, ``E[y]``, ``dL/ds`` have other values: no label.
* **A word subscript on a scalar** (``x_s``): s is a random family of the model whose law has x as a
  parameter (``\\sigma_w`` with w_i ~ N(0, sigma^2)), or a word standing next to x in the prompt
  (``p_{keep}`` where the prompt says "keep probability p"), or a subscript word the question's own
  variables use (``H_{out}`` beside ``C_out``); on a side, also a word naming the
  asked quantity (``n_{mults}``). ``\\sigma_z`` (z ~ N(0, 1)), ``p_{drop}`` for a keep probability
  p, ``q_{keep}`` for "q the drop probability" are none.

What these rules read of a question (its words, coordinated pairs, asked nouns, leading notation,
report texts) is its :class:`Wording`, computed once when its bank is built
(:attr:`.bank.Question.wording`); each function takes the question (``question=``). The reader's
functions that do not receive the question yet call them without it while :func:`asking` holds the
question being read (set by :func:`.reader.read_answer` and :class:`.reader.Statement`; a context
variable, the one piece of state left, for them only); with no question at all the reader's own
rules alone decide (a direct :func:`.reader.parse_answer`). A side of an equation is valued by the
question's own :attr:`.bank.Question.side_judge`, whose question values no sides itself.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bank import Question

#: The vocabulary of answering: words that say "this is the answer", never what it is.
GENERIC = frozenset({
    "a", "an", "the", "this", "that", "it", "its", "is", "are", "be", "being", "was", "equal", "equals", "to",
    "gives", "give", "given", "get", "gets", "got", "we", "i", "my", "our", "us", "so", "thus", "hence",
    "therefore", "then", "finally", "final", "answer", "answers", "result", "results", "solution", "value",
    "values", "formula", "expression", "in", "total", "overall", "altogether", "all", "of", "for", "as",
    "here", "which", "what", "number", "numbers", "num", "count", "counted", "amount", "comes", "out",
    "yields", "yield", "obtain", "obtained", "find", "found", "have", "has", "and", "since", "because", "using",
    "by", "from", "with", "where", "need", "needs", "take", "takes", "require", "requires", "use", "uses", "cost",
    "come", "work", "turn", "evaluate",
    "costs", "only", "required", "needed", "necessary", "asked", "sought", "desired", "wanted", "correct", "right",
    "floats", "float", "scalars", "stored", "entry", "entries", "component", "coordinate", "element",
})

#: Notation of a prompt read as the words it stands for (``Var[y]`` speaks of the variance).
_NOTATION = {"var": ("variance",), "e": ("mean", "expectation", "expected"), "std": ("std",),
             "d": ("derivative",), "partial": ("derivative", "partial")}

#: Two words of one family share their first seven letters (``independence``, "independent"); a word
#: of four letters or more that begins a question word abbreviates it (``init``, ``mult``).
_FAMILY = 7
_WORDS_RE = re.compile(r"[A-Za-z]+")
#: LaTeX's boxes of words and upright names (``\\text{fwd}``, ``\\mathrm{train}``): their words.
TEXT_BOX = re.compile(r"\\(?:text|mathrm|textrm|mbox|operatorname|textit|mathit)\s*\{([^{}]*)\}")
#: Words and word separators only: a label in words (``the forward pass``, ``weights + activations``).
_WORDS_ONLY = re.compile(r"[A-Za-z' ,.:;&+()\-]*")
#: A name made of words of three letters or more joined by underscores (``mults_train``,
#: ``num_weights``): read as its words.
_WORD_NAME = re.compile(r"\s*[A-Za-z]{3,}(?:_\{?[A-Za-z]{3,}\}?)+\s*")
#: One name with one subscript: ``sigma_w``, ``\sigma_{w}``, ``σ_z``, ``p_{\text{drop}}``, ``n_{mults}``.
_SUBSCRIPTED = re.compile(r"\s*(?P<base>\\?[A-Za-z]+|[^\x00-\x7f])\s*_\s*"
                          r"(?:\{\s*(?P<a>[A-Za-z]+)\s*\}|(?P<b>[A-Za-z]+))\s*$")
#: The gradient operator with its variable, ``∇ₓL`` (read ``nabla_x L``): the derivative ``dL/dx``.
_NABLA = re.compile(r"^\s*(?:∇|nabla)\s*_\s*\{?\s*([A-Za-z])\s*\}?\s*([A-Za-z])\s*$")


@dataclass(frozen=True)
class Wording:
    """What the labels of answers to one question are recognised by, computed once when its bank is
    built (:func:`wording`, kept as :attr:`.bank.Question.wording`): the stems of the question's own
    words, its coordinated pairs of words (``A and B``), the quantity nouns that may name its
    unknown (None without one), the notation its prompt opens with, the texts of its sheet's
    report about it (title, glance, prompt, its problem's glance), and whether a side of an
    answer's equation is valued under its model (not while such a side is being valued:
    :func:`valuing_no_sides`)."""

    words: frozenset[str] = frozenset()
    pairs: tuple[tuple[str, str], ...] = ()
    asked: frozenset[str] | None = None
    leading: tuple[str, ...] = ()
    report: tuple[str, ...] = ()
    sides: bool = True  # whether a side of an equation may be valued under the model (_asked_side)
    others: frozenset[str] = frozenset()  # words naming another quantity of the question (_other_words)
    order: int = 0  # the order of derivative the question asks (_asked_order)


def wording(question: Question, report: Sequence[str] = ()) -> Wording:
    """The question's :class:`Wording`, its words including the ``report`` texts about it."""
    texts = [question.prompt, question.syntax, question.id.replace("_", " ").replace(".", " "),
             *question.words, *question.variables, question.reference_source, *report,
             *(note for _, note in question.alternatives)]  # an accepted form's note names what it counts
    words: set[str] = set()
    for text in texts:
        for token in _tokens(text):
            words.add(stem(token))
            words.update(_NOTATION.get(token.lower(), ()))
    words |= {stem(n) for n in _names(question)}
    pairs = tuple((stem(m.group(1)), stem(m.group(2))) for m in re.finditer(
        r"([A-Za-z]{3,})\s+(?:and|or)\s+(?:(?:for|the|a|an|of|to|with|in)\s+)*([A-Za-z]{3,})", question.prompt))
    asked = _asked_nouns(question)
    return Wording(words=frozenset(words), pairs=pairs, asked=asked,
                   leading=_leading_notation(question), report=tuple(report),
                   others=_other_words(question, asked or frozenset(), report),
                   order=_asked_order(question))


#: Words that negate what follows them in a prompt (``no bias``, ``without label smoothing``).
_PROMPT_NEGATING = frozenset({"no", "not", "without", "excluding", "non", "never", "nor"})


#: English words that are no noun: never a quantity another name stands for.
_FUNCTION_WORDS = frozenset({"after", "before", "during", "now", "then", "when", "where", "with", "without", "for",
                             "from", "into", "onto", "over", "under", "and", "but", "the", "its", "their", "this",
                             "that", "these", "those", "function"})


def _other_words(question: Question, asked: frozenset[str], report: Sequence[str] = ()) -> frozenset[str]:
    """The stems of the prompt's words that never name what it asks: a word the prompt says only
    after a negation (``no bias``, ``bias-free``, ``without label smoothing``), and a word that
    describes another quantity of the question, standing right beside one of its names or a number
    (``L layers``, ``width K``, ``n x K minibatch``, ``keep probability p``, ``stride-1``); never
    one of the unknown's own nouns (``bound a``, ``standard deviation sigma``), a word of the
    prompt's opening before its first name or preposition (``The optimal gap x_y - x_j``: what it asks), notation
    (``Var[y]``, ``E[h_i]``) nor a function (``sigma(t)``). The problem's ``report`` texts add the
    nouns they join to a name by a hyphen or put right after it (``an $L$-layer, width-$K$ network
    on $n$ examples``: layer, width, example), unless the prompt says the word too."""
    prompt = question.prompt
    names = _names(question) | {n.split("_")[0] for n in _names(question)}
    spans = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+|\d+(?:\.\d+)?", prompt)]
    opening = next((k for k, (tok, _, _) in enumerate(spans)
                    if tok in names or tok.lower() in {"in", "of", "for", "with", "on", "during", "that"}), len(spans))
    negated: set[str] = set()
    plain: set[str] = set()
    beside: set[str] = set()
    for k, (tok, start, end) in enumerate(spans):
        if not tok.isalpha():
            continue
        base = stem(tok)
        before = prompt[max(0, start - 30):start]
        if re.search(r"(?<![A-Za-z])(?:no|not|without|excluding|non|never|nor)[\s-]+(?:[A-Za-z]+[\s-]+)?$",
                     before, re.I) or prompt[end:end + 5].lower() == "-free":
            negated.add(base)
        else:
            plain.add(base)
        if (tok in names or tok.lower() in _PROMPT_NEGATING or len(tok) < 3 or tok.lower() in _NOTATION
                or k < opening or prompt[end:end + 1] == "("):
            continue  # a name, notation, the opening words (``The optimal gap x_y``), a function (``sigma(t)``)
        for j in (k - 1, k + 1):
            if 0 <= j < len(spans):
                other, o_start, o_end = spans[j]
                gap = prompt[min(end, o_end):max(start, o_start)]
                if re.fullmatch(r"[\s-]*", gap) and (other in names or not other.isalpha()):
                    beside.add(base)
    for text in report:  # the problem's own texts: "cost of an $L$-layer, width-$K$ network on $n$ examples"
        text = text.replace("$", "")
        tokens = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+|\d+(?:\.\d+)?", text)]
        for k, (tok, start, end) in enumerate(tokens):
            if not tok.isalpha() or tok in names or len(tok) < 3 or tok.lower() in _NOTATION or stem(tok) in plain \
                    or tok.lower() in _FUNCTION_WORDS:
                continue  # a word the prompt itself says (not beside a name there) keeps the prompt's reading
            for j in (k - 1, k + 1):  # a noun after a name (n examples) or joined to it (L-layer, width-K)
                if 0 <= j < len(tokens):
                    other, o_start, o_end = tokens[j]
                    gap = text[min(end, o_end):max(start, o_start)]
                    if other in names and (re.fullmatch(r"\s*-\s*", gap) or (j < k and re.fullmatch(r"\s+", gap))):
                        beside.add(stem(tok))
    found = (negated - plain) | beside
    return frozenset(w for w in found if w not in asked and w not in GENERIC)


#: Marks of a derivative's order on a name: primes (``s'``, ``σ″``, ``\\prime``), ``^{(n)}``, dots.
_ORDER_MARKS = re.compile(r"('+(?![A-Za-z])|[\u2032\u2033\u2034]+|\\prime|\^\s*\{?\s*\(\s*\d+\s*\)\s*\}?|\\d?dot\b)")
_MARK_ORDER = {"'": 1, "\u2032": 1, "\u2033": 2, "\u2034": 3}  # ', prime, double, triple prime


def _label_order(label: str) -> int | None:
    """The order of derivative a label's marks write (``σ''(t)``: 2, ``\\sigma^{(2)}``: 2,
    ``s'(t)``: 1), or None when it holds no such mark."""
    marks = _ORDER_MARKS.findall(label)
    if not marks:
        return None
    order = 0
    for mark in marks:
        if mark.startswith("\\prime"):
            order += 1
        elif mark.startswith("\\ddot"):
            order += 2
        elif mark.startswith("\\dot"):
            order += 1
        elif mark.startswith("^"):
            order += int(re.sub(r"\D", "", mark))
        else:
            order += sum(_MARK_ORDER[c] for c in mark)
    return order


#: An index subscript: one letter or a number alone (``h_j``, ``x_{k}``, ``w_1``), never a word (``C_in``)
#: nor a pair (``delta_{ij}``).
_INDEX = re.compile(r"_\s*(?:\{\s*([A-Za-z]|\d+)\s*\}|([A-Za-z](?![A-Za-z0-9])|\d+))")
#: An index bound by an operator (``sum_k``, ``\\sum_{k=1}^{d}``, ``max_j``): no entry of the answer.
_BOUND = re.compile(r"(?:sum|prod|max|min)\s*_\s*\{?\s*([A-Za-z])")


def _free_indices(text: str, letters: frozenset[str]) -> frozenset[str]:
    """The entries a text names: its index subscripts that are letters of the model or numbers,
    less the letters an operator binds (``sum_k``)."""
    bound = set(_BOUND.findall(text))
    found = {m.group(1) or m.group(2) for m in _INDEX.finditer(text)}
    return frozenset(x for x in found if x.isdigit() or (x in letters and x not in bound))


def _indices_apart(question: Question, label: str, whole: str) -> bool:
    """Whether a side ``label`` with an index names another entry than the answer ``whole`` gives:
    an index on the label binds the answer's (``E[h_j] = x_j``, ``dL/dx_k = z_k - y_k`` agree;
    ``E[h_j] = x_i``, ``E[h_1] = x_i``, ``dL/dx_j = z_i - y_i`` do not): some side of ``whole`` names
    entries other than the label's."""
    model = question.model
    if model is None:
        return False
    letters = frozenset(model.letters) | frozenset(model.free)
    named = _free_indices(label, letters)
    if not named:
        return False
    sides = [part for part in re.split(r"(?<![<>!=])=(?!=)", whole) if part.strip()]
    return any((found := _free_indices(part, letters)) and found != named for part in sides)


def _asked_order(question: Question) -> int:
    """The order of derivative the question asks: 1 where its prompt opens with or names a
    derivative or gradient (``dsigma/dt``, ``The gradient dL/dx``), else 0."""
    head = question.prompt.split(" for ")[0].split(" of ")[0]
    if re.search(r"(?<![A-Za-z])(?:d|\\partial|∂)\s*\\?[A-Za-z]+\s*/\s*(?:d|\\partial|∂)", head) or re.search(
            r"\b(?:derivative|gradient)\b", head, re.I):
        return 1
    return 0


def report_texts(report: Any, question_id: str) -> tuple[str, ...]:
    """The title, glance and prompt of a question in its sheet's ``[report]`` tables and its
    problem's glance (``[report.questions."p2.variance"]``, ``[report.problems."2"]``); () when the
    sheet has no such tables (the grader reads them only for their words: a table of another
    shape adds none)."""
    def table(parent: Any, key: str) -> Mapping[str, Any]:
        found = parent.get(key, {}) if isinstance(parent, Mapping) else {}
        return found if isinstance(found, Mapping) else {}

    if not table(report, "questions") and not table(report, "problems"):
        return ()
    entry = table(table(report, "questions"), question_id)
    problem = table(table(report, "problems"), question_id.split(".")[0].lstrip("p"))
    return (*(str(entry.get(k, "")) for k in ("title", "glance", "prompt")), str(problem.get("glance", "")))


def _wording(question: Question) -> Wording:
    """The question's wording as its bank computed it (one made now for a question built elsewhere)."""
    return question.wording if question.wording is not None else wording(question)


# --- the compatibility layer: the question whose answer is being read, held for the reader --------

_HELD: ContextVar[Question | None] = ContextVar("held", default=None)


@contextmanager
def asking(question: Question) -> Iterator[None]:
    """Hold ``question`` as the one whose answer is being read: :func:`recognised`,
    :func:`remark_recognised` and :func:`unrecognised_subscript` called without a question ask
    it. (For the reader's functions that do not receive the question yet; each takes it
    explicitly as ``question=``.)"""
    token = _HELD.set(question)
    try:
        yield
    finally:
        _HELD.reset(token)


def _question(question: Question | None) -> Question | None:
    """The question given, else the one held by :func:`asking`."""
    return question if question is not None else _HELD.get()


def held() -> Question | None:
    """The question whose answer is being read (:func:`asking`), or None."""
    return _HELD.get()


def stem(word: str) -> str:
    """A word compared: lower case, a plural as its singular (``multiplications``, ``weights``)."""
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def _tokens(text: str) -> list[str]:
    return _WORDS_RE.findall(TEXT_BOX.sub(lambda m: " " + m.group(1) + " ", text).replace("\\", " "))


def _names(question: Question) -> set[str]:
    names = set(question.variables) | set(question.vocab.known_names())
    if question.unknown is not None:
        names.add(question.unknown.name)
    if question.model is not None:
        names |= set(question.model.names) | set(question.model.parameters)
    return names


def question_words(question: Question) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """(the stems of the question's own words, its coordinated pairs of words ``A and B``)."""
    found = _wording(question)
    return found.words, found.pairs


#: Nouns that name a quantity: in a label of an equation question each must name the unknown
#: (``The variance is sqrt(2/d)`` for the weight standard deviation names the wrong one).
_QUANTITY_NOUNS = frozenset({"variance", "var", "mean", "expectation", "expected", "std", "standard", "deviation",
                             "bound", "width", "derivative", "gradient", "loss", "gap"})
#: What a name conventionally stands for, when it is the unknown.
_NAMED_BY = {"sigma": ("std", "standard", "deviation"), "a": ("bound",)}


def _asked_nouns(question: Question) -> frozenset[str] | None:
    """For an equation question, the quantity nouns that may name its unknown: the words within
    three before the unknown's name in the prompt (``standard deviation sigma``, ``bound a``) and
    what the name conventionally stands for; None for another question."""
    if question.unknown is None:
        return None
    name = question.unknown.name
    tokens = _tokens(question.prompt)
    out = {stem(w) for w in _NAMED_BY.get(name, ())}
    for k, token in enumerate(tokens):
        if token == name:
            out |= {stem(w) for w in tokens[max(0, k - 3):k]}
    return frozenset(out)


#: Words of the subject that name what a question word names (a stem each): the weights are the
#: layer's parameters, a gradient is written grad.
_SYNONYMS = {"param": "weight", "parameter": "weight", "grad": "gradient"}


def _abbreviates(token: str, words: frozenset[str]) -> bool:
    """Whether a short word (three or four letters) abbreviates a question word by its first letter
    and letters of it in order (``fwd`` "forward", ``bwd`` "backward", ``mem`` "memory")."""
    if not 3 <= len(token) <= 4 or not token.isalpha():
        return False
    pattern = re.compile(".*?".join(map(re.escape, token)))
    return any(len(w) > len(token) and w[0] == token[0] and pattern.match(w) for w in words)


def recognised(label: str, whole: str = "", *, side: bool = False, question: Question | None = None) -> bool:
    """Whether ``label`` (words, a side of an equation with ``side``, or a subscripted scalar) is
    recognised as naming what ``question`` (default: the held one, :func:`asking`) asks (module
    docstring); ``whole`` is the answer it stands in (the other part of a coordination may be
    named there). True when there is no question."""
    question = _question(question)
    if question is None:
        return True
    found = _wording(question)
    words, pairs = found.words, found.pairs
    marked = _label_order(label)
    if marked is not None and marked != found.order:
        return False  # s''(t) for ds/dt, L'(t) for L(t): another derivative, whatever its words
    if side and whole and _indices_apart(question, label, whole):
        return False  # E[h_j] = x_i: the label names another entry than the value gives
    m = _SUBSCRIPTED.fullmatch(label)
    subscripted = m is not None and _plain_name(m.group("base")) in _names(question)
    if subscripted and m is not None:  # sigma_w, p_{keep}: by the subscript rule, never by its words
        if _subscript(question, _plain_name(m.group("base")), m.group("a") or m.group("b"), side):
            return True
        if not side:
            return False
    if side and question.unknown is None and any(
            _reindexed(label, notation, whole, set(question.variables) | set(question.vocab.known_names()))
            for notation in found.leading):
        return True  # the quantity as the prompt writes it first: "Write z_i = softmax(x)_i", "The gap x_y - x_j"
    bare_name = subscripted or (side and label.strip() in _names(question))  # L, y: that name, not the asked one
    if not bare_name and (not side or _WORDS_ONLY.fullmatch(TEXT_BOX.sub(lambda t: t.group(1), label))
                          or _WORD_NAME.fullmatch(label)):
        pair_words = frozenset(w for pair in pairs for w in pair)
        tokens = _with_parts_named([stem(t) for t in _tokens(label)], pair_words)
        said = set(_with_parts_named([stem(t) for t in _tokens(whole)], pair_words)) | set(tokens)
        prefixes = {w[:n] for w in words for n in range(4, min(len(w), _FAMILY) + 1)}
        asked = found.asked
        if asked is not None and any(t in _QUANTITY_NOUNS and t not in asked for t in tokens):
            return False  # a quantity of the question, not the one asked
        if any(t in found.others for t in tokens):
            return False  # bias of "no bias", layers of "L layers": not what is asked
        if tokens and all(t in words or t in GENERIC or (len(t) >= 4 and t[:_FAMILY] in prefixes)
                          or _abbreviates(t, words) or _SYNONYMS.get(t) in words for t in tokens) and not any(
                (a in tokens and b not in said) or (b in tokens and a not in said) for a, b in pairs):
            return True
    return side and _asked_side(question, label)


def _with_parts_named(tokens: list[str], parts: frozenset[str]) -> list[str]:
    """``tokens`` with the word of a coordinated part each abbreviation names (``fwd``: forward,
    ``mults_bwd``: backward), so that the coordination rule sees the part named."""
    return tokens + [w for t in tokens if t not in parts for w in parts
                     if _abbreviates(t, frozenset({w})) or (len(t) >= 4 and w.startswith(t))]


def unrecognised_subscript(text: str, question: Question | None = None) -> str | None:
    """The first word subscript on a parameter of the model of ``question`` (default: the held one)
    in ``text`` (plain or LaTeX: ``sigma_z``, ``\\sigma_{z}``, ``σ_z``) that is not recognised
    (:func:`recognised`), or None: a statement holding one is read by no reading that drops it."""
    question = _question(question)
    if question is None or question.model is None or not question.model.parameters:
        return None
    from .normalize import to_plain

    try:
        plain = to_plain(text)[0]
    except Exception:  # noqa: BLE001 - an unreadable text is refused by the reader itself
        return None
    names = "|".join(sorted(question.model.parameters, key=len, reverse=True))
    for m in re.finditer(rf"(?<![A-Za-z0-9_])({names})\s*_\s*(?:\{{([A-Za-z]+)\}}|([A-Za-z]+))(?![A-Za-z0-9_])", plain):
        sub = m.group(2) or m.group(3)
        model = question.model
        if sub in {*model.letters, *model.free, *model.parameters, *model.scalars}:
            continue  # an index, never a label
        if not _subscript(question, m.group(1), sub, False):
            return m.group(0)
    return None


#: A remark that is a label in shape: one to three words alone in a bracket, a bare noun phrase (``(FLOPs)``,
#: ``(weights + grads)``, ``(backward only)``), or a clause explaining a name (``, where k is the kernel
#: width``); a phrase with an operation word restates the value (``(prediction minus label)``), and one with
#: a negation, a participle or an article is a sentence: both left to :mod:`.sentences`.
_LABEL_REMARK = re.compile(r"\s*(?:\(\s*[A-Za-z]+(?:(?:\s*[+&/]\s*|\s+)[A-Za-z]+){0,2}\s*\)"
                           r"|[,;]?\s*(?:where|with)\s.*)\s*", re.I | re.S)


#: The words that negate: a bracket holding one is a sentence about the answer (``(bias not counted)``).
_NEGATING = frozenset({"not", "no", "never", "without", "non", "nor", "none"})


def remark_recognised(remark: str, whole: str, question: Question | None = None) -> bool:
    """Whether a remark the reader would set aside may be: a remark shaped as a label (words alone
    in a bracket, a clause explaining a name) is :func:`recognised`; any other remark (a comment, a
    justification: ``(He et al.)``, ``(unbiased, nothing to rescale)``) is left to :mod:`.sentences`;
    ``question`` defaults to the held one."""
    from .sentences import OPERATION_WORDS

    tokens = [t.lower() for t in _tokens(remark)]
    question = _question(question)
    asked = _wording(question).asked if question is not None else None
    if asked is not None and any(stem(t) in _QUANTITY_NOUNS and stem(t) not in asked for t in tokens):
        return False  # (the variance) beside the weight standard deviation: another quantity
    clause = re.match(r"\s*[,;]?\s*(?:where|with)\s", remark, re.I) is not None
    sentence = any(t in OPERATION_WORDS or t in _NEGATING or t.endswith("ed") or t in {"the", "a", "an"}
                   for t in tokens)
    if not _LABEL_REMARK.fullmatch(remark) or (not clause and sentence):
        return True  # a sentence: a verb, a negation, an article (``(bias not counted)``, ``(checked numerically)``)
    return recognised(remark.strip().strip("()[],;").strip(), whole, question=question)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


#: One notation of the prompt: up to ``=``, a comma, a bracket or a linking word.
_NOTATION_CHUNK = re.compile(r"\s*([^=,(]+?(?:\([^()]*\)(?:_\{?[A-Za-z0-9]\}?)?|\[[^\[\]]*\])?)\s*"
                             r"(?=$|=|,|\(|\s(?:for|of|with|so|that|in)\s)")


def _leading_notation(question: Question) -> tuple[str, ...]:
    """The notation the prompt opens with, after its opening words (``Var[y]`` of "Var[y] for y = ...",
    ``dL/dx`` of "The gradient dL/dx of L = ...", ``x_y - x_j`` of "The optimal gap x_y - x_j (j != y)"),
    and the one it equals there (``z_i`` and ``softmax(x)_i`` of "Write z_i = softmax(x)_i so that ..."):
    the asked quantity as the question writes it; none when the prompt opens with none."""
    names = _names(question)
    prompt = question.prompt
    pos = 0
    while (w := re.match(r"\s*([A-Za-z]+)(?=[\s,]|$)", prompt[pos:])) and w.group(1) not in names:
        pos += w.end()
    out: list[str] = []
    while (chunk := _NOTATION_CHUNK.match(prompt, pos)) and chunk.end() > pos \
            and re.search(r"[_\[(/^-]", chunk.group(1)):
        out.append(chunk.group(1))
        pos = chunk.end()
        if not prompt.startswith("=", pos):
            break
        pos += 1
    return tuple(out)


#: A subscript of one letter: an index (``z_i``, ``softmax(x)_{j}``).
_ONE_INDEX = re.compile(r"_\{?([A-Za-z])\}?(?![A-Za-z0-9])")
#: The letters that are indices by convention: only these are renamed (the label's ``y`` of "x_y" never is).
INDEX_LETTERS = frozenset("ijklmn")
#: An entry's one-letter index, subscripted or in brackets: ``x_i``, ``x_{j}``, ``x[k]``.
_ENTRY_INDEX = re.compile(_ONE_INDEX.pattern + r"|\[([A-Za-z])\]")
#: An index bound by a big operator: ``sum_k``, ``\max_{j}``, ``prod_l``.
_BOUND_INDEX = re.compile(r"(?:sum|max|min|prod)_\{?([A-Za-z])")


def _reindexed(label: str, notation: str, whole: str, names: set[str]) -> bool:
    """Whether ``label`` is the prompt's ``notation`` with its one-letter indices renamed, each to a
    letter the rest of the answer ``whole`` writes as a free subscript (``z_j = exp(x_j - ...)`` for
    "z_i"; not ``z_j = exp(x_i - ...)`` nor ``z_j = exp(x_i - ...)/sum_j ...``, which name one entry
    and give another); a value with no subscript (``x_y - x_k = oo``) gives every entry alike. Only
    an index letter (:data:`INDEX_LETTERS`) is renamed, to another that is no name of the question
    (``names``): ``y``, the label's entry in "x_y - x_j", stays, and two indices never become one
    (``x_j - x_y``, ``x_y - x_y``)."""
    pattern = "".join(re.escape(p) if k % 2 == 0 else _ONE_INDEX.pattern
                      for k, p in enumerate(_ONE_INDEX.split(_compact(notation))))
    m = re.fullmatch(pattern, _compact(label))
    if m is None:
        return False
    original, renamed = _ONE_INDEX.findall(_compact(notation)), m.groups()
    if len(set(renamed)) != len(set(original)) or any(
            o != r and (o not in INDEX_LETTERS or r not in INDEX_LETTERS or r in names)
            for o, r in zip(original, renamed, strict=True)):
        return False
    rest = _compact(whole).replace(_compact(label), "", 1)
    named = {a or b for a, b in _ENTRY_INDEX.findall(rest)}  # x_i, x[i]
    free = named - set(_BOUND_INDEX.findall(rest))
    return not named or all(r in free for r in renamed if r in INDEX_LETTERS)


def _plain_name(base: str) -> str:
    from .normalize import LETTERS, UNICODE

    if base.startswith("\\"):
        return LETTERS.get(base[1:], base[1:])
    return UNICODE.get(base, base)


def _subscript(question: Question, base: str, sub: str, side: bool) -> bool:
    """Whether the subscript ``sub`` on the scalar ``base`` says whose it is, as the question does."""
    model = question.model
    if model is not None and sub in model.random and re.search(
            rf"(?<![A-Za-z_]){re.escape(base)}(?![A-Za-z_])", model.random[sub]):
        return True  # sigma_w: w ~ N(0, sigma^2)
    if len(sub) > 1 and any(n.endswith("_" + sub) for n in question.variables):
        return True  # H_out: the question's own subscript word (C_in, C_out)
    tokens = [t.lower() for t in _tokens(question.prompt)]
    for k, t in enumerate(tokens):
        if t == base.lower() and stem(sub) in {stem(x) for x in tokens[max(0, k - 3):k + 4] if len(x) > 1}:
            return True  # p_keep: "keep probability p"
    return side and len(sub) > 1 and stem(sub) in {stem(t) for t in _tokens(question.id.replace("_", " "))}


def _asked_side(question: Question, side: str) -> bool:
    """Whether a side of an equation has the asked quantity's values at every point of the model."""
    if question.model is None or question.unknown is not None or not _wording(question).sides:
        return False
    from .derivation import _asked_for
    from .errors import AnswerError

    if not _names_a_random_quantity(question, side):
        return False  # E[x_i] = x_i with x fixed: the mean of a constant, whatever it equals
    try:
        judge, starts = question.side_judge  # its question values no sides: valuing never nests
        valued = judge.valued(_NABLA.sub(lambda g: f"d{g.group(2)}/d{g.group(1)}", side))
        return bool(valued.values) and bool(starts) and _asked_for(starts, valued)
    except (AnswerError, ValueError, TypeError, ArithmeticError, RecursionError):
        return False


def _names_a_random_quantity(question: Question, side: str) -> bool:
    """Whether a moment ``side`` names a random family or a defined quantity of the question's model
    (``h`` of ``E[h_i]``, ``y`` of ``Var[y]``), as the asked moment of a model with random families
    does; True for a model without any (``dL/dt``) and a side that takes no moment (``p x_i/p``). A
    moment of parameters alone (``E[x_i]``, ``E[x]`` with x fixed) names no quantity of the model,
    whatever its value."""
    model = question.model
    if model is None or not model.random:
        return True
    bases = set(model.random) | {d.name for d in model.definitions}
    from .normalize import to_plain

    try:
        plain = to_plain(side)[0]
    except Exception:  # noqa: BLE001 - an unreadable side is decided by its valuing
        return True
    if not _MOMENT.search(plain):
        return True  # p x_i/p = x_i: working that equals the answer, valued as such
    return any(re.search(rf"(?<![A-Za-z]){re.escape(b)}(?![A-Za-z])", plain) for b in bases)


#: A moment taken of something (``E[x_i]``, ``Var(h_i)``): a quantity of the model's random ones.
_MOMENT = re.compile(r"(?<![A-Za-z])(?:E|Var|Cov|Std)\s*[\[(]")


def valuing_no_sides(question: Question) -> Question:
    """``question`` as its own side valuation reads statements: the same question whose labels
    never value a side of an equation (:attr:`Wording.sides` False), so that valuing a side, which
    reads it, never values sides again."""
    return dataclasses.replace(question, wording=dataclasses.replace(_wording(question), sides=False))
