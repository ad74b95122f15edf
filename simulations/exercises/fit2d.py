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
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..device import generator, resolve_device, substream
from .pool import submit
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

    @property
    def parameters(self) -> int:
        """Weights and biases of the network."""
        return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(self.dims))

    def multiply_adds(self, rows: int) -> int:
        """Multiply-adds of the matrix products of one training step on ``rows`` inputs: the forward
        pass sum_l K_{l-1} K_l per row, as many again for the weight gradients, and the deltas
        passed back through every layer but the first."""
        products = [fan_in * fan_out for fan_in, fan_out in itertools.pairwise(self.dims)]
        return rows * (2 * sum(products) + sum(products[1:]))


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
          show: bool = True, desc: str = "fit2d", batch: int | None = None, cosine: bool = False,
          gen: torch.Generator | None = None) -> list[float]:
    """Adam on the MSE with autograd, one network at a time; the loss at every step.

    The reference the exercise's own trainer :func:`train_stacked` is tested and benchmarked
    against. Full batch by default (the notebook's setting); with ``batch`` each step draws that
    many grid points at random (with ``gen``), and ``cosine`` lowers the learning rate to 0 along
    a cosine.
    """
    opt = torch.optim.Adam([t for layer in params for t in layer], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps) if cosine else None
    losses = []
    for _ in progress(range(steps), desc, total=steps, enabled=show):
        if batch is None:
            xb, yb = x, y
        else:
            idx = torch.randint(0, len(x), (batch,), generator=gen, device=x.device)
            xb, yb = x[idx], y[idx]
        loss = (mlp(params, xb) - yb).square().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item())
    return losses


