"""One figure style for every figure of the exercises and the report, drawn at its printed size.

A figure is made by :func:`figure` at the width it is printed at in the report, a fraction of the
report's text width (:data:`TEXT_WIDTH`, A4 with 1.9 cm margins) taken from :data:`PRINT_WIDTH`, and
is included there at that width (:func:`include_width`, i.e. at its natural size), so the sizes set
here are the sizes on paper: text :data:`FONT_PT`, tick labels and legends :data:`SMALL_PT`, never
smaller. A figure included narrower than its print width would shrink every font with it.

Saved as vector PDF (for the report) and PNG (for a quick look).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

#: The report's text width in inches (A4, 210 mm, less two margins of 19 mm).
TEXT_WIDTH = (210 - 2 * 19) / 25.4
#: Titles, axis labels, row labels (points, as printed).
FONT_PT = 8.0
#: Tick labels, legends, annotations (points, as printed): the smallest text of any figure.
SMALL_PT = 7.0

STYLE: dict[str, Any] = {"figure.dpi": 110, "savefig.bbox": "tight", "savefig.pad_inches": 0.02, "pdf.fonttype": 42,
         "font.size": FONT_PT, "axes.titlesize": FONT_PT, "axes.labelsize": FONT_PT,
         "figure.titlesize": FONT_PT, "xtick.labelsize": SMALL_PT, "ytick.labelsize": SMALL_PT,
         "legend.fontsize": SMALL_PT, "legend.title_fontsize": SMALL_PT,
         "axes.linewidth": 0.6, "lines.linewidth": 1.0, "xtick.major.width": 0.6, "ytick.major.width": 0.6,
         "xtick.major.size": 2.5, "ytick.major.size": 2.5, "xtick.minor.size": 1.5, "ytick.minor.size": 1.5}
matplotlib.rcParams.update(matplotlib.RcParams(STYLE))

#: Every figure's printed width as a fraction of the text width, by the name it is saved under.
PRINT_WIDTH: dict[str, float] = {
    "fit2d_heatmaps": 0.6, "fit2d_cross_section": 0.48, "fit2d_loss": 1.0, "fit2d_sweep": 0.36,
    "fit2d_logo": 0.62, "digits_curves": 0.48, "digits_extremes": 0.5, "init_rms": 0.9,
    "relu_variance_convergence": 0.8, "cost_scaling": 1.0,
}


def figure(name: str, height: float, nrows: int = 1, ncols: int = 1, **subplots: Any) -> tuple[plt.Figure, Any]:
    """``plt.subplots`` for the figure saved as ``name``: :data:`PRINT_WIDTH` text widths wide and
    ``height`` inches high, constrained layout, in the one style (:data:`STYLE`)."""
    return plt.subplots(nrows, ncols, figsize=(PRINT_WIDTH[name] * TEXT_WIDTH, height), constrained_layout=True,
                        **subplots)


def include_width(name: str) -> str:
    r"""The width to include figure ``name`` at in LaTeX (``0.8\linewidth``): its print width, so
    that its fonts print at their set sizes."""
    fraction = PRINT_WIDTH[name]
    return r"\linewidth" if fraction == 1 else rf"{fraction:g}\linewidth"


def save(fig: plt.Figure, out_dir: Path, name: str) -> dict[str, str]:
    """Write ``name.pdf`` and ``name.png`` under ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for ext in ("pdf", "png"):
        path = out_dir / f"{name}.{ext}"
        fig.savefig(path, dpi=150 if ext == "png" else None)
        paths[ext] = str(path)
    plt.close(fig)
    return paths
