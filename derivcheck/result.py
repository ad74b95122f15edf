"""The result of checking one answer, as the Python API returns it: the fields of ``check --json``
as attributes, ``to_dict()``, and a notebook display."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from html import escape
from typing import Any

VERDICT_COLOURS = {"correct": "#1a7f37", "incorrect": "#cf222e", "invalid": "#bc4c00", "undecided": "#6e7781"}


@dataclass(frozen=True)
class CheckResult:
    """One graded answer (the ``check --json`` record of docs/interface.md).

    ``steps`` and ``first_wrong`` are None for a one-line answer. A field the record carries but
    this class does not name (e.g. ``review``) is still an attribute.
    """

    question: str
    answer: str
    verdict: str
    score: float | None
    diagnoses: list[str]
    feedback: str
    parsed: str | None = None
    latex: str | None = None
    counterexample: dict[str, Any] | None = None
    steps: list[dict[str, Any]] | None = None
    first_wrong: int | None = None
    status: str | None = None
    elapsed_ms: float | None = None
    record: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> CheckResult:
        """The result holding ``record`` (the ``check --json`` document)."""
        named = {f.name for f in fields(cls)} - {"record"}
        values: dict[str, Any] = {name: record.get(name) for name in named}
        values["diagnoses"] = list(record.get("diagnoses") or [])
        values["feedback"] = record.get("feedback") or ""
        return cls(**values, record=copy.deepcopy(record))

    def __getattr__(self, name: str) -> Any:
        record = self.__dict__.get("record", {})
        if name in record:
            return record[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The ``check --json`` document."""
        return copy.deepcopy(self.record)

    def __repr__(self) -> str:
        return (f"CheckResult(question={self.question!r}, answer={self.answer!r}, verdict={self.verdict!r}, "
                f"score={self.score!r}, diagnoses={self.diagnoses!r}, parsed={self.parsed!r})")

    def __str__(self) -> str:
        lines = [self.verdict.upper() + (f"  [{', '.join(self.diagnoses)}]" if self.diagnoses else "")]
        if self.parsed:
            lines.append(f"  read as: {self.parsed}")
        lines.append(f"  {self.feedback}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The verdict, the answer as read (MathML), what went wrong in the words of the PDF and the
        self-check page (mistakes by name, maths typeset), the counterexample once, and a
        derivation's lines with their marks. Needs no typesetting by the front end: the maths is
        MathML (as text when the ``serve`` extra's latex2mathml is missing)."""
        from derivcheck.report.wording import question_words

        colour = VERDICT_COLOURS.get(self.verdict, "inherit")
        title = question_words(self.question)[0] if self.question else ""
        head = (f'<strong style="color:{colour}">{escape(VERDICT_WORDS.get(self.verdict, self.verdict.upper()))}'
                f"</strong> {escape(title)}")
        if self.score is not None and self.verdict != "correct" and self.score > 0:
            head += f" (partial credit {self.score:g})"
        read = f"read as {_math(self.latex, display=True)}" if self.latex else \
            f"answer <code>{escape(self.answer)}</code>"
        parts = [f"<div>{head}</div>", f"<div>{read}</div>", f"<div>{_feedback_html(self)}</div>"]
        if self.counterexample and not self.steps:
            parts.append(f"<div>{_counterexample_html(self.question, self.counterexample)}</div>")
        if self.steps:
            parts.append(_steps_html(self.question, self.steps))
        return '<div class="derivcheck-check">' + "".join(parts) + "</div>"


VERDICT_WORDS = {"correct": "Correct", "incorrect": "Not right", "invalid": "Not readable", "undecided": "Undecided"}


def _math(latex: str | None, display: bool = False) -> str:
    """MathML of ``latex`` (the self-check page's printer), or the LaTeX as code without it."""
    try:
        from derivcheck.web.mathml import to_mathml

        mathml = to_mathml(latex, display=display)
    except ImportError:
        mathml = None
    return mathml or f"<code>{escape(latex or '')}</code>"


def _mistakes_html(question: str, codes: list[str]) -> str | None:
    """The diagnoses by their human names and explanations; None when one has no entry."""
    from derivcheck.report.wording import MISTAKES, mistake_name
    from derivcheck.web.mathml import prose

    if not codes or not all((question, c) in MISTAKES or ("*", c) in MISTAKES for c in codes):
        return None
    return " ".join(f"<strong>{prose(name)}</strong>: {prose(why)}"
                    for name, why in (mistake_name(question, c) for c in codes))


def _feedback_html(result: CheckResult) -> str:
    if result.verdict == "incorrect":
        named = _mistakes_html(result.question, result.diagnoses)
        if named:
            return named
        if not result.diagnoses and result.counterexample:
            return "This does not match the derived answer."
    return _message_html(result.feedback)


def _message_html(text: str) -> str:
    """A message, its caret marker ("  answer" over "       ^") shown as the page shows it: the
    character marked in the line."""
    lines = str(text).split("\n")
    if len(lines) >= 3 and lines[-1].strip() == "^" and lines[-1].startswith("  ") and lines[-2].startswith("  "):
        line, at = lines[-2][2:], len(lines[-1]) - 3
        marked = (f"<code>{escape(line[:at])}<mark>{escape(line[at:at + 1] or ' ')}</mark>"
                  f"{escape(line[at + 1:])}</code> (character {at + 1})")
        return f"{escape(' '.join(lines[:-2]))}<br>{marked}"
    return escape(str(text))


def _counterexample_html(question: str, c: dict[str, Any]) -> str:
    """A counterexample in words with typeset maths: where, both values, the measurement."""
    from derivcheck.report.wording import MEASURED, PARAMETERS
    from derivcheck.web.mathml import prose

    at = c.get("at") or {}
    where = _math(", ".join(f"{PARAMETERS.get(k, k)} = {_figure(v)}" for k, v in at.items())) if at else ""
    if "answer_value" in c:
        text = f"your answer gives {_figure(c['answer_value'])}, the right answer {_figure(c['reference_value'])}."
    elif "previous_value" in c:
        text = f"the line before is {_figure(c['previous_value'])} and this line is {_figure(c['value'])}."
    else:
        return ""
    out = (f"At {where} " if where else "") + escape(text)
    sim = c.get("simulated")
    if sim and sim.get("interval"):
        lo, hi = (_figure(v) for v in sim["interval"])
        quantity = prose(MEASURED[question]) if question in MEASURED else escape(str(sim.get("quantity", "")))
        out += f" The simulation measured {quantity}: {_figure(sim['estimate'])}" + \
            (" exactly." if lo == hi else f" (between {lo} and {hi}).")
    return out


def _figure(v: Any) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.4g}"
    return escape(str(v))


def _steps_html(question: str, steps: list[dict[str, Any]]) -> str:
    """The lines of a derivation, numbered from 0, each with its mark and, when wrong, why."""
    items = []
    for step in steps:
        verdict = str(step.get("verdict", ""))
        colour = VERDICT_COLOURS.get({"ok": "correct", "wrong": "incorrect"}.get(verdict, verdict), "inherit")
        shown = _math(step["latex"]) if step.get("latex") else f"<code>{escape(str(step.get('line', '')))}</code>"
        why = _mistakes_html(question, list(step.get("diagnoses") or [])) or ""
        example = _counterexample_html(question, step["counterexample"]) if step.get("counterexample") else ""
        note = example or (escape(str(step["note"])) if step.get("note") else "")
        reason = " ".join(part for part in (why, note) if part)
        items.append(f'<li><span style="color:{colour}">{escape(verdict)}</span> {shown} {reason}</li>')
    return '<ol start="0">' + "".join(items) + "</ol>"
