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
        colour = VERDICT_COLOURS.get(self.verdict, "inherit")
        head = (f'<strong style="color:{colour}">{escape(self.verdict.upper())}</strong> '
                f"<code>{escape(self.question)}</code>")
        if self.score is not None:
            head += f" score {self.score:g}"
        if self.diagnoses:
            head += " [" + ", ".join(f"<code>{escape(code)}</code>" for code in self.diagnoses) + "]"
        if self.latex:
            read = f"read as ${escape(_display(self.latex))}$"
        else:
            read = f"answer <code>{escape(self.answer)}</code>"
        parts = [f"<div>{head}</div>", f"<div>{read}</div>", f"<div>{escape(self.feedback)}</div>"]
        if self.steps:
            parts.append(_steps_html(self.steps))
        return '<div class="derivcheck-check">' + "".join(parts) + "</div>"


def _display(latex: str) -> str:
    return rf"\displaystyle {latex}"


def _steps_html(steps: list[dict[str, Any]]) -> str:
    """The lines of a derivation, numbered from 0, each with its verdict."""
    items = []
    for step in steps:
        verdict = str(step.get("verdict", ""))
        colour = VERDICT_COLOURS.get({"ok": "correct", "wrong": "incorrect"}.get(verdict, verdict), "inherit")
        if step.get("latex"):
            shown = f"${escape(_display(step['latex']))}$"
        else:
            shown = f"<code>{escape(str(step.get('line', '')))}</code>"
        note = f" {escape(str(step['note']))}" if step.get("note") else ""
        items.append(f'<li><span style="color:{colour}">{escape(verdict)}</span> {shown}{note}</li>')
    return '<ol start="0">' + "".join(items) + "</ol>"
