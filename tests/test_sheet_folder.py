"""An instructor's sheet is a folder holding a sheet.toml, with no Python: `derivcheck sheet new`
writes a commented skeleton, and `questions`, `check` (answers and working) and `grade` run on it
given as `--sheet PATH` (the API as `sheet=`).

The skeleton's second question has a model with a uniform and a Bernoulli law and asks for a
derivative in a scalar; those need the laws of grading/laws.py (issue 24, item 5). Until they are
there the tests of that question skip; the formula question is tested now on a folder holding the
skeleton's first part.
"""
from __future__ import annotations

import csv
import json

import pytest

from derivcheck.cli import main
from derivcheck.sheets import sheet

#: Why the model question's tests skip until the laws are merged.
LAWS = "uniform and Bernoulli laws and scalar derivatives come with grading/laws.py (issue 24, item 5)"


def needs_laws() -> None:
    pytest.importorskip("derivcheck.grading.laws", reason=LAWS)


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "my_sheet"
    assert main(["sheet", "new", str(target)]) == 0
    return target


@pytest.fixture
def formulas_only(tmp_path, folder):
    """The skeleton's first part (its title, credit and formula question): a sheet of its own."""
    target = tmp_path / "formulas"
    target.mkdir()
    text = (folder / "sheet.toml").read_text(encoding="utf-8")
    (target / "sheet.toml").write_text(text.split("# --- Question 2")[0], encoding="utf-8")
    return target


def run_json(capsys, *args: str) -> tuple[int, dict]:
    status = main([*args, "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_the_skeleton_is_commented_data_and_never_overwritten(folder, capsys):
    capsys.readouterr()
    written = sheet(str(folder))
    assert written.id == "my_sheet" and written.claims == ()  # no claims: no Python behind it
    data = written.data
    assert [q["id"] for q in data["question"]] == ["q1.area", "q2.slope"]
    (model,) = data["model"]
    assert {law.split("(")[0] for law in model["random"].values()} == {"uniform", "bernoulli"}
    slope = data["question"][1]
    assert slope["model"] == "dropout" and "d/da" in slope["example_working"][0]
    comments = [line for line in written.text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 20 and any("--sheet" in line for line in comments)
    assert main(["sheet", "new", str(folder)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert written.text == sheet(str(folder)).text


def test_a_formula_sheet_folder_works_with_questions_check_and_grade(formulas_only, tmp_path, capsys):
    status, doc = run_json(capsys, "questions", "--sheet", str(formulas_only))
    assert status == 0 and [q["id"] for q in doc["questions"]] == ["q1.area"]
    first = doc["questions"][0]
    assert first["example"] == "2 pi r" and first["derivations"]["model"]["name"] == "q1.area"  # the trivial model
    status, right = run_json(capsys, "check", "q1.area", "pi r^2", "--sheet", str(formulas_only))
    assert status == 0 and right["verdict"] == "correct"
    status, wrong = run_json(capsys, "check", "q1.area", r"\pi (2r)^2", "--sheet", str(formulas_only))
    assert status == 1 and wrong["verdict"] == "incorrect" and wrong["diagnoses"] == ["used_diameter"]
    graded = grade(tmp_path, capsys, formulas_only, [("s1", "q1.area", "pi r r"), ("s2", "q1.area", "2 pi r")])
    assert graded == {"s1": "correct", "s2": "incorrect"}


def test_the_api_takes_the_sheet(formulas_only):
    from derivcheck import api

    assert [q["id"] for q in api.questions(sheet=formulas_only)] == ["q1.area"]
    assert api.check("q1.area", "pi*r^2", sheet=str(formulas_only)).verdict == "correct"
    with pytest.raises(ValueError, match="unknown sheet 'nope'"):
        api.questions(sheet="nope")


def grade(tmp_path, capsys, folder, rows) -> dict[str, str]:
    """``derivcheck grade --sheet folder`` over ``rows`` (student, question, answer): verdict by student."""
    submissions, results = tmp_path / "in.csv", tmp_path / "out.csv"
    with open(submissions, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("student_id", "question", "answer"), *rows])
    status, counts = run_json(capsys, "grade", str(submissions), "-o", str(results), "--sheet", str(folder),
                              "--quiet")
    assert status == 0 and sum(v for k, v in counts.items() if k != "rows") >= len(rows)
    with open(results, newline="", encoding="utf-8") as f:
        return {row["student_id"]: row["verdict"] for row in csv.DictReader(f)}


# --- the model question: uniform and Bernoulli laws, a derivative in a scalar --------------------

def test_questions_lists_the_model_question_with_its_example_working(folder, capsys):
    needs_laws()
    status, doc = run_json(capsys, "questions", "--sheet", str(folder))
    assert status == 0 and [q["id"] for q in doc["questions"]] == ["q1.area", "q2.slope"]
    slope = doc["questions"][1]
    assert slope["derivations"]["examples"] == sheet(str(folder)).data["question"][1]["example_working"]
    assert slope["derivations"]["model"]["random"] == {"w": "uniform(-a, a)", "m": "bernoulli(p)"}


def test_check_answers_and_working_under_the_model(folder, tmp_path, capsys):
    needs_laws()
    status, right = run_json(capsys, "check", "q2.slope", "2 d p a/3", "--sheet", str(folder))
    assert status == 0 and right["verdict"] == "correct"
    status, wrong = run_json(capsys, "check", "q2.slope", "d p a^2/3", "--sheet", str(folder))
    assert status == 1 and wrong["diagnoses"] == ["gave_variance"]
    working = tmp_path / "working.txt"
    working.write_text("d/da Var[y]\n= d/da (d p a^2/3)\n= 2 d p a/3\n", encoding="utf-8")
    status, judged = run_json(capsys, "check", "q2.slope", "--file", str(working), "--sheet", str(folder))
    assert status == 0 and [s["verdict"] for s in judged["steps"]] == ["start", "ok", "ok"]
    working.write_text("d/da Var[y]\n= d/da (d a^2/3)\n= 2 d a/3\n", encoding="utf-8")
    status, judged = run_json(capsys, "check", "q2.slope", "--file", str(working), "--sheet", str(folder))
    assert status == 1 and [s["verdict"] for s in judged["steps"]][:2] == ["start", "wrong"]
    for example in sheet(str(folder)).data["question"][1]["example_working"]:
        working.write_text(example, encoding="utf-8")
        _, judged = run_json(capsys, "check", "q2.slope", "--file", str(working), "--sheet", str(folder))
        assert all(s["verdict"] in ("start", "ok") for s in judged["steps"]), judged["steps"]


def test_grade_the_skeleton(folder, tmp_path, capsys):
    needs_laws()
    rows = [("s1", "q1.area", "pi r^2"), ("s2", "q2.slope", "2 d p a/3"), ("s3", "q2.slope", "2 d a/3"),
            ("s4", "q2.slope", "d/da Var[y]\n= d/da (d p a^2/3)\n= 2 d p a/3")]
    assert grade(tmp_path, capsys, folder, rows) == {"s1": "correct", "s2": "correct", "s3": "incorrect",
                                                     "s4": "correct"}
