"""The gradebook: one row per student from grade's results CSV (grading/gradebook.py, grade --gradebook)."""
import csv

import pytest
from csv_files import read_csv, write_csv

from derivcheck.cli import main
from derivcheck.grading import gradebook
from derivcheck.grading.batch import BatchError

RESULTS = ("student_id", "question", "answer", "verdict", "score", "diagnoses", "feedback", "review")


def _results(path, rows):
    write_csv(path, rows, header=RESULTS)
    return path


def test_one_row_per_student_with_total_scores_and_review(tmp_path):
    results = _results(tmp_path / "r.csv", [
        ("s1", "q1", "a", "correct", "1", "", "", ""),
        ("s2", "q1", "b", "incorrect", "0", "x", "", ""),
        ("s1", "q2", "c", "undecided", "0", "", "", "yes"),
        ("s2", "q2", "d", "incorrect", "0.5", "", "", "yes"),
        ("s2", "q1", "e", "correct", "1", "", "", ""),          # a resubmission: the last row counts
        ("s1", "q9", "f", "correct", "1", "", "", ""),          # a question the bank does not list
    ])
    book = gradebook.gradebook(gradebook.read_results(results), ["q1", "q2", "q3"])
    assert [r["student_id"] for r in book] == ["s1", "s2"]
    s1, s2 = book
    assert (s1["q1"], s1["q2"], s1["q3"], s1["q9"]) == ("1", "0", "", "1")
    assert (s1["total"], s1["max_total"], s1["answered"], s1["review"]) == ("2", "3", "3", "q2")
    assert (s2["q1"], s2["q2"], s2["total"], s2["answered"], s2["review"]) == ("1", "0.5", "1.5", "2", "q2")
    assert list(s1) == ["student_id", "total", "max_total", "answered", "q1", "q2", "q3", "q9", "review"]


def test_written_cells_are_neutralised_and_read_back(tmp_path):
    results = _results(tmp_path / "r.csv", [("'=cmd", "q1", "a", "correct", "1", "", "", "")])
    n = gradebook.write(results, tmp_path / "book.csv", ["q1"])
    rows = read_csv(tmp_path / "book.csv")
    assert n == 1 and rows[0]["student_id"] == "'=cmd" and rows[0]["total"] == "1"


def test_not_a_results_csv_is_refused(tmp_path):
    path = tmp_path / "in.csv"
    write_csv(path, [("s1", "q1", "x")])
    with pytest.raises(BatchError, match="not a results CSV"):
        gradebook.read_results(path)


def test_grade_writes_the_gradebook(tmp_path, capsys):
    src, out, book = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "book.csv"
    write_csv(src, [("s1", "p2.variance", "d*sigma^2/2"), ("s1", "p2.sigma", "sqrt(2/d)"),
                    ("s2", "p2.variance", "((("), ("s2", "p4.forward_mults", "n L K^2")])
    assert main(["grade", str(src), "-o", str(out), "--gradebook", str(book), "--quiet"]) == 0
    assert "gradebook -> " in capsys.readouterr().out
    with open(book, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["student_id"] for r in rows] == ["s1", "s2"]
    assert rows[0]["total"] == "2" and rows[0]["p2.variance"] == "1" and rows[0]["p2.sigma"] == "1"
    assert rows[1]["total"] == "1" and rows[1]["p2.variance"] == "0" and rows[1]["p4.forward_mults"] == "1"
    assert rows[1]["p2.sigma"] == ""
    assert int(rows[0]["max_total"]) >= 10
