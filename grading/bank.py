"""Question banks: TOML files whose references name derivations (or, for instructors, formulas).

A sheet's bank is its ``sheet.toml`` (``derivcheck.sheets`` finds a sheet by id or path; a bank
file is a one-file sheet); ``load(sheet)`` reads it. Each question declares its variables with
assumption kinds, the answer syntax, an example, a reference (``{claim = ...}`` or
``{formula = ...}``), accepted alternatives and known mistakes (code, feedback, and ``claim`` or
``formula``). A question whose reference names a claim is checked against that claim's simulation
and takes its mistakes from that claim's derivation unless it names others (``simulation = ...``,
a mistake's ``claim = ...``).
"""
from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import sympy as sp

from .equivalence import Domain
from .errors import AnswerError
from .labels import Wording, report_texts, wording
from .limits import BANK
from .model import Model, ModelError, check_definitions, check_laws, model_from
from .symbolic import Vocabulary, X, Y, softmax, symbol_for, vmax, vsum
from .tree import Name
from .vocabulary import Defined, FunctionError, read_functions, tree_nodes, yielding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VECTOR_ROLES = {"vector", "onehot", "softmax"}


class BankError(Exception):
    """A bank file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Mistake:
    """A known mistake: its diagnosis code, the formula it leads to, the feedback it earns."""

    code: str
    formula: sp.Expr
    feedback: str


@dataclass(frozen=True)
class Question:
    """One question of a bank, its formulas already SymPy objects (see docs/interface.md for the
    TOML keys each field comes from)."""

    id: str
    prompt: str
    syntax: str
    example: str
    kind: str
    vocab: Vocabulary
    domain: Domain
    reference: sp.Expr
    reference_source: str
    alternatives: tuple[tuple[sp.Expr, str], ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    unknown: sp.Symbol | None = None
    simulation: str | None = None
    stability: bool = False
    ratio_diagnosis: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    model: Model | None = None
    step_mistakes: tuple[dict[str, Any], ...] = ()
    credit: dict[str, float] = field(default_factory=dict)
    example_working: tuple[str, ...] = ()
    sheet_variables: dict[str, str] = field(default_factory=dict)
    wording: Wording | None = None

    @cached_property
    def side_judge(self) -> tuple[Any, Any]:
        """A judge of this question's working (:class:`.lines.Judge`, default limits) and the asked
        quantity's values at its model's points, made when first asked: :func:`.labels.recognised`
        values a side of an answer's equation with it (``Var[y] =``)."""
        from .labels import valuing_no_sides
        from .lines import Judge

        judge = Judge(valuing_no_sides(self))
        return judge, judge.reference_values()

    def widened(self, names: Iterable[str]) -> Question:
        """This question with some of its :attr:`sheet_variables` (names another question of the
        sheet declares, with their kinds) declared too, in its names and as parameters of its
        model: an answer or a line that uses one is read with it as that sheet variable, and
        compared over its values (the reference does not depend on it)."""
        kinds = {n: self.sheet_variables[n] for n in names}
        if not kinds:
            return self
        symbols = {n: symbol_for(n, k) for n, k in kinds.items()}
        vocab = dataclasses.replace(self.vocab, symbols={**self.vocab.symbols, **symbols})
        domain = Domain(kinds={**self.domain.kinds, **{symbols[n]: k for n, k in kinds.items()}},
                        prefer=self.domain.prefer)
        model = self.model if self.model is None else dataclasses.replace(
            self.model, parameters={**self.model.parameters, **symbols}, kinds={**self.model.kinds, **kinds})
        return dataclasses.replace(self, vocab=vocab, domain=domain, model=model)

    def sheet_variables_in(self, text: str) -> list[str]:
        """The :attr:`sheet_variables` that ``text`` writes as a name of its own (``n``, ``n_in``,
        ``n_{in}``; not the n of ``\\nabla`` or of ``in``)."""
        found = []
        for name in self.sheet_variables:
            base, _, sub = name.partition("_")
            spelled = re.escape(base) + (rf"\s*_\s*(?:{re.escape(sub)}|\{{\s*{re.escape(sub)}\s*\}})" if sub else "")
            if re.search(rf"(?<![A-Za-z0-9\\]){spelled}(?![A-Za-z0-9_])", text):
                found.append(name)
        return found

    def spelled_out(self, answer: str) -> str:
        """An answer given in words the bank accepts ("no finite minimiser") as its formula ("oo"):
        a phrase of the bank's ``words``, or, where those phrases all mean infinity, any sentence
        that says so (:func:`~.sentences.says_infinite`: "the gap is unbounded", not "not infinite")."""
        from .sentences import says_infinite

        key = " ".join("".join(ch if ch.isalnum() or ch.isspace() else " " for ch in answer.lower()).split())
        if key in self.words:
            return self.words[key]
        compact = " ".join("".join(ch for ch in answer.lower() if ch.isalnum() or ch.isspace()).split())
        if compact in self.words:
            return self.words[compact]
        sentence = len(re.findall(r"[a-z]{3,}", key)) >= 2 and not re.search(r"[=*/^()]", answer)
        if set(self.words.values()) == {"oo"} and sentence and says_infinite(key):
            return "oo"
        return answer

    @property
    def vector(self) -> bool:
        """Whether answers are vectors, compared entry by entry."""
        return self.kind == "vector"

    def describe(self) -> dict[str, Any]:
        """The question as ``questions --json`` lists it."""
        out = {"id": self.id, "prompt": self.prompt, "kind": self.kind, "variables": dict(self.variables),
               "syntax": self.syntax, "example": self.example, "reference": self.reference_source,
               "diagnoses": [m.code for m in self.mistakes]}
        if self.model is not None:
            out["derivations"] = {"model": self.model.describe(),
                                  "step_diagnoses": [r["code"] for r in self.step_mistakes],
                                  "examples": list(self.example_working)}
        return out


