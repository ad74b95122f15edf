"""Sheet 8's own report stages (declared in its ``sheet.toml``, ``[report] stages``): the numbers
its template prints besides the claims' (the activation table, LeCun's factor, the label-smoothing
example, Problem 4's remarks), the notebook exercises of Problem 1, the convergence figure of
``relu_variance`` and the cost sweep's figure. The example points are the sheet's data
(``[report.examples]``); the rest is how sheet 8's results are computed and drawn.
"""
from __future__ import annotations

import inspect
import math
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sympy as sp
import torch
from matplotlib.lines import Line2D
from scipy.optimize import minimize_scalar

from derivcheck import store
from derivcheck.derivations import derive, symbols
from derivcheck.derivations.relu_variance import activation_table
from derivcheck.simulations import unsmoothed_minimizer
from derivcheck.simulations.exercises import init_study as study
from derivcheck.simulations.exercises import run
from derivcheck.simulations.exercises.figures import figure, plt, save
from derivcheck.simulations.relu_variance import convergence as convergence_rows
from derivcheck.simulations.smoothing_gap import minimise, smoothed_loss

from . import Build, register
from .common import person_latex, rounded

#: How long the stages take cold on 2 CPU cores (measured; printed when a stage starts computing).
EXERCISES_ESTIMATE = "3-4 minutes; progress bars on a terminal"
OPTIMA_ESTIMATE = "2-3 minutes on 2 cores"

#: The packages whose sources each stage's result follows (and a stage's own function's source).
SIMULATIONS = ("derivcheck.simulations",)
DERIVATIONS = ("derivcheck.derivations", "derivcheck.report")
CONVERGENCE = ("derivcheck.derivations", "derivcheck.simulations")


def examples(build: Build) -> dict[str, dict[str, Any]]:
    """The sheet's example points (``[report.examples]``: ``smoothing`` d, eps; ``memory`` n, K)."""
    report = build.sheet.data.get("report", {})
    return dict(report.get("examples", {})) if isinstance(report, dict) else {}


# --- numbers the template prints ----------------------------------------------------------------

def lecun_factor() -> dict[str, Any]:
    """The derived Var[y] at LeCun's sigma = 1/sqrt(d): the factor by which each ReLU layer
    multiplies the signal's mean square at that scale (exact and as a number)."""
    factor = sp.simplify(derive("relu_variance").result.subs(symbols.sigma, 1 / sp.sqrt(symbols.d)))
    return {"latex": person_latex(factor), "value": float(factor)}


def sheet_example(d: int, eps: float) -> dict[str, Any]:
    """The sheet's own example of label smoothing (d = 10 and eps = 0.1 in ``sheet.toml``): the derived gap there,
    exact (log 91) and as a number."""
    gap = derive("smoothing_gap").result.subs({symbols.d: d, symbols.eps: sp.nsimplify(eps)})
    return {"d": d, "eps": eps, "latex": person_latex(gap), "value": float(gap)}


def cost_remarks(n_example: int, k_example: int) -> dict[str, Any]:
    """Problem 4's remarks from the derived counts: training over inference multiplications, and
    activations over weights in training memory (in general and at an example n, K)."""
    memory = derive("training_memory").extras
    ratio = sp.simplify(memory["activations"] / memory["weights"])
    return {"train_over_inference": person_latex(sp.simplify(derive("training_mults").result
                                                         / derive("forward_mults").result)),
            "activations": person_latex(memory["activations"]), "weights": person_latex(memory["weights"]),
            "activations_over_weights": person_latex(ratio),
            "example": {"n": n_example, "K": k_example,
                        "ratio": float(ratio.subs({symbols.n: n_example, symbols.K: k_example}))}}


def simulation_settings() -> dict[str, float]:
    """Settings of the checks that their records do not carry, read from the simulations (so the
    text states what was run): the unsmoothed minimiser's gradient-descent learning rate."""
    return {"unsmoothed_lr": unsmoothed_minimizer.LEARNING_RATE}


def sheet_measured(d: int, eps: float) -> dict[str, float]:
    """The sheet's own label-smoothing example run through the smoothing check's minimiser:
    PyTorch's cross-entropy with ``label_smoothing=eps`` over ``d`` classes minimised from x = 0
    (L-BFGS, then Newton steps); the gap between the true class and the others, and the minimum."""
    loss_of = smoothed_loss(torch.tensor([0]), eps)
    x = minimise(loss_of, torch.zeros(d, dtype=torch.float64))
    gaps = [float(x[0] - x[j]) for j in range(1, d)]
    return {"d": d, "eps": eps, "gap": sum(gaps) / len(gaps), "minimum": float(loss_of(x))}


