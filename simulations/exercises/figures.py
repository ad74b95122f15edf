"""Saving figures as vector PDF (for the report) and PNG (for a quick look)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

plt.rcParams.update({"figure.dpi": 110, "savefig.bbox": "tight", "font.size": 9, "axes.titlesize": 9,
                     "axes.labelsize": 9, "legend.fontsize": 8, "pdf.fonttype": 42})


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