def claim_expression(claim: str, part: str = "result", name: str | None = None) -> sp.Expr:
    """A derived expression: the result, a variant or a mistake of a claim (SymPy objects)."""
    from derivcheck.derivations import derive

    derivation = derive(claim)
    if part == "result":
        return derivation.result
    table = derivation.variants if part == "variant" else derivation.mistakes
    if name not in table:
        raise BankError(f"claim {claim!r} has no {part} {name!r} (it has: {', '.join(table) or 'none'})")
    return table[name]


def to_grading_form(expr: sp.Expr, vocab: Vocabulary) -> sp.Expr:
    """Rename a derivation's symbols to the question's and write indexed sums as vector operations."""
    if expr.has(sp.Indexed):
        def element(e: sp.Indexed) -> sp.Expr:
            base = str(e.base.label)
            return {"x": X, "y": Y, "z": softmax(X)}.get(base, e)

        expr = expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: vsum(e.function))
        expr = expr.replace(lambda e: isinstance(e, sp.Indexed), element)
        expr = expr.subs(sp.Symbol("m", real=True), vmax(X))
    mapping = {s: vocab.symbols[s.name] for s in expr.free_symbols if s.name in vocab.symbols}
    return expr.xreplace(mapping)


def _expression(spec: dict, vocab: Vocabulary, where: str, code: str | None = None) -> sp.Expr:
    """The formula a bank entry names: a derived result, variant or mistake, or a typed formula."""
    from .reader import parse_answer

    if "claim" in spec:
        if "variant" in spec:
            return to_grading_form(claim_expression(spec["claim"], "variant", spec["variant"]), vocab)
        if code is not None:
            return to_grading_form(claim_expression(spec["claim"], "mistake", code), vocab)
        return to_grading_form(claim_expression(spec["claim"]), vocab)
    if "formula" in spec:
        try:
            return parse_answer(spec["formula"], vocab).expr
        except AnswerError as err:
            raise BankError(f"{where}: formula {spec['formula']!r}: {err}") from None
    raise BankError(f"{where}: needs `claim` or `formula`")


def _source(spec: dict) -> str:
    """Where a reference comes from, in words: ``derived: claim (variant)`` or the formula."""
    if "claim" in spec:
        return f"derived: {spec['claim']}" + (f" ({spec['variant']})" if "variant" in spec else "")
    return str(spec.get("formula", ""))


def _with_claim(spec: dict, claim: str | None) -> dict:
    """A bank entry that names neither a claim nor a formula takes the question's reference claim."""
    return {**spec, "claim": claim} if claim and "claim" not in spec and "formula" not in spec else spec


def _formulas(entry: dict, vocab: Vocabulary, where: str) -> dict[str, list[sp.Expr]]:
    """The question's reference, alternatives and mistakes as SymPy (derivations run here)."""
    claim = entry.get("reference", {}).get("claim")
    mistakes = []
    for m in entry.get("mistakes", []):
        if "code" not in m:
            raise BankError(f"{where}: a mistake without a code")
        mistakes.append(_expression(_with_claim(m, claim), vocab, where, code=m["code"]))
    return {"reference": [_expression(entry.get("reference", {}), vocab, where)],
            "alternatives": [_expression(_with_claim(a, claim), vocab, where) for a in entry.get("alternatives", [])],
            "mistakes": mistakes}


