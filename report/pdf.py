"""Build a sheet's solution PDF: run the report's stages, render the sheet's template, compile.

The stages (:mod:`derivcheck.report.stages`) are the common ones (the sheet's claims derived and
verified, its questions' mistakes, its worked examples) and those the sheet declares in its
``sheet.toml``; each result is cached in the store under a key of its inputs and the sheet, so a
second build takes seconds; ``fresh=True`` recomputes everything. Figures are written beside the
``.tex``. A built-in sheet's template is ``<id>.tex.j2`` in its folder's ``templates/`` (or the
sheet's ``template``), beside the report's own (``report/templates``: the claims' blocks, the shared
macros); a sheet without one (an instructor's folder of formula questions) gets
:data:`GENERIC_TEMPLATE`.
"""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import numpy
import scipy
import sympy
import torch

from derivcheck import store
from derivcheck.grading.bank import BankError
from derivcheck.sheets import Sheet, SheetError, builtin
from derivcheck.sheets import sheet as find_sheet
from derivcheck.simulations.device import resolve_device
from derivcheck.simulations.exercises.figures import include_width

from .bank import bank
from .latex import environment
from .stages import Build, StageError, declared, lookup
from .stages.common import COMMON
from .wording import words

TEX_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-latex-extra latexmk"

#: The folder of a built-in sheet that holds its templates.
SHEET_TEMPLATES = "templates"
#: The template of a sheet that has none of its own: its questions, typeset references and mistakes.
GENERIC_TEMPLATE = "questions.tex.j2"


class ReportError(Exception):
    """A one-line reason the report could not be built."""


def versions(device: str) -> dict[str, str]:
    """The software and machine the report was built with, for its appendix."""
    return {"Python": platform.python_version(), "PyTorch": torch.__version__, "SymPy": sympy.__version__,
            "NumPy": numpy.__version__, "SciPy": scipy.__version__, "device": device.upper()}


def build(output: str | Path = "out/solutions.pdf", seed: int = 0, device: str = "auto", fresh: bool = False,
          tex_only: bool = False, log: Callable[[str], None] = print, progress: bool = True,
          quick_exercises: bool = False, sheet: str | Sheet | None = None) -> dict[str, Any]:
    """Build the report of ``sheet`` (a sheet's id or folder, or a :class:`~derivcheck.sheets.Sheet`;
    default: the default sheet); returns the paths and the stage timings. ``log`` receives a line
    as each stage starts and ends; ``progress`` shows long stages' progress bars (stderr);
    ``quick_exercises`` runs a sheet's exercises in their short configuration (tests: same code,
    not their numbers)."""
    output = Path(output)
    if output.suffix != ".pdf":
        raise ReportError(f"{output}: the output must end in .pdf (the .tex is written beside it)")
    if not tex_only and shutil.which("latexmk") is None:
        raise ReportError(f"latexmk not found: install TeX Live ({'sudo ' if not _root() else ''}apt-get install "
                          f"{TEX_PACKAGES}) or pass --tex-only")
    try:
        source = sheet if isinstance(sheet, Sheet) else find_sheet(sheet)
        stages = [lookup(name) for name in declared(source)]  # an unknown stage stops the build before it runs
        bank(source)  # so does a bank that cannot be read
    except (SheetError, StageError, BankError) as err:
        raise ReportError(str(err)) from None
    env = environment(loader(source), source)
    template = env.get_template(template_of(source, env))  # and a template that is missing
    dev = resolve_device(device).type
    start = time.perf_counter()
    figures = output.parent.resolve() / f"{output.stem}-figures"
    figures.mkdir(parents=True, exist_ok=True)
    run = Build(sheet=source, seed=seed, device=dev, figures=figures, fresh=fresh, quick=quick_exercises,
                progress=progress, log=log)
    log(f"building {output} ({source.title}; seed {seed}, device {dev})")
    for stage in (*COMMON, *stages):
        stage(run)

    t0 = time.perf_counter()
    context = {"d": {}, "v": {}, "passed": True, **run.context,
               "fig": lambda name: f"{figures.name}/{name}.pdf", "figwidth": include_width, "seed": seed, "device": dev,
               "versions": versions(dev), "stages": run, "problems": source.problems, "sheet": source,
               "words": words(source)}
    tex_path = output.with_suffix(".tex")
    tex_path.write_text(template.render(**context))
    run.timed("render", time.perf_counter() - t0)
    log(f"  {'':<12} -> {tex_path}")
    work = store.root() / "report-latex" / _key_of_path(output)
    if not tex_only:
        t0 = time.perf_counter()
        compile_pdf(tex_path, work)
        run.timed("latexmk", time.perf_counter() - t0)
        log(f"  {'':<12} -> {output}")
    total = time.perf_counter() - start
    log(f"done in {total:.1f} s")
    return {"pdf": None if tex_only else str(output), "tex": str(tex_path),
            "aux": None if tex_only else str(work / tex_path.with_suffix(".aux").name), "seconds": total,
            "stages": run.seconds, "cached": run.hits, "passed": context["passed"]}


def loader(sheet: Sheet) -> jinja2.BaseLoader:
    """The templates a sheet's report may use: a built-in sheet's own (its folder's ``templates/``)
    before the report's (the claims', the shared macros, :data:`GENERIC_TEMPLATE`). A sheet from
    another folder uses the report's only: its ``sheet.toml`` is data, and a template is code."""
    report = jinja2.PackageLoader(__package__, "templates")
    if sheet.id not in builtin():
        return report
    folder = sheet.folder.joinpath(SHEET_TEMPLATES)

    def own(name: str) -> str | None:
        parts = name.split("/")
        if any(part in ("", ".", "..") for part in parts):
            return None
        file = folder.joinpath(*parts)
        return file.read_text(encoding="utf-8") if file.is_file() else None

    return jinja2.ChoiceLoader([jinja2.FunctionLoader(own), report])


def template_of(sheet: Sheet, env: jinja2.Environment) -> str:
    """The template ``sheet`` names (``template`` in its ``sheet.toml``; a built-in sheet's default
    is ``<id>.tex.j2``) when the report has it, else :data:`GENERIC_TEMPLATE`."""
    if sheet.id not in builtin() and "template" not in sheet.data:
        return GENERIC_TEMPLATE
    try:
        env.get_template(sheet.template)
    except jinja2.TemplateNotFound:
        if "template" in sheet.data:
            raise ReportError(f"{sheet.source}: no report template {sheet.template!r}") from None
        return GENERIC_TEMPLATE
    return sheet.template


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _key_of_path(output: Path) -> str:
    """A folder name for an output path (its LaTeX working files are kept apart from other outputs')."""
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
