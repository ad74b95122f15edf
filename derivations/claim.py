"""The shape every derivation returns: a claim that prints and typesets itself.

A :class:`Derivation` holds the result as a SymPy object together with the steps that produced
it. Nothing in it is typed by hand: each step's expression is the value SymPy computed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp

from .symbols import LATEX_NAMES

if TYPE_CHECKING:
    from sympy.printing.printer import Printer


def to_latex(expr: sp.Basic) -> str:
    """SymPy's LaTeX, with the sheet's typeset names (eps as varepsilon)."""
    names = {sym: LATEX_NAMES[sym.name] for sym in expr.atoms(sp.Symbol) if sym.name in LATEX_NAMES}
    return sp.latex(expr, symbol_names=names)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a sentence and the SymPy expression it establishes."""

    text: str
    expr: sp.Basic

    @property
    def latex(self) -> str:
        return to_latex(self.expr)

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "latex": self.latex}


@dataclass(frozen=True)
class Derivation:
    """A derived claim.

    ``result`` is the boxed answer. ``variants`` are other correct forms derived alongside
    (e.g. the count when the input needs no gradient), ``mistakes`` maps a diagnosis code to the
    formula obtained by carrying out the derivation with that one step done wrong, and
    ``symbols`` names every free symbol so that ``str(result)`` can be parsed back; ``id`` is
    the claim id, filled in by ``@derivation`` from the deriving function's name.
    """

    statement: str
    result: sp.Basic
    assumptions: dict[str, str]
    steps: tuple[Step, ...]
    id: str = ""
    symbols: dict[str, Any] = field(default_factory=dict)
    variants: dict[str, sp.Basic] = field(default_factory=dict)
    mistakes: dict[str, sp.Basic] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def expression(self) -> str:
        return str(self.result)

    @property
    def latex(self) -> str:
        return to_latex(self.result)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex}$"

    def _repr_html_(self) -> str:
        """Statement, numbered steps (text and typeset expression) and the boxed result, for
        Jupyter (its MathJax typesets the ``$...$``)."""
        from html import escape

        steps = "".join(f"<li>{escape(s.text)}<br>$\\displaystyle {escape(s.latex)}$</li>" for s in self.steps)
        return (f'<div class="derivcheck-derivation"><p><strong>{escape(self.id)}</strong>: '
                f"{escape(self.statement)}</p><ol>{steps}</ol>"
                f"<p>$\\displaystyle \\boxed{{{escape(self.latex)}}}$</p></div>")

    def __str__(self) -> str:
        return f"{self.id}: {self.expression}"

    def to_dict(self) -> dict[str, Any]:
        """The ``derive --json`` record (docs/interface.md)."""
        return {
            "id": self.id,
            "statement": self.statement,
            "expression": self.expression,
            "latex": self.latex,
            "assumptions": dict(self.assumptions),
            "steps": [s.to_dict() for s in self.steps],
            "variants": {k: str(v) for k, v in self.variants.items()},
            "mistakes": {k: str(v) for k, v in self.mistakes.items()},
        }


def eq(lhs: sp.Basic, rhs: sp.Basic) -> sp.Eq:
    """lhs = rhs as a displayed statement, never evaluated (an Integral on one side stays put)."""
    return sp.Eq(lhs, rhs, evaluate=False)


class Expectation(sp.Function):
    """E[arg] (or E[arg | given] with two arguments), unevaluated; typesets as in a textbook."""

    nargs = (1, 2)

    def _latex(self, printer: Printer) -> str:
        inner = printer._print(self.args[0])
        if len(self.args) == 2:
            inner += r" \mid " + printer._print(self.args[1])
        return rf"\mathbb{{E}}\left[{inner}\right]"

    def _sympystr(self, printer: Printer) -> str:
        given = f" | {printer._print(self.args[1])}" if len(self.args) == 2 else ""
        return f"E[{printer._print(self.args[0])}{given}]"


class Variance(sp.Function):
    """Var[arg], unevaluated."""

    nargs = 1

    def _latex(self, printer: Printer) -> str:
        return rf"\operatorname{{Var}}\left[{printer._print(self.args[0])}\right]"

    def _sympystr(self, printer: Printer) -> str:
        return f"Var[{printer._print(self.args[0])}]"


def expectation(arg: sp.Basic, given: sp.Basic | None = None) -> sp.Basic:
    """The unevaluated E[arg] or E[arg | given], for display in steps."""
    return Expectation(arg) if given is None else Expectation(arg, given)


def variance(arg: sp.Basic) -> sp.Basic:
    """The unevaluated Var[arg], for display in steps."""
    return Variance(arg)