# --- Problem 1 ---------------------------------------------------------------------------------

def search_grid() -> dict[str, float]:
    """The initialisation study's search grid (:func:`study.search`): ``coarse`` log-spaced points
    over ``SCALE_RANGE``, ``coarse_step`` apart (relative), then ``fine`` points across the best
    point's two neighbouring intervals, ``fine_step`` apart:
    coarse_step = (hi/lo)^(1/(coarse-1)) - 1, fine_step = (hi/lo)^(2/((coarse-1)(fine-1))) - 1."""
    defaults = inspect.signature(study.search).parameters
    coarse, fine = defaults["coarse"].default, defaults["fine"].default
    lo, hi = study.SCALE_RANGE
    return {"coarse": coarse, "fine": fine, "coarse_step": (hi / lo) ** (1 / (coarse - 1)) - 1,
            "fine_step": (hi / lo) ** (2 / ((coarse - 1) * (fine - 1))) - 1}


def init_optima(search: dict[str, dict], seed: int, log: Callable[[str], None] = print) -> dict[str, dict]:
    """The initialisation study's level scale as a continuous optimum, with its resolution.

    The study searches a grid (log-spaced, then a finer one around the best, about 2.5% apart),
    which holds sqrt 2 and 1 exactly, so a grid point says little about where the optimum lies.
    Here the same criterion (``instability``: the larger of the forward and backward log growth
    over the layers, averaged over the weight draws) is minimised over the scale by bounded Brent
    steps in log s to 1e-4, from the grid's best; so is each weight draw's own criterion, whose
    optima's spread is the resolution the run's few draws allow. For each activation:
    ``optimum``, ``criterion`` (its value there), ``draws`` (each draw's optimum, sorted) and
    ``grid_step`` (the fine grid's relative spacing). Each activation's result is logged as it is found."""
    base, x, delta = study.draws(seed)
    grid_step = search_grid()["fine_step"]

    def argmin(activation: str, centre: float, sel: slice) -> tuple[float, float]:
        found = minimize_scalar(lambda u: study.instabilities(activation, [math.exp(u)], base[:, sel], x[sel],
                                                              delta[sel])[0],
                                bounds=(math.log(centre) - 0.3, math.log(centre) + 0.3), method="bounded",
                                options={"xatol": 1e-4})
        return math.exp(found.x), float(found.fun)

    out = {}
    for n, (activation, found) in enumerate(search.items(), 1):
        start = time.perf_counter()
        optimum, value = argmin(activation, found["best_scale"], slice(None))
        draws = sorted(argmin(activation, optimum, slice(k, k + 1))[0] for k in range(base.shape[1]))
        out[activation] = {"optimum": optimum, "criterion": value, "draws": draws, "grid_step": grid_step}
        log(f"    [{n}/{len(search)}] {activation}: level scale {optimum:.4g} ({time.perf_counter() - start:.1f} s)")
    return out


def gain_latex(gain: float) -> str:
    """PyTorch's gain as the exact number it stands for (1.4142... -> sqrt 2, 1.6666... -> 5/3)."""
    return sp.latex(sp.nsimplify(gain), fold_short_frac=True)


def init_findings(optima: dict[str, dict], gains: dict[str, float],
                  recommended: dict[str, float | None] | None = None) -> dict[str, dict]:
    """What the level-scale optima show against PyTorch's gains, with no more precision than the
    weight draws give. For each activation: ``spread`` (the range of the single draws' optima),
    ``gain_consistent`` (PyTorch's gain lies within one spread of the optimum: the draws cannot
    tell them apart), ``decimals`` (the places at which one rounding unit is at least the
    spread, so the printed optimum claims no digit the draws do not pin down), ``gain_latex``
    and ``answer_latex``: the one answer printed wherever the report gives it (PyTorch's gain when
    the draws cannot tell it from the optimum, else the optimum to ``decimals``; ``None`` when the
    study recommends no scale for the activation, i.e. ``recommended[activation]`` is ``None``)."""
    out = {}
    for activation, found in optima.items():
        spread = found["draws"][-1] - found["draws"][0]
        gain = gains.get(activation)
        consistent = gain is not None and abs(found["optimum"] - gain) <= spread
        decimals = max(0, -math.ceil(math.log10(spread))) if spread > 0 else 4
        works = recommended is None or recommended.get(activation) is not None
        answer = (gain_latex(gain) if consistent and gain is not None
                  else rf"\approx {found['optimum']:.{decimals}f}") if works else None
        out[activation] = {"spread": spread, "gain_consistent": consistent, "decimals": decimals,
                           "gain_latex": None if gain is None else gain_latex(gain), "answer_latex": answer}
    return out


