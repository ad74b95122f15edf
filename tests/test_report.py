"""The report: the .tex always, the PDF when latexmk is present; its text holds every result."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from derivcheck.report.latex import num, tex
from derivcheck.report.pdf import ReportError, build


def test_tex_escaping_and_numbers():
    assert tex("a_b & 50% #1 {x}^2 \\") == r"a\_b \& 50\% \#1 \{x\}\textasciicircum{}2 \textbackslash{}"
    assert num(16777216) == r"16\,777\,216"
    assert num(1e-6) == r"\ensuremath{1.000 \times 10^{-6}}"
    assert num(float("inf")) == r"\ensuremath{\infty}" and num(None) == "--"
    assert num(0.12345678) == "0.1235"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "solutions.pdf"
    have_tex = shutil.which("latexmk") is not None
    result = build(out, tex_only=not have_tex, log=lambda m: None)
    return out, result, have_tex


def test_tex_is_written_from_the_run(built):
    out, result, _ = built
    tex_text = Path(result["tex"]).read_text()
    assert result["passed"]
    assert r"\frac{d \sigma^{2}}{2}" in tex_text          # relu_variance, from SymPy
    assert r"\frac{\sqrt{2}}{\sqrt{d}}" in tex_text       # he_sigma
    assert "\\VAR" not in tex_text and "\\BLOCK" not in tex_text
    for fig in re.findall(r"\\includegraphics\[[^]]*\]\{([^}]*)\}", tex_text):
        assert (out.parent / fig).exists(), fig


def test_second_build_is_cached(built):
    out, _, have_tex = built
    again = build(out, tex_only=not have_tex, log=lambda m: None)
    assert all(again["cached"][stage] for stage in ("derive", "verify", "convergence", "exercises"))


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                    reason="TeX Live / poppler not installed")
def test_pdf_text_has_every_problem(built):
    out, _, _ = built
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("Problem 1", "Problem 2", "Problem 3", "Problem 4", "Reproducibility"):
        assert heading in text
    for fragment in ("prediction", "estimate", "interval", "p-value", "power", "missing_relu_half",
                     "test accuracy", "FlopCounterMode", "refuted"):
        assert fragment in text, fragment
    assert text.count("Verification: pass") == 10


def test_missing_latexmk_is_a_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ReportError, match=r"latexmk not found: install TeX Live .*--tex-only"):
        build(tmp_path / "x.pdf", log=lambda m: None)


def test_output_must_be_pdf(tmp_path):
    with pytest.raises(ReportError, match=r"must end in \.pdf"):
        build(tmp_path / "x.txt", tex_only=True, log=lambda m: None)
