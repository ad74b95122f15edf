"""The shape every derivation returns: a claim that prints and typesets itself.

A :class:`Derivation` holds the result as a SymPy object together with the steps that produced
it. Nothing in it is typed by hand: each step's expression is the value SymPy computed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from .symbols import LATEX_NAMES

if TYPE_CHECKING:
    from sympy.printing.printer import Printer


#: The order in which the sheets write their cost symbols in a product: n L K^2 (an MLP),
#: n H W C_out C_in k^2 (a convolution).
_COST_ORDER = ("n", "H", "W", "C_out", "C_in", "k", "L", "K")


def _cost_rank(factor: sp.Basic) -> int | None:
    """The place of a cost symbol (or a power of one) in a product as the sheets write it; None otherwise."""
    base, exponent = factor.as_base_exp()
    cost_symbol = isinstance(base, sp.Symbol) and base.name in _COST_ORDER and exponent.is_positive
    return _COST_ORDER.index(base.name) if cost_symbol else None


class _SheetLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with sums written as a person writes them: a constant first, then the
    other positive terms, negative terms last (x_i - c, 1/2 - 1/(2 pi), 1 + r e^{-g}), otherwise in
    SymPy's order; max(0, u) as ReLU(u)."""

    def _as_ordered_terms(self, expr: sp.Basic, order: Any = None) -> list[sp.Basic]:
        terms = super()._as_ordered_terms(expr, order=order)
        if isinstance(expr, sp.Add):
            return sorted(terms, key=lambda t: (bool(t.could_extract_minus_sign()), not t.is_Number))
        return list(terms)

    def _print_Mul(self, expr: sp.Mul) -> str:
        """A product of the cost symbols as the sheets write it: n L K^2, (3 L - 1) n K^2,
        n H W C_out C_in k^2."""
        coeff, factors = expr.as_coeff_mul()
        flips = [f for f in factors if isinstance(f, sp.Add) and f.could_extract_minus_sign()]
        if coeff > 0 and flips and expr.could_extract_minus_sign():
            # (1 - eps)(d - 1)/eps, not -(d - 1)(eps - 1)/eps: print such a factor as it stands
            stand_ins = {f: sp.Symbol(f"FACTOR{k}", positive=True) for k, f in enumerate(flips)}
            tex = self._print(expr.xreplace(stand_ins))
            for f, s in stand_ins.items():
                tex = tex.replace(self._print(s), rf"\left({self._print(f)}\right)")
            return tex
        sums = [f for f in factors if isinstance(f, sp.Add)]
        powers = [f for f in factors if _cost_rank(f) is not None]
        if not powers or len(powers) + len(sums) != len(factors) or not coeff.is_Integer or coeff < 0:
            return str(super()._print_Mul(expr))
        powers.sort(key=lambda f: _cost_rank(f) or 0)
        parts = [] if coeff == 1 else [self._print(coeff)]
        parts += [rf"\left({self._print(f)}\right)" for f in sums] + [self._print(f) for f in powers]
        return " ".join(parts)

    def _print_Max(self, expr: sp.Max, exp: str | None = None) -> str:
        if len(expr.args) == 2 and sp.S.Zero in expr.args:
            (inner,) = (a for a in expr.args if a != 0)
            tex = rf"\operatorname{{ReLU}}\left({self._print(inner)}\right)"
            return tex if exp is None else f"{tex}^{{{exp}}}"
        return str(super()._print_Max(expr, exp=exp))

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        """Partial signs, and a named function on the fraction bar: dL/dx_i as \\partial L / \\partial x_i."""
        order = sum(int(count) for _, count in expr.variable_count)
        top = r"\partial" + (f"^{{{order}}}" if order > 1 else "")
        bottom = " ".join(r"\partial " + self._print(v) + (f"^{{{int(c)}}}" if int(c) > 1 else "")
                          for v, c in expr.variable_count)
        if isinstance(expr.expr, (sp.Symbol, sp.Indexed)):
            return rf"\frac{{{top} {self._print(expr.expr)}}}{{{bottom}}}"
        return rf"\frac{{{top}}}{{{bottom}}} {self.parenthesize(expr.expr, PRECEDENCE['Mul'], strict=True)}"


def to_latex(expr: sp.Basic) -> str:
    """SymPy's LaTeX, with the sheet's typeset names (eps as varepsilon) and positive terms first."""
    names = {sym: LATEX_NAMES[sym.name] for sym in expr.atoms(sp.Symbol) if sym.name in LATEX_NAMES}
    return str(_SheetLatexPrinter({"symbol_names": names}).doprint(expr))


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a sentence and the SymPy expression it establishes.

    Every step is put to derivcheck's line checker, the judge students' working gets
    (``simulations.derivation_steps``), which must find it true; ``unjudged`` says why the checker
    cannot judge this one (its question's model lacks the step's objects), listed in ``derive --json``.
    """

    text: str
    expr: sp.Basic
    unjudged: str = ""

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
            "unjudged": {str(n): s.unjudged for n, s in enumerate(self.steps) if s.unjudged},
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
