"""The sheet registry: a sheet is its question bank (which names its claims, in order) and its
solution template. Nothing outside this module names a particular sheet.

>>> sheet().claims[:2]
('relu_variance', 'he_sigma')
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Sheet:
    """An exercise sheet: ``bank`` is a TOML file of ``derivcheck.grading`` (its questions name
    the claims that answer them), ``template`` a LaTeX template of ``derivcheck.report``."""

    id: str
    title: str
    bank: str
    template: str

    def bank_text(self) -> str:
        """The TOML text of the sheet's bank, read from the installed package."""
        return resources.files("derivcheck.grading").joinpath(self.bank).read_text(encoding="utf-8")

    @cached_property
    def claims(self) -> tuple[str, ...]:
        """The claims of the sheet in the order its questions name them (reference, simulation
        and mistakes' claims), each once."""
        return tuple(claim for claims in self.problems.values() for claim in claims)

    @cached_property
    def problems(self) -> dict[str, tuple[str, ...]]:
        """The claims of each problem, in order: a question ``p3.gradient`` belongs to problem 3."""
        grouped: dict[str, dict[str, None]] = {}
        for question in tomllib.loads(self.bank_text()).get("question", []):
            problem = str(question.get("id", "")).partition(".")[0].lstrip("p")
            reference = question.get("reference", {})
            for claim in (reference.get("claim"), question.get("simulation"),
                          *(m.get("claim") for m in question.get("mistakes", []))):
                if claim and not any(claim in seen for seen in grouped.values()):
                    grouped.setdefault(problem, {})[claim] = None
        return {problem: tuple(claims) for problem, claims in grouped.items()}


SHEETS: dict[str, Sheet] = {
    "sheet8": Sheet(id="sheet8", title="Exercise sheet 8: neural networks and PyTorch",
                    bank="banks/sheet8.toml", template="sheet8.tex.j2"),
}
DEFAULT = "sheet8"


def sheet(sheet_id: str | None = None) -> Sheet:
    """The sheet ``sheet_id`` (default: the course's current sheet)."""
    key = DEFAULT if sheet_id is None else sheet_id
    if key not in SHEETS:
        raise KeyError(f"unknown sheet {key!r}; known: {', '.join(SHEETS)}")
    return SHEETS[key]