def fit2d_findings(sweep: list[dict], steps: int) -> dict[str, Any]:
    """What the width x depth sweep of the function fit shows, read from its runs (one seed each),
    with the scope the sentences must carry: the widths and depths tried and the steps.

    ``shallow``: the shallowest depth, its best error and whether every deeper run beat every run
    at that depth; ``ties``: widths at which the deepest and the next depth
    end within 10% of each other (more depth bought nothing there)."""
    widths = sorted({r["width"] for r in sweep})
    depths = sorted({r["depth"] for r in sweep})
    at = {(r["depth"], r["width"]): r for r in sweep}
    shallow = [r for r in sweep if r["depth"] == depths[0]]
    deep = [r for r in sweep if r["depth"] != depths[0]]
    ties = [w for w in widths if len(depths) >= 3
            and abs(at[(depths[-1], w)]["final_mse"] / at[(depths[-2], w)]["final_mse"] - 1) < 0.1]
    return {"widths": widths, "depths": depths, "steps": steps, "runs": len(sweep),
            "shallow": {"depth": depths[0], "best": min(r["final_mse"] for r in shallow),
                        "all_beaten": max(r["final_mse"] for r in deep) < min(r["final_mse"] for r in shallow)},
            "ties": [{"width": w, "errors": [at[(depths[-2], w)]["final_mse"], at[(depths[-1], w)]["final_mse"]],
                      "depths": depths[-2:]} for w in ties]}


# --- figures from the run's numbers ------------------------------------------------------------

def convergence_figure(rows: list[dict], out: Path) -> str:
    """The relu_variance estimate and its exact interval as the draws grow, against the derived
    d sigma^2 / 2 (the horizontal line); the PDF's path."""
    fig, ax = figure("relu_variance_convergence", 2.4)
    draws = [r["draws"] for r in rows]
    ax.fill_between(draws, [r["interval"][0] for r in rows], [r["interval"][1] for r in rows], color="0.8",
                    lw=0, label="interval")
    ax.plot(draws, [r["estimate"] for r in rows], "o-", color="k", ms=3, lw=1, label="estimate")
    ax.axhline(rows[0]["prediction"], color="k", lw=1, ls="--", label=r"derived $d\sigma^2/2$")
    ax.set_xscale("log")
    ax.set_ylim(0, 2.5 * rows[0]["prediction"])
    ax.set_xlabel("standard normal draws")
    ax.set_ylabel(r"Var$[y]$")
    ax.legend(loc="upper right", ncols=3, frameon=True)
    return save(fig, out, "relu_variance_convergence")["pdf"]


#: Line and marker styles of the cost claims: told apart in black and white.
COST_STYLES: dict[str, tuple[str, str, str]] = {
    "forward_mults": ("o", "-", "multiplications, forward"),
    "training_mults": ("s", "--", "multiplications, training"),
    "inference_memory": ("^", ":", "inference memory"),
    "training_memory": ("D", "-.", "training memory"),
}


def cost_figure(verified: dict[str, dict], out: Path) -> str:
    """Each cost claim's measured count (markers) against its derived formula (lines) along K, n
    and L, the other two fixed, log-log; the PDF's path. Nothing is fitted: the formulas are sums
    (L K^2 + 2 n K), not power laws, so the comparison is the formula itself."""
    claims = [claim for claim in COST_STYLES if claim in verified and "sweep" in verified[claim]["details"]]
    fig, axes = figure("cost_scaling", 2.6, 1, 3)
    fixed_others = ({"n": 32, "L": 5}, {"L": 5, "K": 64}, {"n": 32, "K": 64})
    for ax, var, fixed in zip(axes, ("K", "n", "L"), fixed_others, strict=True):
        for claim in claims:
            marker, line, _ = COST_STYLES[claim]
            rows = verified[claim]["details"]["sweep"]
            sel = sorted((r for r in rows if all(r[k] == v for k, v in fixed.items())), key=lambda r: r[var])
            xs = [r[var] for r in sel]
            ax.loglog(xs, [r["predicted"] for r in sel], ls=line, color="0.35", lw=1)
            ax.loglog(xs, [r["measured"] for r in sel], marker, ls="none", ms=4, mfc="none", color="k")
        ax.set_xlabel(f"${var}$  (" + ", ".join(f"${k} = {v}$" for k, v in fixed.items()) + ")")
        ax.set_xticks(xs, [str(x) for x in xs])
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
    axes[0].set_ylabel("count (numbers or multiplications)")

    handles = [Line2D([], [], marker=COST_STYLES[c][0], ls=COST_STYLES[c][1], color="k", mfc="none", ms=4, lw=1,
                      label=COST_STYLES[c][2]) for c in claims]
    # above the panels, so that it covers no marker; long handles tell the four line styles apart
    fig.legend(handles=handles, loc="outside upper center", ncol=len(handles), handlelength=3.5, frameon=False)
    return save(fig, out, "cost_scaling")["pdf"]


