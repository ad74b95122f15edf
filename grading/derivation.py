"""Judging a derivation: the walk over its lines, its record and its credit.

Each line is valued and compared with the one before it by :mod:`.lines` (the question's model,
its points and the precision policy of :mod:`.equivalence`); a wrong line is named by
:mod:`.mistakes`. The final statement is graded as a single answer is (:mod:`.grader`); the bank's
credit weights combine it with the working, crediting only what was decided.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import sympy as sp

from derivcheck.derivations.claim import to_latex

from .bank import Question
from .equivalence import Decision, decide
from .limits import DEFAULT, Limits
from .lines import ALPHA, WORK_LIMIT, Judge, Judgement, Valued, _same, describe
from .mistakes import GENERIC_STEP_MISTAKES, mistake_words, name_line
from .probability import OPERATORS
from .reader import split_equals
from .steps import WorkingLine, beside, changes_the_line, lines, split
from .vocabulary import CONSTANT, FUNCTION

#: The most lines a derivation may have, and its longest text (a multiple of one answer's).
MAX_LINES = 60
MAX_LENGTH_FACTOR = 8
#: Lines are judged until their work passes :data:`.lines.WORK_LIMIT` (a count, the same on an idle
#: or a busy machine); later lines are undecided. The share of the check's budget (this thread's CPU
#: seconds) is only a safety net that leaves time for the final statement's grading.
TIME_SHARE = 0.7
DEFAULT_CREDIT = {"final": 0.5, "working": 0.5, "per_wrong_step": 0.5}


# --- the record ----------------------------------------------------------------------------

def check_derivation(question: Question, answer: str, final: Callable[[str], dict[str, Any]],
                     limits: Limits = DEFAULT) -> dict[str, Any]:
    """docs/interface.md's derivation record: ``final(text)`` grades the final statement as a single
    answer; every line is judged against its predecessor; the bank's credit combines them."""
    start = time.thread_time()  # this thread's CPU: a server's or a sandbox's other threads never spend it
    if len(answer) > MAX_LENGTH_FACTOR * limits.max_length or len(lines(answer)) > MAX_LINES:
        return {"question": question.id, "answer": answer, "verdict": "invalid", "score": 0.0, "diagnoses": [],
                "parsed": None, "status": "invalid", "steps": [], "first_wrong": None,
                "feedback": f"A derivation may have at most {MAX_LINES} lines and "
                            f"{MAX_LENGTH_FACTOR * limits.max_length:,} characters."}
    judge = Judge(question, limits)
    known = _known_names(question, judge)
    steps = beside(split(answer, judge.equation, frozenset(known)), known)
    pieces = [p for step in steps if not step.defines_only for p in step.pieces(judge.equation)]
    label = bool(pieces) and not judge.equation and (is_label(question, pieces[0]) or _worded(pieces[0], known)) \
        and names_the_asked(question, pieces[0])
    if pieces:
        judge.name_free_indices(pieces[0])
        if (label or judge.read(pieces[0]).expr is None) and len(pieces) > 1:
            judge.name_free_indices(pieces[1])  # line 0 names nothing when it cannot be read: line 1 does,
            # as a final statement names its own (z_q - y alone is read with q the free index)
    deadline = start + TIME_SHARE * limits.seconds
    judge.budget_lines = max(1, len(steps) - 1)
    records: list[dict[str, Any]] = []
    prev: Valued | None = None
    prev_text = ""
    starts = judge.reference_values() or None
    in_force: list[tuple[str, str]] = []  # the definitions written beside lines so far
    statements = 0  # the lines so far that state something (not definitions alone)
    for step in steps:
        refused = judge.define(step.definitions) if step.definitions else None
        if refused is None and step.laws:
            refused = judge.introduce(step.laws, step.relations)
        if refused is None and step.reason and changes_the_line(step.reason):
            refused = (f"the justification '{step.reason[:60]}' says the line's value is changed; write the line "
                       f"as it is meant")
        if refused is None:
            refused = false_remark(question, judge, step)
        if refused is not None:
            records.append(_step_record(step, Judgement("invalid", "invalid", note=refused), judge, None))
            continue
        in_force.extend(step.definitions)
        for noted in step.noted:  # a justification's definitions: in force where they read, else set aside
            if judge.define((noted,)) is None:
                in_force.append(noted)
        if step.defines_only:  # a line of definitions alone: true by definition, it fixes nothing
            said = ", ".join(f"{name} = {value}" for name, value in step.definitions) or \
                ", ".join(f"{name} ~ {law}" for name, law in step.laws)
            verdict = "ok" if records else "start"
            records.append(_step_record(step, Judgement(verdict, "definition", note=(
                f"a definition ({said[:80]}), in force from this line on; the next line is judged against the "
                f"line before it")), judge, None))
            continue
        statements += 1
        for m, piece in enumerate(step.pieces(judge.equation)):
            if judge.work > WORK_LIMIT or time.thread_time() > deadline:
                spent = "work limit" if judge.work > WORK_LIMIT else "time limit (CPU safety net)"
                late = Judgement("undecided", "undecided", note=f"{spent} reached before this line")
                records.append(_step_record(step, late, judge, judge.read(piece).expr))  # not valued: read here
                break
            first = statements == 1 and m == 0
            if judge.equation and not first and question.unknown is not None and len(split_equals(piece)) == 1:
                piece = f"{question.unknown.name} = {piece}"  # a bare value after solving: the unknown's value
            if first and label:
                records.append(_step_record(step, Judgement("start", "start", note=(
                    "a label: read as the quantity the question asks for")), judge, None))
                continue
            cur = judge.valued(piece)
            judgement = _judge_piece(judge, prev, cur, prev_text, starts, first, piece)
            if m == 0:
                records.append(_step_record(step, judgement, judge, cur.read))
            elif judgement.verdict not in ("ok", "start") and records[-1]["verdict"] in ("ok", "start"):
                note = f"link {m} of this line ('{piece.strip()[:60]}'): "
                record = _step_record(step, judgement, judge, cur.read)
                records[-1] = record | {"line": step.line, "note": note + record["note"]}
            elif judgement.verdict == "ok" and records[-1]["verdict"] == "start":
                if records[-1]["read"] is None and cur.read is not None:
                    read = _step_record(step, judgement, judge, cur.read)  # a label, then links: the line as read
                    records[-1] |= {"read": read["read"], "latex": read["latex"]}
                if len(records) > 1:  # the quantity named after definitions (line 0), and a right link: ok
                    records[-1] |= {"verdict": "ok"}
            if cur.values and judgement.verdict != "undecided" and records[-1]["verdict"] != "invalid":
                prev, prev_text = cur, piece  # an undecided line is skipped over, and so is an unreadable one
                # whole: a later link of a line that could not be read (its = split inside a remark) is no
                # line to judge the next against
    first_wrong = next((k for k, r in enumerate(records) if r["verdict"] == "wrong"), None)
    stated = [step for step in steps if not step.defines_only]
    final_text = stated[-1].pieces(judge.equation)[-1] if stated else answer
    outcome = final(_with_definitions(judge.model.called(final_text), in_force))  # read as its line was
    return _combine(question, answer, outcome, records, first_wrong)


