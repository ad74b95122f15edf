"""Issue 9's kinds of attack and misreading, each with cases of our own (not the issue's examples)."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from csv_files import read_csv, write_csv

from derivcheck.grading.bank import BankError, load, parse_bank
from derivcheck.grading.batch import BatchError, equiv_batch, folder_name, grade_csv, neutralise
from derivcheck.grading.grader import check
from derivcheck.grading.tasks import equiv_task


@pytest.fixture(scope="module")
def bank():
    return load()


# --- no points without a decision ----------------------------------------------------------

@pytest.mark.parametrize("answer", [
    "(-1)^(10^500)", "0^(10^800)", "1.00000000000000000000000000000000000001^(10^50)", "(10^-400)^3",
    "1/(10^-600)^2", "max(I*sigma, d)", "min(d, sqrt(-1))", "(2^-999)^9", "\\frac{" * 300 + "d" + "}{2}" * 300,
    "exp(exp(exp(exp(d))))", "d^(d^(d^d))", "sigma^(10^9)",
])
def test_breaking_inputs_are_invalid_or_decided_never_internal(bank, answer):
    out = check(bank["p2.variance"], answer, evidence=False)
    assert out["verdict"] in ("invalid", "incorrect", "correct", "undecided"), out
    assert "cannot be graded (" not in out["feedback"], out
    if out["verdict"] == "undecided":  # no value at any sample point: a person decides, 0 points until then
        assert out["score"] == 0 and out["review"] is True
    json.dumps(out, allow_nan=False, default=str)


def test_undecided_scores_zero_with_review(bank, monkeypatch):
    from derivcheck.grading import grader
    from derivcheck.grading.equivalence import Decision

    monkeypatch.setattr(grader, "decide", lambda *a, **k: Decision("undecided", "time"))
    out = grader.check(bank["p2.variance"], "d*sigma^2/2", evidence=False)
    assert out["verdict"] == "undecided" and out["score"] == 0 and out["review"] is True


def test_gradescope_gives_undecided_no_points(tmp_path):
    from derivcheck.grading.batch import write_gradescope

    results = tmp_path / "r.csv"
    write_csv(results, [("s1", "p2.variance", "d", "undecided", "0", "", "later", "yes")],
              header=("student_id", "question", "answer", "verdict", "score", "diagnoses", "feedback", "review"))
    write_gradescope(results, tmp_path / "gs")
    doc = json.loads((tmp_path / "gs" / "s1" / "results.json").read_text())
    assert doc["score"] == 0 and "manual review" in doc["tests"][0]["output"]


def test_equiv_batch_one_line_per_line_whatever_the_line():
    lines = ['{"id": "a", "student": "max(z)", "teacher": "z", "assume": {"z": "complex"}}',
             "[" * 50000 + "]" * 50000, '{"id": "c", "student": ["x"], "teacher": "x"}', "nonsense",
             '{"id": {"deep": [1, 2]}, "student": "log(z)", "teacher": "log(-z)", "assume": {"z": "complex"}}',
             '{"id": "f", "student": "x", "teacher": "x", "assume": {"x": 5}}',
             '{"id": "g", "student": "x", "teacher": "x"}']
    out = io.StringIO()
    equiv_batch(lines, workers=2, out=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == len(lines)
    assert records[0]["id"] == "a" and records[6]["id"] == "g" and records[6]["equivalent"] is True
    assert records[1]["status"] == "invalid" and records[2]["id"] == "c" and records[4]["id"] == {"deep": [1, 2]}
    assert all(r["status"] in ("proven", "numeric", "counterexample", "invalid", "undecided") for r in records)


def test_check_json_is_strict_for_nan_and_complex_counterexamples():
    for question, answer in (("p3.stable_softmax", "exp(x_i)/sum_k exp(x_k)"), ("p3.smoothing_gap", "log(1 - d/eps)")):
        run = subprocess.run([sys.executable, "-m", "derivcheck", "check", question, answer, "--json"],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 1, run.stderr
        json.loads(run.stdout, parse_constant=lambda c: pytest.fail(f"non-strict constant {c}"))


# --- attacks on grade -------------------------------------------------------------------------

def test_input_with_grade_columns_is_refused(tmp_path):
    src = tmp_path / "in.csv"
    write_csv(src, [("s1", "p2.variance", "d", "1")], header=("student_id", "question", "answer", "score"))
    with pytest.raises(BatchError, match="never"):
        grade_csv(src, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists() or read_csv(tmp_path / "out.csv") == []


def test_gradescope_folders_are_confined_and_distinct(tmp_path):
    assert folder_name("a/b") != folder_name("a_b") and "/" not in folder_name("a/b")
    assert folder_name("..") == "%2E%2E" and folder_name(".") != "." and folder_name("x" * 300) is None
    outside = tmp_path / "outside"
    outside.mkdir()
    gs = tmp_path / "gs"
    gs.mkdir()
    (gs / "s9").symlink_to(outside)
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, [("..", "p2.variance", "d"), ("a/b", "p2.variance", "d"), ("a_b", "p2.variance", "d"),
                    ("x" * 300, "p2.variance", "d"), ("s9", "p2.variance", "d"), ("ok", "p2.variance", "d")])
    grade_csv(src, out, gradescope=gs)
    rows = read_csv(out)
    assert [r["verdict"] for r in rows] == ["incorrect", "incorrect", "incorrect", "invalid", "incorrect", "incorrect"]
    made = sorted(p.name for p in gs.iterdir())
    assert made == sorted(["%2E%2E", "a%2Fb", "a_b", "s9", "ok"])
    assert not list(outside.iterdir())  # the symbolic link was not followed
    assert not (tmp_path / "results.json").exists()


def test_formula_cells_are_neutralised(tmp_path):
    assert [neutralise(c) for c in ("=1+1", "+d", "-d", "@x", "\td", "\rd", "d")] == \
        ["'=1+1", "'+d", "'-d", "'@x", "'\td", "'\rd", "d"]
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, [("=HYPERLINK(\"x\")", "p2.variance", "-d*sigma^2/2"), ("@s", "p2.variance", "=cmd|' /C calc'!A0")])
    grade_csv(src, out)
    for row in read_csv(out):
        assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values()), row
    grade_csv(src, out)  # a resume reads the neutralised cells back as the same input
    assert len(read_csv(out)) == 2


def test_one_huge_field_is_one_invalid_row(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, [("s1", "p2.variance", "d" * (200 * 1024)), ("s2", "p2.variance", "d*sigma^2/2")])
    grade_csv(src, out)
    assert [r["verdict"] for r in read_csv(out)] == ["invalid", "correct"]


def test_bank_formulas_run_under_the_answer_limits():
    text = ('[[question]]\nid = "q"\nvariables = { d = "positive_integer" }\n'
            'reference = { formula = "exp(exp(exp(d)))" }\n')
    start = time.monotonic()
    questions = parse_bank(text, "test bank")
    out = check(questions["q"], "exp(exp(exp(d)))", evidence=False)
    assert out["verdict"] in ("correct", "undecided") and time.monotonic() - start < 60  # few points have a value
    with pytest.raises(BankError, match="too large"):
        parse_bank(text.replace("exp(exp(exp(d)))", "9^9^9^9"), "test bank")


@pytest.mark.parametrize("text", ["question = 3", '[[question]]\nid = "q"\nvariables = "d"\n',
                                  "[[question]]\nid = 5\nvariables = [1]\n"])
def test_malformed_banks_are_bank_errors(text):
    with pytest.raises(BankError):
        parse_bank(text, "bad bank")


def test_resume_after_a_torn_multiline_row(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [("s1", "p2.variance", "d*sigma^2/2"), ("s2", "p2.variance", "Var[y]\n= d sigma^2/2"),
            ("s3", "p2.variance", "d")]
    write_csv(src, rows)
    grade_csv(src, out)
    full = out.read_text()
    cut = full.index("= d sigma^2/2")  # inside the quoted multi-line cell of the second row
    out.write_text(full[:cut])
    grade_csv(src, out)
    assert out.read_text() == full


def test_two_runs_on_one_output_take_a_lock(tmp_path):
    import fcntl

    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, [("s1", "p2.variance", "d")])
    with open(out, "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(BatchError, match="another"):
            grade_csv(src, out)


@pytest.mark.parametrize("where", ["missing/out.csv", "ro/out.csv"])
def test_unwritable_output_exits_2_with_one_line(tmp_path, where):
    src = tmp_path / "in.csv"
    write_csv(src, [("s1", "p2.variance", "d")])
    (tmp_path / "ro").mkdir()
    os.chmod(tmp_path / "ro", 0o500)
    try:
        run = subprocess.run([sys.executable, "-m", "derivcheck", "grade", str(src), "-o", str(tmp_path / where),
                              "--quiet"], capture_output=True, text=True, timeout=300)
    finally:
        os.chmod(tmp_path / "ro", 0o700)
    if os.geteuid() == 0 and where.startswith("ro"):
        pytest.skip("root writes into read-only folders")
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


def test_control_characters_are_never_echoed_raw():
    run = subprocess.run([sys.executable, "-m", "derivcheck", "check", "p2.variance", "d\x1b[2J\x07 + \u202eq"],
                         capture_output=True, text=True, timeout=300)
    assert "\x1b" not in run.stdout + run.stderr and "\x07" not in run.stdout + run.stderr
    assert "\u202e" not in run.stdout + run.stderr


def test_killed_parent_leaves_no_worker(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from derivcheck.grading.sandbox import Sandbox\n"
        "box = Sandbox(2)\n"
        "print(' '.join(str(s.proc.pid) for s in box.slots), flush=True)\n"
        "time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in parent.stdout.readline().split()]
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


# --- misreadings ------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, verdict, first_wrong", [
    ("sigma^2 = 2/d \\Longrightarrow \\sigma = \\sqrt{2/d}", "correct", None),
    ("d sigma^2/2 = 1 therefore sigma = sqrt(2/d)", "correct", None),
    ("sigma = sqrt(2/d) hence sigma^2 = 1/d", "incorrect", 1),
    ("sigma^2 = 1/d => sigma = sqrt(2/d)", "incorrect", 1),   # the final statement is right, the link is not
])
def test_chains_judge_every_link(bank, answer, verdict, first_wrong):
    out = check(bank["p2.sigma"], answer, evidence=False)
    assert out["verdict"] == verdict, out
    assert out["first_wrong"] == first_wrong
    if verdict == "correct":
        assert "every line follows" in out["feedback"]


def test_chains_without_a_model_grade_the_final_statement(bank):
    out = check(bank["p3.unsmoothed_gap"], "x_y - x_j = log(z_y/z_j) => oo", evidence=False)
    assert out["verdict"] == "correct" and "not checked" in out["feedback"] and "steps" not in out


@pytest.mark.parametrize("answer, verdict, code", [
    ("exp(x[i] - max(x))/sum_j exp(x_j - max(x))", "correct", None),
    ("1/sum_k exp(x_k - x_i)", "incorrect", "not_stable"),        # softmax, but exp(x_k - x_i) > 0
    ("exp(x_i - min(x))/sum(exp(x - min(x)))", "incorrect", "not_stable"),
    ("exp(x_i - 0.5 max(x))/sum(exp(x - 0.5 max(x)))", "incorrect", "not_stable"),
    ("exp(x_i - max(x))/sum(exp(x))", "incorrect", "inconsistent_shift"),
    ("exp(x_i - max(x))/max(exp(x - max(x)))", "incorrect", None),
    ("\\frac{e^{x_i - \\max x}}{\\sum_k e^{x_k - \\max x}}", "correct", None),
])
def test_index_semantics_and_stability(bank, answer, verdict, code):
    out = check(bank["p3.stable_softmax"], answer, evidence=False)
    assert out["verdict"] == verdict, out
    if code:
        assert code in out["diagnoses"], out
    elif verdict == "incorrect":
        assert "inconsistent_shift" not in out["diagnoses"], out


def test_wrong_log_base_and_euler_e(bank):
    answer = "\\log_2\\left(1 + \\frac{d(1-\\varepsilon)}{\\varepsilon}\\right)"
    out = check(bank["p3.smoothing_gap"], answer, evidence=False)
    assert out["verdict"] == "incorrect" and out["diagnoses"] == ["wrong_log_base"]
    out = check(bank["p3.smoothing_gap"], "log(1 + d (1 - e)/e)", evidence=False)
    assert "Euler's number" in out["feedback"] and "{'re'" not in out["feedback"]


def test_no_factor_against_an_infinite_reference(bank):
    out = check(bank["p3.unsmoothed_gap"], "3 d", evidence=False)
    assert out["verdict"] == "incorrect" and out["diagnoses"] == [] and "0x" not in out["feedback"]
    assert "at :" not in out["feedback"]


def test_caret_in_words_in_csv(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, [("s1", "p2.variance", "d*sigma^2 + q")])
    grade_csv(src, out)
    assert "at character" in read_csv(out)[0]["feedback"]


@pytest.mark.parametrize("student, teacher, status", [
    ("cot(2y)", "cos(2y)/sin(2y)", "proven"), ("sec(y)^2 - tan(y)^2", "1", "proven"),
    ("acosh(cosh(y))", "abs(y)", None), ("x for x in y", "x", "invalid"), ("not x", "x", "invalid"),
])
def test_names_and_keywords_in_equiv(student, teacher, status):
    record = equiv_task(student, teacher, {})
    if status is None:
        assert record["status"] in ("proven", "numeric"), record
    else:
        assert record["status"] == status, record
