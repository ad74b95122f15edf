"""The TA's hand-off: --help that explains every argument and shows defaults, and the Gradescope
autograder bundle (setup.sh + run_autograder, run here on a Gradescope-like folder)."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from derivcheck.cli import COMMANDS, build_parser, main


def _help(capsys, *argv) -> str:
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("command", [c.NAME for c in COMMANDS])
def test_every_argument_is_explained(command):
    parser = next(a for a in build_parser()._actions if a.dest == "command").choices[command]
    for action in parser._actions:
        assert action.help, f"{command} {action.option_strings or action.dest} has no help"


def test_help_shows_defaults(capsys):
    assert "(default: 2)" in _help(capsys, "grade")            # --workers
    assert "(default: 5.0)" in _help(capsys, "check")          # --timeout
    assert "(default: out/solutions.pdf)" in _help(capsys, "report")
    assert "(default: 1e-06)" in _help(capsys, "verify")
    assert "(default: False)" not in _help(capsys, "verify")    # flags say nothing


def test_questions_has_no_timeout_and_equiv_explains_its_arguments(capsys):
    assert "--timeout" not in _help(capsys, "questions")
    text = _help(capsys, "equiv")
    assert "the expression to test" in text and "the reference expression" in text and "NAME=KIND" in text


def _bundle(tmp_path, capsys, *extra):
    wheel = tmp_path / "derivcheck_ml-0.0-py3-none-any.whl"
    wheel.write_bytes(b"not installed here")
    target = tmp_path / "autograder"
    assert main(["gradescope-bundle", str(target), "--wheel", str(wheel), "--no-download", *extra]) == 0
    assert capsys.readouterr().out.strip() == str(target.with_suffix(".zip"))
    return target


def _autograde(root, bundle):
    (root / "submission").mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-r", str(bundle), str(root / "source")], check=True)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "DERIVCHECK_PYTHON": sys.executable}
    env.pop("DERIVCHECK_CACHE", None)  # run_autograder reads the bundle's own records
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.slow  # builds the wheels and runs the autograder in a fresh folder (15 s)
def test_gradescope_bundle_grades_a_submission(tmp_path, capsys):
    from derivcheck.grading.bank import load

    bundle = _bundle(tmp_path, capsys)
    with zipfile.ZipFile(bundle.with_suffix(".zip")) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "answers_template.csv"} <= names
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111  # executable
    assert "--no-index --find-links wheels derivcheck-ml" in (bundle / "setup.sh").read_text()
    root = tmp_path / "root"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "answers.csv").write_text(
        'question,answer\np4.forward_mults,n L K^2\np4.inference_memory,"L K^2 + n L K"\nnot.a.question,x\n',
        encoding="utf-8")
    doc = _autograde(root, bundle)
    tests = {t["name"]: t for t in doc["tests"]}
    assert set(tests) == set(load())                       # one test per question, answered or not
    assert tests["p4.forward_mults"]["score"] == 1.0 and tests["p4.inference_memory"]["score"] == 0.0
    assert "simulation measured" in tests["p4.inference_memory"]["output"]  # the evidence, without torch needed
    assert tests["p2.sigma"]["output"] == "Not answered."
    assert doc["score"] == 1.0 and doc["max_score"] == float(len(load()))


def test_gradescope_bundle_of_a_sheet_folder(tmp_path, capsys):
    """--sheet PATH ships the folder's sheet.toml as bank.toml; a built-in --sheet is named, not copied."""
    folder = tmp_path / "discs"
    folder.mkdir()
    (folder / "sheet.toml").write_text('[[question]]\nid = "area"\nvariables = { r = "positive" }\n'
                                       'reference = { formula = "pi r^2" }\n', encoding="utf-8")
    bundle = _bundle(tmp_path, capsys, "--sheet", str(folder))
    assert (bundle / "bank.toml").read_text() == (folder / "sheet.toml").read_text()
    assert (bundle / "answers_template.csv").read_text().split() == ["question,answer", "area,"]
    root = tmp_path / "root"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "answers.csv").write_text("question,answer\narea,pi r^2\n", encoding="utf-8")
    doc = _autograde(root, bundle)
    assert [t["name"] for t in doc["tests"]] == ["area"] and doc["score"] == 1.0
    (tmp_path / "b").mkdir()
    builtin = _bundle(tmp_path / "b", capsys, "--sheet", "sheet8")
    assert not (builtin / "bank.toml").exists() and '"sheet8"' in (builtin / "run_autograder").read_text()


def test_gradescope_without_answers_says_what_to_upload(tmp_path, capsys):
    doc = _autograde(tmp_path / "root", _bundle(tmp_path, capsys))
    assert doc["score"] == 0.0 and "answers.csv" in doc["output"]


def test_gradescope_bundle_refuses_a_full_folder(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("")
    assert main(["gradescope-bundle", str(tmp_path / "x"), "--no-download"]) == 2


def test_gradescope_names_a_mistake_in_the_students_words(tmp_path):
    """Gradescope's feedback names a mistake as the PDF and the page do, never by its code."""
    from derivcheck import engine
    from derivcheck.report.wording import mistake_name

    submissions = tmp_path / "in.csv"
    submissions.write_text("student_id,question,answer\ns1,p4.forward_mults,2 n L K^2\n", encoding="utf-8")
    engine.grade(submissions, tmp_path / "out.csv", gradescope=tmp_path / "gs")
    output = json.loads((tmp_path / "gs" / "s1" / "results.json").read_text())["tests"][0]["output"]
    assert f"Mistake: {mistake_name('p4.forward_mults', 'counted_flops')[0]}" in output
    assert "counted_flops" not in output and "Diagnosis" not in output
