"""Question banks: TOML files whose references name derivations (or, for instructors, formulas).

A built-in bank for the sheet ships in ``grading/banks/sheet8.toml``; ``load(path)`` reads any
other. Each question declares its variables with assumption kinds, the answer syntax, an example,
a reference (``{claim = ...}`` or ``{formula = ...}``), accepted alternatives and known mistakes
(code, formula, feedback).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import sympy as sp

from .symbolic import X, Y, Vocabulary, softmax, symbol_for, vmax, vsum
from .equivalence import Domain
from .errors import AnswerError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VECTOR_ROLES = {"vector", "onehot", "softmax"}


class BankError(Exception):
    """A bank file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Mistake:
    code: str
    formula: sp.Expr
    feedback: str


@dataclass(frozen=True)
class Question:
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

    def spelled_out(self, answer: str) -> str:
        """An answer given in words the bank accepts ("no finite minimiser") as its formula ("oo")."""
        key = " ".join("".join(ch for ch in answer.lower() if ch.isalnum() or ch.isspace()).split())
        return self.words.get(key, answer)

    @property
    def vector(self) -> bool:
        return self.kind == "vector"

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "prompt": self.prompt, "kind": self.kind, "variables": dict(self.variables),
                "syntax": self.syntax, "example": self.example, "reference": self.reference_source,
                "diagnoses": [m.code for m in self.mistakes]}


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


def _expression(spec: dict, vocab: Vocabulary, where: str, code: str | None = None) -> tuple[sp.Expr, str]:
    from .reader import parse_answer

    if "claim" in spec:
        if "variant" in spec:
            expr = claim_expression(spec["claim"], "variant", spec["variant"])
            return to_grading_form(expr, vocab), f"derived: {spec['claim']} ({spec['variant']})"
        if code is not None:
            return to_grading_form(claim_expression(spec["claim"], "mistake", code), vocab), spec["claim"]
        return to_grading_form(claim_expression(spec["claim"]), vocab), f"derived: {spec['claim']}"
    if "formula" in spec:
        try:
            return parse_answer(spec["formula"], vocab).expr, spec["formula"]
        except AnswerError as err:
            raise BankError(f"{where}: formula {spec['formula']!r}: {err}") from None
    raise BankError(f"{where}: needs `claim` or `formula`")


def question_from(entry: dict, source: str) -> Question:
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
    reference, ref_source = _expression(entry.get("reference", {}), vocab, where)
    alternatives = tuple((_expression(a, vocab, where)[0], a.get("note", "")) for a in entry.get("alternatives", []))
    mistakes = []
    for m in entry.get("mistakes", []):
        if "code" not in m:
            raise BankError(f"{where}: a mistake without a code")
        expr, _ = _expression(m, vocab, where, code=m["code"])
        mistakes.append(Mistake(m["code"], expr, m.get("feedback", "")))
    return Question(
        id=qid, prompt=entry.get("prompt", ""), syntax=entry.get("syntax", ""), example=entry.get("example", ""),
        kind=entry.get("kind", "scalar"), vocab=vocab, domain=domain, reference=reference,
        reference_source=ref_source, alternatives=alternatives, mistakes=tuple(mistakes), unknown=unknown,
        simulation=entry.get("simulation"), stability=bool(entry.get("stability", False)),
        ratio_diagnosis=entry.get("ratio_diagnosis"), variables=kinds,
        words={" ".join(w.lower().split()): formula for formula, ws in entry.get("words", {}).items() for w in ws})


def parse_bank(text: str, source: str) -> dict[str, Question]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise BankError(f"{source}: not valid TOML ({err})") from None
    questions = {}
    for entry in data.get("question", []):
        q = question_from(entry, source)
        if q.id in questions:
            raise BankError(f"{source}: question {q.id} is defined twice")
        questions[q.id] = q
    if not questions:
        raise BankError(f"{source}: no [[question]] entries")
    return questions


@lru_cache(maxsize=8)
def load(path: str | None = None) -> dict[str, Question]:
    """The bank at ``path`` (default: the built-in sheet-8 bank).

    Building a bank derives its claims (seconds); the built questions are cached on disk, keyed
    by the bank's text and the sources of the derivations and of this package.
    """
    import hashlib

    from .cache import cached_pickle, source_hash

    if path is None:
        text, source = resources.files(__package__).joinpath("banks/sheet8.toml").read_text(), "built-in bank sheet8.toml"
    else:
        p = Path(path)
        try:
            text, source = p.read_text(), str(p)
        except OSError as err:
            raise BankError(f"{p}: cannot read ({err.strerror or err})") from None
    key = hashlib.sha256((text + source_hash("derivcheck.derivations", "derivcheck.grading")).encode()).hexdigest()[:16]
    return cached_pickle(f"bank-{key}.pickle", lambda: parse_bank(text, source))
