"""Build the solution PDF: derive, verify, simulate, run the exercises, render, compile.

Stages are cached under the derivcheck cache directory by a hash of their inputs (the sources
of the packages they run, the seed, the device and settings), so a second build takes seconds;
``fresh=True`` recomputes everything. Figures are written beside the ``.tex``.
"""
from __future__ import annotations

import math
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

if TYPE_CHECKING:
    import sympy as sp

from .latex import environment

TEX_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-latex-extra latexmk"


class ReportError(Exception):
    """A one-line reason the report could not be built."""


@dataclass
class Stages:
    """Timings and cache keys of a build; each stage's result is kept in the store as JSON."""

    seconds: dict[str, float] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    cached: dict[str, bool] = field(default_factory=dict)
    log: Callable[[str], None] = print

    def run(self, name: str, key: str, compute: Callable[[], Any], fresh: bool, estimate: str = "") -> Any:
        """The stage's stored result, computed first when missing (or ``fresh``). A stage that
        computes announces itself with ``estimate`` (how long it takes cold)."""
        from derivcheck import store

        record = f"report-{name}-{key}"
        value = None if fresh else store.read(record)
        hit = value is not None
        self.log(f"  {name:<12} {'cached' if hit else 'running'}{'' if hit or not estimate else f' ({estimate})'} ...")
        start = time.perf_counter()
        if not hit:
            value = store.jsonable(compute())
            store.write(record, value)
        self.seconds[name] = time.perf_counter() - start
        self.keys[name], self.cached[name] = key, hit
        self.log(f"  {name:<12} {self.seconds[name]:7.2f} s{' (cached)' if hit else ''}")
        return value

    def verify(self, seed: int, device: str, fresh: bool) -> dict[str, dict]:
        """The verify stage: each claim's record from the store, the one every command shares
        (:func:`verify_all`), computed where missing."""
        from derivcheck import store
        from derivcheck.derivations import claim_ids
        from derivcheck.simulations import record_name

        stored = device == "cpu" and not fresh and all(store.read(record_name(c, seed)) is not None
                                                       for c in claim_ids())
        self.log(f"  verify       {'cached' if stored else 'running (about ' + VERIFY_ESTIMATE + ')'} ...")
        start = time.perf_counter()
        value = verify_all(seed, device, self.log, fresh)
        self.seconds["verify"] = time.perf_counter() - start
        self.keys["verify"], self.cached["verify"] = record_name("*", seed), stored
        self.log(f"  {'verify':<12} {self.seconds['verify']:7.2f} s{' (cached)' if stored else ''}")
        return value


#: How long the stages take cold on 2 CPU cores (measured; printed when a stage starts computing).
VERIFY_ESTIMATE = "20-40 s"
EXERCISES_ESTIMATE = "3-4 minutes; progress bars on a terminal"
OPTIMA_ESTIMATE = "2-3 minutes on 2 cores"

#: The packages whose sources each stage's result follows (a template edit reruns no simulation).
STAGE_SOURCES: dict[str, tuple[str, ...]] = {
    "derive": ("derivcheck.derivations", "derivcheck.report"),
    "convergence": ("derivcheck.derivations", "derivcheck.simulations"),
    "exercises": ("derivcheck.simulations",),
    "optima": ("derivcheck.simulations",),  # and init_optima's own source (see build)
    "sheet": ("derivcheck.simulations",),  # and sheet_measured's own source
    "working": ("derivcheck.derivations", "derivcheck.grading", "derivcheck.report"),
}


