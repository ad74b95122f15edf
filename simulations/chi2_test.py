r"""Exact two-sided tests for the scale of a chi-square-type statistic, with their power.

If T ~ s G for a known law G, the hypothesis s = s_0 is rejected at level alpha when T / s_0
falls outside [q_lo, q_hi], the alpha/2 and 1 - alpha/2 quantiles of G. Under s = s_0 this
happens with probability exactly alpha; when the truth is s = 1 and s_0 is claimed it happens with

    power(s_0) = G(s_0 q_lo) + 1 - G(s_0 q_hi),

and {s : not rejected} = [T / q_hi, T / q_lo] is the exact (1 - alpha) confidence interval.

Two laws occur: ``ChiSquare(k)``, and ``RectifiedChiSquare(M)``, the law of sum_{m=1}^{M}
ReLU(z_m)^2 for z_m ~ N(0, 1): each term is 0 or a squared normal with probability 1/2, so the sum
is chi^2 with Binomial(M, 1/2) degrees of freedom; and ``ProductLaw(A, B)``, the law of A B for
independent A ~ chi^2_k and B of known density (a rectified chi-square), whose cdf is the
one-dimensional integral

    P(A B <= t) = int F_A(t / u) f_B(u) du,

computed by Gauss-Legendre quadrature over B's bulk (+-12 standard deviations).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from scipy.special import gammaln
from scipy.stats import binom, chi2, norm


@dataclass(frozen=True)
class ChiSquare:
    """chi^2 with ``dof`` degrees of freedom."""

    dof: float

    @property
    def mean(self) -> float:
        """E[chi^2_k] = k."""
        return float(self.dof)

    @property
    def variance(self) -> float:
        """Var[chi^2_k] = 2 k."""
        return 2.0 * self.dof

    def cdf(self, t: float) -> float:
        return float(chi2.cdf(t, self.dof))

    def sf(self, t: float) -> float:
        return float(chi2.sf(t, self.dof))

    def quantiles(self, tail: float) -> tuple[float, float]:
        """(q_lo, q_hi) with P(T < q_lo) = P(T > q_hi) = ``tail``."""
        return float(chi2.ppf(tail, self.dof)), float(chi2.isf(tail, self.dof))


@dataclass(frozen=True)
class RectifiedChiSquare:
    """The law of a sum of ``draws`` squared rectified standard normals: chi^2_{Binomial(draws, 1/2)}."""

    draws: int
    #: Binomial standard deviations kept on each side; the mass dropped is below 1e-22.
    width: float = 10.0

    @property
    def mean(self) -> float:
        """E[T] = E[K] = M/2 for K ~ Binomial(M, 1/2) degrees of freedom."""
        return self.draws / 2

    @property
    def variance(self) -> float:
        """Var[T] = E[Var(T|K)] + Var(E[T|K]) = E[2K] + Var(K) = M + M/4."""
        return self.draws + self.draws / 4

    @property
    def _mixture(self) -> tuple[np.ndarray, np.ndarray]:
        return _binomial_mixture(self.draws, self.width)

    def cdf(self, t: float) -> float:
        k, w = self._mixture
        return float(np.dot(w, chi2.cdf(t, k)))

    def sf(self, t: float) -> float:
        k, w = self._mixture
        return float(np.dot(w, chi2.sf(t, k)))

    def pdf(self, u: np.ndarray) -> np.ndarray:
        """The mixture density sum_k P(K = k) f_{chi^2_k}(u), summed in log space:
        log f_{chi^2_k}(u) = (k/2 - 1) log u - u/2 - (k/2) log 2 - log Gamma(k/2)."""
        k, w = self._mixture
        half = k / 2
        constant = np.log(w) - half * np.log(2.0) - gammaln(half)  # per k, shared by every u
        u = np.asarray(u, dtype=float)
        log_terms = np.outer(np.log(u), half - 1)
        log_terms += constant[None, :]
        top = log_terms.max(axis=1)
        log_terms -= top[:, None]
        np.exp(log_terms, out=log_terms)
        return np.exp(top - u / 2) * log_terms.sum(axis=1)

    def quantiles(self, tail: float) -> tuple[float, float]:
        return _rectified_quantiles(self.draws, self.width, tail)

    def _solve_quantiles(self, tail: float) -> tuple[float, float]:
        return _solve_tails(self, tail, 1e-10)


def _solve_tails(law: Any, tail: float, relative_xtol: float) -> tuple[float, float]:
    """The ``tail`` and ``1 - tail`` quantiles of a positive law with ``cdf``, ``sf``, ``pdf``,
    ``mean`` and ``variance``, each bracketed between the mean and 40 standard deviations away."""
    sd = np.sqrt(law.variance)
    z = float(norm.isf(tail))
    floor = max(1e-12, law.mean - 40 * sd)
    xtol = relative_xtol * law.mean
    lo = _log_newton(law.cdf, law, tail, law.mean - z * sd, (floor, law.mean), xtol)
    hi = _log_newton(law.sf, law, tail, law.mean + z * sd, (law.mean, law.mean + 40 * sd), xtol)
    return lo, hi


def _log_newton(prob: Any, law: Any, tail: float, start: float, bracket: tuple[float, float],
                xtol: float) -> float:
    """The t in ``bracket`` with prob(t) = ``tail``, prob being the law's cdf or sf (monotone).

    Safeguarded Newton on h(t) = +-(log prob(t) - log tail), oriented to increase over the
    bracket, whose slope is pdf(t) / prob(t) either way: a step that leaves the bracket is
    replaced by bisection, so it converges whenever the bracket holds the root."""
    sign = 1.0 if prob == law.cdf else -1.0
    a, b = bracket
    x = min(max(start, a), b)
    for _ in range(200):
        p = prob(x)
        h = sign * (math.log(p) - math.log(tail)) if p > 0 else -sign * math.inf
        if h == 0:
            return float(x)
        if h < 0:
            a = x
        else:
            b = x
        density = float(law.pdf(np.array([x]))[0])
        step = h * p / density if density > 0 and math.isfinite(h) else math.nan
        new = x - step
        if not a < new < b:
            new = (a + b) / 2
        if abs(new - x) < xtol:
            return float(new)
        x = new
    raise ArithmeticError(f"no quantile for tail {tail} within {bracket}")


@lru_cache(maxsize=64)
def _binomial_mixture(draws: int, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Degrees of freedom k within ``width`` standard deviations of Binomial(draws, 1/2) and their
    renormalised probabilities (one table per law, shared by every instance)."""
    sd = np.sqrt(draws) / 2
    lo = max(1, int(draws / 2 - width * sd))
    hi = min(draws, int(np.ceil(draws / 2 + width * sd)))
    k = np.arange(lo, hi + 1)
    weights = binom.pmf(k, draws, 0.5)
    return k, weights / weights.sum()


