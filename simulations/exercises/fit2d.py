r"""Problem 1.1: fit f(x1, x2) = cos(10 r) exp(-4 r^2), r = |x|, with a ReLU MLP of raw tensors.

No ``torch.nn``: the network is a list of (W, b) tensors, He-initialised (W ~ N(0, 2 / fan_in),
b = 0), ReLU on hidden layers and identity on the last; full-batch Adam (lr 1e-3, 1000 steps) on
the MSE over a 100 x 100 grid of [-1, 1]^2. A width x depth sweep answers how large the net must
be; the piecewise-linear nature is *measured*: along the cross-section x2 = 0 the model is
piecewise linear in x1 and :func:`line_pieces` walks it piece by piece exactly, while
:func:`grid_patterns` counts the distinct ReLU activation patterns the grid hits. Both are
compared with the bounds prod_l sum_{j <= n0} C(K_l, j) (n0 = 1 for the line, 2 for the plane;
Serra, Tjandraatmadja and Ramalingam, 2018).
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..device import generator, resolve_device, substream
from .progress import progress

Params = list[tuple[torch.Tensor, torch.Tensor]]

GRID = 100
STEPS = 1000
LEARNING_RATE = 1e-3
DEFAULT_DEPTH, DEFAULT_WIDTH = 4, 32
SWEEP_WIDTHS = (8, 32, 64)
SWEEP_DEPTHS = (2, 4, 6)


@dataclass(frozen=True)
class Config:
    """depth = number of weight matrices (input 2 -> width -> ... -> width -> 1)."""

    depth: int = DEFAULT_DEPTH
    width: int = DEFAULT_WIDTH

    @property
    def dims(self) -> list[int]:
        return [2] + [self.width] * (self.depth - 1) + [1]


def target(x: torch.Tensor) -> torch.Tensor:
    """f(x) = cos(10 |x|) exp(-4 |x|^2) for rows x = (x1, x2)."""
    r2 = x.square().sum(-1, keepdim=True)
    return torch.cos(10 * r2.sqrt()) * torch.exp(-4 * r2)


def grid(n: int = GRID, device: torch.device | None = None, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The n x n grid of [-1, 1]^2 as n^2 rows (x1 varies fastest)."""
    g = torch.linspace(-1, 1, n, device=device, dtype=dtype)
    x2, x1 = torch.meshgrid(g, g, indexing="ij")
    return torch.stack([x1.flatten(), x2.flatten()], dim=1)


def logo(n: int = GRID, text: str = "NN") -> torch.Tensor:
    """The harder target: ``text`` drawn by matplotlib into an n x n array in [0, 1] (offline)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=n)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=38, fontweight="bold")
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba(), dtype=np.float32)[:n, :n]
    ink = 1.0 - rgba[..., :3].mean(-1) / 255.0
    return torch.from_numpy(np.flipud(ink).copy()).reshape(-1, 1)  # row 0 is x2 = -1


def init_mlp(config: Config, gen: torch.Generator, device: torch.device, dtype: torch.dtype = torch.float32) -> Params:
    """He initialisation: W_l ~ N(0, 2 / K_{l-1}), b_l = 0."""
    params = []
    for fan_in, fan_out in itertools.pairwise(config.dims):
        w = torch.randn(fan_in, fan_out, generator=gen, device=device, dtype=dtype) * math.sqrt(2 / fan_in)
        params.append((w.requires_grad_(), torch.zeros(fan_out, device=device, dtype=dtype, requires_grad=True)))
    return params


def mlp(params: Params, x: torch.Tensor) -> torch.Tensor:
    """ReLU hidden layers, identity output."""
    for w, b in params[:-1]:
        x = torch.relu(torch.addmm(b, x, w))
    w, b = params[-1]
    return torch.addmm(b, x, w)


def train(params: Params, x: torch.Tensor, y: torch.Tensor, steps: int = STEPS, lr: float = LEARNING_RATE,
          show: bool = True, desc: str = "fit2d") -> list[float]:
    """Full-batch Adam on the MSE; the loss at every step."""
    opt = torch.optim.Adam([t for layer in params for t in layer], lr=lr)
    losses = []
    for _ in progress(range(steps), desc, total=steps, enabled=show):
        loss = (mlp(params, x) - y).square().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def final_mse(params: Params, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((mlp(params, x) - y).square().mean())


def region_bound(widths: list[int], input_dim: int) -> int:
    """prod_l sum_{j=0}^{min(input_dim, K_l)} C(K_l, j): at most this many linear regions."""
    return math.prod(sum(math.comb(k, j) for j in range(min(input_dim, k) + 1)) for k in widths)


def _affine_preactivations(params: Params, point: torch.Tensor, direction: torch.Tensor,
                           masks: list[torch.Tensor]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(value, slope) in t of every hidden pre-activation along point + t direction, with fixed masks."""
    value, slope = point[None], direction[None]
    forms = []
    for (w, b), mask in zip(params[:-1], masks, strict=True):
        value, slope = value @ w + b, slope @ w
        forms.append((value[0], slope[0]))
        value, slope = value * mask, slope * mask
    return forms


