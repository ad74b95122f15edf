"""Derivations judged line by line (docs/interface.md "Derivations"): the dev set, unseen routes and
mistakes, properties (a known mistake is flagged at its line; renamed indices and reordered
factors are fine), and the command line, batch and Python interfaces."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check

DEV = [json.loads(line) for line in (Path(__file__).parent / "data" / "dev_derivations.jsonl").read_text().splitlines()
       if line.strip()]


@pytest.fixture(scope="module")
def bank() -> dict:
    return load(None)


def verdicts(record: dict) -> list[str]:
    return [s["verdict"] for s in record.get("steps") or []]


#: Derivations a red-team wrote that the developers had not seen (other routes, notations and
#: mistakes), each with the verdicts a careful TA gives.
RED_TEAM = [json.loads(line) for line in (Path(__file__).parent / "data" / "derivations_unseen.jsonl").read_text()
            .splitlines() if line.strip()]


@pytest.mark.parametrize("case", DEV, ids=[f"{i}-{d['q']}" for i, d in enumerate(DEV)])
def test_dev_derivation_every_line(bank: dict, case: dict) -> None:
    record = check(bank[case["q"]], "\n".join(case["steps"]), evidence=False)
    assert verdicts(record) == case["expected"], case["why"]
    assert record["first_wrong"] == case["first_wrong"]
    if case["mistake"]:
        assert case["mistake"] in record["steps"][case["first_wrong"]]["diagnoses"]
        assert case["mistake"] in record["diagnoses"]
    json.dumps(record, allow_nan=False)


@pytest.mark.parametrize("case", RED_TEAM, ids=[f"r{i}-{d['q']}" for i, d in enumerate(RED_TEAM)])
def test_red_team_derivations(bank: dict, case: dict) -> None:
    record = check(bank[case["q"]], "\n".join(case["steps"]), evidence=False)
    assert verdicts(record) == case["expected"], case["why"]
    assert record["first_wrong"] == case["first_wrong"]
    if case["mistake"]:
        assert case["mistake"] in record["steps"][case["first_wrong"]]["diagnoses"]


#: Derivations written for these tests (other routes, notations and mistakes than the dev set).
UNSEEN = [
    ("p2.variance", "Var(y)\n= sum_{i=1}^{d} E[w_i^2] E[x_i^2]   # cross terms vanish\n= d sigma^2 * 1/2",
     "start ok ok", None),
    ("p2.variance", "Var[y]\n= sum_{i=1}^d Var(w_i x_i)\n= d * sigma^2 * Var(max(z,0))\n= d sigma^2 (1/2 - 1/(2 pi))",
     "start ok wrong ok", "used_relu_variance"),
    ("p2.variance", "Var[y]\n= sum_{i=1}^d E[w_i^2] E[x_i^2]\n= d * sigma * E[x_1^2]\n= d sigma / 2",
     "start ok wrong ok", "sigma_as_variance"),
    ("p2.variance", "Var[y]\n= sum_i w_i^2 x_i^2\n= d sigma^2/2", "start wrong wrong", "random_equals_number"),
    ("p2.variance", "Var[y]\n= d sigma^2 E[x_i^2]\n= d sigma^2/2", "start ok ok", None),
    ("p2.variance", "Var[y]\n= sigma^2 E[x_i^2]\n= sigma^2/2", "start wrong ok", "missing_dimension"),
    ("p2.variance", "\\mathrm{Var}[y]\n= \\mathbb{E}\\left[\\mathrm{Var}[y \\mid z]\\right] \\quad\\text{since } "
     "\\mathbb{E}[y\\mid z]=0\n= \\sigma^2\\,\\mathbb{E}\\left[\\sum_{k=1}^{d} \\max(z_k,0)^2\\right]\n"
     "= \\frac{d\\sigma^2}{2}",
     "start ok ok ok", None),
    ("p2.variance", "Var[y] = E[y^2] = d E[w_1^2 x_1^2] = d sigma^2 / 2", "start ok ok ok", None),
    ("p2.variance", "Var[y]\n= d E[w^2] E[ReLU(z)^2]\n= d sigma^2 E[z^2 | z > 0] P(z > 0)\n= d sigma^2/2",
     "start ok ok ok", None),
    ("p2.variance", "Var[y]\n= E[|y|]\n= d sigma^2/2", "start wrong wrong", None),
    ("p3.gradient", "dL/dx_j\n= d/dx_j [ -sum_i y_i x_i + log(sum_k exp(x_k)) ]   # sum_i y_i = 1\n"
     "= -y_j + 1/sum_k exp(x_k)", "start ok wrong", "missing_chain_rule"),
    ("p3.gradient", "dL/dx_j\n= d/dx_j [ -log(z_c) ]\n= -(1/z_c) dz_c/dx_j\n= -(delta_cj - z_j)\n= z_j - y_j",
     "start ok ok ok ok", None),
    ("p3.gradient", "\\frac{\\partial L}{\\partial x_j} = -\\sum_k y_k \\frac{\\partial \\log z_k}{\\partial x_j} "
     "= -\\sum_k y_k (\\delta_{kj} - z_j) = z_j - y_j", "start ok ok ok", None),
    ("p3.smoothing_gap", "x_y - x_j\n= log(yhat_y / yhat_j)\n= log((1 - eps)/(eps/d))\n= log(d (1-eps)/eps)",
     "start ok wrong ok", "true_class_mass_missed"),
    ("p4.forward_mults", "mults_fwd\n= sum_{l=1}^L n K^2\n= nLK^2", "start ok ok", None),
    ("p4.forward_mults", "M\n= sum_{l=1}^{L} 2 n K^2\n= 2nLK^2", "start wrong ok", "counted_flops"),
    ("p4.training_memory", "mem_train\n= L*K^2 + n*(L+1)*K\n= L K^2 + n L K + n K", "start ok ok", None),
    ("p2.sigma", "Var[y] = 1\nd sigma^2 = 1   # forgot the half\nsigma = 1/sqrt(d)", "start wrong ok", "lecun_scale"),
    ("p2.sigma", "Var[y] = 1 => d sigma^2 / 2 = 1 => sigma = sqrt(2/d)", "start ok ok", None),
    ("p2.sigma", "d*sigma^2/2 = 1\n\\Rightarrow \\sigma^2 = 2/d\n\\Rightarrow \\sigma = \\sqrt{2/d}",
     "start ok ok", None),
    ("p2.variance", "Var[y]\n= d*sigma^2/2)", "start invalid", None),
    ("p2.variance", "Var[w^T x]\n= E[(w^\\top x)^2]\n= E_z[E_w[y^2]]\n= E_z[sigma^2 sum_i x_i^2]\n= d sigma^2/2",
     "start ok ok ok ok", None),
    ("p2.variance", "Var[y]\n= E[Var[y | x]]\n= E[sigma^2 * sum_i x_i^2]\n= d sigma^2/2", "start ok ok ok", None),
    ("p2.variance", "E_w[y^2]\n= sigma^2 sum_i x_i^2\n= sigma^2 sum_i z_i^2", "start ok wrong", None),
    ("p3.gradient", "dL/dx_j\n= z - y", "start ok", None),
    ("p2.sigma", "Var[y] = 1 \\iff d sigma^2/2 = 1 \\iff sigma = sqrt(2/d)", "start ok ok", None),
    ("p4.forward_mults", "M\n= \\sum_{\\ell=1}^{L} n K^2\n= nLK^2", "start ok ok", None),
    ("p2.variance", "E[y^2 | z]\n= sigma^2 * sum_{i=1}^d x_i^2\n= sigma^2 sum_i max(z_i, 0)^2", "start ok ok", None),
    ("p2.variance", "Var(y | z)\n= E[y^2 | z]   # E[y | z] = 0\n= sigma^2 * sum_{i=1}^d E[x_i^2]", "start ok wrong",
     "random_equals_number"),
]


@pytest.mark.parametrize("q, answer, expected, mistake", UNSEEN, ids=[f"u{i}" for i in range(len(UNSEEN))])
def test_unseen_derivations(bank: dict, q: str, answer: str, expected: str, mistake: str | None) -> None:
    record = check(bank[q], answer, evidence=False)
    assert verdicts(record) == expected.split()
    if mistake:
        assert mistake in record["steps"][record["first_wrong"]]["diagnoses"]


def test_sampling_fallback_states_its_false_alarm_rate(bank: dict) -> None:
    record = check(bank["p2.variance"], "Var[y]\n= E[|y|]\n= d sigma^2/2", evidence=False)
    step = record["steps"][1]
    assert step["status"] == "monte_carlo" and step["verdict"] == "wrong"
    assert record["alpha"] is not None and record["alpha"] <= 1e-6


def test_sampling_never_calls_equal_lines_wrong(bank: dict) -> None:
    record = check(bank["p2.variance"], "E[|y|]\n= E[|y|] * 1\n= E[abs(sum_{i=1}^d w_i x_i)]", evidence=False)
    assert verdicts(record) == ["start", "ok", "ok"]


CORRECT = [d for d in DEV if d["first_wrong"] is None and "invalid" not in d["expected"]]
#: A line's known mistake: (question, the right text, the wrong text, the code expected).
MISTAKES = [
    ("p2.variance", "E[ReLU(z)^2]", "E[z^2]", "missing_relu_half"),
    ("p2.variance", "E[max(z,0)^2]", "E[z^2]", "missing_relu_half"),
    ("p2.variance", "E[x_1^2]", "E[z_1^2]", "missing_relu_half"),
    ("p3.gradient", "z_j - y_j", "y_j - z_j", "sign_flipped"),
]


@pytest.mark.parametrize("case", CORRECT, ids=[f"c{i}" for i in range(len(CORRECT))])
def test_a_known_mistake_is_flagged_at_its_line(bank: dict, case: dict) -> None:
    for q, right, wrong, code in MISTAKES:
        if q != case["q"]:
            continue
        for k, line in enumerate(case["steps"]):
            statement, hash_, reason = line.partition("#")
            if k == 0 or right not in statement:
                continue
            steps = list(case["steps"])
            steps[k] = statement.replace(right, wrong, 1) + hash_ + reason
            record = check(bank[q], "\n".join(steps), evidence=False)
            assert record["first_wrong"] == k, (steps[k], verdicts(record))
            assert code in record["steps"][k]["diagnoses"]


@pytest.mark.parametrize("old, new", [("i", "m"), ("k", "r")])
def test_renaming_a_summation_index_is_fine(bank: dict, old: str, new: str) -> None:
    for case in CORRECT:
        steps = [s.replace(f"sum_{{{old}=1}}", f"sum_{{{new}=1}}").replace(f"sum_{old} ", f"sum_{new} ")
                 .replace(f"_{old}", f"_{new}") for s in case["steps"]]
        if steps == case["steps"]:
            continue
        assert verdicts(check(bank[case["q"]], "\n".join(steps), evidence=False)) == case["expected"], steps


def test_reordering_commutative_factors_is_fine(bank: dict) -> None:
    base = "Var[y]\n= sum_{i=1}^d E[w_i^2] E[x_i^2]\n= d * sigma^2 * E[ReLU(z)^2]\n= d*sigma^2/2"
    swapped = "Var[y]\n= sum_{i=1}^d E[x_i^2] E[w_i^2]\n= E[ReLU(z)^2] * sigma^2 * d\n= sigma^2*d/2"
    assert verdicts(check(bank["p2.variance"], base, evidence=False)) == ["start", "ok", "ok", "ok"]
    assert verdicts(check(bank["p2.variance"], swapped, evidence=False)) == ["start", "ok", "ok", "ok"]


def test_a_later_line_is_judged_against_its_own_predecessor(bank: dict) -> None:
    record = check(bank["p2.variance"], "Var[y]\n= d sigma^2\n= sigma^2 d\n= 2 d sigma^2", evidence=False)
    assert verdicts(record) == ["start", "wrong", "ok", "wrong"]
    assert record["first_wrong"] == 1


def test_credit_weights(bank: dict) -> None:
    right = check(bank["p2.variance"], "Var[y]\n= d sigma^2 E[ReLU(z)^2]\n= d sigma^2/2", evidence=False)
    one_wrong = check(bank["p2.variance"], "Var[y]\n= d sigma^2 E[z^2]\n= d sigma^2", evidence=False)
    lucky = check(bank["p2.variance"], "Var[y]\n= d sigma^2 E[z^2]\n= d sigma^2/2", evidence=False)
    assert right["verdict"] == "correct" and right["score"] == 1.0
    assert one_wrong["verdict"] == "incorrect" and one_wrong["score"] == pytest.approx(0.25)
    assert "line 1 is wrong" in one_wrong["feedback"] and "every line follows" not in one_wrong["feedback"]
    assert "every line follows" in right["feedback"]
    assert lucky["feedback"].startswith("The final statement is right, but the working")
    assert lucky["verdict"] == "incorrect" and 0.25 < lucky["score"] < 1.0  # a right final statement, a wrong step


def test_counterexample_in_words(bank: dict) -> None:
    record = check(bank["p2.variance"], "Var[y]\n= d sigma^2 E[z^2]", evidence=False)
    step = record["steps"][1]
    assert step["counterexample"]["at"]["d"] >= 2
    assert "the previous line is" in step["note"] and "this one is" in step["note"]


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derivcheck", *args], input=stdin, capture_output=True, text=True,
                          timeout=300)


def test_check_file_and_stdin(tmp_path: Path) -> None:
    text = "Var[y]\n= E[y^2]  # E[y] = 0\n= sigma^2 * sum_{i=1}^d E[z_i^2]\n= d sigma^2\n"
    path = tmp_path / "working.txt"
    path.write_text(text)
    from_file = _cli("check", "p2.variance", "--file", str(path), "--json")
    from_stdin = _cli("check", "p2.variance", "--file", "-", "--json", stdin=text)
    for run in (from_file, from_stdin):
        assert run.returncode == 1
        record = json.loads(run.stdout)
        assert record["first_wrong"] == 2 and verdicts(record) == ["start", "ok", "wrong", "ok"]
    missing = _cli("check", "p2.variance", "--file", str(tmp_path / "none.txt"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_grade_writes_first_wrong(tmp_path: Path) -> None:
    subs = tmp_path / "subs.csv"
    with subs.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "question", "answer"])
        w.writerow(["s1", "p2.variance", "Var[y]\n= d sigma^2 E[z^2]\n= d sigma^2"])
        w.writerow(["s2", "p2.variance", "d*sigma^2/2"])
    out = tmp_path / "out.csv"
    run = _cli("grade", str(subs), "-o", str(out), "--gradescope", str(tmp_path / "gs"))
    assert run.returncode in (0, 1), run.stderr
    rows = list(csv.DictReader(out.open(newline="")))
    assert rows[0]["first_wrong"] == "1" and rows[1]["first_wrong"] == ""
    doc = json.loads((tmp_path / "gs" / "s1" / "results.json").read_text())
    assert "First wrong line" in doc["tests"][0]["output"]


def test_python_api_steps() -> None:
    from derivcheck import check as api_check

    result = api_check("p3.gradient", "dL/dx_j\n= -sum_i y_i (delta_ij - z_j)\n= z_j - y_j")
    assert result.verdict == "correct" and result.first_wrong is None
    assert [s["verdict"] for s in result.steps] == ["start", "ok", "ok"]
    assert "<ol" in result._repr_html_()


def test_work_counts_the_reading_and_every_node_of_every_value() -> None:
    import sympy as sp

    from derivcheck.grading.lines import LINE_WORK, work

    x = sp.Symbol("x")
    assert work([x + 1]) == LINE_WORK + 3  # Add(One, x)
    assert work([x + 1, sp.exp(x) / 2]) == LINE_WORK + 3 + 4  # Mul(Half, exp(x))
    assert work([(1.0, 2.0)]) == LINE_WORK + 2  # a solution set counts its solutions
    assert work([]) == LINE_WORK


def test_the_work_limit_decides_the_same_lines_cold_and_warm(bank: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines past the work limit are undecided, the same lines on every run: the limit counts
    work, never seconds (a busy machine's or a cold cache's)."""
    import derivcheck.grading.derivation as derivation

    case = DEV[10]  # the longest dev derivation: 5,142 units
    monkeypatch.setattr(derivation, "WORK_LIMIT", 2500)
    records = [check(bank[case["q"]], "\n".join(case["steps"]), evidence=False) for _ in range(2)]
    for record in records:
        undecided = [k for k, s in enumerate(record["steps"]) if s["verdict"] == "undecided"]
        assert undecided and undecided == list(range(undecided[0], len(record["steps"])))
        assert all(record["steps"][k]["note"].startswith("work limit reached") for k in undecided)
        assert record["review"] is True
    assert [s["verdict"] for s in records[0]["steps"]] == [s["verdict"] for s in records[1]["steps"]]


@pytest.mark.parametrize("answer", ["dL/dx_j\n= d/dx_j d/dx_k L",
                                    "dL/dx_j\n= -sum_i y_i d/dx_j log z_i\n= -y_i/z_i dz_i/dx_j"])
def test_an_index_no_sum_binds_is_a_wrong_line(bank: dict, answer: str) -> None:
    """k free in a derivative of L, i outside the sum that bound it: the line leaks an index."""
    steps = check(bank["p3.gradient"], answer, evidence=False)["steps"]
    assert steps[-1]["verdict"] == "wrong" and steps[-1]["diagnoses"] == ["leaked_index"]