#: ``name = number`` in a remark, and the words that make it the only case the line holds for.
_POINT = re.compile(r"(?<![A-Za-z\\_])(?P<name>[A-Za-z]+)\s*=\s*(?P<value>[-+]?\d+(?:\.\d+)?(?:/\d+)?)(?![\w.^])")
_ONLY = re.compile(r"(?<![A-Za-z])(?:only|just|solely|exclusively)(?![A-Za-z])", re.I)
#: A name described in words: ``(p the drop probability)``, ``, where p is the drop probability``,
#: ``(with d the number of classes)``, ``p denotes the keep probability``.
_DESCRIBED = re.compile(r"(?:^|[(,;]|\b(?:where|with)\b)\s*(?:where\s+|with\s+)?(?P<name>\\?[A-Za-z]+(?:_\{?\w+\}?)?)"
                        r"\s+(?:is\s+|=\s*|denotes\s+|being\s+|as\s+)?(?:the|a|an)\s+"
                        r"(?P<words>[A-Za-z][A-Za-z -]*[A-Za-z])",
                        re.I)


def false_remark(question: Question, judge: Judge, step: WorkingLine) -> str | None:
    """Why a line's remark (its justification, or a clause beside its statement) states something
    false about the question's own names, so the line cannot be judged as the student means it;
    None when it states nothing so (``(since E[w] = 0)``, ``(where d is the number of inputs)``).

    - a redefinition: ``name = value`` of a name the model defines (not a parameter: ``(a =
      sqrt(3/d))`` sets a case), with a value that is an expression (``(with s = sigma(-t))``) and
      differs from the name's own at the model's points (s = sigmoid(t) there); the same value
      (``(s = 1/(1 + e^{-t}))``) is true and harmless, and so is a value at a point (``(with s =
      1/2)``: a case the line goes on to);
    - a restriction: ``name = number`` of a parameter with "only" (``(for d = 1 only)``): the line
      claims to hold at that point only, while it is stated for every one;
    - a description that the question gives to another of its names: ``(p the drop probability)``
      where the prompt says "q the drop probability" or "drop probability q" (the description's
      words next to a name, in either order)."""
    from .steps import _reason_pieces, definition

    model = question.model
    remarks = [step.reason] if step.reason else []
    clause = re.search(r"(?:,|\\q?quad)\s*(?:where|with)\s.*$", step.text)
    if clause is not None:
        remarks.append(clause.group(0))
    if model is None or not remarks:
        return None
    defined = {d.name for d in model.definitions if not d.index} - set(model.parameters)
    for remark_text in remarks:
        said = re.sub(r"\\(?:text|mathrm|textrm|mbox)\{([^{}]*)\}", r" \1 ", remark_text)
        if _ONLY.search(said):
            for m in _POINT.finditer(said):
                if m.group("name") in model.parameters:
                    return (f"the justification says the line holds only for {m.group(0)}, while it is stated for "
                            f"every value; write the line as it is meant")
        if not judge.equation:
            for piece in _reason_pieces(remark_text):
                found = definition(piece)
                if found is None or found[0] not in defined or _POINT.fullmatch(f"{found[0]} = {found[1].strip()}"):
                    continue
                if _differs(judge, found[0], found[1]):
                    return (f"the justification says {found[0]} = {found[1][:40]}, which is not the question's "
                            f"{found[0]}; write the line in the question's names")
        for m in _DESCRIBED.finditer(said):
            other = _described_as(question, m.group("name").lstrip("\\"), m.group("words"))
            if other is not None:
                return (f"the justification calls {m.group('name')} the {m.group('words')}, which the question calls "
                        f"{other}; write the line in the question's names")
    return None