def line_pieces(params: Params, start: tuple[float, float] = (-1.0, 0.0), end: tuple[float, float] = (1.0, 0.0),
                ) -> list[float]:
    """Exact breakpoints of the model on the segment start -> end (t in [0, 1]).

    Within a piece the activation pattern is fixed, so every pre-activation is affine in t; the
    next breakpoint is the first root beyond t of any of them. Returns the interior breakpoints
    in t (the model has len(result) + 1 linear pieces).
    """
    p = [(w.detach().double(), b.detach().double()) for w, b in params]
    a, direction = torch.tensor(start, dtype=torch.float64), torch.tensor(end, dtype=torch.float64)
    direction = direction - a
    t, breaks = 0.0, []
    while t < 1.0:
        probe = a + (t + 1e-12) * direction
        masks = []
        h = probe[None]
        for w, b in p[:-1]:
            pre = h @ w + b
            masks.append((pre[0] > 0).double())
            h = torch.relu(pre)
        forms = _affine_preactivations(p, a, direction, masks)
        nxt = 1.0
        for value, slope in forms:
            with np.errstate(divide="ignore", invalid="ignore"):
                roots = (-value / slope).numpy()
            ahead = roots[np.isfinite(roots) & (roots > t + 1e-12)]
            if ahead.size:
                nxt = min(nxt, float(ahead.min()))
        if nxt < 1.0:
            breaks.append(nxt)
        t = nxt
    return breaks


def grid_patterns(params: Params, x: torch.Tensor) -> int:
    """Distinct ReLU activation patterns over the rows of x (linear regions the grid hits)."""
    bits = []
    with torch.no_grad():
        h = x
        for w, b in params[:-1]:
            pre = torch.addmm(b, h, w)
            bits.append(pre > 0)
            h = torch.relu(pre)
    return int(torch.unique(torch.cat(bits, dim=1), dim=0).shape[0])


def fit(config: Config, y: torch.Tensor, x: torch.Tensor, seed: int, dev: torch.device,
        steps: int = STEPS, show: bool = True) -> dict:
    """Initialise, train, and summarise one configuration."""
    start = time.perf_counter()
    params = init_mlp(config, generator(substream(seed, "fit2d", config.depth, config.width), dev), dev)
    losses = train(params, x, y, steps, show=show, desc=f"fit2d depth {config.depth} width {config.width}")
    return {"depth": config.depth, "width": config.width, "final_mse": final_mse(params, x, y),
            "losses": losses, "params": params, "seconds": time.perf_counter() - start}


def run(out_dir: Path, seed: int = 0, device: str = "auto", steps: int = STEPS,
        widths: tuple[int, ...] = SWEEP_WIDTHS, depths: tuple[int, ...] = SWEEP_DEPTHS, show: bool = True,
        figures: bool = True) -> dict[str, Any]:
    """The whole exercise: sweep, default fit, piecewise-linearity count, logo, figures."""
    start = time.perf_counter()
    dev = resolve_device(device)
    x = grid(device=dev)
    y = target(x)
    runs = {(d, w): fit(Config(d, w), y, x, seed, dev, steps, show) for d in depths for w in widths}
    default = runs.get((DEFAULT_DEPTH, DEFAULT_WIDTH)) or fit(Config(), y, x, seed, dev, steps, show)
    params = default["params"]
    breaks = line_pieces(params)
    hidden = Config().dims[1:-1]
    piecewise = {
        "line_pieces": len(breaks) + 1, "line_pieces_bound": region_bound(hidden, 1),
        "grid_patterns": grid_patterns(params, x), "grid_region_bound": region_bound(hidden, 2),
        "slope_changes_on_fine_line": slope_changes(params),
    }
    logo_y = logo().to(dev)
    logo_fit = fit(Config(), logo_y, x, seed, dev, steps, show)
    summary = {
        "config": {"depth": DEFAULT_DEPTH, "width": DEFAULT_WIDTH, "steps": steps, "lr": LEARNING_RATE,
                   "grid": GRID, "seed": seed, "device": dev.type},
        "final_mse": default["final_mse"],
        "sweep": [{"depth": r["depth"], "width": r["width"], "final_mse": r["final_mse"],
                   "seconds": round(r["seconds"], 2)} for r in runs.values()],
        "piecewise": piecewise,
        "logo": {"text": "NN", "final_mse": logo_fit["final_mse"], "target_variance": float(logo_y.var())},
        "figures": {},
    }
    if figures:
        summary["figures"] = plots(out_dir, x, y, default, logo_y, logo_fit, runs, breaks)
    summary["seconds"] = round(time.perf_counter() - start, 2)
    return summary


