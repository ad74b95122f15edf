r"""The logistic loss written so that exp never receives a positive argument (sheet 9, Problem 3.3).

With log sigma(t) = -log(1 + e^{-t}) and log(1 - sigma(t)) = -t - log(1 + e^{-t}),

    L = (1 - y) t + log(1 + e^{-t}),

which overflows for t << 0 (e^{-t}). Since log(1 + e^{-t}) = max(-t, 0) + log(1 + e^{-|t|}) and
t + max(-t, 0) = max(t, 0),

    L = max(t, 0) - t y + log(1 + e^{-|t|}),

whose exp sees -|t| <= 0 only. Both branches (t >= 0, t < 0) and both labels are checked equal to
the definition by SymPy (``extras["checked"]``).

>>> stable_logistic_loss().result
-t*y + log(1 + exp(-Abs(t))) + Max(0, t)
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .registry import derivation
from .sheet9_model import logistic, t, y


def definition() -> sp.Expr:
    """L(t) = -y log sigma(t) - (1 - y) log(1 - sigma(t)), as the sheet defines it."""
    s = logistic(t)
    return -y * sp.log(s) - (1 - y) * sp.log(1 - s)


def agrees(candidate: sp.Expr) -> dict[str, bool]:
    """Whether ``candidate`` equals the definition on each branch of t and for each label (SymPy)."""
    out = {}
    for branch, sym in (("t>0", sp.Symbol("u", positive=True)), ("t<0", -sp.Symbol("u", positive=True))):
        for label in (0, 1):
            diff = (candidate - definition()).subs({y: label}).subs(t, sym)
            out[f"{branch},y={label}"] = sp.simplify(sp.expand_log(sp.simplify(diff.rewrite(sp.exp)), force=True)) == 0
    return out


@derivation
def stable_logistic_loss() -> Derivation:
    """Rewrite L with log(1 + e^{-t}) = max(-t, 0) + log(1 + e^{-|t|})."""
    log_s = sp.expand_log(sp.log(1 / (1 + sp.exp(-t))), force=True)                    # -log(1 + e^{-t})
    one_minus = sp.simplify(1 - logistic(t))                                              # e^{-t} / (1 + e^{-t})
    log_one_minus = sp.expand_log(sp.log(sp.exp(-t)) + sp.log(1 / (1 + sp.exp(-t))), force=True)
    naive = sp.expand(-y * log_s - (1 - y) * log_one_minus)
    softplus = sp.log(1 + sp.exp(-t))
    split = sp.Max(-t, 0) + sp.log(1 + sp.exp(-sp.Abs(t)))
    result = (naive - softplus + split).subs(t + sp.Max(-t, 0), sp.Max(t, 0))
    L = sp.Symbol("L")
    steps = (
        Step(r"$\log \sigma(t) = -\log(1 + e^{-t})$.", eq(sp.log(sp.Function("sigma")(t)), log_s)),
        Step(r"$1 - \sigma(t) = e^{-t}/(1 + e^{-t})$, so $\log(1 - \sigma(t)) = -t - \log(1 + e^{-t})$.",
             eq(sp.log(1 - sp.Function("sigma")(t)), log_one_minus)),
        Step(r"Collect: correct, but $e^{-t}$ overflows for $t \ll 0$.", eq(L, naive)),
        Step(r"For $t < 0$ take $e^{-t}$ out of the logarithm ($\mathrm{ReLU}(u) = \max(u, 0)$).",
             eq(softplus, split)),
        Step(r"$t + \mathrm{ReLU}(-t) = \mathrm{ReLU}(t)$: $\exp$ now only sees $-|t| \le 0$.", eq(L, result)),
    )
    checked = agrees(result)
    if not all(checked.values()):
        raise ArithmeticError(f"the stable form differs from L: {checked}")
    return Derivation(
        statement=r"$L(t) = \max(t, 0) - t y + \log(1 + e^{-|t|})$, equal to the definition for $y \in \{0, 1\}$ "
                  r"and every $t$, with exp never receiving a positive argument.",
        result=result,
        assumptions={"t": "real", "y": "binary"},
        steps=steps,
        symbols={"t": t, "y": y},
        mistakes={"not_stable": naive, "label_term_dropped": softplus},
        extras={"naive": naive, "checked": checked, "one_minus_sigma": one_minus},
    )
