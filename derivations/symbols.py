"""The symbols of the exercise sheet, with the assumptions its questions declare (docs/interface.md)."""
from __future__ import annotations

import sympy as sp

d = sp.Symbol("d", integer=True, positive=True)
sigma = sp.Symbol("sigma", positive=True)
eps = sp.Symbol("eps", positive=True)
n, L, K = sp.symbols("n L K", integer=True, positive=True)
i, j, k, l = sp.symbols("i j k l", integer=True, positive=True)  # noqa: E741 - l is the sheet's layer index
z = sp.Symbol("z", real=True)
t = sp.Symbol("t", real=True)
c = sp.Symbol("c", real=True)
m = sp.Symbol("m", real=True)
g = sp.Symbol("g", real=True)

x = sp.IndexedBase("x", real=True)
y = sp.IndexedBase("y", real=True)
w = sp.IndexedBase("w", real=True)
y_hat = sp.IndexedBase("yhat", real=True)

standard_normal_pdf = sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)

#: How symbols whose names are plain ASCII typeset (by name, whatever their assumptions).
LATEX_NAMES: dict[str, str] = {
    "eps": r"\varepsilon", "yhat": r"\hat{y}", "H_L": r"\nabla^2 L",
    "M_fwd": r"M_{\mathrm{fwd}}", "FLOPs_fwd": r"\mathrm{FLOPs}_{\mathrm{fwd}}", "M_train": r"M_{\mathrm{train}}",
    "M_l^in": r"M_l^{\mathrm{in}}", "M_l^W": r"M_l^{W}", "S_inf": r"S_{\mathrm{inf}}", "S_train": r"S_{\mathrm{train}}",
}
