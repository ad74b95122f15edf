"""Question banks: TOML files whose references name derivations (or, for instructors, formulas).

The current sheet's bank ships inside the package (``derivcheck.sheets`` names it); ``load(path)``
reads any other. Each question declares its variables with assumption kinds, the answer syntax,
an example, a reference (``{claim = ...}`` or ``{formula = ...}``), accepted alternatives and
known mistakes (code, feedback, and ``claim`` or ``formula``). A question whose reference names a
claim is checked against that claim's simulation and takes its mistakes from that claim's
derivation unless it names others (``simulation = ...``, a mistake's ``claim = ...``).
"""
from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import sympy as sp

from .equivalence import Domain
from .errors import AnswerError
from .model import Model, ModelError, check_text, model_from
from .symbolic import Vocabulary, X, Y, softmax, symbol_for, vmax, vsum

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

    def spelled_out(self, answer: str) -> str:
        """An answer given in words the bank accepts ("no finite minimiser") as its formula ("oo")."""
        key = " ".join("".join(ch for ch in answer.lower() if ch.isalnum() or ch.isspace()).split())
        return self.words.get(key, answer)

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
                                  "step_diagnoses": [r["code"] for r in self.step_mistakes]}
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


def _model(entry: dict, models: dict[str, dict], unknown: sp.Symbol | None, where: str) -> Model | None:
    """The question's model (``model = "name"`` of a ``[[model]]`` table, or an inline table)."""
    spec = entry.get("model")
    if spec is None:
        return None
    table = models.get(spec) if isinstance(spec, str) else spec
    if not isinstance(table, dict):
        raise BankError(f"{where}: unknown model {spec!r} (the bank's models: {', '.join(models) or 'none'})")
    try:
        model = model_from(table, unknown)
        for definition in model.definitions:
            check_text(model, definition.text)
        return model
    except ModelError as err:
        raise BankError(f"{where}: {err}") from None


def _step_mistakes(entry: dict, where: str) -> tuple[dict[str, Any], ...]:
    out = []
    for rule in entry.get("step_mistakes", []):
        if not isinstance(rule, dict) or "code" not in rule or rule.get("rule") not in STEP_RULES:
            raise BankError(f"{where}: a step mistake needs a code and a rule ({', '.join(STEP_RULES)})")
        out.append(dict(rule))
    return tuple(out)


def question_from(entry: dict, source: str, stored: dict | None = None,
                  models: dict[str, dict] | None = None, credit: dict | None = None) -> Question:
    """One question of a bank; ``stored`` holds its formulas from the store (already derived)."""
    qid = entry.get("id")
    if not qid:
        raise BankError(f"{source}: a question without an id")
    where = f"{source}: question {qid}"
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
    vocab = Vocabulary(symbols={**symbols, **({unknown.name: unknown} if unknown is not None else {})},
                       vectors=vectors, indices=frozenset(entry.get("indices", [])),
                       forbidden=frozenset(entry.get("forbidden", [])))
    domain = Domain(kinds={symbols[n]: kinds[n] for n in symbols})
    formulas = _decode(stored, entry) if stored else None
    formulas = formulas or _formulas(entry, vocab, where)
    claim = entry.get("reference", {}).get("claim")
    return Question(
        id=qid, prompt=entry.get("prompt", ""), syntax=entry.get("syntax", ""), example=entry.get("example", ""),
        kind=entry.get("kind", "scalar"), vocab=vocab, domain=domain, reference=formulas["reference"][0],
        reference_source=_source(entry.get("reference", {})),
        alternatives=tuple(zip(formulas["alternatives"], (a.get("note", "") for a in entry.get("alternatives", [])),
                                strict=True)),
        mistakes=tuple(Mistake(m["code"], f, m.get("feedback", ""))
                       for m, f in zip(entry.get("mistakes", []), formulas["mistakes"], strict=True)),
        unknown=unknown, simulation=entry.get("simulation", claim), stability=bool(entry.get("stability", False)),
        ratio_diagnosis=entry.get("ratio_diagnosis"), variables=kinds,
        words={" ".join(w.lower().split()): formula for formula, ws in entry.get("words", {}).items() for w in ws},
        model=_model(entry, models or {}, unknown, where), step_mistakes=_step_mistakes(entry, where),
        credit={**(credit or {}), **{k: float(v) for k, v in entry.get("credit", {}).items()}})


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
    models = {str(m.get("name")): m for m in data.get("model", []) if isinstance(m, dict)}
    credit = {k: float(v) for k, v in data.get("credit", {}).items()}
    entries = data.get("question", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BankError(f"{source}: `question` must be an array of tables ([[question]])")
    for entry in entries:
        try:
            q = question_from(entry, source, (stored or {}).get(str(entry.get("id"))), models, credit)
        except (TypeError, AttributeError, ValueError, KeyError, IndexError) as err:
            raise BankError(f"{source}: question {entry.get('id')!r} is malformed "
                            f"({type(err).__name__}: {str(err)[:160]})") from None
        if q.id in questions:
            raise BankError(f"{source}: question {q.id} is defined twice")
        questions[q.id] = q
    if not questions:
        raise BankError(f"{source}: no [[question]] entries")
    return questions


@lru_cache(maxsize=8)
def load(path: str | None = None) -> dict[str, Question]:
    """The bank at ``path`` (default: the current sheet's bank).

    Building a bank derives its claims (seconds); the derived formulas are kept in the store as
    JSON trees, keyed by the bank's text and the sources of the derivations and of this package.
    """
    if path is None:
        from derivcheck.sheets import sheet

        current = sheet()
        text, source = current.bank_text(), f"built-in bank of {current.title}"
    else:
        try:
            text, source = Path(path).read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as err:
            raise BankError(f"{path}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    import hashlib

    from derivcheck import store

    from .exprjson import NotStorable, dump

    code = store.source_hash("derivcheck.derivations", "derivcheck.grading")
    name = f"bank-{hashlib.sha256((text + source + code).encode()).hexdigest()[:16]}"
    stored = store.read(name)
    bank = parse_bank(text, source, stored if isinstance(stored, dict) else None)
    if stored is None:
        with contextlib.suppress(NotStorable):  # a formula outside exprjson's whitelist: derive it again next time
            store.write(name, {q.id: {"reference": [dump(q.reference)],
                                      "alternatives": [dump(a) for a, _ in q.alternatives],
                                      "mistakes": [dump(m.formula) for m in q.mistakes]} for q in bank.values()})
    return bank