def slope_changes(params: Params, points: int = 200_001, tol: float = 1e-6) -> int:
    """Slope changes of the model sampled on a fine grid of x2 = 0 (a check on :func:`line_pieces`)."""
    t = torch.linspace(-1, 1, points, dtype=torch.float64)
    x = torch.stack([t, torch.zeros_like(t)], dim=1)
    p = [(w.detach().double(), b.detach().double()) for w, b in params]
    with torch.no_grad():
        f = mlp(p, x)[:, 0]
    slopes = torch.diff(f) / torch.diff(t)
    jumps = torch.diff(slopes).abs() > tol * (1 + slopes[:-1].abs())
    # A breakpoint strictly inside a cell changes the slope of that cell and the next: count runs.
    changes = jumps.int()
    starts = (changes[1:] > changes[:-1]).sum() + changes[0]
    return int(starts)


def plots(out_dir: Path, x: torch.Tensor, y: torch.Tensor, default: dict[str, Any], logo_y: torch.Tensor,
          logo_fit: dict[str, Any], runs: dict[tuple[int, int], dict[str, Any]], breaks: list[float],
          ) -> dict[str, dict[str, str]]:
    from .figures import plt, save

    n = GRID
    with torch.no_grad():
        model = mlp(default["params"], x).cpu().reshape(n, n).numpy()
        logo_model = mlp(logo_fit["params"], x).cpu().reshape(n, n).numpy()
    target_img = y.cpu().reshape(n, n).numpy()
    extent = (-1, 1, -1, 1)
    figs = {}

    fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.4), constrained_layout=True)
    titles = ("target f", f"model (L={DEFAULT_DEPTH}, K={DEFAULT_WIDTH})", "model - target")
    for ax, img, title in zip(axes, (target_img, model, model - target_img), titles, strict=True):
        im = ax.imshow(img, origin="lower", extent=extent, cmap="RdBu_r" if "-" in title else "viridis")
        ax.set_title(title)
        ax.set_xlabel("$x_1$")
        fig.colorbar(im, ax=ax, shrink=0.8)
    axes[0].set_ylabel("$x_2$")
    figs["heatmaps"] = save(fig, out_dir, "fit2d_heatmaps")

    fig, ax = plt.subplots(figsize=(6.0, 2.6), constrained_layout=True)
    line = torch.linspace(-1, 1, 2001)
    pts = torch.stack([line, torch.zeros_like(line)], 1).to(x.device)
    with torch.no_grad():
        ax.plot(line.numpy(), target(pts).cpu()[:, 0].numpy(), label="target", lw=1.2)
        ax.plot(line.numpy(), mlp(default["params"], pts).cpu()[:, 0].numpy(), label="model", lw=1.0)
    ax.plot([2 * b - 1 for b in breaks], [-1.15] * len(breaks), "|", color="k", ms=5,
            label=f"{len(breaks)} breakpoints (exact)")
    ax.set_xlabel("$x_1$ (cross-section $x_2 = 0$)")
    ax.set_ylim(-1.25, 1.1)
    ax.legend(loc="upper right", ncol=3)
    figs["cross_section"] = save(fig, out_dir, "fit2d_cross_section")

    fig, ax = plt.subplots(figsize=(6.0, 2.6), constrained_layout=True)
    for (d, w), r in runs.items():
        colour = plt.cm.viridis(SWEEP_WIDTHS.index(w) / max(1, len(SWEEP_WIDTHS) - 1)) if w in SWEEP_WIDTHS else None
        ax.semilogy(r["losses"], lw=0.9, label=f"depth {d}, width {w}", color=colour,
                    ls=("-", "--", ":")[SWEEP_DEPTHS.index(d) % 3] if d in SWEEP_DEPTHS else "-")
    ax.semilogy(logo_fit["losses"], color="crimson", lw=1.0, label="logo target (depth 4, width 32)")
    ax.set_xlabel("Adam step")
    ax.set_ylabel("MSE")
    ax.legend(ncol=2, fontsize=7)
    figs["loss"] = save(fig, out_dir, "fit2d_loss")

    fig, ax = plt.subplots(figsize=(4.2, 2.8), constrained_layout=True)
    for d in sorted({d for d, _ in runs}):
        ws = sorted(w for dd, w in runs if dd == d)
        ax.loglog(ws, [runs[(d, w)]["final_mse"] for w in ws], "o-", label=f"depth {d}")
    ax.set_xlabel("width K")
    ax.set_ylabel("final MSE (1000 steps)")
    ax.legend()
    figs["sweep"] = save(fig, out_dir, "fit2d_sweep")

    fig, axes = plt.subplots(1, 2, figsize=(4.8, 2.4), constrained_layout=True)
    images = (logo_y.cpu().reshape(n, n).numpy(), logo_model)
    for ax, img, title in zip(axes, images, ("logo target", "model"), strict=True):
        ax.imshow(img, origin="lower", extent=extent, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    figs["logo"] = save(fig, out_dir, "fit2d_logo")
    return figs