@dataclass
class Stack:
    """C networks of one shape, trained together: ``weights[l]`` is C x K_{l-1} x K_l, ``biases[l]`` C x 1 x K_l.

    All of them are views into one flat tensor, ``flat`` (and their gradients into ``flat.grad``),
    so that the optimiser makes one update per step, not one per tensor. Network c is
    ``[(weights[l][c], biases[l][c][0]) for l ...]``, the layout of :data:`Params`.
    """

    flat: torch.Tensor
    weights: list[torch.Tensor]
    biases: list[torch.Tensor]

    @classmethod
    def of(cls, nets: list[Params]) -> Stack:
        """Stack networks of identical layer shapes (copies; the originals are left alone)."""
        layers = range(len(nets[0]))
        parts = [torch.stack([net[i][0].detach() for net in nets]) for i in layers]
        parts += [torch.stack([net[i][1].detach() for net in nets])[:, None, :] for i in layers]
        flat = torch.cat([p.flatten() for p in parts])
        flat.grad = torch.zeros_like(flat)
        views = cls._views(flat, [p.shape for p in parts])
        return cls(flat, views[:len(layers)], views[len(layers):])

    @staticmethod
    def _views(flat: torch.Tensor, shapes: list[torch.Size]) -> list[torch.Tensor]:
        sizes = [math.prod(shape) for shape in shapes]
        return [part.view(shape) for part, shape in zip(flat.split(sizes), shapes, strict=True)]

    def grads(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """The gradients of ``weights`` and ``biases``: views into ``flat.grad``."""
        assert self.flat.grad is not None
        views = self._views(self.flat.grad, [t.shape for t in (*self.weights, *self.biases)])
        return views[:len(self.weights)], views[len(self.weights):]

    def nets(self) -> list[Params]:
        """The C networks as (W, b) views into the stack."""
        return [[(w[c], b[c, 0]) for w, b in zip(self.weights, self.biases, strict=True)]
                for c in range(len(self.weights[0]))]


def train_stacked(stack: Stack, x: torch.Tensor, y: torch.Tensor, steps: int = STEPS, lr: float = LEARNING_RATE,
                  show: bool = True, desc: str = "fit2d", batch: int | None = None, cosine: bool = False,
                  gens: list[torch.Generator] | None = None) -> torch.Tensor:
    r"""Adam on each network's MSE, the C networks of ``stack`` at once; the losses (steps x C).

    ``x`` holds the inputs (n x 2, shared), ``y`` each network's targets (C x n x 1). With
    h_0 = x, a_l = h_{l-1} W_l + b_l, h_l = ReLU(a_l) and output a_L, the loss
    E = (1/n) sum_i (a_{L,i} - y_i)^2 has, with \delta_L = 2 (a_L - y) / n,

        dE/dW_l = h_{l-1}^T \delta_l,   dE/db_l = sum_i \delta_{l,i},
        \delta_{l-1} = (\delta_l W_l^T) * [h_{l-1} > 0],

    computed here by batched matrix products (one ``bmm`` per layer for all C networks) into
    buffers allocated once: fresh allocations (every step's activations, megabytes each) and
    autograd's bookkeeping make the reference 1.2-2.5x slower. Adam and the cosine schedule act
    entry by entry, so one optimiser over the stack's flat tensor updates every network exactly as
    its own optimiser would; with ``batch``, network c draws its rows with its own generator
    ``gens[c]``, as :func:`train` does.
    """
    c_nets, n = y.shape[0], x.shape[0]
    rows = n if batch is None else batch
    weight_grads, bias_grads = stack.grads()
    opt = torch.optim.Adam([stack.flat], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps) if cosine else None
    # h[0] is the input, h[l] layer l's output; g[l] the delta arriving at layer l's input
    h = [x.expand(c_nets, n, x.shape[1]).contiguous() if batch is None else x.new_empty(c_nets, rows, x.shape[1])]
    h += [x.new_empty(c_nets, rows, w.shape[2]) for w in stack.weights]
    g = [x.new_empty(c_nets, rows, w.shape[1]) for w in stack.weights]
    yb = y if batch is None else y.new_empty(c_nets, rows, 1)
    losses = x.new_empty(steps, c_nets)
    depth = len(stack.weights)
    with torch.no_grad():
        for step in progress(range(steps), desc, total=steps, enabled=show):
            if batch is not None:
                assert gens is not None, "random batches draw from one generator per network"
                for c, gen in enumerate(gens):
                    idx = torch.randint(0, n, (batch,), generator=gen, device=x.device)
                    torch.index_select(x, 0, idx, out=h[0][c])
                    torch.index_select(y[c], 0, idx, out=yb[c])
            for layer, (w, b) in enumerate(zip(stack.weights, stack.biases, strict=True)):
                torch.baddbmm(b, h[layer], w, out=h[layer + 1])
                if layer < depth - 1:
                    h[layer + 1].clamp_(min=0)
            delta = h[depth].sub_(yb)
            torch.mean(delta.square(), dim=(1, 2), out=losses[step])
            delta.mul_(2.0 / rows)
            for layer in range(depth - 1, -1, -1):
                torch.bmm(h[layer].transpose(1, 2), delta, out=weight_grads[layer])
                torch.sum(delta, dim=1, keepdim=True, out=bias_grads[layer])
                if layer > 0:
                    torch.bmm(delta, stack.weights[layer].transpose(1, 2), out=g[layer])
                    delta = torch.ops.aten.threshold_backward.grad_input(g[layer], h[layer], 0, grad_input=g[layer])
            opt.step()
            if sched is not None:
                sched.step()
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


@dataclass(frozen=True)
class Fit:
    """One training run: network, target (``rings`` or ``logo``) and schedule."""

    config: Config
    target: str = "rings"
    steps: int = STEPS
    batch: int | None = None
    lr: float = LEARNING_RATE
    cosine: bool = False

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds of the whole run's matrix products (:meth:`Config.multiply_adds` per step)."""
        return self.steps * self.config.multiply_adds(self.batch or GRID * GRID)

    def describe(self) -> dict[str, Any]:
        return {"depth": self.config.depth, "width": self.config.width, "target": self.target, "steps": self.steps,
                "batch": self.batch or GRID * GRID, "lr": self.lr, "cosine_schedule": self.cosine}


#: The larger logo run: more capacity (and steps, on random batches of the grid to keep it cheap on a CPU).
LOGO_LARGE = Fit(Config(5, 128), "logo", steps=4000, batch=512, lr=2e-3, cosine=True)


def targets(name: str, x: torch.Tensor) -> torch.Tensor:
    """The target values on the grid ``x``: the rings ``f`` or the rendered logo."""
    return target(x) if name == "rings" else logo().to(x.device)


def fit(specs: tuple[Fit, ...], seed: int, device: str, show: bool = False) -> list[dict[str, Any]]:
    """Initialise, train and summarise runs of one network shape and schedule, trained together
    (:func:`train_stacked`); parameters come back as NumPy arrays (picklable).

    The exercise trains each run alone: at its sizes (10,000 rows or batches of 512) stacking
    two networks in one ``bmm`` is no faster than two products, and slower where a dimension is
    1 or 2 (``benchmarks/exercises_speed.py`` measures both).

    Each run keeps its own random streams, as if it ran alone: its weights from
    ``substream(seed, "fit2d", depth, width)``, its batches from ``substream(seed, "fit2d-batches",
    target)``. ``seconds`` is the time of the shared run, which all its runs report.
    """
    start = time.perf_counter()
    dev = resolve_device(device)
    x = grid(device=dev)
    ys = torch.stack([targets(spec.target, x) for spec in specs])
    first = specs[0]
    schedule = (first.config.dims, first.steps, first.batch, first.lr, first.cosine)
    assert all((s.config.dims, s.steps, s.batch, s.lr, s.cosine) == schedule for s in specs), "one shape and schedule"
    stack = Stack.of([init_mlp(s.config, generator(substream(seed, "fit2d", s.config.depth, s.config.width), dev), dev)
                      for s in specs])
    gens = [generator(substream(seed, "fit2d-batches", s.target), dev) for s in specs]
    c = first.config
    losses = train_stacked(stack, x, ys, first.steps, first.lr, show=show, batch=first.batch, cosine=first.cosine,
                           gens=gens, desc=f"fit2d {'+'.join(s.target for s in specs)} depth {c.depth} width {c.width}")
    seconds = time.perf_counter() - start
    return [{**spec.describe(), "final_mse": final_mse(params, x, y), "losses": losses[:, i].tolist(),
             "params": [(w.cpu().numpy(), b.cpu().numpy()) for w, b in params], "seconds": seconds}
            for i, (spec, params, y) in enumerate(zip(specs, stack.nets(), ys, strict=True))]


def as_params(arrays: list[tuple[np.ndarray, np.ndarray]], dev: torch.device) -> Params:
    return [(torch.from_numpy(w).to(dev), torch.from_numpy(b).to(dev)) for w, b in arrays]


def run(out_dir: Path, seed: int = 0, device: str = "auto", steps: int = STEPS,
        widths: tuple[int, ...] = SWEEP_WIDTHS, depths: tuple[int, ...] = SWEEP_DEPTHS, show: bool = True,
        figures: bool = True, pool: Executor | None = None, logo_large: Fit = LOGO_LARGE) -> dict[str, Any]:
    """The whole exercise: sweep, default fit, piecewise-linearity count, logo (small and large), figures.

    The runs are independent and go to ``pool`` when given (see :mod:`.pool`).
    """
    start = time.perf_counter()
    dev = resolve_device(device)
    sizes = {(d, w) for d in depths for w in widths} | {(DEFAULT_DEPTH, DEFAULT_WIDTH)}
    specs = {f"sweep {d} {w}": Fit(Config(d, w), steps=steps) for d, w in sizes}
    specs["logo small"] = Fit(Config(), "logo", steps=steps)
    specs["logo small_long"] = Fit(Config(), "logo", logo_large.steps, logo_large.batch, logo_large.lr,
                                   logo_large.cosine)
    specs["logo large"] = logo_large
    # the most multiply-adds first, so that the pool's last tasks are short ones
    order = sorted(specs, key=lambda k: -specs[k].multiply_adds)
    futures = {k: submit(pool, fit, (specs[k],), seed, dev.type, show and pool is None) for k in order}
    done = {k: f.result()[0] for k, f in futures.items()}
    runs = {(d, w): done[f"sweep {d} {w}"] for d, w in sorted(sizes)}
    default = runs[(DEFAULT_DEPTH, DEFAULT_WIDTH)]
    params = as_params(default["params"], dev)
    x = grid(device=dev)
    y = target(x)
    breaks = line_pieces(params)
    hidden = Config().dims[1:-1]
    piecewise = {
        "line_pieces": len(breaks) + 1, "line_pieces_bound": region_bound(hidden, 1),
        "grid_patterns": grid_patterns(params, x), "grid_region_bound": region_bound(hidden, 2),
        "slope_changes_on_fine_line": slope_changes(params),
    }
    logo_y = logo().to(dev)
    logos = {name: done[f"logo {name}"] for name in ("small", "small_long", "large")}
    summary = {
        "config": {"depth": DEFAULT_DEPTH, "width": DEFAULT_WIDTH, "steps": steps, "lr": LEARNING_RATE,
                   "grid": GRID, "seed": seed, "device": dev.type},
        "final_mse": default["final_mse"],
        "target_variance": float(y.var()),
        "sweep": [{"depth": r["depth"], "width": r["width"], "final_mse": r["final_mse"],
                   "parameters": Config(r["depth"], r["width"]).parameters, "seconds": round(r["seconds"], 2)}
                  for r in runs.values()],
        "piecewise": piecewise,
        "logo": {"text": "NN", "final_mse": logos["small"]["final_mse"], "target_variance": float(logo_y.var()),
                 "runs": {name: {k: v for k, v in r.items() if k not in ("losses", "params")}
                          for name, r in logos.items()}},
        "figures": {},
    }
    if figures:
        summary["figures"] = plots(out_dir, x, y, params, logo_y, logos, runs, breaks, dev)
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


#: Line styles and markers by network size, so that the curves stay apart in print.
STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D")


def power_of_ten(value: float) -> str:
    """A positive number to 3 significant figures as the report's text prints it (3.03e-2 as
    $3.03 \\times 10^{-2}$ in matplotlib's mathtext)."""
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exponent)}}}$"