def _scale(sigma: sp.Expr) -> float | None:
    """sqrt(d) sigma as a number (the scale s of weights N(0, s^2/d)); ``None`` when it depends on more than d."""
    scale = sp.simplify(sigma * sp.sqrt(symbols.d))
    return float(scale) if not scale.free_symbols else None


# --- the stages ---------------------------------------------------------------------------------

@register("results")
def results(build: Build) -> None:
    """The derived numbers beside the claims (into ``d``: ``activations``, ``sheet_example`` with
    its ``measured`` minimum, ``lecun_factor``, ``remarks``; ``activations``; ``settings``)."""
    points = examples(build)
    smoothing, memory = points["smoothing"], points["memory"]

    def derived() -> dict[str, Any]:
        return {"activations": {name: {"variance": person_latex(rounded(v)), "sigma": person_latex(rounded(sg)),
                                       "scale": _scale(sg)}
                                for name, (v, sg) in activation_table().items()},
                "sheet_example": sheet_example(smoothing["d"], smoothing["eps"]),
                "lecun_factor": lecun_factor(), "remarks": cost_remarks(memory["n"], memory["K"])}

    extra = build.stored("results", build.key("results", DERIVATIONS, smoothing, memory), derived)
    extra["sheet_example"]["measured"] = build.stored(
        "sheet", build.key("sheet", SIMULATIONS, inspect.getsource(sheet_measured), smoothing),
        lambda: sheet_measured(smoothing["d"], smoothing["eps"]))
    build.context["d"].update(extra)
    build.context.update(activations=extra["activations"], settings=simulation_settings(), ln10=math.log(10))


@register("exercises")
def exercises(build: Build) -> None:
    """Problem 1's notebook exercises (``ex``), with the initialisation study's optima and what
    the runs show; their figures are copied beside the ``.tex``."""
    key = build.key("exercises", SIMULATIONS, build.seed, build.device, *(("quick",) if build.quick else ()))
    folder = store.root() / f"report-exercises-{key}"  # the figures live beside the stored summary
    ex = build.stored("exercises", key, lambda: run(out_dir=folder, seed=build.seed, device=build.device,
                                                   show=build.progress, quick=build.quick),
                      fresh=build.fresh or not folder.exists(), estimate=EXERCISES_ESTIMATE)
    if "init" in ex:
        init = ex["init"]
        init["optima"] = build.stored(
            "optima", build.key("optima", SIMULATIONS, build.seed, inspect.getsource(init_optima)),
            lambda: init_optima(init["search"], build.seed, build.log), estimate=OPTIMA_ESTIMATE)
        init["findings"] = init_findings(init["optima"], init["calculate_gain"], init["recommended"])
        init["grid"] = search_grid()
    if "fit2d" in ex:
        ex["fit2d"]["findings"] = fit2d_findings(ex["fit2d"]["sweep"], ex["fit2d"]["config"]["steps"])
    for made in folder.glob("*.pdf"):
        shutil.copy2(made, build.figures / made.name)
    build.context["ex"] = ex


@register("convergence")
def convergence(build: Build) -> None:
    """The ``relu_variance`` estimate as the samples grow (``conv``) and its figure."""
    rows = build.stored("convergence", build.key("convergence", CONVERGENCE, build.seed, build.device),
                        lambda: convergence_rows(seed=build.seed, device=build.device))
    start = time.perf_counter()
    convergence_figure(rows, build.figures)
    build.timed("convergence figure", time.perf_counter() - start)
    build.context["conv"] = rows


@register("cost_sweep")
def cost_sweep(build: Build) -> None:
    """The cost claims' sweep drawn against their formulas (from the verification records)."""
    start = time.perf_counter()
    cost_figure(build.context["v"], build.figures)
    build.timed("cost figure", time.perf_counter() - start)
