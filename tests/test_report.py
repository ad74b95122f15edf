"""The report: the .tex always, the PDF when latexmk is present; its text holds every result."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from derivcheck.report.latex import num, power10, sig, tex
from derivcheck.report.pdf import ReportError, build


def test_tex_escaping_and_numbers():
    assert tex("a_b & 50% #1 {x}^2 \\") == r"a\_b \& 50\% \#1 \{x\}\textasciicircum{}2 \textbackslash{}"
    assert num(16777216) == r"16\,777\,216"
    assert num(1e-6) == r"\ensuremath{1.000 \times 10^{-6}}"
    assert num(float("inf")) == r"\ensuremath{\infty}" and num(None) == "--"
    assert num(0.12345678) == "0.1235"
    assert num(633500.5) == r"\ensuremath{6.335 \times 10^{5}}"  # one power-of-ten form, never 6.335e+05
    assert num(-0.001125) == r"\ensuremath{-}0.001125"  # a minus sign, not a hyphen
    assert sig(-0.0451766, 4) == r"\ensuremath{-}0.04518" and sig(0.5) == "0.500"  # sig too: a minus sign
    assert power10(1e-6) == r"\ensuremath{10^{-6}}" and power10(2e-7) == r"\ensuremath{2 \times 10^{-7}}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The report with the exercises' short configuration (their code, not their numbers); the
    full build is the slow tier's :func:`test_full_report_keeps_its_conclusions`."""
    out = tmp_path_factory.mktemp("report") / "solutions.pdf"
    have_tex = shutil.which("latexmk") is not None
    result = build(out, tex_only=not have_tex, log=lambda m: None, quick_exercises=True)
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
    again = build(out, tex_only=not have_tex, log=lambda m: None, quick_exercises=True)
    assert all(again["cached"][stage] for stage in ("derive", "verify", "convergence", "exercises"))


@pytest.mark.slow
def test_full_report_keeps_its_conclusions(built, tmp_path):
    """The full build (the exercises' own configuration, from an empty cache for that stage) says
    what the report's text says of its runs."""
    from derivcheck import store
    from derivcheck.report.stages import Build, sheet8
    from derivcheck.sheets import sheet
    from derivcheck.simulations.device import resolve_device

    _, _, have_tex = built
    result = build(tmp_path / "solutions.pdf", tex_only=not have_tex, log=lambda m: None, progress=False)
    assert result["passed"] and not result["cached"]["exercises"]
    tex_text = Path(result["tex"]).read_text()
    for fig in re.findall(r"\\includegraphics\[[^]]*\]\{([^}]*)\}", tex_text):
        assert (tmp_path / fig).exists(), fig
    device = resolve_device("auto").type
    key = Build(sheet(), 0, device, tmp_path).key("exercises", sheet8.SIMULATIONS, 0, device)
    ex = store.read(f"report-exercises-{key}")
    sweep = {(r["depth"], r["width"]): r["final_mse"] for r in ex["fit2d"]["sweep"]}
    assert len(sweep) == 9 and min(sweep, key=sweep.get)[0] == 6  # the best network is a deep one
    assert min(v for (d, _), v in sweep.items() if d == 2) > 10 * min(sweep.values())  # one hidden layer stalls
    assert sweep[(6, 32)] < sweep[(4, 64)]  # depth is the cheaper way
    logo = ex["fit2d"]["logo"]["runs"]
    assert logo["small"]["final_mse"] > 5 * logo["large"]["final_mse"]  # capacity buys sharp edges
    assert logo["small_long"]["final_mse"] > 3 * logo["large"]["final_mse"]  # the long schedule alone does not
    pw = ex["fit2d"]["piecewise"]
    assert 1 < pw["line_pieces"] < pw["line_pieces_bound"]
    assert abs(pw["slope_changes_on_fine_line"] - (pw["line_pieces"] - 1)) <= 2
    assert ex["digits"]["test_accuracy"] > 0.96
    assert ex["init"]["recommended"]["sigmoid"] is None and abs(ex["init"]["recommended"]["relu"] - 2 ** 0.5) < 0.25


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                    reason="TeX Live / poppler not installed")
def test_pdf_text_has_every_problem(built):
    out, _, _ = built
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("Answers at a glance", "Problem 1", "Problem 2", "Problem 3", "Problem 4", "Reproducibility"):
        assert heading in text
    for fragment in ("prediction", "estimate", "interval", "p-value", "threshold", "power", "Evidence",
                     "Common mistakes", "Forgetting the ReLU", "FlopCounterMode", "false-alarm rate"):
        assert fragment in text, fragment
    assert text.count("Verdict: pass") == 10