@lru_cache(maxsize=64)
def _rectified_quantiles(draws: int, width: float, tail: float) -> tuple[float, float]:
    return RectifiedChiSquare(draws, width)._solve_quantiles(tail)


@dataclass(frozen=True)
class ProductLaw:
    """The law of A B for independent A ~ ``first`` (a chi-square) and B ~ ``second`` (with a
    density): P(A B <= t) = int F_A(t / u) f_B(u) du by Gauss-Legendre quadrature."""

    first: ChiSquare
    second: RectifiedChiSquare
    #: Quadrature nodes per panel and panels over B's +-12 standard deviations.
    nodes: int = 48
    panels: int = 6

    @property
    def mean(self) -> float:
        return self.first.mean * self.second.mean

    @property
    def variance(self) -> float:
        a, b = self.first, self.second
        return (a.variance + a.mean**2) * (b.variance + b.mean**2) - self.mean**2

    @property
    def _rule(self) -> tuple[np.ndarray, np.ndarray]:
        """Nodes u_i and weights c_i = (quadrature weight) f_B(u_i) (one rule per law)."""
        return _product_rule(self.second, self.nodes, self.panels)

    def cdf(self, t: float) -> float:
        u, c = self._rule
        return float(np.dot(c, chi2.cdf(t / u, self.first.dof)))

    def sf(self, t: float) -> float:
        u, c = self._rule
        return float(np.dot(c, chi2.sf(t / u, self.first.dof)))

    def pdf(self, t: np.ndarray) -> np.ndarray:
        """f(t) = int f_A(t / u) f_B(u) / u du by the same rule."""
        u, c = self._rule
        return np.asarray(chi2.pdf(np.outer(np.asarray(t, dtype=float), 1 / u), self.first.dof) @ (c / u))

    def quantiles(self, tail: float) -> tuple[float, float]:
        return _product_quantiles(self.first.dof, self.second.draws, tail)

    def _solve_quantiles(self, tail: float) -> tuple[float, float]:
        return _solve_tails(self, tail, 1e-12)