def _differs(judge: Judge, name: str, value: str) -> bool:
    """Whether ``value`` has other values than the model's ``name`` at the model's points (both
    read; an unreadable one is no counterexample)."""
    mine, theirs = judge.valued(name), judge.valued(value)
    if not mine.values or not theirs.values or mine.error or theirs.error:
        return False
    pairs = zip(mine.values, theirs.values, strict=False)
    return any(_same(a, b, set(), k)[0] is False for k, (a, b) in enumerate(pairs))


def _described_as(question: Question, name: str, words: str) -> str | None:
    """The other name of the question that its prompt describes by ``words`` (``q`` for "drop
    probability" in "... (q the drop probability)" or "drop probability q"), or the prompt's own
    description of ``name`` when it has the same head noun with other words ("q the keep
    probability" where the prompt says "q the drop probability"); None when the prompt gives these
    words to ``name`` itself or describes neither."""
    names = set(question.variables) | (set(question.model.names) if question.model is not None else set())
    if name not in names:
        return None
    phrase = r"\s+".join(re.escape(w) for w in words.split())
    prompt = "\n".join(problem_prompts(question))
    own = re.search(rf"(?<![A-Za-z_]){re.escape(name)}\s+(?:is\s+)?(?:the|a|an)\s+([A-Za-z][A-Za-z -]*[A-Za-z])",
                    prompt)
    before = re.search(rf"([A-Za-z]+(?:\s+[A-Za-z]+)?)\s+{re.escape(name)}(?![A-Za-z0-9_(\[])", prompt)
    mine = words.lower().split()
    for said in (own, before):  # "q the drop probability", "(keep probability p)": the prompt's own words
        if said is None:
            continue
        theirs = said.group(1).lower().split()
        if theirs[-1] == mine[-1] and theirs[-len(mine):] != mine:
            return f"the {said.group(1)}"  # the same head noun with other words: another quantity
    for m in re.finditer(rf"(?<![A-Za-z]){phrase}(?![A-Za-z])", prompt, re.I):
        near_before = re.search(r"([A-Za-z]+(?:_\{?\w+\}?)?)\s+(?:is\s+)?(?:the|a|an)\s+$", prompt[:m.start()])
        after = re.match(r"\s+\$?([A-Za-z]+(?:_\{?\w+\}?)?)(?![A-Za-z])", prompt[m.end():])
        for near in (near_before, after):
            if near is not None and near.group(1) in names:
                return None if near.group(1) == name else near.group(1)
    return None