def _student_part(out: Path, aux_file: str) -> tuple[str, int, int]:
    """The text of the pages before the appendix (found by its label in LaTeX's .aux, which the
    build keeps with its working files), their count and the appendix's."""
    aux = Path(aux_file).read_text()
    first = int(re.search(r"\\newlabel\{appendix\}\{\{[^}]*\}\{(\d+)\}", aux).group(1))
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = subprocess.run(["pdftotext", "-l", str(first - 1), str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text, first - 1, pages - first + 1


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                    reason="TeX Live / poppler not installed")
def test_student_part_is_typeset_and_short(built):
    """Before the appendix: at most 10 pages, the answers on page 1-2, no ASCII maths (carets, the
    words sigma/eps), no internal names (claim ids, diagnosis codes, KroneckerDelta)."""
    from derivcheck.derivations import claim_ids
    from derivcheck.grading.bank import load

    out, result, _ = built
    text, student_pages, _ = _student_part(out, result["aux"])
    assert student_pages <= 9
    first_two = subprocess.run(["pdftotext", "-l", "2", str(out), "-"], capture_output=True, text=True,
                               check=True).stdout
    assert "Answers at a glance" in first_two and "4.4" in first_two
    assert "^" not in text
    assert not re.search(r"\b(sigma|eps|epsilon)\b", text, re.IGNORECASE)
    assert "KroneckerDelta" not in text
    codes = {m.code for q in load().values() for m in q.mistakes}
    for name in (*claim_ids(), *codes):
        assert name not in text, name


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="TeX Live not installed")
def test_no_line_runs_into_the_margin(built):
    """LaTeX reports no line wider than the text (an initialisation table once ran 4.85 pt into the
    right margin): no Overfull \\hbox of more than 1 pt in the whole document."""
    _, result, _ = built
    log = Path(result["aux"]).with_suffix(".log").read_text(errors="replace")
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert [w for w in widths if w > 1.0] == []


def test_the_level_scale_is_defined_once(built):
    """Problem 1.3's level scale has one definition (Section 1.3) and one answer per activation,
    made once (``init_findings``) and printed wherever the report gives it."""
    _, result, _ = built
    tex_text = Path(result["tex"]).read_text()
    assert tex_text.count(r"\emph{level scale}") == 1
    assert r"is \emph{level} when" not in tex_text and "level scale (optimum)" not in tex_text
    assert r"\boxed{\approx" not in tex_text or tex_text.count(r"\boxed{\approx") == 1  # the table's answer row only


def test_every_bank_mistake_has_a_human_name():
    from derivcheck.grading.bank import load
    from derivcheck.grading.derivation import GENERIC_STEP_MISTAKES
    from derivcheck.report.wording import MISTAKES

    for q in load().values():
        for m in q.mistakes:
            assert (q.id, m.code) in MISTAKES, (q.id, m.code)
        for rule in q.step_mistakes:
            assert (q.id, rule["code"]) in MISTAKES, (q.id, rule["code"])
    for code in GENERIC_STEP_MISTAKES:
        assert ("*", code) in MISTAKES, code


def test_missing_latexmk_is_a_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ReportError, match=r"latexmk not found: install TeX Live .*--tex-only"):
        build(tmp_path / "x.pdf", log=lambda m: None)


def test_output_must_be_pdf(tmp_path):
    with pytest.raises(ReportError, match=r"must end in \.pdf"):
        build(tmp_path / "x.txt", tex_only=True, log=lambda m: None)


