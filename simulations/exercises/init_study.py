r"""Problem 1.3: how the weight scale changes activation and gradient magnitudes with depth.

A depth-32, width-128 MLP h_l = W_l phi(h_{l-1}) + b_l (phi applied from the second layer on; the
first layer sees the input), W_l ~ N(0, (scale / sqrt(128))^2), b_l = 0, standard normal inputs and
output deltas, 32 samples. Per layer: the RMS of the pre-activations h_l, of the deltas dL/dh_l,
and of the weight and bias gradients.

The recommended scale for each activation minimises the larger of |log(RMS_L / RMS_1)| for the
pre-activations and for the deltas (the same random matrices at every scale, averaged over
``SEEDS`` draws): a scale that keeps both forward and backward signals level. When even the best
scale leaves one of them changing by more than ``STABLE`` (a factor 4 over 32 layers), or the best
lies on the edge of the searched range, no scale works and the answer is ``None`` (sigmoid: its
mean of 1/2 and slope of at most 1/4 cannot both be compensated). The ReLU answer is compared with
sqrt(2) from the ``he_sigma`` derivation, all with ``torch.nn.init.calculate_gain``.
"""
from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from ..device import substream

DEPTH, WIDTH, BATCH = 32, 128, 32
SEEDS = 4
ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda t: t}
#: The name torch.nn.init.calculate_gain knows each activation by.
GAIN_NAMES: dict[str, Literal["relu", "tanh", "sigmoid", "linear"]] = {
    "relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "identity": "linear"}
#: Search range of the scale (log-spaced coarse grid, then a fine grid around the best).
SCALE_RANGE = (0.25, 6.0)
STABLE = math.log(4.0)


def draws(seed: int, seeds: int = SEEDS, dtype: torch.dtype = torch.float64,
          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Unit Gaussian weight matrices, inputs and output deltas for ``seeds`` independent networks."""
    gen = torch.Generator().manual_seed(substream(seed, "init"))
    base = torch.randn(DEPTH, seeds, WIDTH, WIDTH, generator=gen, dtype=dtype)
    x = torch.randn(seeds, BATCH, WIDTH, generator=gen, dtype=dtype)
    delta = torch.randn(seeds, BATCH, WIDTH, generator=gen, dtype=dtype)
    return base, x, delta


def profile(activation: str, scale: float, base: torch.Tensor, x: torch.Tensor, delta: torch.Tensor,
            ) -> dict[str, np.ndarray]:
    """Per-layer RMS (seeds x depth) of pre-activations, deltas, weight and bias gradients."""
    phi = ACTIVATIONS[activation]
    weights = [(scale / math.sqrt(WIDTH) * base[layer]).requires_grad_() for layer in range(DEPTH)]
    biases = [torch.zeros(base.shape[1], 1, WIDTH, dtype=base.dtype, requires_grad=True) for _ in range(DEPTH)]
    h, pre = x, []
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
        a = torch.baddbmm(b, h if layer == 0 else phi(h), w.transpose(1, 2))
        a.retain_grad()
        pre.append(a)
        h = a
    phi(h).backward(delta)

    def rms(tensors: list[torch.Tensor], dims: tuple[int, ...]) -> np.ndarray:
        return torch.stack([t.detach().square().mean(dim=dims).sqrt() for t in tensors], dim=1).numpy()

    return {"rms_activations": rms(pre, (1, 2)), "rms_deltas": rms([_grad(a) for a in pre], (1, 2)),
            "rms_weight_grads": rms([_grad(w) for w in weights], (1, 2)),
            "rms_bias_grads": rms([_grad(b) for b in biases], (1, 2))}


def _grad(t: torch.Tensor) -> torch.Tensor:
    """The gradient backward() left on ``t`` (a leaf, or a tensor that retains its gradient)."""
    assert t.grad is not None, "backward() fills the gradient of every tensor of the profile"
    return t.grad


def instability(activation: str, scale: float, base: torch.Tensor, x: torch.Tensor, delta: torch.Tensor) -> float:
    """max(|mean log(RMS_L/RMS_1)| of pre-activations, of deltas) over the seeds."""
    p = profile(activation, scale, base, x, delta)
    ratios = [np.mean(np.log(p[key][:, -1] / p[key][:, 0])) for key in ("rms_activations", "rms_deltas")]
    return float(max(abs(r) for r in ratios))


def search(activation: str, base: torch.Tensor, x: torch.Tensor, delta: torch.Tensor, coarse: int = 25,
           fine: int = 15) -> tuple[float, float, bool]:
    """(best scale, its instability, whether it lies on the edge of the range)."""
    lo, hi = SCALE_RANGE
    grid = np.exp(np.linspace(math.log(lo), math.log(hi), coarse))
    values = [instability(activation, s, base, x, delta) for s in grid]
    i = int(np.argmin(values))
    edge = i in (0, coarse - 1)
    left, right = grid[max(i - 1, 0)], grid[min(i + 1, coarse - 1)]
    for s in np.exp(np.linspace(math.log(left), math.log(right), fine)):
        v = instability(activation, s, base, x, delta)
        if v < values[i]:
            grid, values, i = np.append(grid, s), [*values, v], len(values)
    return float(grid[i]), float(values[i]), edge


def run(out_dir: Path, seed: int = 0, device: str = "auto", show: bool = True, figures: bool = True) -> dict:
    """Search the stable scale per activation; profiles at the recommended, too small and too large scale.

    ``device`` and ``show`` are taken for the same signature as the other exercises and not used:
    the study is small and runs on the CPU in float64, without a progress bar.
    """
    start = time.perf_counter()
    base, x, delta = draws(seed)
    recommended, searches, runs = {}, {}, []
    for activation in ACTIVATIONS:
        best, value, edge = search(activation, base, x, delta)
        works = value <= STABLE and not edge
        recommended[activation] = round(best, 4) if works else None
        searches[activation] = {"best_scale": best, "instability": value, "on_edge": edge, "works": works}
        centre = best if works else 1.0
        for label, scale in (("recommended" if works else "scale_1_none_works", centre), ("too_small", centre / 2),
                             ("too_large", centre * 2)):
            p = profile(activation, scale, base[:, :1], x[:1], delta[:1])
            runs.append({"activation": activation, "scale": scale, "label": label,
                         **{k: v[0].tolist() for k, v in p.items()}})
    gains = {a: torch.nn.init.calculate_gain(GAIN_NAMES[a]) for a in ACTIVATIONS}
    import sympy as sp

    from derivcheck.derivations import derive

    he = derive("he_sigma").result
    summary = {"runs": runs, "recommended": recommended, "calculate_gain": gains,
               "he_sigma_times_sqrt_width": float(he * sp.sqrt(sp.Symbol("d", integer=True, positive=True))),
               "search": searches,
               "config": {"depth": DEPTH, "width": WIDTH, "batch": BATCH, "seeds": SEEDS, "seed": seed,
                          "scale_range": list(SCALE_RANGE), "stable_if_log_ratio_below": STABLE, "device": "cpu"},
               "figures": {}}
    if figures:
        summary["figures"] = plots(out_dir, runs)
    summary["seconds"] = round(time.perf_counter() - start, 2)
    return summary


def plots(out_dir: Path, runs: list[dict]) -> dict:
    from .figures import plt, save

    keys = ("rms_activations", "rms_deltas", "rms_weight_grads", "rms_bias_grads")
    titles = ("pre-activations", "deltas", "weight gradients", "bias gradients")
    fig, axes = plt.subplots(len(ACTIVATIONS), 4, figsize=(7.2, 8.0), sharex=True, constrained_layout=True)
    styles = {"recommended": "-", "scale_1_none_works": "-", "too_small": ":", "too_large": "--"}
    for row, activation in zip(axes, ACTIVATIONS, strict=True):
        for r in (r for r in runs if r["activation"] == activation):
            for ax, key in zip(row, keys, strict=True):
                ax.semilogy(range(1, DEPTH + 1), r[key], styles[r["label"]], lw=1.0,
                            label=f"{r['label'].replace('_', ' ')} ({r['scale']:.2f})")
        row[0].set_ylabel(f"{activation}\nRMS")
        row[1].legend(fontsize=6, loc="best")
    for ax, title in zip(axes[0], titles, strict=True):
        ax.set_title(title)
    for ax in axes[-1]:
        ax.set_xlabel("layer")
    return {"rms": save(fig, out_dir, "init_rms")}