_PROMPTS: dict[tuple[str, str], tuple[str, ...]] = {}


def problem_prompts(question: Question) -> tuple[str, ...]:
    """The question's prompt, then those of the other questions of its problem (the same id before
    the dot, ``p2.``) in the built-in sheet whose bank holds this very question (same id and
    prompt): a problem's prompts describe its names once for all its questions (sheet 9's "(p the
    keep probability)" of p2.mean holds for p2.variance). Only its own prompt for another bank."""
    key = (question.id, question.prompt)
    if key not in _PROMPTS:
        from derivcheck.sheets import builtin, sheet

        found: tuple[str, ...] = (question.prompt,)
        problem = question.id.split(".")[0] + "."
        for name in builtin():
            try:
                rows = sheet(name).data.get("question", [])
            except Exception:  # noqa: BLE001 - a sheet that cannot be read describes nothing
                continue
            if any(q.get("id") == question.id and q.get("prompt") == question.prompt for q in rows):
                found += tuple(str(q.get("prompt", "")) for q in rows
                               if str(q.get("id", "")).startswith(problem) and q.get("id") != question.id)
                break
        _PROMPTS[key] = found
    return _PROMPTS[key]


def _known_names(question: Question, judge: Judge) -> set[str]:
    """The names a definition beside a line may not define: the model's, the question's variables,
    the sheet's and the built-in functions and constants, the operators and the unknown."""
    model = judge.model
    return {*model.names, *model.functions, *question.variables, *question.vocab.known_names(), *FUNCTION,
            *CONSTANT, *OPERATORS, *([question.unknown.name] if question.unknown is not None else [])}


def _with_definitions(final_text: str, in_force: list[tuple[str, str]]) -> str:
    """The final statement with the definitions in force that it uses written beside it (``...,
    where u = 1 + e^{-t}``), so the final-answer reader puts them in as it does for a single answer
    (:func:`.reader.statements`)."""
    used = [(name, value) for name, value in in_force
            if re.search(rf"(?<![A-Za-z\\]){re.escape(name)}(?![A-Za-z0-9])", final_text)]
    if not used:
        return final_text
    return final_text + ", where " + ", ".join(f"{name} = {value}" for name, value in used)


#: One plain name, with subscripts: ``mults_fwd``, ``n_mults``, ``num_weights``, ``N_{w}``.
_ONE_NAME = re.compile(r"\s*(?P<base>[A-Za-z][A-Za-z0-9]*)(?P<subs>(?:_\{?[A-Za-z0-9]+\}?)*)\s*$")