@lru_cache(maxsize=64)
def _product_rule(b: RectifiedChiSquare, nodes: int, panels: int) -> tuple[np.ndarray, np.ndarray]:
    sd = np.sqrt(b.variance)
    edges = np.linspace(max(0.0, b.mean - 12 * sd), b.mean + 12 * sd, panels + 1)
    x, wq = np.polynomial.legendre.leggauss(nodes)
    half = np.diff(edges) / 2
    u = (edges[:-1, None] + half[:, None] * (x[None, :] + 1)).ravel()
    c = (half[:, None] * wq[None, :]).ravel() * b.pdf(u)
    return u, c


@lru_cache(maxsize=64)
def _product_quantiles(dof: float, draws: int, tail: float) -> tuple[float, float]:
    return ProductLaw(ChiSquare(dof), RectifiedChiSquare(draws))._solve_quantiles(tail)


@dataclass(frozen=True)
class ScaleTest:
    """The exact level-``alpha`` two-sided test of T ~ s ``law`` for the scale s."""

    law: ChiSquare | RectifiedChiSquare | ProductLaw
    alpha: float

    @cached_property
    def quantiles(self) -> tuple[float, float]:
        return self.law.quantiles(self.alpha / 2)

    def p_value(self, statistic: float, scale: float) -> float:
        """Two-sided p-value of ``statistic`` under T ~ scale * law."""
        u = statistic / scale
        return float(min(1.0, 2 * min(self.law.cdf(u), self.law.sf(u))))

    def interval(self, statistic: float) -> tuple[float, float]:
        """The exact (1 - alpha) confidence interval for the scale."""
        lo, hi = self.quantiles
        return statistic / hi, statistic / lo

    def power(self, claimed_scale: float, true_scale: float = 1.0) -> float:
        """P(reject scale = claimed_scale) when T ~ true_scale * law."""
        return 1.0 - self.miss(claimed_scale, true_scale)

    def miss(self, claimed_scale: float, true_scale: float = 1.0) -> float:
        """P(accept scale = claimed_scale) when T ~ true_scale * law: G(r q_hi) - G(r q_lo) with
        r = claimed / true, as a difference of the two small tail probabilities on the side where
        the acceptance region lies (accurate far below 1e-16, where 1 - power rounds to 0)."""
        lo, hi = self.quantiles
        r = claimed_scale / true_scale
        if self.law.sf(r * lo) < 0.5:
            miss = self.law.sf(r * lo) - self.law.sf(r * hi)
        else:
            miss = self.law.cdf(r * hi) - self.law.cdf(r * lo)
        return float(min(1.0, max(0.0, miss)))


def combined_power(powers: list[float]) -> float:
    """P(at least one of several independent checks rejects)."""
    miss = 1.0
    for p in powers:
        miss *= 1.0 - p
    return 1.0 - miss