def plots(out_dir: Path, x: torch.Tensor, y: torch.Tensor, params: Params, logo_y: torch.Tensor,
          logos: dict[str, dict[str, Any]], runs: dict[tuple[int, int], dict[str, Any]], breaks: list[float],
          dev: torch.device) -> dict[str, dict[str, str]]:
    """Heat maps, cross-section, loss curves, sweep and logo figures (PDF and PNG)."""
    from .figures import SMALL_PT, figure, save

    n = GRID
    with torch.no_grad():
        model = mlp(params, x).cpu().reshape(n, n).numpy()
    target_img = y.cpu().reshape(n, n).numpy()
    extent = (-1, 1, -1, 1)
    ticks = (-1, 0, 1)
    figs = {}

    fig, axes = figure("fit2d_heatmaps", 1.55, 1, 3)
    limit = float(max(abs(target_img).max(), abs(model).max()))
    titles = ("target $f$", f"model\n$L = {DEFAULT_DEPTH}$, $K = {DEFAULT_WIDTH}$", "difference")
    images = []
    for ax, img in zip(axes[:2], (target_img, model), strict=True):
        images.append(ax.imshow(img, origin="lower", extent=extent, cmap="viridis", vmin=-limit, vmax=limit))
    error = model - target_img
    err_lim = float(abs(error).max())
    err_im = axes[2].imshow(error, origin="lower", extent=extent, cmap="RdBu_r", vmin=-err_lim, vmax=err_lim)
    for ax, title in zip(axes, titles, strict=True):
        ax.set(title=title, xlabel="$x_1$", xticks=ticks, yticks=ticks)
    axes[0].set_ylabel("$x_2$")
    fig.colorbar(images[0], ax=axes[:2], shrink=0.85, ticks=(-1, -0.5, 0, 0.5, 1))
    fig.colorbar(err_im, ax=axes[2], shrink=0.85)
    figs["heatmaps"] = save(fig, out_dir, "fit2d_heatmaps")

    fig, ax = figure("fit2d_cross_section", 1.45)
    line = torch.linspace(-1, 1, 2001)
    pts = torch.stack([line, torch.zeros_like(line)], 1).to(x.device)
    with torch.no_grad():
        ax.plot(line.numpy(), target(pts).cpu()[:, 0].numpy(), "-", color="0.6", lw=2.2, label="target")
        ax.plot(line.numpy(), mlp(params, pts).cpu()[:, 0].numpy(), "--", color="C0", lw=1.0, label="model")
    ax.plot([2 * b - 1 for b in breaks], [-1.2] * len(breaks), "|", color="k", ms=6,
            label=f"its {len(breaks)} kinks")
    ax.set(xlabel="$x_1$ (cross-section $x_2 = 0$)", ylim=(-1.35, 1.9), xlim=(-1, 1), xticks=(-1, -0.5, 0, 0.5, 1))
    ax.legend(loc="upper left", ncol=3, frameon=False)
    figs["cross_section"] = save(fig, out_dir, "fit2d_cross_section")

    depths = sorted({d for d, _ in runs})
    widths = sorted({w for _, w in runs})
    fig, axes = figure("fit2d_loss", 2.0, 1, len(depths), sharey=True)
    for ax, d in zip(np.atleast_1d(axes), depths, strict=True):
        for i, w in enumerate(widths):
            if (d, w) in runs:
                ax.semilogy(runs[(d, w)]["losses"], STYLES[i % 4], color=f"C{i}", lw=1.1, label=f"width {w}")
        ax.set(title=f"depth {d}", xlabel="Adam step", xticks=(0, 500, 1000))
    np.atleast_1d(axes)[0].set_ylabel("MSE")
    np.atleast_1d(axes)[0].legend(loc="lower left", frameon=False)
    figs["loss"] = save(fig, out_dir, "fit2d_loss")

    fig, ax = figure("fit2d_sweep", 2.0)
    for i, d in enumerate(depths):
        ws = [w for w in widths if (d, w) in runs]
        ax.loglog(ws, [runs[(d, w)]["final_mse"] for w in ws], STYLES[i % 4], marker=MARKERS[i % 4], color=f"C{i}",
                  label=f"depth {d}")
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.minorticks_off()
    ax.set(xlabel="width $K$", ylabel=f"MSE after {runs[(depths[0], widths[0])]['steps']} steps")
    # above the axes, so that it covers no marker
    fig.legend(loc="outside upper center", ncol=len(depths), frameon=False, handlelength=1.6, columnspacing=0.8)
    figs["sweep"] = save(fig, out_dir, "fit2d_sweep")

    fig, axes = figure("fit2d_logo", 1.6, 1, 3)
    shown: list[torch.Tensor | dict[str, Any]] = [logo_y, logos["small"], logos["large"]]
    for ax, item in zip(axes, shown, strict=True):
        if isinstance(item, dict):
            with torch.no_grad():
                img = mlp(as_params(item["params"], dev), x).cpu().reshape(n, n).numpy()
            title = (f"depth {item['depth']}, width {item['width']}\n"
                     f"{item['steps']} steps\nerror {power_of_ten(item['final_mse'])}")
        else:
            img, title = item.cpu().reshape(n, n).numpy(), "target\n(rendered text)"
        im = ax.imshow(img, origin="lower", extent=extent, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=SMALL_PT)
        ax.set(xticks=[], yticks=[])
    fig.colorbar(im, ax=axes, shrink=0.85, ticks=(0, 0.5, 1))
    figs["logo"] = save(fig, out_dir, "fit2d_logo")
    return figs
