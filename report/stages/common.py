"""The stages every sheet's report runs: its claims derived and verified, its questions' known
mistakes confronted with the measurements, its worked examples checked. A sheet without claims
(formula questions only) gets its questions' typeset references and mistakes from here too.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import sympy as sp

from derivcheck import store
from derivcheck.derivations import derive
from derivcheck.derivations.claim import _SheetLatexPrinter
from derivcheck.derivations.symbols import LATEX_NAMES
from derivcheck.grading.grader import simulated_counterexample
from derivcheck.simulations import Verification, record_name, verify

from ..bank import bank
from ..worked import checked
from . import Build

#: How long the verifications take cold on 2 CPU cores (measured; printed when they start computing).
VERIFY_ESTIMATE = "20-40 s"

#: The packages whose sources each common stage's result follows.
DERIVE_SOURCES = ("derivcheck.derivations", "derivcheck.report")
WORKING_SOURCES = ("derivcheck.derivations", "derivcheck.grading", "derivcheck.report")


# --- typesetting as a person writes ---------------------------------------------------------

def _monomial(term: sp.Basic) -> bool:
    return all(f.is_Number or (isinstance(f.as_base_exp()[0], sp.Symbol) and f.as_base_exp()[1].is_Integer)
               for f in sp.Mul.make_args(term))


def _degree(term: sp.Basic) -> int:
    return sum(int(f.as_base_exp()[1]) for f in sp.Mul.make_args(term) if not f.is_Number)


class _PersonPrinter(_SheetLatexPrinter):
    """The derivations' printer, sums of monomials ordered as a person writes them."""

    def _as_ordered_terms(self, expr: sp.Basic, order: Any = None) -> list[sp.Basic]:
        terms = super()._as_ordered_terms(expr, order=order)
        if not isinstance(expr, sp.Add) or not all(_monomial(t) for t in terms):
            return terms
        return sorted(terms, key=lambda t: (1 if not t.is_Number else 2 if t.is_negative else 0, -_degree(t)))


def person_latex(expr: sp.Basic) -> str:
    """The derivations' LaTeX (:func:`derivcheck.derivations.claim.to_latex`) with one more rule
    of how a person writes a sum of monomials in the sheet's symbols: a positive constant first,
    then by falling degree, a negative constant last (1 - eps + eps/d, L K^2 + n L K + n K,
    3 L - 1); any other sum keeps that printer's order."""
    names = {sym: LATEX_NAMES[sym.name] for sym in expr.atoms(sp.Symbol) if sym.name in LATEX_NAMES}
    return str(_PersonPrinter({"symbol_names": names}).doprint(expr))


def rounded(expr: sp.Basic, digits: int = 4) -> sp.Basic:
    """``expr`` with every floating-point coefficient rounded to ``digits`` significant figures."""
    return expr.xreplace({f: sp.Float(float(f"{float(f):.{digits}g}"), digits) for f in expr.atoms(sp.Float)})


