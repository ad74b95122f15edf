r"""Problem 1.3: how the weight scale changes activation and gradient magnitudes with depth.

A depth-32, width-128 MLP h_l = W_l phi(h_{l-1}) + b_l (phi applied from the second layer on; the
first layer sees the input), W_l ~ N(0, (scale / sqrt(128))^2), b_l = 0, standard normal inputs and
output deltas, 32 samples. Per layer: the RMS of the pre-activations h_l, of the deltas dL/dh_l,
and of the weight and bias gradients.

The *level* scale of each activation minimises the larger of |log(RMS_L / RMS_1)| for the
pre-activations and for the deltas over ``SCALE_RANGE`` (the same random matrices at every scale,
averaged over ``SEEDS`` draws). Two more measurements at that scale say whether the network still
works: the mean correlation, across the 128 units, between the last layer's pre-activations for
two different inputs (near 1: the network has forgotten which input it saw), and the fraction of
saturated units (a bounded activation within 1% of its range's ends, where its slope nearly
vanishes). A scale is recommended when both directions stay level (within a factor 4 over the 32
layers, not on the edge of the range) and fewer than a quarter of the units saturate; sigmoid
fails the last test (its outputs have mean 1/2, so a shared offset W 1/2 dominates every layer and
only a scale large enough to saturate half the units keeps the deltas from vanishing). The ReLU
answer is compared with sqrt(2) from the derivation, all with ``torch.nn.init.calculate_gain``.
"""
from __future__ import annotations

import math
import time
from collections.abc import Sequence
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
SCALE_RANGE = (0.25, 16.0)
STABLE = math.log(4.0)
#: A recommended scale leaves fewer than this fraction of the last layer's units saturated.
MAX_SATURATED = 0.25
#: Bounded activations: (lowest, highest) output; a unit is saturated within 1% of the range of either end.
BOUNDS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
SATURATION_MARGIN = 0.01
#: The per-layer quantities of a profile.
KEYS = ("rms_activations", "rms_deltas", "rms_weight_grads", "rms_bias_grads")


