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

    def run(self, name: str, key: str, compute: Callable[[], Any], fresh: bool) -> Any:
        from derivcheck import store

        record = f"report-{name}-{key}"
        value = None if fresh else store.read(record)
        hit = value is not None
        self.log(f"  {name:<12} {'cached' if hit else 'running'} ...")
        start = time.perf_counter()
        if not hit:
            value = store.jsonable(compute())
            store.write(record, value)
        self.seconds[name] = time.perf_counter() - start
        self.keys[name], self.cached[name] = key, hit
        self.log(f"  {name:<12} {self.seconds[name]:7.2f} s{' (cached)' if hit else ''}")
        return value


#: The packages whose sources each stage's result follows (a template edit reruns no simulation).
STAGE_SOURCES: dict[str, tuple[str, ...]] = {
    "derive": ("derivcheck.derivations", "derivcheck.report"),
    "verify": ("derivcheck.derivations", "derivcheck.simulations"),
    "convergence": ("derivcheck.derivations", "derivcheck.simulations"),
    "exercises": ("derivcheck.simulations",),
    "working": ("derivcheck.derivations", "derivcheck.grading", "derivcheck.report"),
}


def _key(stage: str, *parts: Any) -> str:
    import hashlib

    from derivcheck import store

    text = repr((stage, store.source_hash(*STAGE_SOURCES[stage]), *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- stages ---------------------------------------------------------------------------------

def derive_all() -> dict[str, Any]:
    """Every claim as printable strings: statement, LaTeX of the result, steps, variants."""
    from derivcheck.derivations import claim_ids, derive
    from derivcheck.derivations.claim import to_latex
    from derivcheck.derivations.relu_variance import activation_table

    out: dict[str, Any] = {"activations": {name: {"variance": to_latex(_rounded(v)), "sigma": to_latex(_rounded(sg))}
                                           for name, (v, sg) in activation_table().items()}}
    out["sheet_example"] = sheet_example()
    out["remarks"] = cost_remarks()
    for c in claim_ids():
        d = derive(c)
        out[c] = {**d.to_dict(), "variants": {k: to_latex(e) for k, e in d.variants.items()},
                  "mistakes_latex": {k: to_latex(e) for k, e in d.mistakes.items()}}
    return out


def _rounded(expr: sp.Basic, digits: int = 4) -> sp.Basic:
    """``expr`` with every floating-point coefficient rounded to ``digits`` significant figures."""
    import sympy as sp

    return expr.xreplace({f: sp.Float(float(f"{float(f):.{digits}g}"), digits) for f in expr.atoms(sp.Float)})


def sheet_example() -> dict[str, Any]:
    """The sheet's own example of label smoothing, d = 10 and eps = 0.1: the derived gap there,
    exact (log 91) and as a number."""
    import sympy as sp

    from derivcheck.derivations import derive
    from derivcheck.derivations.claim import to_latex
    from derivcheck.derivations.symbols import d, eps

    gap = derive("smoothing_gap").result.subs({d: 10, eps: sp.Rational(1, 10)})
    return {"d": 10, "eps": 0.1, "latex": to_latex(gap), "value": float(gap)}


def cost_remarks(n_example: int = 512, k_example: int = 64) -> dict[str, Any]:
    """Problem 4's remarks from the derived counts: training over inference multiplications, and
    activations over weights in training memory (in general and at an example n, K)."""
    import sympy as sp

    from derivcheck.derivations import derive
    from derivcheck.derivations.claim import to_latex
    from derivcheck.derivations.symbols import K, n

    memory = derive("training_memory").extras
    ratio = sp.simplify(memory["activations"] / memory["weights"])
    return {"train_over_inference": to_latex(sp.simplify(derive("training_mults").result
                                                         / derive("forward_mults").result)),
            "activations": to_latex(memory["activations"]), "weights": to_latex(memory["weights"]),
            "activations_over_weights": to_latex(ratio),
            "example": {"n": n_example, "K": k_example, "ratio": float(ratio.subs({n: n_example, K: k_example}))}}


def verify_all(seed: int, device: str, log: Callable[[str], None]) -> dict[str, dict]:
    """Every claim's ``verify --json --details`` record, by claim id."""
    from derivcheck.derivations import claim_ids
    from derivcheck.simulations import verify

    out = {}
    for n, claim in enumerate(claims := claim_ids(), 1):
        out[claim] = verify(claim, seed=seed, device=device).to_dict()
        log(f"    [{n}/{len(claims)}] {claim}: {'pass' if out[claim]['passed'] else 'FAIL'} "
            f"({out[claim]['seconds']:.1f} s)")
    return out


def run_exercises(seed: int, device: str, directory: Path, show: bool, quick: bool = False) -> dict:
    """The notebook exercises' summary; their figures are written to ``directory``."""
    from derivcheck.simulations.exercises import run

    return run(out_dir=directory, seed=seed, device=device, show=show, quick=quick)


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
    """For each question and known mistake: the mistake's value at a simulated point vs the measurement."""
    from derivcheck.grading.bank import load
    from derivcheck.grading.grader import simulated_counterexample
    from derivcheck.simulations import Verification

    out: dict[str, list[dict]] = {}
    for q in load().values():
        rows = []
        record = Verification.from_dict(verified[q.simulation]) if q.simulation in verified else None
        for m in q.mistakes:
            row: dict[str, Any] = {"code": m.code, "latex": _latex(m.formula), "feedback": m.feedback}
            example = simulated_counterexample(q, m.formula, record.measurements) \
                if record and not q.vector else None
            if example:
                sim = example["simulated"]
                row.update(at=example["at"], mistake_value=example["answer_value"],
                           reference_value=example["reference_value"], quantity=sim["quantity"],
                           estimate=sim["estimate"], interval=tuple(sim["interval"]), refuted=sim["refutes"])
            rows.append(row)
        out[q.id] = rows
    return out


def _latex(expr: sp.Basic) -> str:
    """A bank formula in LaTeX: the derivations' typeset names, vector sums as sums."""
    from derivcheck.derivations.claim import to_latex

    text = to_latex(expr)
    return text.replace(r"\operatorname{sum}", r"\textstyle\sum").replace(r"\max{", r"\max\!{")


# --- the build ------------------------------------------------------------------------------

def versions(device: str) -> dict[str, str]:
    """The software and machine the report was built with, for its appendix."""
    import numpy
    import scipy
    import sympy
    import torch

    return {"Python": platform.python_version(), "PyTorch": torch.__version__, "SymPy": sympy.__version__,
            "NumPy": numpy.__version__, "SciPy": scipy.__version__, "platform": platform.platform(),
            "device": device, "CPU threads": str(torch.get_num_threads())}


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
    verified = stages.run("verify", _key("verify", seed, dev), lambda: verify_all(seed, dev, log), fresh)
    conv = stages.run("convergence", _key("convergence", seed, dev), lambda: convergence(seed, dev), fresh)
    from .working import checked

    working = stages.run("working", _key("working"), checked, fresh)
    ex_key = _key("exercises", seed, dev, *(("quick",) if quick_exercises else ()))
    from derivcheck import store

    ex_dir = store.root() / f"report-exercises-{ex_key}"  # the figures live beside the stored summary
    exercises = stages.run("exercises", ex_key, lambda: run_exercises(seed, dev, ex_dir, progress, quick_exercises),
                           fresh or not ex_dir.exists())
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
        "refuted": refuted, "ln10": math.log(10), "working": working,
        "fig": lambda name: f"{figures.name}/{name}.pdf", "seed": seed, "device": dev,
        "versions": versions(dev), "stages": stages, "questions": _questions(), "problems": sheet().problems,
        "passed": all(c["passed"] for c in verified.values()),
    }
    tex_path = output.with_suffix(".tex")
    tex_path.write_text(env.get_template(sheet().template).render(**context))
    stages.seconds["render"] = time.perf_counter() - t0
    log(f"  {'render':<12} {stages.seconds['render']:7.2f} s -> {tex_path}")
    if not tex_only:
        t0 = time.perf_counter()
        compile_pdf(tex_path)
        stages.seconds["latexmk"] = time.perf_counter() - t0
        log(f"  {'latexmk':<12} {stages.seconds['latexmk']:7.2f} s -> {output}")
    total = time.perf_counter() - start
    log(f"done in {total:.1f} s")
    return {"pdf": None if tex_only else str(output), "tex": str(tex_path), "seconds": total,
            "stages": stages.seconds, "cached": stages.cached, "passed": context["passed"]}


def _questions() -> dict:
    from derivcheck.grading.bank import load

    return load()


def _root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


def compile_pdf(tex_path: Path) -> None:
    """``latexmk -pdf`` beside ``tex_path``; :class:`ReportError` with LaTeX's first errors on failure."""
    cmd = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", tex_path.name]
    result = subprocess.run(cmd, cwd=tex_path.parent, capture_output=True, text=True)
    if result.returncode != 0:
        log_file = tex_path.with_suffix(".log")
        errors = [line for line in (log_file.read_text(errors="replace").splitlines() if log_file.exists() else [])
                  if line.startswith("!") or (":" in line and "error" in line.lower())][:3]
        raise ReportError(f"latexmk failed on {tex_path}: {' | '.join(errors) or result.stdout[-300:]}")