def _key(stage: str, *parts: Any) -> str:
    import hashlib

    from derivcheck import store

    text = repr((stage, store.source_hash(*STAGE_SOURCES[stage]), *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- stages ---------------------------------------------------------------------------------

def person_latex(expr: sp.Basic) -> str:
    """The derivations' LaTeX (:func:`derivcheck.derivations.claim.to_latex`) with one more rule
    of how a person writes a sum of monomials in the sheet's symbols: a positive constant first,
    then by falling degree, a negative constant last (1 - eps + eps/d, L K^2 + n L K + n K,
    3 L - 1); any other sum keeps that printer's order."""
    import sympy as sp

    from derivcheck.derivations.claim import _SheetLatexPrinter
    from derivcheck.derivations.symbols import LATEX_NAMES

    def monomial(term: sp.Basic) -> bool:
        return all(f.is_Number or (isinstance(f.as_base_exp()[0], sp.Symbol) and f.as_base_exp()[1].is_Integer)
                   for f in sp.Mul.make_args(term))

    def degree(term: sp.Basic) -> int:
        return sum(int(f.as_base_exp()[1]) for f in sp.Mul.make_args(term) if not f.is_Number)

    class PersonPrinter(_SheetLatexPrinter):
        def _as_ordered_terms(self, expr: sp.Basic, order: Any = None) -> list[sp.Basic]:
            terms = super()._as_ordered_terms(expr, order=order)
            if not isinstance(expr, sp.Add) or not all(monomial(t) for t in terms):
                return terms
            return sorted(terms, key=lambda t: (1 if not t.is_Number else 2 if t.is_negative else 0, -degree(t)))

    names = {sym: LATEX_NAMES[sym.name] for sym in expr.atoms(sp.Symbol) if sym.name in LATEX_NAMES}
    return str(PersonPrinter({"symbol_names": names}).doprint(expr))

def derive_all() -> dict[str, Any]:
    """Every claim as printable strings: statement, LaTeX of the result, steps, variants."""
    from derivcheck.derivations import claim_ids, derive
    from derivcheck.derivations.relu_variance import activation_table

    out: dict[str, Any] = {"activations": {name: {"variance": person_latex(_rounded(v)),
                                                  "sigma": person_latex(_rounded(sg))}
                                           for name, (v, sg) in activation_table().items()}}
    out["sheet_example"] = sheet_example()
    out["lecun_factor"] = lecun_factor()
    out["remarks"] = cost_remarks()
    for c in claim_ids():
        d = derive(c)
        out[c] = {**d.to_dict(), "latex": person_latex(d.result),
                  "steps": [{**step.to_dict(), "latex": person_latex(step.expr)} for step in d.steps],
                  "variants": {k: person_latex(e) for k, e in d.variants.items()},
                  "mistakes_latex": {k: person_latex(e) for k, e in d.mistakes.items()}}
    return out


def _rounded(expr: sp.Basic, digits: int = 4) -> sp.Basic:
    """``expr`` with every floating-point coefficient rounded to ``digits`` significant figures."""
    import sympy as sp

    return expr.xreplace({f: sp.Float(float(f"{float(f):.{digits}g}"), digits) for f in expr.atoms(sp.Float)})


def lecun_factor() -> dict[str, Any]:
    """The derived Var[y] at LeCun's sigma = 1/sqrt(d): the factor by which each ReLU layer
    multiplies the signal's mean square at that scale (exact and as a number)."""
    import sympy as sp

    from derivcheck.derivations import derive
    from derivcheck.derivations.symbols import d, sigma

    factor = sp.simplify(derive("relu_variance").result.subs(sigma, 1 / sp.sqrt(d)))
    return {"latex": person_latex(factor), "value": float(factor)}


def sheet_example() -> dict[str, Any]:
    """The sheet's own example of label smoothing, d = 10 and eps = 0.1: the derived gap there,
    exact (log 91) and as a number."""
    import sympy as sp

    from derivcheck.derivations import derive
    from derivcheck.derivations.symbols import d, eps

    gap = derive("smoothing_gap").result.subs({d: 10, eps: sp.Rational(1, 10)})
    return {"d": 10, "eps": 0.1, "latex": person_latex(gap), "value": float(gap)}


def cost_remarks(n_example: int = 512, k_example: int = 64) -> dict[str, Any]:
    """Problem 4's remarks from the derived counts: training over inference multiplications, and
    activations over weights in training memory (in general and at an example n, K)."""
    import sympy as sp

    from derivcheck.derivations import derive
    from derivcheck.derivations.symbols import K, n

    memory = derive("training_memory").extras
    ratio = sp.simplify(memory["activations"] / memory["weights"])
    return {"train_over_inference": person_latex(sp.simplify(derive("training_mults").result
                                                         / derive("forward_mults").result)),
            "activations": person_latex(memory["activations"]), "weights": person_latex(memory["weights"]),
            "activations_over_weights": person_latex(ratio),
            "example": {"n": n_example, "K": k_example, "ratio": float(ratio.subs({n: n_example, K: k_example}))}}


def verify_all(seed: int, device: str, log: Callable[[str], None], fresh: bool = False) -> dict[str, dict]:
    """Every claim's ``verify --json --details`` record, by claim id.

    On the CPU each record is the store's one record of that claim's verification
    (:func:`derivcheck.simulations.record_name`), the one ``grade``, ``check`` and ``serve`` read
    for their counterexamples: whichever command asks first computes it, the others reuse it
    (``fresh`` recomputes and replaces it). A GPU run is computed afresh, never stored under the
    CPU's name."""
    from derivcheck import store
    from derivcheck.derivations import claim_ids
    from derivcheck.simulations import Verification, record_name, verify

    out = {}
    for n, claim in enumerate(claims := claim_ids(), 1):
        name = record_name(claim, seed)
        data = store.read(name) if device == "cpu" and not fresh else None
        try:
            record = None if data is None else Verification.from_dict(data)
        except (KeyError, TypeError, ValueError):
            record = None
        if record is None:
            record = verify(claim, seed=seed, device=device)
            if device == "cpu":
                store.write(name, record.to_dict())
        out[claim] = record.to_dict()
        took = "stored" if data is not None else f"{record.seconds:.1f} s"
        log(f"    [{n}/{len(claims)}] {claim}: {'pass' if record.passed else 'FAIL'} ({took})")
    return out


def run_exercises(seed: int, device: str, directory: Path, show: bool, quick: bool = False) -> dict:
    """The notebook exercises' summary; their figures are written to ``directory``."""
    from derivcheck.simulations.exercises import run

    return run(out_dir=directory, seed=seed, device=device, show=show, quick=quick)


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
    import inspect
    import math

    from scipy.optimize import minimize_scalar

    from derivcheck.simulations.exercises import init_study as study

    base, x, delta = study.draws(seed)
    defaults = inspect.signature(study.search).parameters
    coarse, fine = defaults["coarse"].default, defaults["fine"].default
    lo, hi = study.SCALE_RANGE
    grid_step = (hi / lo) ** (2 / ((coarse - 1) * (fine - 1))) - 1

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


def init_findings(optima: dict[str, dict], gains: dict[str, float]) -> dict[str, dict]:
    """What the level-scale optima show against PyTorch's gains, with no more precision than the
    weight draws give. For each activation: ``spread`` (the range of the single draws' optima),
    ``gain_consistent`` (PyTorch's gain lies within one spread of the optimum: the draws cannot
    tell them apart) and ``decimals`` (the places at which one rounding unit is at least the
    spread, so the printed optimum claims no digit the draws do not pin down)."""
    out = {}
    for activation, found in optima.items():
        spread = found["draws"][-1] - found["draws"][0]
        gain = gains.get(activation)
        out[activation] = {"spread": spread,
                           "gain_consistent": gain is not None and abs(found["optimum"] - gain) <= spread,
                           "decimals": max(0, -math.ceil(math.log10(spread))) if spread > 0 else 4}
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


def sheet_measured(d: int = 10, eps: float = 0.1) -> dict[str, float]:
    """The sheet's own label-smoothing example run through the smoothing check's minimiser:
    PyTorch's cross-entropy with ``label_smoothing=eps`` over ``d`` classes minimised from x = 0
    (L-BFGS, then Newton steps); the gap between the true class and the others, and the minimum."""
    import torch

    from derivcheck.simulations.smoothing_gap import minimise, smoothed_loss

    loss_of = smoothed_loss(torch.tensor([0]), eps)
    x = minimise(loss_of, torch.zeros(d, dtype=torch.float64))
    gaps = [float(x[0] - x[j]) for j in range(1, d)]
    return {"d": d, "eps": eps, "gap": sum(gaps) / len(gaps), "minimum": float(loss_of(x))}


def convergence(seed: int, device: str) -> list[dict]:
    """The relu_variance estimate and its interval as the samples grow (the convergence figure)."""
    from derivcheck.simulations.relu_variance import convergence as rows

    return rows(seed=seed, device=device)


# --- figures from the run's numbers ------------------------------------------------------------

def convergence_figure(rows: list[dict], out: Path) -> str:
    """The relu_variance estimate and its exact interval as the draws grow, against the derived
    d sigma^2 / 2 (the horizontal line); the PDF's path."""
    from derivcheck.simulations.exercises.figures import plt, save

    fig, ax = plt.subplots(figsize=(5.6, 2.4), constrained_layout=True)
    draws = [r["draws"] for r in rows]
    ax.fill_between(draws, [r["interval"][0] for r in rows], [r["interval"][1] for r in rows], color="0.8",
                    lw=0, label="interval")
    ax.plot(draws, [r["estimate"] for r in rows], "o-", color="k", ms=3, lw=1, label="estimate")
    ax.axhline(rows[0]["prediction"], color="k", lw=1, ls="--", label=r"derived $d\sigma^2/2$")
    ax.set_xscale("log")
    ax.set_ylim(0, 2.5 * rows[0]["prediction"])
    ax.set_xlabel("standard normal draws")
    ax.set_ylabel(r"Var$[y]$")
    ax.legend(loc="upper right", ncols=3, frameon=True, fontsize=8)
    return save(fig, out, "relu_variance_convergence")["pdf"]


#: Line and marker styles of the cost claims: told apart in black and white.
COST_STYLES: dict[str, tuple[str, str, str]] = {
    "forward_mults": ("o", "-", "forward mults"),
    "training_mults": ("s", "--", "training mults"),
    "inference_memory": ("^", ":", "inference memory"),
    "training_memory": ("D", "-.", "training memory"),
}


def cost_figure(verified: dict[str, dict], out: Path) -> str:
    """Each cost claim's measured count (markers) against its derived formula (lines) along K, n
    and L, the other two fixed, log-log; the PDF's path. Nothing is fitted: the formulas are sums
    (L K^2 + 2 n K), not power laws, so the comparison is the formula itself."""
    from derivcheck.simulations.exercises.figures import plt, save

    claims = [claim for claim in COST_STYLES if claim in verified and "sweep" in verified[claim]["details"]]
    fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.6), constrained_layout=True)
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
        ax.tick_params(labelsize=8)
    axes[0].set_ylabel("count (numbers or mults)")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker=COST_STYLES[c][0], ls=COST_STYLES[c][1], color="k", mfc="none", ms=4, lw=1,
                      label=COST_STYLES[c][2]) for c in claims]
    axes[0].legend(handles=handles, fontsize=7, loc="upper left", handlelength=2.2)
    return save(fig, out, "cost_scaling")["pdf"]


