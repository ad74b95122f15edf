r"""Verification of E[h_i] = x_i under inverted dropout with ``torch.nn.functional.dropout``
(sheet 9, Problem 2.1).

``F.dropout(x, q)`` takes the DROP probability q; the sheet's keep probability is p = 1 - q. For
each (x, p) configuration a fixed x (entries of both signs, none 0) is repeated over N rows and
dropped out; entry i of every row is 0 or c_i (the kept value), and the number K_i of kept
entries is Binomial(N, p) exactly. A claimed E[h_i] = f fixes the keep probability f / c_i; the
exact binomial test of ``sheet9_layer`` decides, at level alpha / (entries * configurations).
An output other than 0 and one value per entry fails the check outright.
"""
from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.sheet9_model import p as p_sym
from derivcheck.derivations.sheet9_model import x_i as x_sym

from .chi2_test import combined_power
from .device import substream
from .registry import verifier
from .sheet9_layer import binomial_p, binomial_power, keep_from_variance, seeded
from .verification import Measurement, Outcome, Run

#: Keep probabilities (p != 1/2, so that p and 1 - p differ).
KEEPS: tuple[float, ...] = (0.8, 0.3, 0.9)
#: The fixed input x.
INPUT: tuple[float, ...] = (1.5, -0.7, 3.0, 0.25)
ROWS = 1 << 16


def dropped_counts(keep: float, rows: int, seed: int, dev: torch.device) -> list[dict]:
    """Per entry of ``INPUT``: the kept count K_i, the kept value c_i, and whether the output is
    0 or c_i everywhere."""
    x = torch.tensor(INPUT, dtype=torch.float64, device=dev).expand(rows, -1)
    with seeded(seed, dev):
        h = F.dropout(x, p=1 - keep, training=True)
    out = []
    for i, value in enumerate(INPUT):
        col = h[:, i]
        kept = col != 0
        values = torch.unique(col[kept])
        out.append({"x": value, "kept": int(kept.sum()), "value": float(values[0]) if len(values) else float("nan"),
                    "two_valued": len(values) <= 1})
    return out


def verify_moment(run: Run, claim: str, moment: str, claimed: sp.Expr | None) -> Outcome:
    """The shared check of E[h_i] (``moment`` = "mean") and Var[h_i] ("variance")."""
    derivation = derive(claim)
    args = (x_sym, p_sym)
    formula = sp.lambdify(args, derivation.result if claimed is None else claimed, "math")
    wrong_of = {k: sp.lambdify(args, v, "math") for k, v in derivation.mistakes.items()}
    level = run.alpha / (len(INPUT) * len(KEEPS))
    records, total = [], 0
    for keep in KEEPS:
        for entry in dropped_counts(keep, ROWS, substream(run.seed, "dropout", keep), run.device):
            x, c, k = entry["x"], entry["value"], entry["kept"]

            def keeps_of(value: float, c: float = c) -> list[float]:
                return [value / c] if moment == "mean" else keep_from_variance(value, c)

            claimed_keeps = keeps_of(formula(x, keep))
            p = max((binomial_p(k, ROWS, q) for q in claimed_keeps), default=0.0) if entry["two_valued"] else 0.0
            power = {}
            for name, fn in wrong_of.items():
                candidates = keeps_of(fn(x, keep))
                # rejected when every candidate keep probability is: at least 1 - the sum of their misses
                misses = sum(1 - binomial_power(ROWS, q, keep, level) for q in candidates)
                power[name] = max(0.0, 1 - misses)
            pi = k / ROWS
            estimate = c * pi if moment == "mean" else c * c * pi * (1 - pi)
            lo_k, hi_k = clopper_pearson(k, ROWS, level)
            if moment == "mean":
                interval = tuple(sorted((c * lo_k, c * hi_k)))
            else:
                ends = [c * c * q * (1 - q) for q in (lo_k, hi_k)]
                top = c * c / 4 if lo_k <= 0.5 <= hi_k else max(ends)
                interval = (min(ends), top)
            records.append({"x_i": x, "p": keep, "kept": k, "rows": ROWS, "value": c, "prediction": formula(x, keep),
                            "estimate": estimate, "interval": interval, "p_value": p, "alpha": level,
                            "passed": p > level, "power": power})
            total += ROWS
    head = records[0]
    quantity = "E[h_i]" if moment == "mean" else "Var[h_i]"
    measurements = tuple(Measurement(at={"x_i": r["x_i"], "p": r["p"]}, quantity=quantity, estimate=r["estimate"],
                                     interval=r["interval"], prediction=r["prediction"]) for r in records)
    return Outcome(passed=all(r["passed"] for r in records), prediction=head["prediction"], estimate=head["estimate"],
                   interval=head["interval"], p_value=min(1.0, len(records) * min(r["p_value"] for r in records)),
                   alpha=run.alpha, samples=total,
                   power={k: combined_power([r["power"][k] for r in records]) for k in head["power"]},
                   measurements=measurements, details={"entries": records, "convention": "F.dropout(x, p=1 - keep)"})


def clopper_pearson(kept: int, rows: int, alpha: float) -> tuple[float, float]:
    """The exact (1 - alpha) interval for the keep probability."""
    from scipy.stats import beta

    lo = 0.0 if kept == 0 else float(beta.ppf(alpha / 2, kept, rows - kept + 1))
    hi = 1.0 if kept == rows else float(beta.isf(alpha / 2, kept + 1, rows - kept))
    return lo, hi


@verifier
def verify(run: Run, *, claimed: sp.Expr | None = None) -> Outcome:
    """The exact binomial test of the claimed E[h_i] at every entry and keep probability."""
    return verify_moment(run, "dropout_mean", "mean", claimed)
