"""One figure style: every figure is drawn at its printed width, so no text in it prints below SMALL_PT."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from derivcheck.simulations.exercises import figures
from derivcheck.simulations.exercises.figures import PRINT_WIDTH, SMALL_PT, TEXT_WIDTH, figure, include_width


def drawn(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The figures a plotting function saves, by name, kept open instead of written."""
    kept: dict[str, object] = {}
    monkeypatch.setattr(figures, "save", lambda fig, out_dir, name: kept.setdefault(name, fig) and {})
    return kept


def legends_clear_of_the_axes(fig) -> bool:
    """Whether every legend of ``fig`` lies outside every axes' plotting area (so it covers no data)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    assert legends, "the figure has a legend"
    return not any(legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
                   for legend in legends for ax in fig.axes)


def smallest_text(fig) -> float:
    """The smallest font size (points) of any visible text in ``fig``, ticks and legends included."""
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
             if t.get_visible() and t.get_text()]
    return min(sizes)


def test_a_figure_is_as_wide_as_it_prints():
    fig, _ = figure("init_rms", 3.0, 2, 2)
    assert fig.get_size_inches()[0] == pytest.approx(PRINT_WIDTH["init_rms"] * TEXT_WIDTH)
    assert include_width("init_rms") == rf"{PRINT_WIDTH['init_rms']:g}\linewidth"
    assert include_width("cost_scaling") == r"\linewidth"
    assert abs(TEXT_WIDTH - 172 / 25.4) < 1e-12  # A4 less the report's 1.9 cm margins


def test_the_initialisation_figure_prints_no_text_below_the_smallest_size(monkeypatch, tmp_path: Path):
    from derivcheck.simulations.exercises import init_study

    kept = drawn(monkeypatch)
    depth = init_study.DEPTH
    runs = [{"activation": act, "label": label, "scale": scale,
             **{k: list(np.geomspace(1, factor, depth)) for k in init_study.KEYS}}
            for act in init_study.ACTIVATIONS
            for label, scale, factor in (("level", 1.4, 1.0), ("too_small", 0.7, 1e-6), ("too_large", 2.8, 1e6))]
    init_study.plots(tmp_path, runs)
    fig = kept["init_rms"]
    assert fig.get_size_inches()[0] == pytest.approx(PRINT_WIDTH["init_rms"] * TEXT_WIDTH)
    assert smallest_text(fig) >= SMALL_PT


def test_the_digits_figures_print_no_text_below_the_smallest_size(monkeypatch, tmp_path: Path):
    import torch

    from derivcheck.simulations.exercises import digits

    kept = drawn(monkeypatch)
    epochs = 8
    curves = {f"{s}_{q}": list(np.linspace(1, 0.1, epochs)) for s in ("train", "val") for q in ("loss", "accuracy")}
    items = [{"index": k, "label": k, "predicted": (k + 1) % 10, "loss": 10.0 ** -k} for k in range(5)]
    data = SimpleNamespace(val=SimpleNamespace(x=torch.rand(5, 64)), image_shape=(8, 8))
    digits.plots(tmp_path, data, curves, {"lowest": items, "highest": items})
    for name in ("digits_curves", "digits_extremes"):
        assert kept[name].get_size_inches()[0] == pytest.approx(PRINT_WIDTH[name] * TEXT_WIDTH)
        assert smallest_text(kept[name]) >= SMALL_PT, name
    assert legends_clear_of_the_axes(kept["digits_curves"])  # the legend covers no marker (it once did)


def test_the_cost_figure_legend_covers_no_marker(monkeypatch, tmp_path: Path):
    from derivcheck.report.stages import sheet8

    sweep = [{"n": n, "L": L, "K": K, "predicted": float(L * K * K + n * K), "measured": float(L * K * K + n * K)}
             for n in (16, 32, 64) for L in (1, 5, 9) for K in (16, 64, 256)]
    kept: dict[str, object] = {}
    monkeypatch.setattr(sheet8, "save", lambda fig, out, name: kept.setdefault(name, fig) and {"pdf": ""})
    sheet8.cost_figure({claim: {"details": {"sweep": sweep}} for claim in sheet8.COST_STYLES}, tmp_path)
    assert legends_clear_of_the_axes(kept["cost_scaling"])