# --- grading: each known mistake against the simulation -------------------------------------------

def refutations(verified: dict[str, dict]) -> dict[str, list[dict]]:
    """For each question and known mistake: the mistake's value at a simulated point vs the
    measurement. Mistakes that lead to the same formula make one row (``also`` lists the others)."""
    from derivcheck.grading.bank import load
    from derivcheck.grading.grader import simulated_counterexample
    from derivcheck.simulations import Verification

    out: dict[str, list[dict]] = {}
    for q in load().values():
        rows: list[dict[str, Any]] = []
        record = Verification.from_dict(verified[q.simulation]) if q.simulation in verified else None
        for m in q.mistakes:
            example = simulated_counterexample(q, m.formula, record.measurements) \
                if record and not q.vector else None
            row: dict[str, Any] = {"code": m.code, "latex": _latex(m.formula, example and example["at"]),
                                   "feedback": m.feedback}
            if example:
                sim = example["simulated"]
                row.update(at=example["at"], mistake_value=example["answer_value"],
                           reference_value=example["reference_value"], quantity=sim["quantity"],
                           estimate=sim["estimate"], interval=tuple(sim["interval"]), refuted=sim["refutes"])
            same = next((r for r in rows if r["latex"] == row["latex"]), None)
            if same is None:
                rows.append(row)
            else:  # two mistakes that lead to one formula are listed once, under both names
                same.setdefault("also", []).append(m.code)
        out[q.id] = rows
    return out