#: The rules a bank's step mistake may name (``[[question.step_mistakes]] rule = ...``).
STEP_RULES = ("agrees_only_where", "chain_rule_dropped")


def _model(entry: dict, models: dict[str, dict], unknown: sp.Symbol | None, where: str,
           functions: Mapping[str, Defined] | None = None) -> Model:
    """The question's model (``model = "name"`` of a ``[[model]]`` table, or an inline table); a
    question that names none has the trivial model of its variables: its scalar variables as
    parameters, nothing random, no indices (so its working is read and valued as any other's)."""
    spec = entry.get("model")
    if spec is None:
        scalars = {str(n): str(k) for n, k in dict(entry.get("variables", {})).items() if k not in VECTOR_ROLES}
        return checked_model({"name": str(entry.get("id")), "parameters": scalars}, unknown, where, functions)
    table = models.get(spec) if isinstance(spec, str) else spec
    if not isinstance(table, dict):
        raise BankError(f"{where}: unknown model {spec!r} (the bank's models: {', '.join(models) or 'none'})")
    return checked_model(table, unknown, where, functions)


def checked_model(table: dict, unknown: sp.Symbol | None, where: str,
                  functions: Mapping[str, Defined] | None = None) -> Model:
    """A model from its table, validated as the bank loads: at most ``BANK.max_definitions``
    definitions, each readable under the answers' limits, none recursive or expanding past
    ``BANK.max_expanded_nodes``, known laws whose parameters are valid for every value of the
    model's parameters, and no name shared with a sheet function (otherwise a :class:`BankError`
    naming ``where``)."""
    try:
        if len(dict(table.get("define", {}))) > BANK.max_definitions:
            raise ModelError(f"model {table.get('name')}: {len(table['define'])} definitions "
                             f"(at most {BANK.max_definitions})")
        model = model_from(table, unknown, functions)
        check_laws(model)
        check_definitions(model, max_expanded=BANK.max_expanded_nodes)
        return model
    except ModelError as err:
        raise BankError(f"{where}: {err}") from None