def _sign_into_factor(product: sp.Mul, at: dict[sp.Symbol, float]) -> sp.Basic:
    """A product as a person writes it: each sum negative on the question's domain (its value at
    the point ``at``) negated, taking the sign from the product's coefficient or from another such
    sum, so -(d - 1)(eps - 1)/eps and (1 - d)(eps - 1)/eps both read (1 - eps)(d - 1)/eps."""
    coeff, factors = product.as_coeff_mul()
    negative = [f for f in factors if isinstance(f, sp.Add) and f.free_symbols <= set(at)
                and float(f.subs(at)) < 0]
    flips = negative[:1] if coeff < 0 else []
    flips += negative[len(flips):][:2 * (len(negative[len(flips):]) // 2)]
    if not flips:
        return product
    sign = -1 if len(flips) % 2 else 1
    return sp.Mul(sign * coeff, *[sp.Mul(-1, f) if f in flips else f for f in factors])


def formula_latex(expr: sp.Basic, at: dict[str, float] | None = None) -> str:
    """A bank formula in LaTeX: the derivations' typeset names, vector sums as sums; with a point
    ``at`` of the question's domain, signs taken into the factors negative there."""
    if at:
        point = {s: at[s.name] for s in expr.free_symbols if s.name in at}
        expr = expr.replace(lambda e: isinstance(e, sp.Mul), lambda e: _sign_into_factor(e, point))
    text = person_latex(expr)
    return text.replace(r"\operatorname{sum}", r"\textstyle\sum").replace(r"\max{", r"\max\!{")


# --- the claims -----------------------------------------------------------------------------

def derive_all(claims: Iterable[str]) -> dict[str, Any]:
    """Every claim as printable strings: statement, LaTeX of the result, steps, variants."""
    out: dict[str, Any] = {}
    for c in claims:
        d = derive(c)
        out[c] = {**d.to_dict(), "latex": person_latex(d.result),
                  "steps": [{**step.to_dict(), "latex": person_latex(step.expr)} for step in d.steps],
                  "variants": {k: person_latex(e) for k, e in d.variants.items()},
                  "mistakes_latex": {k: person_latex(e) for k, e in d.mistakes.items()}}
    return out


def verify_all(claims: Iterable[str], seed: int, device: str, log: Callable[[str], None],
               fresh: bool = False) -> dict[str, dict]:
    """Every claim's ``verify --json --details`` record, by claim id.

    On the CPU each record is the store's one record of that claim's verification
    (:func:`derivcheck.simulations.record_name`), the one ``grade``, ``check`` and ``serve`` read
    for their counterexamples: whichever command asks first computes it, the others reuse it
    (``fresh`` recomputes and replaces it). A GPU run is computed afresh, never stored under the
    CPU's name."""
    out = {}
    claims = tuple(claims)
    for n, claim in enumerate(claims, 1):
        name = record_name(claim, seed)
        data = store.read(name) if device == "cpu" and not fresh else None
        try:
            record = None if data is None else Verification.from_dict(data)
        except (KeyError, TypeError, ValueError):
            record = None
        if record is None:
            record = verify(claim, seed=seed, device=device)
            if device == "cpu":
                store.write(name, record.to_dict())
        out[claim] = record.to_dict()
        took = "stored" if data is not None else f"{record.seconds:.1f} s"
        log(f"    [{n}/{len(claims)}] {claim}: {'pass' if record.passed else 'FAIL'} ({took})")
    return out


# --- the questions' mistakes ----------------------------------------------------------------

def _answer_is_one_root(claim: str) -> bool:
    """Whether ``claim``'s derivation ends on one square root (``sqrt(2 (1 - q)/d)``, as its sheet writes it)."""
    rhs = getattr(derive(claim).steps[-1].expr, "rhs", None) if derive(claim).steps else None
    return isinstance(rhs, sp.Pow) and rhs.exp == sp.S.Half


def in_answer_form(question: Any, formula: sp.Basic) -> sp.Basic:
    """A mistake written as its question's answer is: where the answer is one root, a product of
    square roots alone (``sqrt(2) sqrt(q)/sqrt(d)``) as one root too (``sqrt(2 q/d)``); a product
    with another factor (``2 sqrt(3)/sqrt(d)``, the factor the mistake is about) stays as it is."""
    factors = sp.Mul.make_args(formula)
    roots = all(isinstance(f, sp.Pow) and f.exp in (sp.S.Half, -sp.S.Half) for f in factors)
    if not (question.simulation and roots and _answer_is_one_root(question.simulation)):
        return formula
    from derivcheck.derivations.sheet9_model import one_root
    return one_root(formula)


def mistake_latex(question: Any, code: str, formula: sp.Basic, example: dict | None) -> str:
    """A mistake's formula as the report prints it: a vector question's as its claim derives it,
    entry by entry (``e^{x_i} / sum_k e^{x_k}``, a sum with its index), else the bank's formula
    (at the counterexample's point when there is one) in the form of the question's answer
    (:func:`in_answer_form`)."""
    if question.vector and question.simulation:
        derived = derive(question.simulation).mistakes
        if code in derived:
            return person_latex(derived[code])
    return formula_latex(in_answer_form(question, formula), example and example["at"])


def refutations(questions: dict[str, Any], verified: dict[str, dict]) -> dict[str, list[dict]]:
    """For each question and known mistake: the mistake's formula (and the bank's feedback), with
    the mistake's value at a simulated point against the measurement where the question's claim
    was verified. Mistakes that lead to the same formula make one row (``also`` lists the others)."""
    out: dict[str, list[dict]] = {}
    for q in questions.values():
        rows: list[dict[str, Any]] = []
        record = Verification.from_dict(verified[q.simulation]) if q.simulation in verified else None
        for m in q.mistakes:
            example = simulated_counterexample(q, m.formula, record.measurements) \
                if record and not q.vector else None
            row: dict[str, Any] = {"code": m.code, "latex": mistake_latex(q, m.code, m.formula, example),
                                   "feedback": m.feedback}
            if example:
                sim = example["simulated"]
                row.update(at=example["at"], mistake_value=example["answer_value"],
                           reference_value=example["reference_value"], quantity=sim["quantity"],
                           estimate=sim["estimate"], interval=tuple(sim["interval"]), refuted=sim["refutes"])
            same = next((r for r in rows if r["latex"] == row["latex"]), None)
            if same is None:
                rows.append(row)
            else:  # two mistakes that lead to one formula are listed once, under both names
                same.setdefault("also", []).append(m.code)
        out[q.id] = rows
    return out


def references(questions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each question's reference and other right answers, typeset: ``{"latex", "alternatives":
    [{"latex", "note"}]}`` (the sheet's formulas or its claims' derived results)."""
    return {q.id: {"latex": formula_latex(q.reference),
                   "alternatives": [{"latex": formula_latex(a), "note": note} for a, note in q.alternatives]}
            for q in questions.values()}


def by_problem(questions: Iterable[str]) -> dict[str, list[str]]:
    """Question ids grouped by problem, in order: ``p3.gradient`` belongs to problem ``"3"``; an id
    without a dot to no problem (``""``)."""
    grouped: dict[str, list[str]] = {}
    for qid in questions:
        head, dot, _ = qid.partition(".")
        grouped.setdefault(head.removeprefix("p") if dot else "", []).append(qid)
    return grouped


def mistake_groups(power: dict[str, float], formulas: dict[str, str]) -> list[dict[str, Any]]:
    """A check's power against each mistake, mistakes with one formula in one group:
    ``[{"codes": [...], "latex": formula or "", "power": p}]`` in the order of ``power``."""
    groups: list[dict[str, Any]] = []
    for code, p in power.items():
        latex = formulas.get(code, "")
        same = next((g for g in groups if latex and g["latex"] == latex), None)
        if same is None:
            groups.append({"codes": [code], "latex": latex, "power": p})
        else:
            same["codes"].append(code)
            same["power"] = min(same["power"], p)
    return groups


# --- the stages -----------------------------------------------------------------------------

def claims(build: Build) -> None:
    """Derive the sheet's claims (``d``) and verify them (``v``, ``passed``)."""
    claim_ids = build.sheet.claims
    build.context["d"] = build.stored("derive", build.key("derive", DERIVE_SOURCES, claim_ids),
                                      lambda: derive_all(claim_ids))
    stored = build.device == "cpu" and not build.fresh and all(store.read(record_name(c, build.seed)) is not None
                                                               for c in claim_ids)
    build.log(f"  verify       {'cached' if stored else 'running (about ' + VERIFY_ESTIMATE + ')'} ...")
    start = time.perf_counter()
    verified = verify_all(claim_ids, build.seed, build.device, build.log, build.fresh)
    build.timed("verify", time.perf_counter() - start, key=record_name("*", build.seed), hit=stored)
    build.context.update(v=verified, passed=all(c["passed"] for c in verified.values()))


def questions(build: Build) -> None:
    """The sheet's questions (``questions``, and their ids by problem, ``by_problem``), their typeset
    references (``references``), their mistakes against the measurements (``refuted``) and its
    worked examples checked (``working``)."""
    asked = bank(build.sheet)
    build.context.update(questions=asked, by_problem=by_problem(asked), mistake_groups=mistake_groups)
    build.context["working"] = build.stored("working", build.key("working", WORKING_SOURCES, build.sheet.text),
                                            lambda: checked(build.sheet))
    start = time.perf_counter()
    build.context["references"] = references(asked)
    build.context["refuted"] = refutations(asked, build.context.get("v", {}))
    build.timed("mistakes", time.perf_counter() - start)


#: The stages every sheet runs first, in order.
COMMON: tuple[Callable[[Build], None], ...] = (claims, questions)