def mistake_groups(power: dict[str, float], formulas: dict[str, str]) -> list[dict[str, Any]]:
    """A check's power against each mistake, mistakes with one formula in one group:
    ``[{"codes": [...], "latex": formula or "", "power": p}]`` in the order of ``power``."""
    groups: list[dict[str, Any]] = []
    for code, p in power.items():
        latex = formulas.get(code, "")
        same = next((g for g in groups if latex and g["latex"] == latex), None)
        if same is None:
            groups.append({"codes": [code], "latex": latex, "power": p})
        else:
            same["codes"].append(code)
            same["power"] = min(same["power"], p)
    return groups


def _sign_into_factor(product: sp.Mul, at: dict[sp.Symbol, float]) -> sp.Basic:
    """A product as a person writes it: each sum negative on the question's domain (its value at
    the point ``at``) negated, taking the sign from the product's coefficient or from another such
    sum, so -(d - 1)(eps - 1)/eps and (1 - d)(eps - 1)/eps both read (1 - eps)(d - 1)/eps."""
    import sympy as sp

    coeff, factors = product.as_coeff_mul()
    negative = [f for f in factors if isinstance(f, sp.Add) and f.free_symbols <= set(at)
                and float(f.subs(at)) < 0]
    flips = negative[:1] if coeff < 0 else []
    flips += negative[len(flips):][:2 * (len(negative[len(flips):]) // 2)]
    if not flips:
        return product
    sign = -1 if len(flips) % 2 else 1
    return sp.Mul(sign * coeff, *[sp.Mul(-1, f) if f in flips else f for f in factors])


def _latex(expr: sp.Basic, at: dict[str, float] | None = None) -> str:
    """A bank formula in LaTeX: the derivations' typeset names, vector sums as sums; with a point
    ``at`` of the question's domain, signs taken into the factors negative there."""
    import sympy as sp

    if at:
        point = {s: at[s.name] for s in expr.free_symbols if s.name in at}
        expr = expr.replace(lambda e: isinstance(e, sp.Mul), lambda e: _sign_into_factor(e, point))
    text = person_latex(expr)
    return text.replace(r"\operatorname{sum}", r"\textstyle\sum").replace(r"\max{", r"\max\!{")


# --- the build ------------------------------------------------------------------------------

def versions(device: str) -> dict[str, str]:
    """The software and machine the report was built with, for its appendix."""
    import numpy
    import scipy
    import sympy
    import torch

    return {"Python": platform.python_version(), "PyTorch": torch.__version__, "SymPy": sympy.__version__,
            "NumPy": numpy.__version__, "SciPy": scipy.__version__, "device": device.upper()}


def build(output: str | Path = "out/solutions.pdf", seed: int = 0, device: str = "auto", fresh: bool = False,
          tex_only: bool = False, log: Callable[[str], None] = print, progress: bool = True,
          quick_exercises: bool = False) -> dict[str, Any]:
    """Build the report; returns the paths and the stage timings. ``log`` receives a line as each
    stage starts and ends; ``progress`` shows the exercises' progress bars (stderr);
    ``quick_exercises`` runs the exercises' short configuration (tests: same code, not their numbers)."""
    from derivcheck.simulations.device import resolve_device

    output = Path(output)
    if output.suffix != ".pdf":
        raise ReportError(f"{output}: the output must end in .pdf (the .tex is written beside it)")
    if not tex_only and shutil.which("latexmk") is None:
        raise ReportError(f"latexmk not found: install TeX Live ({'sudo ' if not _root() else ''}apt-get install "
                          f"{TEX_PACKAGES}) or pass --tex-only")
    dev = resolve_device(device).type
    start = time.perf_counter()
    out_dir = output.parent.resolve()
    figures = out_dir / f"{output.stem}-figures"
    figures.mkdir(parents=True, exist_ok=True)
    stages = Stages(log=log)
    log(f"building {output} (seed {seed}, device {dev})")
    derived = stages.run("derive", _key("derive"), derive_all, fresh)
    verified = stages.verify(seed, dev, fresh)
    conv = stages.run("convergence", _key("convergence", seed, dev), lambda: convergence(seed, dev), fresh)
    import inspect

    derived["sheet_example"]["measured"] = stages.run("sheet", _key("sheet", inspect.getsource(sheet_measured)),
                                                      sheet_measured, fresh)
    from .working import checked

    working = stages.run("working", _key("working"), checked, fresh)
    ex_key = _key("exercises", seed, dev, *(("quick",) if quick_exercises else ()))
    from derivcheck import store

    ex_dir = store.root() / f"report-exercises-{ex_key}"  # the figures live beside the stored summary
    exercises = stages.run("exercises", ex_key, lambda: run_exercises(seed, dev, ex_dir, progress, quick_exercises),
                           fresh or not ex_dir.exists(), estimate=EXERCISES_ESTIMATE)
    if "init" in exercises:
        exercises["init"]["optima"] = stages.run(
            "optima", _key("optima", seed, inspect.getsource(init_optima)),
            lambda: init_optima(exercises["init"]["search"], seed, log), fresh, estimate=OPTIMA_ESTIMATE)
        exercises["init"]["findings"] = init_findings(exercises["init"]["optima"], exercises["init"]["calculate_gain"])
    if "fit2d" in exercises:
        fit = exercises["fit2d"]
        fit["findings"] = fit2d_findings(fit["sweep"], fit["config"]["steps"])
    t0 = time.perf_counter()
    for png_or_pdf in ex_dir.glob("*.pdf"):
        shutil.copy2(png_or_pdf, figures / png_or_pdf.name)
    convergence_figure(conv, figures)
    cost_figure(verified, figures)
    refuted = refutations(verified)
    stages.seconds["figures"] = time.perf_counter() - t0
    log(f"  {'figures':<12} {stages.seconds['figures']:7.2f} s")

    t0 = time.perf_counter()
    env = environment(jinja2.PackageLoader(__package__, "templates"))
    from derivcheck.sheets import sheet
    context = {
        "d": derived, "activations": derived["activations"], "v": verified, "ex": exercises, "conv": conv,
        "refuted": refuted, "ln10": math.log(10), "working": working, "mistake_groups": mistake_groups,
        "fig": lambda name: f"{figures.name}/{name}.pdf", "seed": seed, "device": dev,
        "versions": versions(dev), "stages": stages, "questions": _questions(), "problems": sheet().problems,
        "passed": all(c["passed"] for c in verified.values()), "settings": simulation_settings(),
    }
    tex_path = output.with_suffix(".tex")
    tex_path.write_text(env.get_template(sheet().template).render(**context))
    stages.seconds["render"] = time.perf_counter() - t0
    log(f"  {'render':<12} {stages.seconds['render']:7.2f} s -> {tex_path}")
    work = store.root() / "report-latex" / _key_of_path(output)
    if not tex_only:
        t0 = time.perf_counter()
        compile_pdf(tex_path, work)
        stages.seconds["latexmk"] = time.perf_counter() - t0
        log(f"  {'latexmk':<12} {stages.seconds['latexmk']:7.2f} s -> {output}")
    total = time.perf_counter() - start
    log(f"done in {total:.1f} s")
    return {"pdf": None if tex_only else str(output), "tex": str(tex_path),
            "aux": None if tex_only else str(work / tex_path.with_suffix(".aux").name), "seconds": total,
            "stages": stages.seconds, "cached": stages.cached, "passed": context["passed"]}


def simulation_settings() -> dict[str, float]:
    """Settings of the checks that their records do not carry, read from the simulations (so the
    text states what was run): the unsmoothed minimiser's gradient-descent learning rate."""
    from derivcheck.simulations import unsmoothed_minimizer

    return {"unsmoothed_lr": unsmoothed_minimizer.LEARNING_RATE}


def _questions() -> dict:
    from derivcheck.grading.bank import load

    return load()


def _root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


def _key_of_path(output: Path) -> str:
    """A folder name for an output path (its LaTeX working files are kept apart from other outputs')."""
    import hashlib

    return f"{output.stem}-{hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:12]}"


def compile_pdf(tex_path: Path, work: Path) -> None:
    """``latexmk -pdf`` on ``tex_path``, its working files (.aux, .log, .fls, ...) in ``work`` (kept
    for the next build, never beside the PDF), the PDF copied beside the ``.tex``;
    :class:`ReportError` with LaTeX's first errors on failure."""
    work.mkdir(parents=True, exist_ok=True)
    cmd = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           f"-outdir={work}", tex_path.name]
    result = subprocess.run(cmd, cwd=tex_path.parent, capture_output=True, text=True)
    if result.returncode == 0:
        shutil.copyfile(work / tex_path.with_suffix(".pdf").name, tex_path.with_suffix(".pdf"))
    else:
        log_file = work / tex_path.with_suffix(".log").name
        errors = [line for line in (log_file.read_text(errors="replace").splitlines() if log_file.exists() else [])
                  if line.startswith("!") or (":" in line and "error" in line.lower())][:3]
        raise ReportError(f"latexmk failed on {tex_path}: {' | '.join(errors) or result.stdout[-300:]}")