#: A prime after a name or a bracket (``s''``, ``(s')'``): derivative notation.
_PRIME = re.compile(r"[A-Za-z0-9)}\]]\s*'")
#: The number sign opening a label (``\#\text{mults}``, ``#weights``, ``N_\#``): "number of".
_COUNT_SIGN = re.compile(r"^\s*\\?#\s*")


def names_the_asked(question: Question, text: str) -> bool:
    """Whether line 0, which cannot be valued (or is one plain name), names the asked quantity in the
    question's own words (:func:`.labels.recognised`, as a side of an answer's equation is):
    ``mults_fwd`` for the forward multiplications, never ``Std[y]``, ``bytes`` or ``dL/dz_j``; a plain
    name of one or two letters (``M``) is a symbol the student chose and names nothing else."""
    from .labels import TEXT_BOX, recognised

    if _PRIME.search(text):
        return False  # s'': a derivative's order is notation, never words of the question
    text = TEXT_BOX.sub(r"\1", text)  # M_{\mathrm{fwd}}
    text = _COUNT_SIGN.sub("number of ", text)  # \#\text{mults}, #mults: the number sign reads "number of"
    if _ONE_NAME.match(text) is not None:  # a plain name: its words (three letters or more) are the question's
        words = [w for w in re.split(r"[_{}\s]+", text.strip()) if len(w) >= 3]
        if not words or recognised(" ".join(words), question=question):
            return True  # no words: a symbol of one or two letters (M, N_w) names nothing else
    return recognised(text.strip(), side=True, question=question)


def _worded(text: str, known: set[str]) -> bool:
    """Whether line 0 holds a word of prose (three letters or more, none of the question's or its
    model's names, functions or operators, not a LaTeX command nor a subscript): ``variance of y``,
    ``the gradient wrt x``. Its words say what it names, never a reading that drops them (``variance
    of y`` read as y, a random quantity); :func:`names_the_asked` decides what they name."""
    lowered = {k.lower() for k in known}
    return any(w not in known and w.lower() not in lowered
               for w in re.findall(r"(?<![A-Za-z\\_{])[A-Za-z]{3,}(?![A-Za-z_(\[])", TEXT_BOX_WORDS.sub(r" \1 ", text)))


#: LaTeX's boxes of words (``\text{variance of } y``): their words.
TEXT_BOX_WORDS = re.compile(r"\\(?:text|mathrm|textrm|mbox|textit)\s*\{([^{}]*)\}")


def is_label(question: Question, text: str) -> bool:
    """Whether line 0 is a label of the asked quantity (``mults_fwd``, ``n_mults``): one plain name
    spelled as none of the question's variables nor any name of its model (a parameter, a defined
    name, a family, or a family's or defined name's entry at an index letter). Such a line names
    the quantity; it is never read as a variable with a label (``n_mults`` is not n)."""
    m = _ONE_NAME.match(text)
    if m is None:
        return False
    subs = [part.strip("{}") for part in m.group("subs").split("_")[1:]]
    whole = "_".join([m.group("base"), *subs])
    model = question.model
    declared = set(question.variables)
    if model is not None:
        declared |= set(model.parameters) | model.scalars | model.families | {d.name for d in model.definitions}
        declared |= {f"{d.name}_{d.index}" for d in model.definitions if d.index}
        if m.group("base") in model.families and len(subs) == 1 and (
                subs[0] in declared or all(ch in model.letters or ch.isdigit() for ch in subs[0])):
            return False  # an entry: x_i, w_1, z_ij, x_y (at the label y)
    return whole not in declared and m.group("base") not in FUNCTION


