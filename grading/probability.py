"""Expectation, variance, covariance and probability as inert SymPy heads, and the laws of a model.

A derivation line such as ``d sigma^2 Var[ReLU(z)]`` is read (:mod:`.working`) into SymPy with
these heads left unevaluated, so the line prints and typesets as written; :mod:`.unroll` then
computes them at a point of the model with the moments of each family's law (:mod:`.laws`, one
class per law: normal, uniform, Bernoulli).
"""
from __future__ import annotations

import sympy as sp

from .laws import LAWS, Law, Normal  # the laws, one class each; re-exported beside the operators
from .numeric import Unsupported  # one class: what cannot be valued, by rules or numbers


class _Operator(sp.Function):
    """An unevaluated probabilistic operator; the optional last argument is the condition."""

    _word = ""
    _tex = ""

    def _sympystr(self, printer: sp.printing.StrPrinter) -> str:
        inner = ", ".join(printer.doprint(a) for a in self.args[: self._arity()])
        given = self.args[self._arity():]
        return f"{self._word}({inner}{' | ' + printer.doprint(given[0]) if given else ''})"

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        inner = ", ".join(printer.doprint(a) for a in self.args[: self._arity()])
        given = self.args[self._arity():]
        cond = rf" \mid {printer.doprint(given[0])}" if given else ""
        tex = rf"{self._tex}\left[{inner}{cond}\right]"
        return rf"{tex}^{{{exp}}}" if exp else tex

    @classmethod
    def _arity(cls) -> int:
        return 1


class E(_Operator):
    """``E(X)`` or ``E(X, condition)``: the (conditional) expectation."""

    _word, _tex = "E", r"\mathbb{E}"


class Var(_Operator):
    """``Var(X)``, ``Var(X, condition)`` = E[X^2 | c] - E[X | c]^2."""

    _word, _tex = "Var", r"\operatorname{Var}"


class Cov(_Operator):
    """``Cov(A, B)`` = E[A B] - E[A] E[B]."""

    _word, _tex = "Cov", r"\operatorname{Cov}"

    @classmethod
    def _arity(cls) -> int:
        return 2


class P(_Operator):
    """``P(event)``, ``P(event, condition)``: a probability, E[1{event}]."""

    _word, _tex = "P", r"\operatorname{P}"


#: The operators by the names a derivation may write them with.
OPERATORS: dict[str, type[_Operator]] = {"E": E, "Var": Var, "Cov": Cov, "P": P, "Pr": P, "V": Var}

__all__ = ["LAWS", "OPERATORS", "Cov", "E", "Law", "Normal", "P", "Unsupported", "Var"]
