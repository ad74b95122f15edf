"""Sheet 9's solution PDF: prose with Unicode maths typesets, the sheet's report renders from its
own templates and words, and its pages before the appendix stay within five."""
import re
import shutil
import subprocess

import pytest

from derivcheck.report.latex import tex, unicode_math


@pytest.mark.parametrize("char, latex", [("⊙", r"\odot"), ("∈", r"\in"), ("≤", r"\le"), ("·", r"\cdot"),
                                         ("σ", r"\sigma"), ("Σ", r"\Sigma"), ("λ", r"\lambda"), ("ℝ", r"\mathbb{R}")])
def test_unicode_maths_in_prose_is_typeset_as_maths(char, latex):
    assert tex(f"a {char} b") == f"a \\ensuremath{{{latex}}} b"


def test_tex_output_is_ascii_or_latin1_whatever_the_prose():
    """Every character LaTeX's utf8 inputenc cannot typeset becomes ASCII: a known symbol as maths,
    any other as its code point; special characters are still escaped."""
    prose = "h = (m ⊙ x)/p, x ∈ ℝ^d, 0 ≤ q < 1, 50% of a_i · σ ☃ ς Α ü"
    out = tex(prose)
    assert all(ord(c) < 0x100 for c in out), out
    assert r"\texttt{U+2603}" in out and r"\texttt{U+03C2}" in out and r"\texttt{U+0391}" in out
    assert r"50\%" in out and r"a\_i" in out and "ü" in out
    assert unicode_math("é") == "é"


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk not installed")
def test_escaped_unicode_compiles(tmp_path):
    body = tex("h = (m ⊙ x)/p, x ∈ ℝ^d, 0 ≤ p ≤ 1, a · b, σ, Ω, ☃, ü, 1 − p, ∑, …")
    doc = ("\\documentclass{article}\\usepackage[utf8]{inputenc}\\usepackage[T1]{fontenc}\\usepackage{amssymb}"
           f"\\begin{{document}}{body}\\end{{document}}\n")
    (tmp_path / "u.tex").write_text(doc, encoding="utf-8")
    result = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "u.tex"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, re.findall(r"^!.*", (tmp_path / "u.log").read_text(errors="replace"), re.M)