def _apart_as_final(question: Question, expr: sp.Expr) -> Decision | None:
    """A statement equal to the asked quantity only numerically, written in the question's own
    names, decided again as a final answer is (:func:`.equivalence.decide`: a tie looked at with
    more digits, exactly apart by SymPy): its counterexample decision, or its undecided one (exact
    constants spanning more digits than a tie is checked with), else None. So an exact
    difference far below the tolerance (``+ exp(-1000)``) is shown on either reading."""
    own = question.vocab.symbols
    if not expr.free_symbols or not all(s.name in own for s in expr.free_symbols):
        return None
    final = decide(expr.xreplace({s: own[s.name] for s in expr.free_symbols}), question.reference,
                   question.domain, vector=question.vector)
    return final if final.status in ("counterexample", "undecided") else None


def decide_under_model(question: Question, text: str, limits: Limits = DEFAULT) -> dict[str, Any] | None:
    """A final statement read under the question's model but not in its own names (a name the model
    defines, ``sum_i y_i (z_i - delta_ij)``: :class:`.reader.Statement`'s ``line`` reading), decided
    as a line is: against the asked quantity at the model's points. The fields of a check record,
    or None when it does not read under the model either."""
    if question.model is None:
        return None
    try:
        judge = Judge(question, limits)
        judge.name_free_indices(text)
        statement = judge.read(text)
        line = statement.line
    except RecursionError:
        return None
    if line is None:
        return None  # the answer reader's message stands
    unfinished = line.expr.atoms(sp.Derivative, *OPERATORS.values())
    if unfinished:
        return {"verdict": "invalid", "score": 0.0, "diagnoses": [], "parsed": None, "status": "invalid",
                "feedback": f"not a finished answer: it still holds {sp.sstr(next(iter(unfinished)))[:60]}; "
                            "work it out to an expression in the question's names"}
    cur = judge.valued(text)  # the statement read above: Judge.read is the same reading
    starts = judge.reference_values()
    randoms = set().union(*(u.random for u in judge.units))
    if not cur.values or not starts or any(isinstance(v, sp.Basic) and v.free_symbols & randoms for v in cur.values):
        return None  # unreadable, or random (a finished answer is a number at each point)
    asked = _asked(starts, cur)
    j = judge.compare(asked, cur)
    from .grader import as_read, incorrect_feedback

    record: dict[str, Any] = {"parsed": sp.sstr(line.expr), "read": as_read(line.expr), "latex": to_latex(line.expr),
                              "status": j.status}
    if j.verdict == "ok" and j.status not in ("proven", "rules"):
        apart = _apart_as_final(question, line.expr)
        if apart is not None and apart.status == "undecided":
            return record | {"verdict": "undecided", "score": 0.0, "review": True, "diagnoses": [],
                             "status": "undecided", "feedback": f"Could not decide ({apart.message}); flagged "
                                                                "for a person to read (0 points until then)."}
        if apart is not None:
            return record | {"verdict": "incorrect", "score": 0.0, "diagnoses": [], "status": "counterexample",
                             "counterexample": apart.counterexample,
                             "feedback": incorrect_feedback(question, line.expr, [], apart.counterexample)}
    if j.verdict == "ok":
        how = {"proven": "proven", "rules": "exactly", "numeric": "to 40 digits"}.get(j.status, j.status)
        return record | {"verdict": "correct", "score": 1.0, "diagnoses": [],
                         "feedback": f"Correct (equal to the asked quantity at every point of the model, {how})."}
    if j.verdict == "wrong":
        codes = j.diagnoses or name_line(judge, asked, cur, "", starts)
        words = mistake_words(question, codes)
        example = describe(j.counterexample).replace("the previous line", "the asked quantity") \
            if j.counterexample else ""
        return record | {"verdict": "incorrect", "score": 0.0, "diagnoses": codes,
                         "counterexample": j.counterexample, "feedback": f"{words} {example}".strip()
                         or "This does not match the derived answer."}
    return record | {"verdict": "undecided", "score": 0.0, "review": True, "diagnoses": [],
                     "feedback": f"Could not decide ({j.note or 'no decision'}); flagged for a person to read "
                                 "(0 points until then)."}