def credit_weights(table: Any, where: str) -> dict[str, float]:
    """A ``[credit]`` table as floats: each key one the grader knows, each weight a finite number in
    [0, 1] (otherwise a :class:`BankError` naming the key)."""
    from .derivation import DEFAULT_CREDIT

    if not isinstance(table, dict):
        raise BankError(f"{where}: [credit] must be a table of weights")
    out = {}
    for key, value in table.items():
        if key not in DEFAULT_CREDIT:
            raise BankError(f"{where}: [credit] {key}: not a credit weight (known: {', '.join(DEFAULT_CREDIT)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise BankError(f"{where}: [credit] {key} = {value!r}: a credit weight is a finite number in [0, 1]")
        out[key] = float(value)
    return out


def _check_score_range(credit: dict[str, float], where: str) -> None:
    """A score is ``final x (final score) + working x (working score)``, each score in [0, 1]: it
    stays in [0, 1] when ``final + working <= 1``."""
    from .derivation import DEFAULT_CREDIT

    weights = {**DEFAULT_CREDIT, **credit}
    if weights["final"] + weights["working"] > 1 + 1e-12:
        raise BankError(f"{where}: [credit] final + working = {weights['final'] + weights['working']:g}: a score "
                        "could exceed 1 (they must add up to at most 1)")


def _check_sizes(entry: dict, where: str) -> None:
    """How many mistakes and alternatives a question has and how long its texts are (``BANK``)."""
    for key, most in (("mistakes", BANK.max_mistakes), ("alternatives", BANK.max_alternatives)):
        if len(entry.get(key, [])) > most:
            raise BankError(f"{where}: {len(entry[key])} {key} (at most {most})")
    texts = [("prompt", entry.get("prompt", "")), ("syntax", entry.get("syntax", "")),
             ("example", entry.get("example", "")),
             *((f"mistake {m.get('code')!r} feedback", m.get("feedback", "")) for m in entry.get("mistakes", [])
               if isinstance(m, dict))]
    for name, text in texts:
        if not isinstance(text, str):
            raise BankError(f"{where}: {name} must be text")
        if len(text) > BANK.max_text:
            raise BankError(f"{where}: {name} is {len(text):,} characters long (at most {BANK.max_text:,})")
    lines = len(entry.get("example", "").splitlines())
    if lines > BANK.max_example_lines:
        raise BankError(f"{where}: example has {lines} lines (at most {BANK.max_example_lines})")


#: Example workings a question may show at most.
MAX_WORKING_EXAMPLES = 8


def _example_working(entry: dict, where: str) -> tuple[str, ...]:
    """A question's ``example_working``: texts of derivations (one step a line) shown to students,
    each within the limits of an ``example``; only a question with a model accepts working."""
    texts = entry.get("example_working", [])
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise BankError(f"{where}: example_working must be a list of texts")
    if texts and entry.get("model") is None:
        raise BankError(f"{where}: example_working needs a model (working is checked line by line under it)")
    if len(texts) > MAX_WORKING_EXAMPLES:
        raise BankError(f"{where}: {len(texts)} example workings (at most {MAX_WORKING_EXAMPLES})")
    for text in texts:
        if len(text) > BANK.max_text or len(text.splitlines()) > BANK.max_example_lines:
            raise BankError(f"{where}: an example working is over {BANK.max_text:,} characters or "
                            f"{BANK.max_example_lines} lines")
    return tuple(texts)


def _step_mistakes(entry: dict, where: str) -> tuple[dict[str, Any], ...]:
    out = []
    for rule in entry.get("step_mistakes", []):
        if not isinstance(rule, dict) or "code" not in rule or rule.get("rule") not in STEP_RULES:
            raise BankError(f"{where}: a step mistake needs a code and a rule ({', '.join(STEP_RULES)})")
        out.append(dict(rule))
    return tuple(out)


def question_from(entry: dict, source: str, stored: dict | None = None,
                  models: dict[str, dict] | None = None, credit: dict | None = None,
                  functions: Mapping[str, Defined] | None = None, report: Any = None) -> Question:
    """One question of a bank; ``stored`` holds its formulas from the store (already derived);
    ``functions`` are the bank's ``[[function]]`` definitions, by spelling; ``report`` the sheet's
    ``[report]`` tables (words that labels of its answers may use, :func:`.labels.wording`)."""
    qid = entry.get("id")
    if not qid:
        raise BankError(f"{source}: a question without an id")
    where = f"{source}: question {qid}"
    _check_sizes(entry, where)
    kinds = dict(entry.get("variables", {}))
    try:
        symbols = {n: symbol_for(n, k) for n, k in kinds.items() if k not in VECTOR_ROLES}
        unknown_spec = entry.get("unknown", {})
        unknown = None
        for name, kind in unknown_spec.items():
            unknown = symbol_for(name, kind)
    except ValueError as err:
        raise BankError(f"{where}: {err}") from None
    vectors = {n: k for n, k in kinds.items() if k in VECTOR_ROLES}
    names = {*kinds, *unknown_spec, *entry.get("indices", [])}
    functions = yielding(functions or {}, names)
    _check_function_names(functions, names, where)
    vocab = Vocabulary(symbols={**symbols, **({unknown.name: unknown} if unknown is not None else {})},
                       vectors=vectors, indices=frozenset(entry.get("indices", [])),
                       forbidden=frozenset(entry.get("forbidden", [])), functions=functions)
    domain = Domain(kinds={symbols[n]: kinds[n] for n in symbols})
    formulas = _decode(stored, entry) if stored else None
    formulas = formulas or _formulas(entry, vocab, where)
    claim = entry.get("reference", {}).get("claim")
    question = Question(
        id=qid, prompt=entry.get("prompt", ""), syntax=entry.get("syntax", ""), example=entry.get("example", ""),
        example_working=_example_working(entry, where),
        kind=entry.get("kind", "scalar"), vocab=vocab, domain=domain, reference=formulas["reference"][0],
        reference_source=_source(entry.get("reference", {})),
        alternatives=tuple(zip(formulas["alternatives"], (a.get("note", "") for a in entry.get("alternatives", [])),
                                strict=True)),
        mistakes=tuple(Mistake(m["code"], f, m.get("feedback", ""))
                       for m, f in zip(entry.get("mistakes", []), formulas["mistakes"], strict=True)),
        unknown=unknown, simulation=entry.get("simulation", claim), stability=bool(entry.get("stability", False)),
        ratio_diagnosis=entry.get("ratio_diagnosis"), variables=kinds,
        words={" ".join(w.lower().split()): formula for formula, ws in entry.get("words", {}).items() for w in ws},
        model=_model(entry, models or {}, unknown, where, functions), step_mistakes=_step_mistakes(entry, where),
        credit=_question_credit(entry, credit, where))
    return dataclasses.replace(question, wording=wording(question, report_texts(report, qid)))


def _check_function_names(functions: Mapping[str, Defined], names: set[str], where: str) -> None:
    """A sheet function may not be named like a name of the question (its LaTeX spellings that are
    have given way already: :func:`.vocabulary.yielding`), nor use a constant the question
    redefines (``e``)."""
    for spelling, f in functions.items():
        if spelling in names:
            raise BankError(f"{where}: {spelling!r} is both a variable of the question and the function "
                            f"{f.name}{' (its latex ' + f.tex + ')' if spelling != f.name else ''}")
        shadowed = sorted({n.name for n in tree_nodes(f.body) if isinstance(n, Name)} & names - set(f.params))
        if shadowed:
            raise BankError(f"{where}: the function {f.name} uses the constant {shadowed[0]!r}, "
                            "a variable of this question")


def _question_credit(entry: dict, credit: dict | None, where: str) -> dict[str, float]:
    weights = {**(credit or {}), **credit_weights(entry.get("credit", {}), where)}
    _check_score_range(weights, where)
    return weights


def _decode(stored: dict, entry: dict) -> dict[str, list[sp.Expr]] | None:
    """Stored formula trees back as SymPy, or None when they do not fit the entry."""
    from .exprjson import NotStorable
    from .exprjson import load as from_tree

    try:
        formulas = {part: [from_tree(t) for t in stored[part]] for part in ("reference", "alternatives", "mistakes")}
    except (KeyError, TypeError, NotStorable):
        return None
    fits = (len(formulas["reference"]) == 1 and len(formulas["alternatives"]) == len(entry.get("alternatives", []))
            and len(formulas["mistakes"]) == len(entry.get("mistakes", [])))
    return formulas if fits else None


def parse_bank(text: str, source: str, stored: dict | None = None) -> dict[str, Question]:
    """The questions of a bank's TOML ``text``; ``stored`` maps question ids to stored formulas."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise BankError(f"{source}: not valid TOML ({err})") from None
    questions = {}
    tables = data.get("model", [])
    if not isinstance(tables, list) or len(tables) > BANK.max_models:
        raise BankError(f"{source}: `model` must be an array of at most {BANK.max_models} tables ([[model]])")
    try:
        functions = read_functions(data.get("function", []))
    except FunctionError as err:
        raise BankError(f"{source}: {err}") from None
    models = {str(m.get("name")): m for m in tables if isinstance(m, dict)}
    built = [checked_model(table, None, source, functions) for table in models.values()]
    credit = credit_weights(data.get("credit", {}), source)
    _check_score_range(credit, source)
    entries = data.get("question", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BankError(f"{source}: `question` must be an array of tables ([[question]])")
    if len(entries) > BANK.max_questions:
        raise BankError(f"{source}: {len(entries)} questions (at most {BANK.max_questions})")
    for entry in entries:
        try:
            q = question_from(entry, source, (stored or {}).get(str(entry.get("id"))), models, credit, functions,
                              data.get("report"))
        except (TypeError, AttributeError, ValueError, KeyError, IndexError) as err:
            raise BankError(f"{source}: question {entry.get('id')!r} is malformed "
                            f"({type(err).__name__}: {str(err)[:160]})") from None
        if q.id in questions:
            raise BankError(f"{source}: question {q.id} is defined twice")
        questions[q.id] = q
    if not questions:
        raise BankError(f"{source}: no [[question]] entries")
    declared = {str(e.get("id")): {**dict(e.get("variables", {})), **dict(e.get("unknown", {}))} for e in entries}
    shared = sheet_variables([(q, declared[q.id]) for q in questions.values()], built, functions)
    problems: dict[str, set[str]] = {}
    for qid, names in declared.items():
        problems.setdefault(problem_of(qid), set()).update(names)
    return {qid: dataclasses.replace(q, sheet_variables=others(q, {
        n: k for n, k in shared.items() if n in problems[problem_of(qid)]})) for qid, q in questions.items()}


def problem_of(question_id: str) -> str:
    """The problem a question belongs to: its id up to the first dot (``p4`` of ``p4.weights``)."""
    return question_id.split(".", 1)[0]


def sheet_variables(questions: Iterable[tuple[Question, Mapping[str, str]]], models: Iterable[Model],
                    functions: Mapping[str, Defined]) -> dict[str, str]:
    """The names the sheet defines with ONE meaning, name -> assumption kind: a scalar variable or
    unknown of a question that every question declaring it declares with the same kind, and that
    nothing of the sheet uses otherwise: no question's vector, index or model uses it but as a
    parameter of that kind, nor is it an entry of such a name (``x_i`` beside the family x), and it
    is no spelling of a sheet function. The kind and the models are the meaning a sheet states:
    ``k`` of sheet 9 (the kernel size, and an index of the layers' sums), ``y`` (a label in [0, 1],
    a layer's output), ``x_i`` (a fixed input, and an entry of a layer's random input), ``s``
    (defined as sigmoid(t)) and ``sigma`` (a standard deviation, and the LaTeX of sigmoid) are
    none; ``n``, ``d``, ``C_in`` are. Each question comes with its declarations (its variables and
    unknown, name -> kind)."""
    kinds: dict[str, set[str]] = {}
    declared: set[str] = set()
    elsewhere: set[str] = set(functions)
    models = list(models)
    for q, own in questions:
        for name, kind in own.items():
            if kind in VECTOR_ROLES:
                elsewhere.add(name)
            else:
                declared.add(name)
                kinds.setdefault(name, set()).add(kind)
        elsewhere |= set(q.vocab.indices)
        if q.model is not None:
            models.append(q.model)
    for model in models:
        for name in model.names | set(model.vectors):
            if name in model.kinds:
                kinds.setdefault(name, set()).add(model.kinds[name])
            elif name not in model.parameters:  # an equation question's unknown is a parameter without a kind
                elsewhere.add(name)
    return {n: next(iter(kinds[n])) for n in sorted(declared)
            if len(kinds[n]) == 1 and n not in elsewhere and n.split("_", 1)[0] not in elsewhere}


def others(question: Question, shared: Mapping[str, str]) -> dict[str, str]:
    """The variables of ``shared`` (the sheet's variables, :func:`sheet_variables`, that the
    questions of ``question``'s problem declare) that its answer does not use: none of its own
    names (variables, unknown, indices, forbidden names, its model's names). A vector question
    admits none (its answers are compared entry by entry, over the logits alone). Only the
    problem's names: the setting of a problem is shared by its questions (``n`` is the batch size
    of every question of sheet 9's problem 4), while a name of another problem written in an
    answer is most often a renamed variable (``sqrt(2/n)`` for the fan-in d), left invalid."""
    if question.vector:
        return {}
    own = {*question.variables, *question.vocab.known_names(), *question.vocab.indices, *question.vocab.forbidden,
           *(question.model.names if question.model is not None else ()),
           *([question.unknown.name] if question.unknown is not None else [])}
    return {n: k for n, k in shared.items() if n not in own}


@lru_cache(maxsize=8)
def load(path: str | None = None) -> dict[str, Question]:
    """The bank of the sheet ``path`` (default: the default sheet): a built-in sheet's id, a sheet
    folder, or a bank's TOML file (a one-file sheet); see :func:`derivcheck.sheets.sheet`.

    Building a bank derives its claims (seconds); the derived formulas are kept in the store as
    JSON trees, named by the sheet's id and keyed by its text and where it comes from and by the
    sources of the derivations and of this package.
    """
    from derivcheck.sheets import SheetError, sheet

    try:
        current = sheet(path)
        text, source = current.bank_text(), current.source
    except SheetError as err:
        raise BankError(str(err)) from None
    import hashlib

    from derivcheck import store

    from .exprjson import NotStorable, dump

    code = store.source_hash("derivcheck.derivations", "derivcheck.grading")
    name = f"bank-{current.key}-{hashlib.sha256((text + source + code).encode()).hexdigest()[:12]}"
    stored = store.read(name)
    bank = parse_bank(text, source, stored if isinstance(stored, dict) else None)
    if stored is None:
        with contextlib.suppress(NotStorable):  # a formula outside exprjson's whitelist: derive it again next time
            store.write(name, {q.id: {"reference": [dump(q.reference)],
                                      "alternatives": [dump(a) for a, _ in q.alternatives],
                                      "mistakes": [dump(m.formula) for m in q.mistakes]} for q in bank.values()})
    return bank