def draws(seed: int, seeds: int = SEEDS, dtype: torch.dtype = torch.float64,
          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Unit Gaussian weight matrices, inputs and output deltas for ``seeds`` independent networks."""
    gen = torch.Generator().manual_seed(substream(seed, "init"))
    base = torch.randn(DEPTH, seeds, WIDTH, WIDTH, generator=gen, dtype=dtype)
    x = torch.randn(seeds, BATCH, WIDTH, generator=gen, dtype=dtype)
    delta = torch.randn(seeds, BATCH, WIDTH, generator=gen, dtype=dtype)
    return base, x, delta


def profiles(activation: str, scales: Sequence[float] | np.ndarray, base: torch.Tensor, x: torch.Tensor,
             delta: torch.Tensor, gradients: bool = True) -> dict[str, np.ndarray]:
    r"""Per-layer RMS (scales x seeds x depth) of pre-activations, deltas and, with ``gradients``,
    weight and bias gradients, for every scale at once.

    With weights W_l = s / sqrt(width) B_l (B_l = ``base[l]``), zero biases, a_1 = x W_1^T and
    a_l = phi(a_{l-1}) W_l^T, the output phi(a_L) receives the gradient ``delta``; backward,
    d_L = delta * phi'(a_L), d_{l-1} = (d_l W_l) * phi'(a_{l-1}), and the gradients are
    dW_l = d_l^T phi(a_{l-1}) (x for l = 1) and db_l = sum over the batch of d_l. All scales share
    each product with B_l (one product of seeds x (scales * batch) rows), the scale applied after
    it; phi' is applied by the kernels autograd uses.
    """
    phi = ACTIVATIONS[activation]
    n_scales, seeds = len(scales), base.shape[1]
    # rows of every scale side by side: seed s, scale k, input i is row k * BATCH + i of batch s
    factor = torch.tensor([s / math.sqrt(WIDTH) for s in scales], dtype=base.dtype)[None, :, None, None]

    def scaled(t: torch.Tensor) -> torch.Tensor:
        """t (seeds x scales*BATCH x WIDTH) with each scale's rows times s / sqrt(width)."""
        return t.view(seeds, n_scales, -1, WIDTH).mul_(factor).view(t.shape)

    def rms(t: torch.Tensor) -> torch.Tensor:
        per_scale = t.view(seeds, n_scales, -1, WIDTH)
        return torch.linalg.vector_norm(per_scale, dim=(2, 3)).T / math.sqrt(per_scale[0, 0].numel())

    inputs = [x.repeat(1, n_scales, 1)]
    out: dict[str, list[torch.Tensor]] = {key: [] for key in KEYS[:4 if gradients else 2]}
    for layer in range(DEPTH):
        pre = scaled(torch.bmm(inputs[-1], base[layer].transpose(1, 2)))
        out["rms_activations"].append(rms(pre))
        inputs.append(phi(pre))
    d = _backward(activation, delta.repeat(1, n_scales, 1), inputs[DEPTH])
    for layer in range(DEPTH - 1, -1, -1):  # d is dL/da at this layer
        out["rms_deltas"].append(rms(d))
        if gradients:
            per_scale = d.view(seeds * n_scales, -1, WIDTH)
            out["rms_weight_grads"].append(rms(torch.bmm(per_scale.transpose(1, 2),
                                                         inputs[layer].view(seeds * n_scales, -1, WIDTH))))
            out["rms_bias_grads"].append(rms(per_scale.sum(dim=1, keepdim=True)))
        if layer:
            d = _backward(activation, scaled(torch.bmm(d, base[layer])), inputs[layer])
    for key in KEYS[1:len(out)]:
        out[key].reverse()
    return {key: torch.stack(values, dim=2).numpy() for key, values in out.items()}


def _backward(activation: str, grad: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """grad * phi'(a), from phi's ``output`` = phi(a) as autograd computes it."""
    aten = torch.ops.aten
    if activation == "relu":
        return aten.threshold_backward(grad, output, 0)
    if activation == "tanh":
        return aten.tanh_backward(grad, output)
    if activation == "sigmoid":
        return aten.sigmoid_backward(grad, output)
    return grad


def profile(activation: str, scale: float, base: torch.Tensor, x: torch.Tensor, delta: torch.Tensor,
            ) -> dict[str, np.ndarray]:
    """Per-layer RMS (seeds x depth) of pre-activations, deltas, weight and bias gradients at one scale."""
    return {key: value[0] for key, value in profiles(activation, [scale], base, x, delta).items()}


def profile_autograd(activation: str, scale: float, base: torch.Tensor, x: torch.Tensor, delta: torch.Tensor,
                     ) -> dict[str, np.ndarray]:
    """:func:`profile` by autograd (the network of leaf tensors, ``backward()`` through it): the
    reference the tests and ``benchmarks/exercises_speed.py`` compare :func:`profiles` with."""
    phi = ACTIVATIONS[activation]
    weights = [(scale / math.sqrt(WIDTH) * base[layer]).requires_grad_() for layer in range(DEPTH)]
    biases = [torch.zeros(base.shape[1], 1, WIDTH, dtype=base.dtype, requires_grad=True) for _ in range(DEPTH)]
    h, pre = x, []
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = torch.baddbmm(b, h if layer == 0 else phi(h), w.transpose(1, 2))
        h.retain_grad()
        pre.append(h)
    phi(h).backward(delta)
    tensors = [pre, [_grad(a) for a in pre], [_grad(w) for w in weights], [_grad(b) for b in biases]]
    return {key: torch.stack([t.detach().square().mean(dim=(1, 2)).sqrt() for t in ts], dim=1).numpy()
            for key, ts in zip(KEYS, tensors, strict=True)}


def _grad(t: torch.Tensor) -> torch.Tensor:
    """The gradient backward() left on ``t`` (a leaf, or a tensor that retains its gradient)."""
    assert t.grad is not None, "backward() fills the gradient of every tensor of the profile"
    return t.grad


def instabilities(activation: str, scales: Sequence[float] | np.ndarray, base: torch.Tensor, x: torch.Tensor,
                  delta: torch.Tensor) -> list[float]:
    """max(|mean log(RMS_L/RMS_1)| of pre-activations, of deltas) over the seeds, at each scale."""
    p = profiles(activation, scales, base, x, delta, gradients=False)
    ratios = [np.mean(np.log(p[key][:, :, -1] / p[key][:, :, 0]), axis=1) for key in ("rms_activations", "rms_deltas")]
    return [float(v) for v in np.maximum(np.abs(ratios[0]), np.abs(ratios[1]))]


def last_layer(activation: str, scale: float, base: torch.Tensor, x: torch.Tensor) -> dict[str, float]:
    """Mean pairwise input correlation of the last pre-activations, and the fraction of saturated units.

    The correlation is Pearson's across the units, for every pair of the ``BATCH`` inputs, averaged
    over pairs and seeds (the inputs themselves are independent: correlation near 0). Saturated
    units are counted over every unit of the last layer, input and seed.
    """
    phi = ACTIVATIONS[activation]
    h = x
    with torch.no_grad():
        for layer in range(DEPTH):
            h = torch.bmm(h if layer == 0 else phi(h), (scale / math.sqrt(WIDTH) * base[layer]).transpose(1, 2))
    pairs = torch.triu_indices(x.shape[1], x.shape[1], 1)
    corr = torch.stack([torch.corrcoef(h[s])[pairs[0], pairs[1]] for s in range(h.shape[0])])
    saturated = 0.0
    if activation in BOUNDS:
        lo, hi = BOUNDS[activation]
        out, margin = phi(h), SATURATION_MARGIN * (hi - lo)
        saturated = float(((out < lo + margin) | (out > hi - margin)).double().mean())
    return {"correlation": float(corr.mean()), "saturated": saturated}


def growth(activation: str, scale: float, base: torch.Tensor, x: torch.Tensor, delta: torch.Tensor,
           ) -> dict[str, float]:
    """Mean factor per layer of the pre-activations' RMS (input to output) and of the deltas' (output to input)."""
    p = profiles(activation, [scale], base, x, delta, gradients=False)
    p = {key: value[0] for key, value in p.items()}
    per_layer = {key: float(np.exp(np.mean(np.log(p[key][:, -1] / p[key][:, 0])) / (DEPTH - 1)))
                 for key in ("rms_activations", "rms_deltas")}
    return {"activations": per_layer["rms_activations"], "deltas": 1.0 / per_layer["rms_deltas"]}


def search(activation: str, base: torch.Tensor, x: torch.Tensor, delta: torch.Tensor, coarse: int = 25,
           fine: int = 15) -> tuple[float, float, bool]:
    """(best scale, its instability, whether it lies on the edge of the range)."""
    lo, hi = SCALE_RANGE
    grid = np.exp(np.linspace(math.log(lo), math.log(hi), coarse))
    values = instabilities(activation, grid, base, x, delta)
    i = int(np.argmin(values))
    edge = i in (0, coarse - 1)
    left, right = grid[max(i - 1, 0)], grid[min(i + 1, coarse - 1)]
    finer = np.exp(np.linspace(math.log(left), math.log(right), fine))
    for s, v in zip(finer, instabilities(activation, finer, base, x, delta), strict=True):
        if v < values[i]:
            grid, values, i = np.append(grid, s), [*values, v], len(values)
    return float(grid[i]), float(values[i]), edge


def run(out_dir: Path, seed: int = 0, device: str = "auto", show: bool = True, figures: bool = True) -> dict:
    """Search the level scale per activation, test it; profiles at that scale, half and double.

    ``device`` and ``show`` are taken for the same signature as the other exercises and not used:
    the study is small and runs on the CPU in float64, without a progress bar.
    """
    start = time.perf_counter()
    base, x, delta = draws(seed)
    gains = {a: torch.nn.init.calculate_gain(GAIN_NAMES[a]) for a in ACTIVATIONS}
    recommended, searches, runs = {}, {}, []
    for activation in ACTIVATIONS:
        best, value, edge = search(activation, base, x, delta)
        level = value <= STABLE and not edge
        last = last_layer(activation, best, base, x)
        works = level and last["saturated"] < MAX_SATURATED
        recommended[activation] = round(best, 4) if works else None
        searches[activation] = {
            "best_scale": best, "instability": value, "largest_change": math.exp(value), "on_edge": edge,
            "level": level, **last, "works": works,
            "growth": growth(activation, best, base, x, delta),
            "at_gain": {"scale": gains[activation], **growth(activation, gains[activation], base, x, delta),
                        **last_layer(activation, gains[activation], base, x)}}
        centre = best if level else 1.0
        for label, scale in (("recommended" if works else "level" if level else "scale_1", centre),
                             ("too_small", centre / 2), ("too_large", centre * 2)):
            p = profile(activation, scale, base[:, :1], x[:1], delta[:1])
            runs.append({"activation": activation, "scale": scale, "label": label,
                         **{k: v[0].tolist() for k, v in p.items()}})
    import sympy as sp

    from derivcheck.derivations import derive

    he = derive("he_sigma").result
    summary = {"runs": runs, "recommended": recommended, "calculate_gain": gains,
               "he_sigma_times_sqrt_width": float(he * sp.sqrt(sp.Symbol("d", integer=True, positive=True))),
               "search": searches,
               "config": {"depth": DEPTH, "width": WIDTH, "batch": BATCH, "seeds": SEEDS, "seed": seed,
                          "scale_range": list(SCALE_RANGE), "stable_if_log_ratio_below": STABLE,
                          "stable_factor": math.exp(STABLE),
                          "max_saturated": MAX_SATURATED, "saturation_margin": SATURATION_MARGIN, "device": "cpu"},
               "figures": {}}
    if figures:
        summary["figures"] = plots(out_dir, runs)
    summary["seconds"] = round(time.perf_counter() - start, 2)
    return summary


#: Legend text and line style of each profile.
LABELS = {"recommended": ("recommended", "-"), "level": ("level", "-"), "scale_1": ("scale 1", "-"),
          "too_small": ("half", ":"), "too_large": ("double", "--")}
NAMES = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "identity": "identity"}


def plots(out_dir: Path, runs: list[dict]) -> dict:
    """Per-layer RMS of the four quantities (columns) for each activation (rows), log scale."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from matplotlib.lines import Line2D
    from matplotlib.ticker import LogLocator, NullLocator

    from .figures import figure, save

    keys = ("rms_activations", "rms_deltas", "rms_weight_grads", "rms_bias_grads")
    titles = ("pre-activations", "deltas", "weight gradients", "bias gradients")
    fig, axes = figure("init_rms", 3.1, len(ACTIVATIONS), 4, sharex=True)
    engine = fig.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)
    engine.set(w_pad=0.06, wspace=0.06)  # tick labels clear of the next panel
    for row, activation in zip(axes, ACTIVATIONS, strict=True):
        centre = 1.0
        for r in (r for r in runs if r["activation"] == activation):
            style = LABELS[r["label"]][1]
            centre = r["scale"] if style == "-" else centre
            for ax, key in zip(row, keys, strict=True):
                ax.semilogy(range(1, DEPTH + 1), r[key], style, color="k", lw=1.0 if style == "-" else 1.2)
        for ax in row:
            lo, hi = ax.get_ylim()
            if hi / lo < 100:  # at least two decades, so that the axis carries labelled ticks
                mid = math.sqrt(lo * hi)
                ax.set_ylim(mid / 10, mid * 10)
            ax.yaxis.set_major_locator(LogLocator(base=10, numticks=3))  # few labels, apart
            ax.yaxis.set_minor_locator(NullLocator())
        row[0].set_ylabel(f"{NAMES[activation]}\n$s = {centre:.4g}$")  # as the report's tables print it
    for ax, title in zip(axes[0], titles, strict=True):
        ax.set_title(title)
    for ax in axes[-1]:
        ax.set_xlabel("layer")
        ax.set_xticks((1, 8, 16, 24, 32))
    handles = [Line2D([], [], color="k", ls=style, lw=1.1) for style in ("-", ":", "--")]
    fig.legend(handles, ["$s$: best grid point of the search (row label)", "half: $s/2$", "double: $2s$"],
               loc="outside upper center", ncol=3, frameon=False)
    return {"rms": save(fig, out_dir, "init_rms")}