def _judge_piece(judge: Judge, prev: Valued | None, cur: Valued, prev_text: str,
                 starts: list[list[Any]] | None, first: bool, text: str = "") -> Judgement:
    if first:
        if cur.error or cur.leaked or cur.undecided:
            if text and not judge.equation and not names_the_asked(judge.question, text):
                return Judgement("invalid", "invalid", note=(
                    "line 0 cannot be read, and its words are not the question's for what it asks; the next "
                    "line is judged against the asked quantity"))
            return Judgement("start", "start", note="read as the quantity the question asks for")
        if starts is not None and not judge.equation and not _asked_for(starts, cur):
            return Judgement("start", "start", note="This is not the quantity the question asks for; "
                                                    "the next line is judged against it.")
        return Judgement("start", "start")
    if cur.error:
        return Judgement("invalid", "invalid", note=cur.error)
    if cur.leaked:
        return Judgement("wrong", "counterexample", ["leaked_index"], note=cur.leaked)
    if cur.undecided:
        return Judgement("undecided", "undecided", note=cur.undecided)
    if cur.identity:  # a fact of the model: true, and it fixes nothing (the next line is judged past it)
        return Judgement("ok", "identity", note=f"This equation holds for every value of {judge.question.unknown} "
                                                f"(a fact of the model); the next line is judged against the one "
                                                f"before it.")
    if prev is None or not prev.values:
        if starts is None:
            return Judgement("undecided", "undecided", note="the line before could not be valued")
        prev = _asked(starts, cur)
    judgement = judge.compare(prev, cur)
    if judgement.verdict == "wrong" and not judgement.diagnoses:
        judgement.diagnoses = name_line(judge, prev, cur, prev_text, starts, text)
    return judgement


def _asked_for(starts: list[list[Any]], cur: Valued) -> bool:
    """Whether line 0's values are the asked quantity's (one of its accepted forms) at every point."""
    return any(all(_same(row[k], v, set(), 0)[0] is True for row, v in zip(starts, cur.values, strict=True))
               for k in range(len(starts[0])))


def _asked(starts: list[list[Any]], cur: Valued) -> Valued:
    """The quantity asked for, as the line before line 1: the accepted form nearest ``cur``."""
    best = [row[0] for row in starts]
    for k in range(len(starts[0])):
        column = [row[k] for row in starts]
        if all(_same(a, b, set(), 0)[0] for a, b in zip(column, cur.values, strict=False)):
            best = column
    return Valued(best)


