r"""Words for students, one source for the PDF, the self-check page and the notebook: the known
mistakes by human names, the questions' titles and typeset prompts, and the typeset names of the
sheet's parameters.

The grading bank names a mistake by a diagnosis code (``missing_relu_half``) and explains it in
plain text for the grader's feedback; students see it named as a teacher would ("forgetting the
ReLU's half") and explained with typeset maths (``$...$``: LaTeX in the PDF, MathML on the page
and in the notebook). A sheet keeps these words in its ``sheet.toml`` (the ``[report]`` tables:
``parameters``, ``variants``, ``questions``, ``mistakes``, ``problems``; read here from
:attr:`derivcheck.sheets.Sheet.data`, never from the file); only the grader's generic diagnoses,
which no sheet defines, are named in this module (:data:`GENERIC`). For the built-in sheet every
mistake of the bank has an entry (``tests/test_report.py`` checks it), so no code reaches a
student. This module imports nothing heavy.

The module's constants ``MISTAKES``, ``MEASURED``, ``VARIANTS``, ``QUESTIONS`` and ``PARAMETERS``
are the default sheet's (:func:`words` of no sheet), for callers that name no sheet.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from derivcheck.sheets import Sheet
from derivcheck.sheets import sheet as find_sheet

#: The grader's relations to the reference and the derivation checker's generic step mistakes:
#: (human name, explanation), for every sheet (a sheet's ``[report.mistakes."*"]`` overrides one).
GENERIC: dict[str, tuple[str, str]] = {
    "sign_flipped": ("The sign flipped", "your answer is the negative of the right one."),
    "constant_factor": (
        "A constant factor off", "your answer is a constant multiple of the right one: check the constant factors."),
    "additive_constant": ("Off by a constant", "your answer differs from the right one by a constant."),
    "random_equals_number": ("A random quantity set equal to a number", r"the two agree at best in expectation."),
    "leaked_index": ("An index used outside its sum", r"the line then depends on which entry is meant."),
}

#: The name of a mistake that has no entry.
UNNAMED = ("Another known mistake", "")


@dataclass(frozen=True)
class Wording:
    """A sheet's words for students (its ``[report]`` tables), as the PDF and the page use them."""

    #: (question id, diagnosis code) -> (human name, one sentence in LaTeX saying what went wrong);
    #: question ``"*"``: the generic diagnoses.
    mistakes: dict[tuple[str, str], tuple[str, str]]
    #: What each question's simulation measures, as a phrase for "the simulation measured ...".
    measured: dict[str, str]
    #: Other right answers (a derivation's variants), as a phrase for "Also right, ...".
    variants: dict[str, str]
    #: Each question's title in words (no maths: it names the question for screen readers too) and
    #: its prompt with typeset maths.
    questions: dict[str, tuple[str, str]]
    #: Typeset names of the sheet's parameters, for "at d = 64, sigma = 0.5".
    parameters: dict[str, str]
    #: Each question's label in the answers at a glance (LaTeX; ``2.1 Variance of $y$``).
    glances: dict[str, str]
    #: Each problem's heading in the answers at a glance (LaTeX), by problem (``"2"``).
    problems: dict[str, str]

    @classmethod
    def of(cls, data: dict[str, Any]) -> Wording:
        """The words of a sheet's ``[report]`` table (missing tables are empty)."""
        questions = _table(data, "questions")
        mistakes = {("*", code): words for code, words in GENERIC.items()}
        for qid, codes in _table(data, "mistakes").items():
            for code, entry in (codes if isinstance(codes, dict) else {}).items():
                if isinstance(entry, dict):
                    mistakes[(str(qid), str(code))] = (str(entry.get("name", "")), str(entry.get("why", "")))
        return cls(
            mistakes=mistakes,
            measured={qid: str(q["measured"]) for qid, q in questions.items()
                      if isinstance(q, dict) and "measured" in q},
            variants={str(k): str(v) for k, v in _table(data, "variants").items()},
            questions={qid: (str(q.get("title", "")), str(q.get("prompt", "")))
                       for qid, q in questions.items() if isinstance(q, dict) and "title" in q},
            parameters={str(k): str(v) for k, v in _table(data, "parameters").items()},
            glances={qid: str(q["glance"]) for qid, q in questions.items() if isinstance(q, dict) and "glance" in q},
            problems={str(k): str(p["glance"]) for k, p in _table(data, "problems").items()
                      if isinstance(p, dict) and "glance" in p})

    def mistake_name(self, question: str, code: str) -> tuple[str, str]:
        """(human name, explanation) of a known mistake; a generic pair for one not listed."""
        return self.mistakes.get((question, code)) or self.mistakes.get(("*", code), UNNAMED)

    def question_words(self, question: str, prompt: str = "") -> tuple[str, str]:
        """(title, prompt with ``$...$`` maths) of a question; a question without words keeps its
        own prompt (plain text, no maths markup) and is titled by it."""
        if question in self.questions:
            return self.questions[question]
        plain = prompt.replace("$", "")
        return (plain if len(plain) <= 60 else plain[:57].rsplit(" ", 1)[0] + " ..."), plain

    def glance(self, question: str) -> str:
        """A question's label in the answers at a glance: its ``glance`` words, else its title."""
        return self.glances.get(question) or self.question_words(question)[0]

    def problem_heading(self, problem: str) -> str:
        """A problem's heading in the answers at a glance: its ``glance`` words, else ``Problem N``."""
        return self.problems.get(problem) or (f"Problem {problem}" if problem else "Questions")

    def at_point(self, at: dict[str, Any], digits: int = 4) -> str:
        """A parameter point in LaTeX: ``$d = 64$, $\\sigma = 0.5$``."""
        from .latex import num

        return ", ".join(f"${self.parameters.get(k, k)} = {num(v, digits)}$" for k, v in at.items())


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    table = data.get(name, {})
    return table if isinstance(table, dict) else {}


@cache
def _words(source: Sheet) -> Wording:
    report = source.data.get("report", {})
    return Wording.of(report if isinstance(report, dict) else {})


def words(sheet: str | Sheet | None = None) -> Wording:
    """The words of ``sheet`` (a :class:`~derivcheck.sheets.Sheet`, a sheet's id or folder; default:
    the default sheet)."""
    return _words(sheet if isinstance(sheet, Sheet) else find_sheet(sheet))


def mistake_name(question: str, code: str, sheet: str | Sheet | None = None) -> tuple[str, str]:
    """(human name, explanation) of a known mistake; a generic pair for one not listed."""
    return words(sheet).mistake_name(question, code)


def question_words(question: str, prompt: str = "", sheet: str | Sheet | None = None) -> tuple[str, str]:
    """(title, prompt with ``$...$`` maths) of a question; a question of another bank keeps its own
    prompt (plain text, no maths markup) and is titled by it."""
    return words(sheet).question_words(question, prompt)


def at_point(at: dict[str, Any], digits: int = 4, sheet: str | Sheet | None = None) -> str:
    """A parameter point in LaTeX: ``$d = 64$, $\\sigma = 0.5$``."""
    return words(sheet).at_point(at, digits)


_CONSTANTS = {"MISTAKES": "mistakes", "MEASURED": "measured", "VARIANTS": "variants", "QUESTIONS": "questions",
              "PARAMETERS": "parameters"}


def __getattr__(name: str) -> Any:
    """The default sheet's words under the module's former constant names (``MISTAKES``, ...)."""
    if name in _CONSTANTS:
        return getattr(words(), _CONSTANTS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
