"""Batch grading: CSV in/out, malformed rows, memoisation, resume after kill -9, Gradescope, equiv --batch."""
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from csv_files import read_csv, write_csv

from derivcheck.grading.batch import BatchError, equiv_batch, grade_csv

ROWS = [
    ("s1", "p2.variance", "d*sigma^2/2"), ("s1", "p2.sigma", "2/d"), ("s2", "p2.variance", "d sigma^2"),
    ("s2", "p4.forward_mults", "nLK^2"), ("s3", "p2.variance", "9**9**9"), ("s3", "nope", "1"),
    ("s4", "p2.variance", "  d*sigma^2/2 "), ("s4", "p3.gradient", "z - y"),
]


def test_grade_csv(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ROWS)
    counts = grade_csv(src, out, gradescope=tmp_path / "gs")
    rows = read_csv(out)
    assert [r["student_id"] for r in rows] == [r[0] for r in ROWS]  # same order, no row lost
    assert [r["verdict"] for r in rows] == ["correct", "incorrect", "incorrect", "correct", "invalid",
                                            "invalid", "correct", "correct"]
    assert rows[1]["diagnoses"] == "gave_variance" and rows[1]["score"] == "0"
    assert "unknown question" in rows[5]["feedback"]
    assert counts == {"rows": 8, "correct": 4, "incorrect": 2, "invalid": 2, "undecided": 0}
    assert all("\n" not in r["feedback"] for r in rows)
    doc = json.loads((tmp_path / "gs" / "s1" / "results.json").read_text())
    assert doc["score"] == 1.0 and doc["max_score"] == 2.0
    assert {t["name"] for t in doc["tests"]} == {"p2.variance", "p2.sigma"}
    assert all({"name", "score", "max_score", "output", "status"} <= set(t) for t in doc["tests"])


def test_missing_columns(tmp_path):
    src = tmp_path / "in.csv"
    write_csv(src, [("a", "b")], header=("student", "answer"))
    with pytest.raises(BatchError, match="missing column"):
        grade_csv(src, tmp_path / "out.csv")


def test_malformed_rows_become_invalid(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("student_id,question,answer\ns1,p2.variance\n,p2.variance,d\ns2,p2.variance,\"d*sigma^2/2\"\n")
    rows = read_csv(out) if grade_csv(src, out) else []
    assert [r["verdict"] for r in rows] == ["invalid", "invalid", "correct"]


def test_resume_after_truncation(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ROWS)
    grade_csv(src, out)
    full = out.read_text()
    lines = full.splitlines(keepends=True)
    out.write_text("".join(lines[:4]) + lines[4][:7])  # three rows and half of the fourth
    grade_csv(src, out)
    assert out.read_text() == full


def test_resume_refuses_an_output_of_another_input(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ROWS)
    grade_csv(src, out)
    write_csv(src, [("x9", "p2.variance", "d"), *ROWS[1:]])
    with pytest.raises(BatchError, match="another input"):
        grade_csv(src, out)


def test_resume_with_malformed_rows(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("student_id,question,answer\ns1,p2.variance\ns2,p2.variance,d*sigma^2/2\n")
    grade_csv(src, out)
    first = out.read_text()
    grade_csv(src, out)  # a re-run finds everything done
    assert out.read_text() == first


def test_kill_9_loses_no_finished_row(tmp_path):
    """A real run killed with SIGKILL mid-way, then re-run: the output equals a clean run's."""
    src, out, clean = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "clean.csv"
    rows = [(f"s{i}", "p2.variance", f"d*sigma^2/{i + 1}") for i in range(60)]
    write_csv(src, rows)
    cmd = [sys.executable, "-m", "derivcheck", "grade", str(src), "-o", str(out), "--quiet", "--workers", "1"]
    proc = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 10):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = read_csv(out)
    assert 5 <= len(done_before) < 60
    subprocess.run(cmd, check=True)
    grade_csv(src, clean)
    assert read_csv(out) == read_csv(clean)
    assert read_csv(out)[: len(done_before)] == done_before


def test_equiv_batch_keeps_order_and_ids():
    lines = [json.dumps({"id": 1, "student": "2x", "teacher": "x+x"}),
             "not json",
             json.dumps({"id": "c", "student": "sqrt(x^2)", "teacher": "x", "assume": {"x": "positive"}}),
             json.dumps({"id": 4, "student": "x +", "teacher": "x"}),
             json.dumps({"id": 5, "student": "x", "teacher": "x + 10^-15"}),
             json.dumps({"id": 6, "student": "9^9^9", "teacher": "1"})]
    buf = io.StringIO()
    assert equiv_batch(lines, out=buf) == 6
    out = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [o["id"] for o in out] == [1, None, "c", 4, 5, 6]
    assert [o["status"] for o in out] == ["proven", "invalid", "proven", "invalid", "counterexample", "invalid"]
    assert [o["equivalent"] for o in out] == [True, None, True, None, False, None]