def _step_record(step: WorkingLine, j: Judgement, judge: Judge, expr: sp.Basic | None) -> dict[str, Any]:
    """A line's record; ``expr`` is the line as it was read when valued (None: unreadable)."""
    read, latex = (sp.sstr(expr), to_latex(expr)) if expr is not None else (None, None)
    parts = [j.note]
    words = mistake_words(judge.question, j.diagnoses) if j.diagnoses else ""
    if words and words not in j.note:
        parts.append(words)
    if j.counterexample:
        parts.append(describe(j.counterexample))
    note = " ".join(_sentence(p) for p in parts if p.strip())
    return {"line": step.line, "read": read, "latex": latex, "verdict": j.verdict, "status": j.status,
            "diagnoses": j.diagnoses, "counterexample": j.counterexample, "alpha": j.alpha,
            "note": note.strip(), "reason": step.reason}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def _combine(question: Question, answer: str, outcome: dict[str, Any], records: list[dict[str, Any]],
             first_wrong: int | None) -> dict[str, Any]:
    """The derivation's verdict and score: credit only for what was decided.

    With n judged lines (every line after line 0), w of them wrong and u unsettled (invalid or
    undecided), working = max(0, 1 - u/n - per_wrong_step * w): an unsettled line earns nothing.
    score = final * [final statement correct] + working * working credit, and 1 when the final
    statement is correct and every line is ``ok``. ``review`` is set when deciding the unsettled
    lines (or an undecided final statement) could change the score. No readable judged line:
    ``invalid``, score 0.

    Line 0 ``invalid`` (it names a quantity other than the asked one, ``Std[y]``, ``dL/dz_j``,
    ``bytes``: :func:`names_the_asked`) makes the chain state ``<that quantity> = ... = final``:
    the final statement, right for the asked quantity, is asserted of another one. Its credit is
    withheld and a correct final statement gives ``undecided`` with ``review`` (a person decides
    whether the student answered the question asked), never ``correct``.
    """
    credit = {**DEFAULT_CREDIT, **question.credit}
    judged = records[1:]
    wrong = [r for r in judged if r["verdict"] == "wrong"]
    unsettled = [k for k, r in enumerate(records) if k and r["verdict"] in ("invalid", "undecided")]
    final_verdict = outcome.get("verdict", "invalid")
    readable = any(r["read"] is not None for r in judged)
    unnamed = bool(records) and records[0]["verdict"] == "invalid"  # line 0 names another quantity

    def score_of(final_right: bool, unsettled_ok: bool) -> float:
        if not readable:
            return 0.0
        lost = 0.0 if unsettled_ok or not judged else len(unsettled) / len(judged)
        if final_right and not wrong and (unsettled_ok or not unsettled):
            return 1.0
        working = max(0.0, 1.0 - lost - credit["per_wrong_step"] * len(wrong)) if judged else 0.0
        return credit["final"] * final_right + credit["working"] * working

    score = score_of(final_verdict == "correct" and not unnamed, False)
    best = score_of(final_verdict in ("correct", "undecided") or (final_verdict == "invalid" and readable), True)
    review = readable and best != score
    if not readable:
        verdict = "invalid"
    elif final_verdict == "correct":
        verdict = "incorrect" if wrong else ("undecided" if unsettled or unnamed else "correct")
    else:
        verdict = final_verdict
    codes = list(dict.fromkeys([c for r in wrong for c in r["diagnoses"]] + list(outcome.get("diagnoses", []))))
    feedback = outcome.get("feedback", "")
    if not readable:
        feedback = "No line of this working could be read, so nothing in it can earn credit. " + feedback
    if final_verdict == "correct" and wrong:
        feedback = "The final statement is right, but the working that leads to it is not."
    if first_wrong is not None:
        first = records[first_wrong]
        note = first["note"]
        for said in mistake_words(question, list(outcome.get("diagnoses", []))).split(". "):
            note = note.replace(said.strip(), "").replace(" . ", " ").strip(" .") if said.strip() else note
        feedback = f"{feedback} Working: line {first_wrong} is wrong. {_sentence(note) if note else ''}".strip()
        if len(wrong) > 1:
            feedback += f" ({len(wrong)} wrong lines in all.)"
    elif judged and not unsettled:
        feedback = f"{feedback} Working: every line follows from the one before.".strip()
    if unnamed and final_verdict == "correct" and not wrong:
        feedback = (f"{feedback} Line 0 does not name the quantity the question asks for, so the final "
                    "statement is stated as the value of another quantity: it earns nothing until a person "
                    "reads it.").strip()
    if unsettled and readable:
        which = ", ".join(str(k) for k in unsettled)
        feedback = (f"{feedback} Working: line{'s' if len(unsettled) > 1 else ''} {which} could not be "
                    f"read or decided and earn{'' if len(unsettled) > 1 else 's'} no credit"
                    f"{'; flagged for a person to read' if review else ''}.").strip()
    alphas = [r["alpha"] for r in records if r["alpha"]]
    record = {**outcome, "question": question.id, "answer": answer, "verdict": verdict,
              "score": round(score, 6), "diagnoses": codes, "feedback": feedback, "steps": records,
              "first_wrong": first_wrong, "alpha": sum(alphas) if alphas else None}
    record.pop("review", None)
    if review or verdict == "undecided":
        record["review"] = True
    return record


__all__ = ["ALPHA", "DEFAULT_CREDIT", "GENERIC_STEP_MISTAKES", "Judge", "check_derivation", "decide_under_model",
           "describe"]
