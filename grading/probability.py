"""Expectation, variance, covariance and probability as inert SymPy heads, and the laws of a model.

A derivation line such as ``d sigma^2 Var[ReLU(z)]`` is read (:mod:`.working`) into SymPy with
these heads left unevaluated, so the line prints and typesets as written; :mod:`.unroll` then
computes them at a point of the model. A law is one class with the moments the rules need:

    E[X^k]            = moment(k)
    E[X^k 1{X > 0}]   = positive_moment(k)       (so E[ReLU(X)^k] = positive_moment(k), k >= 1)

For X ~ N(0, v):  E[X^k] = v^(k/2) (k-1)!! for even k, 0 for odd k;
E[X^k 1{X>0}] = v^(k/2) 2^(k/2) Gamma((k+1)/2) / (2 sqrt(pi)), e.g. 1/2, sqrt(v/(2 pi)), v/2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

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


@dataclass(frozen=True)
class Normal:
    """N(mean, variance); the rules below need mean 0 for the half-line moments."""

    mean: sp.Expr
    variance: sp.Expr

    def moment(self, k: int) -> sp.Expr:
        """E[X^k] by the recursion m_k = mu m_{k-1} + (k-1) v m_{k-2}."""
        m = [sp.Integer(1), self.mean]
        for j in range(2, k + 1):
            m.append(sp.expand(self.mean * m[j - 1] + (j - 1) * self.variance * m[j - 2]))
        return m[k]

    def positive_moment(self, k: int) -> sp.Expr:
        """E[X^k 1{X > 0}] for a centred normal."""
        if self.mean != 0:
            raise Unsupported("half-line moments of a normal law with a non-zero mean")
        half = 2 ** sp.Rational(k, 2) * sp.gamma(sp.Rational(k + 1, 2)) / (2 * sp.sqrt(sp.pi))
        return sp.sqrt(self.variance) ** k * half

    def sample(self, rng: np.random.Generator, n: int, values: dict) -> np.ndarray:
        """``n`` draws, the parameters evaluated with ``values`` (a point of the model)."""
        mean = float(self.mean.subs(values))
        sd = float(sp.sqrt(self.variance.subs(values)))
        return mean + sd * rng.standard_normal(n)


#: Laws by the name a bank writes them with (``normal(0, sigma^2)``: mean and variance).
LAWS = {"normal": Normal, "N": Normal}