FORMULA_SHEET = r'''
name = "Week 3: areas & volumes"

[[question]]
id = "p1.area"
prompt = "The area of a disc of radius r."
variables = { r = "positive" }
syntax = "an expression in r"
example = "pi*r^2"
reference = { formula = "pi r^2" }
mistakes = [
  { code = "diameter", formula = "pi (2 r)^2", feedback = "r is the radius, not the diameter (100% wrong)." },
]

[[question]]
id = "p2.volume"
prompt = "The volume of a ball of radius r."
variables = { r = "positive" }
syntax = "an expression in r"
example = "4/3 pi r^3"
reference = { formula = "4/3 pi r^3" }
alternatives = [ { formula = "4 pi r^3 / 3", note = "the same, written otherwise" } ]
mistakes = [ { code = "surface", formula = "4 pi r^2", feedback = "That is the surface area." } ]

[report.questions."p2.volume"]
title = "The volume of a ball"
prompt = 'The volume $V$ of a ball of radius $r$.'

[report.mistakes."p2.volume"]
surface = { name = "The sphere's surface", why = 'the surface $4 \pi r^2$ is the derivative of the volume.' }
'''


def test_a_sheet_of_formula_questions_gets_a_report(tmp_path):
    """An instructor's folder holding only a sheet.toml (formula questions, no claims, no Python,
    no template) gets a report: each question, its typeset reference and other right answers, and
    its common mistakes, named where the sheet names them, else with the bank's feedback."""
    folder = tmp_path / "week3"
    folder.mkdir()
    (folder / "sheet.toml").write_text(FORMULA_SHEET)
    have_tex = shutil.which("latexmk") is not None
    result = build(tmp_path / "out" / "week3.pdf", sheet=str(folder), tex_only=not have_tex, log=lambda m: None)
    assert result["passed"]
    text = Path(result["tex"]).read_text()
    assert "\\VAR" not in text and "\\BLOCK" not in text
    assert r"Week 3: areas \& volumes" in text                              # the sheet's name, escaped
    assert r"\pi r^{2}" in text and r"\frac{4 \pi r^{3}}{3}" in text         # references typeset
    assert r"4 \pi r^{2}" in text and r"\emph{The sphere's surface}" in text  # a named mistake
    assert r"r is the radius, not the diameter (100\% wrong)." in text      # an unnamed one: its feedback
    assert r"The volume $V$ of a ball of radius $r$." in text and "The area of a disc of radius r." in text
    assert "the same, written otherwise" in text
    if have_tex and shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", str(result["pdf"]), "-"], capture_output=True, text=True,
                             check=True).stdout
        for fragment in ("Answers at a glance", "Problem 1", "Problem 2", "The volume of a ball",
                         "Common mistakes", "is the derivative of the volume", "the diameter"):
            assert fragment in pdf, fragment


def test_a_sheet_naming_an_unknown_stage_or_template_is_a_one_line_error(tmp_path):
    folder = tmp_path / "week4"
    folder.mkdir()
    (folder / "sheet.toml").write_text(FORMULA_SHEET + '\n[report]\nstages = ["sheet8.nothing"]\n')
    with pytest.raises(ReportError, match=r"unknown report stage 'sheet8.nothing'"):
        build(tmp_path / "x.pdf", sheet=str(folder), tex_only=True, log=lambda m: None)
    (tmp_path / "week5").mkdir()
    (tmp_path / "week5" / "sheet.toml").write_text('template = "sheet8.tex.j2"\n' + FORMULA_SHEET)
    with pytest.raises(ReportError, match=r"no report template 'sheet8.tex.j2'"):  # a built-in sheet's is its own
        build(tmp_path / "x.pdf", sheet=str(tmp_path / "week5"), tex_only=True, log=lambda m: None)
    with pytest.raises(ReportError, match=r"nowhere: cannot read"):
        build(tmp_path / "x.pdf", sheet=str(tmp_path / "nowhere"), tex_only=True, log=lambda m: None)


def test_cost_products_print_in_the_sheets_order():
    """Counts print as the sheets write them: n H W C_out C_in k^2 (sheet 9), (3L - 1) n K^2 (sheet 8)."""
    from derivcheck.derivations import derive
    from derivcheck.derivations.claim import to_latex

    cin, cout = r"C_{\mathrm{in}}", r"C_{\mathrm{out}}"
    assert to_latex(derive("conv_training_mults").result) == rf"3 n H W {cout} {cin} k^{{2}}"
    assert to_latex(derive("conv_weights").result) == rf"{cout} {cin} k^{{2}}"
    assert to_latex(derive("training_mults").variants["no_input_grad"]) == r"\left(3 L - 1\right) n K^{2}"
