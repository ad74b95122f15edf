"""One judge: an answer gets the same record from `check`, the Python API, `grade` (CSV and
Gradescope) and the page's `/api/check`, and credit only for what was decided."""
import csv
import json

import pytest

from derivcheck import api, engine
from derivcheck.grading.bank import load
from derivcheck.grading.batch import grade_csv
from derivcheck.grading.grader import check as grade_one

VARIANCE = ["Var[y]", "= E[y^2]   # E[y] = 0", "= d sigma^2 E[ReLU(z)^2]", "= d sigma^2/2"]
GRADIENT = ["\\frac{\\partial L}{\\partial x_j}",
            "= -\\sum_{i} y_i \\frac{\\partial \\log z_i}{\\partial x_j}",
            "= -\\sum_{i} y_i \\left(\\delta_{ij} - z_j\\right)  % \\log z_i = x_i - \\log\\sum_k e^{x_k}",
            "= -y_j + z_j \\sum_{i} y_i \\quad\\text{(expand)}",
            "= z_j - y_j"]

#: (question, answer): single answers, chains, derivations with each comment style, LaTeX align,
#: every line end the reader splits on, nonsense, and an answer whose evidence overflows.
CORPUS = [
    ("p2.variance", "d*sigma^2/2"),
    ("p2.variance", "\\frac{d\\sigma^2}{2}"),
    ("p2.variance", "d sigma^2"),
    ("p2.variance", "banana"),
    ("p2.sigma", "2^1000"),
    ("p2.sigma", "sigma^2 = 2/d => sigma = sqrt(2/d)"),
    ("p2.variance", "Var[y] = E[y^2] = d sigma^2/2"),
    ("p2.variance", "= = ="),
    ("p2.variance", "a = b = c"),
    ("p2.variance", "Var[y]\n= banana\n= apple"),
    ("p2.variance", "\n".join(VARIANCE)),
    ("p2.variance", "\r\n".join(VARIANCE)),
    ("p2.variance", "\r".join(VARIANCE)),
    ("p2.variance", "\u2028".join(VARIANCE)),
    ("p2.variance", "\n".join([*VARIANCE[:2], "= d sigma^2 E[z^2]", "= d sigma^2"])),
    ("p2.variance", "\\begin{align*} \\operatorname{Var}[y] &= \\mathbb{E}[y^2] \\\\ "
                    "&= \\frac{d\\sigma^2}{2} \\end{align*}"),
    ("p3.gradient", "\n".join(GRADIENT)),
    ("p3.gradient", "\n".join([*GRADIENT[:-1], "= y_j - z_j"])),
    ("p3.smoothing_gap", "the gap\n= log(1 + d (1 - eps)/eps)"),
]

FIELDS = ("verdict", "score", "diagnoses", "first_wrong", "review")


def _key(record: dict) -> dict:
    out = {f: record.get(f) for f in FIELDS}
    out["review"] = bool(out["review"])
    out["steps"] = [s["verdict"] for s in record.get("steps") or []]
    return out


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """Every corpus answer through every surface."""
    folder = tmp_path_factory.mktemp("one-judge")
    submissions = folder / "in.csv"
    with open(submissions, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", "question", "answer"])
        for k, (q, a) in enumerate(CORPUS):
            writer.writerow([f"s{k}", q, a])
    grade_csv(submissions, folder / "out.csv", gradescope=folder / "gs")
    with open(folder / "out.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    from derivcheck.web.service import SelfCheck

    with SelfCheck(evidence=True, workers=2) as page:
        pages = [page.check(q, a) for q, a in CORPUS]
    checks = [engine.check(q, a) for q, a in CORPUS]
    apis = [api.check(q, a) for q, a in CORPUS]
    gradescope = [json.loads((folder / "gs" / f"s{k}" / "results.json").read_text())["tests"][0]
                  for k in range(len(CORPUS))]
    return checks, apis, rows, pages, gradescope


@pytest.mark.parametrize("k", range(len(CORPUS)))
def test_every_surface_gives_one_record(records, k):
    checks, apis, rows, pages, gradescope = records
    expected = _key(checks[k])
    assert _key(pages[k]) == expected
    result = apis[k]
    assert (result.verdict, result.score, list(result.diagnoses)) == \
        (expected["verdict"], expected["score"], expected["diagnoses"])
    row = rows[k]
    assert row["verdict"] == expected["verdict"]
    assert float(row["score"]) == pytest.approx(expected["score"])
    assert row["diagnoses"] == ";".join(expected["diagnoses"])
    assert (row["review"] == "yes") == (expected["review"] or expected["verdict"] == "undecided")
    if "first_wrong" in row:
        assert row["first_wrong"] == ("" if expected["first_wrong"] is None else str(expected["first_wrong"]))
    assert gradescope[k]["score"] == pytest.approx(expected["score"])
    assert ("flagged for manual review" in gradescope[k]["output"]) == (row["review"] == "yes")


def test_agreement_covers_derivations(records):
    checks = records[0]
    assert sum(bool(r.get("steps")) for r in checks) >= 10
    assert {r["verdict"] for r in checks} >= {"correct", "incorrect", "invalid"}


@pytest.fixture(scope="module")
def bank():
    return load()


@pytest.mark.parametrize("answer", ["= = =", "a = b = c", "Var[y]\n= banana\n= apple", "x\n= !!\n= ??"])
def test_nonsense_earns_nothing(bank, answer):
    record = grade_one(bank["p2.variance"], answer)
    assert record["score"] == 0.0
    assert record["verdict"] == "invalid"
    assert "every line follows" not in record["feedback"]


def test_an_unsettled_line_earns_nothing_and_is_flagged(bank):
    """A right final statement after a line that cannot be read is not full marks: the line
    earns nothing and the record asks a person to look."""
    answer = "Var[y]\n= E[y^2]\n= the sum of it all, by symmetry\n= d sigma^2/2"
    record = grade_one(bank["p2.variance"], answer)
    assert [s["verdict"] for s in record["steps"]] == ["start", "ok", "invalid", "ok"]
    assert record["review"] is True
    assert record["verdict"] == "undecided"
    assert 0.5 <= record["score"] < 1.0
    assert "every line follows" not in record["feedback"]
    assert "line 2" in record["feedback"]


def test_all_decided_right_working_scores_one(bank):
    record = grade_one(bank["p2.variance"], "\n".join(VARIANCE))
    assert (record["verdict"], record["score"]) == ("correct", 1.0)
    assert "review" not in record


def test_cells_are_graded_as_written(tmp_path):
    """A derivation and the same text on one line are different answers: grade keeps lines."""
    answer = "\n".join(VARIANCE)
    submissions = tmp_path / "in.csv"
    with open(submissions, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", "question", "answer"])
        writer.writerow(["a", "p2.variance", answer])
        writer.writerow(["b", "p2.variance", " ".join(answer.split())])
    grade_csv(submissions, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["verdict"] == engine.check("p2.variance", answer)["verdict"] == "correct"
    assert rows[1]["verdict"] == engine.check("p2.variance", rows[1]["answer"])["verdict"]


@pytest.mark.parametrize("question, answer, verdicts", [
    # an unreadable line 0 stands for the asked quantity itself, exact: the right step is ok
    ("p3.smoothing_gap", "the gap\n= log(1 + d (1 - eps)/eps)", ["start", "ok"]),
    ("p3.smoothing_gap", "the gap\n= log(1 + d (1 - eps)/eps + 10^(-45))", ["start", "wrong"]),
    # a vector question too: its entry at the model's free index, not "undecided" for every line
    ("p3.gradient", "the gradient, entry j\n= -sum_i y_i (delta_ij - z_j)\n= z_j - y_j", ["start", "ok", "ok"]),
    ("p3.gradient", "the gradient, entry j\n= -sum_i y_i (delta_ij + z_j)\n= z_j - y_j",
     ["start", "wrong", "wrong"]),
])
def test_unreadable_line_zero_is_the_asked_quantity(bank, question, answer, verdicts):
    record = grade_one(bank[question], answer)
    assert [s["verdict"] for s in record["steps"]] == verdicts


@pytest.mark.parametrize("question, answer, verdict, codes", [
    # a valid line of working is a valid final statement: names and sums of the model
    ("p3.gradient", "sum_i y_i (z_j - delta_ij)", "correct", []),
    ("p3.gradient", "-sum_i y_i (z_j - delta_ij)", "incorrect", ["sign_flipped"]),
    ("p3.gradient", "z_c - y_j", "incorrect", []),
    # and the reverse: a valid final answer is a valid line
    ("p3.gradient", "dL/dx_j\n= softmax(x) - y", "correct", []),
    ("p3.gradient", "dL/dx_j\n= -sum_i y_i (delta_ij - z_j)\n= softmax(x) - onehot(y)", "correct", []),
    # an expectation left in a final statement is not an answer yet, a random one not a number
    ("p2.variance", "d sigma^2 E[x_i^2]", "invalid", []),
    ("p2.variance", "x + 1", "invalid", []),
])
def test_one_language_for_answers_and_lines(bank, question, answer, verdict, codes):
    record = grade_one(bank[question], answer)
    assert record["verdict"] == verdict, record["feedback"]
    assert record["diagnoses"] == codes


LOGISTIC = '''
name = "logistic"

[[question]]
id = "q.logit"
prompt = "dL/dt for L = -(y log s + (1 - y) log(1 - s)), s = 1/(1 + exp(-t))"
variables = { t = "real", y = "interval(0,1)" }
syntax = "an expression in t and y"
example = "t - y"
reference = { formula = "1/(1 + exp(-t)) - y" }
mistakes = [ { code = "sign_flipped", formula = "y - 1/(1 + exp(-t))", feedback = "The sign is flipped." } ]
model = "logistic"

[[model]]
name = "logistic"
parameters = { t = "real", y = "interval(0,1)" }
define = { s = "1/(1 + exp(-t))", L = "-(y log(s) + (1 - y) log(1 - s))" }
'''


@pytest.mark.parametrize("answer, steps, verdict", [
    ("dL/dt\n= -(y/s - (1-y)/(1-s)) s (1 - s)\n= s - y", ["start", "ok", "ok"], "correct"),
    ("\\frac{\\partial L}{\\partial t}\n= -(y (1-s) - (1-y) s)\n= s - y", ["start", "ok", "ok"], "correct"),
    ("dL/dt\n= -(y/s - (1-y)/(1-s))\n= s - y", ["start", "wrong", "wrong"], "incorrect"),  # chain rule dropped
    ("s - y", [], "correct"),  # a name the model defines, in the final statement
    ("y - s", [], "incorrect"),
])
def test_scalar_derivatives_and_model_names(tmp_path, answer, steps, verdict):
    path = tmp_path / "bank.toml"
    path.write_text(LOGISTIC)
    record = grade_one(load(str(path))["q.logit"], answer)
    assert [s["verdict"] for s in record.get("steps", [])] == steps
    assert record["verdict"] == verdict


@pytest.mark.parametrize("question, answer, verdict", [
    # a bracketed run of names is one product: (d sigma)^2 squares both
    ("p2.variance", "(dsigma)^2/(2d)", "correct"),
    ("p2.variance", "\\frac{(d\\sigma)^2}{2d}", "correct"),
    ("p2.variance", "dsigma^2/2", "correct"),
    ("p2.variance", "(dsigma)^2/2", "incorrect"),
    # names defined after the answer
    ("p3.stable_softmax", "exp(x_i - m)/sum_k exp(x_k - m), where m = max_j x_j", "correct"),
    ("p3.stable_softmax", "\\frac{e^{x_i - M}}{\\sum_k e^{x_k - M}}, \\; M = \\max_j x_j", "correct"),
    ("p3.stable_softmax", "exp(x_i - m)/sum_k exp(x_k) with m = max_j x_j", "incorrect"),
    # several statements: the last is the answer; the unknown on either side
    ("p2.sigma", "σ² = 2/d, σ = √(2/d)", "correct"),
    ("p2.sigma", "sigma^2 = 2/d; sigma = 2/d", "incorrect"),
    ("p2.sigma", "2/d = sigma^2", "correct"),
    # annotations
    ("p2.variance", "Var[y] ≈ 0.5 d σ²", "correct"),
    ("p2.variance", "d sigma^2/2.", "correct"),
    ("p3.gradient", "∂L/∂x_j\n= z_j - y_j", "correct"),
    ("p3.gradient", "zᵢ - yᵢ", "correct"),
    # LaTeX spacing and a function of a big operator
    ("p3.smoothing_gap", "\\log\\!\\left(1 + \\frac{d(1-\\varepsilon)}{\\varepsilon}\\right)", "correct"),
    # working: E(X)^2 squares the expectation; indicators; symmetry of the law
    ("p2.variance", "Var[y]\n= E[y^2] - E(y)^2\n= d sigma^2/2", "correct"),
    ("p2.variance", "Var[y]\n= d sigma^2 E[z^2 1{z > 0}]\n= d sigma^2/2", "correct"),
    ("p2.variance", "Var[y]\n= d sigma^2 E[z^2 \\mathbb{1}\\{z>0\\}]\n= d sigma^2/2", "correct"),
    ("p2.variance", "Var[y]\n= d sigma^2 E[z^2 1{z < 0}]\n= d sigma^2", "incorrect"),
    ("p2.variance", "Var[y]\n= d sigma^2 E[max(-z, 0)^2]\n= d sigma^2/2", "correct"),
    # a sum that leaves one index out, never read as the whole sum
    ("p3.gradient", "dL/dx_j\n= z_j - \\sum_{k \\neq j} y_k \\delta_{kj} - y_j\n= z_j - y_j", "correct"),
    ("p3.gradient", "dL/dx_j\n= z_j - \\sum_{k \\neq j} y_k\n= z_j - y_j", "incorrect"),
    # the norm of a family
    ("p2.variance", "Var[y]\n= E[\\|w\\|^2] / 2\n= d sigma^2/2", "correct"),
    ("p2.variance", "Var[y]\n= E[‖w‖^2]\n= d sigma^2/2", "incorrect"),
    # definitions of the question's own names, several definitions, a Unicode run with √
    ("p3.gradient", "z - y, where z = softmax(x)", "correct"),
    ("p3.smoothing_gap", "log(a/b) where a = 1 - eps + eps/d, b = eps/d", "correct"),
    ("p2.variance", "(σ√d)²/2", "correct"),
    ("p2.sigma", "sigma = sqrt(2/d) (He initialisation)", "correct"),
    ("p4.forward_mults", "K^2 n L.", "correct"),
    ("p3.gradient", "∇ₓL = z − y", "correct"),
    ("p2.variance", "Var[y]\n= d σ² · ½", "correct"),
    # the label as an index: x_y and delta_{yj} are at the label c of y_i = delta(i, c)
    ("p3.gradient", "dL/dx_j\n= d/dx_j (-x_y + log(sum_k exp(x_k)))\n= -\\delta_{yj} + z_j\n= z_j - y_j", "correct"),
    ("p3.gradient", "dL/dx_j\n= d/dx_j (-x_y + log(sum_k exp(x_k)))\n= \\delta_{yj} + z_j\n= z_j + y_j", "incorrect"),
])
def test_reading_rules(bank, question, answer, verdict):
    assert grade_one(bank[question], answer)["verdict"] == verdict


@pytest.mark.parametrize("question, answer, verdict", [
    ("p4.forward_mults", "nLK^2 multiplications", "correct"),
    ("p4.inference_memory", "LK^2 (weights) + 2nK (activations)", "correct"),
    ("p2.sigma", "sigma = sqrt(2/d), the He scale", "correct"),
    ("p4.forward_mults", "2nLK^2 multiplications", "incorrect"),
    # labels never turn a statement around, and a question that reads sentences keeps its words
    ("p2.sigma", "sqrt(2/d) is wrong", "invalid"),
    ("p2.sigma", "sqrt(2/d), but not for tanh", "invalid"),
    ("p3.unsmoothed_gap", "oo, but there is a finite minimiser", "invalid"),
    ("p3.unsmoothed_gap", "not infinite", "incorrect"),
    ("p2.variance", "banana", "invalid"),
])
def test_labels_are_set_aside(bank, question, answer, verdict):
    assert grade_one(bank[question], answer)["verdict"] == verdict


@pytest.mark.parametrize("answer, verdict", [
    ("no minimiser exists", "correct"), ("the gap is unbounded", "correct"), ("it goes to +infinity", "correct"),
    ("inf", "correct"), ("\\infty, no finite minimiser", "correct"), ("The minimizer does not exist.", "correct"),
    ("there is a finite minimiser", "incorrect"), ("not infinite", "incorrect"), ("the gap is finite", "incorrect"),
    ("it converges", "incorrect"), ("a finite minimum exists", "incorrect"), ("no, it is bounded", "incorrect"),
])
def test_sentences_that_say_infinite(bank, answer, verdict):
    assert grade_one(bank["p3.unsmoothed_gap"], answer, evidence=False)["verdict"] == verdict


@pytest.mark.parametrize("question, answer", [
    # exact differences below the 30-digit tie: a gap that more digits keep is a difference
    ("p2.sigma", "sigma = sqrt(2/(d + 10^(-30)))"),
    ("p3.smoothing_gap", "log(1 + d(1-eps)/(eps + 10^(-35)))"),
    ("p3.stable_softmax", "exp(x_i-max(x))/sum(exp(x-max(x)))*(1+10^(-40))"),
    ("p3.gradient", "(z - y)*(1 + 10^(-42))"),
    # a term that only shows for huge logits
    ("p3.stable_softmax", "exp(x_i - max(x))/sum(exp(x - max(x))) + floor(abs(x_i)/10^5)"),
])
def test_no_false_correct_below_the_tie(bank, question, answer):
    record = grade_one(bank[question], answer, evidence=False)
    assert record["verdict"] == "incorrect", record["feedback"]
    assert record["diagnoses"] != ["constant_factor"] or "1e-" not in answer


def test_labels_are_found_in_linear_time():
    """A long run of letters before a bracket (a fuzz answer) is no label, found without the
    exponential backtracking of a label pattern whose words may run together."""
    from derivcheck.grading.reader import without_labels

    assert without_labels("z - " + "ylogl" * 400 + "og_2(", set()) is None
    assert without_labels("nLK^2 " + "multiplications " * 50, set()) is not None


def test_records_do_not_depend_on_a_warm_store(tmp_path, monkeypatch):
    """The bank derived now and the bank read back from the store give one record, counterexample
    included: the sample points are seeded by a formula's canonical text, not by how its symbols
    were built (a stored symbol spells out every implied assumption)."""
    from derivcheck.grading import equivalence
    from derivcheck.grading.limits import DEFAULT
    from derivcheck.grading.tasks import check_task

    monkeypatch.setenv("DERIVCHECK_CACHE", str(tmp_path))

    def fresh() -> list[dict]:
        load.cache_clear()
        equivalence._reference_table.cache_clear()
        equivalence._DECIDED.clear()
        out = []
        for q, a in [("p3.gradient", "\n".join([*GRADIENT[:-1], "= y_j - z_j"])), ("p3.gradient", "softmax(x) + y"),
                     ("p2.variance", "d sigma^2"), ("p2.variance", "\n".join(VARIANCE))]:
            record = check_task(None, q, a, False, DEFAULT)
            out.append({k: v for k, v in record.items() if k != "elapsed_ms"})
        return out

    try:
        cold = fresh()
        warm = fresh()
    finally:
        load.cache_clear()
    assert any(r.get("counterexample") for r in cold)
    assert cold == warm


AREA = '''
[[question]]
id = "area"
prompt = "The area of a disc of radius r."
variables = { r = "positive" }
syntax = "an expression in r"
example = "pi*r^2"
reference = { formula = "pi r^2" }
mistakes = [ { code = "diameter", formula = "pi (2r)^2", feedback = "r is the radius." } ]
'''


#: Statements, each read as a final answer and as a line of working after an unreadable line 0:
#: the one reader under the question's model makes the two agree on what can be read.
STATEMENTS = [
    ("p3.gradient", "softmax(x) - y"), ("p3.gradient", "softmax(x) - onehot(y)"), ("p3.gradient", "z - y"),
    ("p3.gradient", "z_j - y_j"), ("p3.gradient", "sum_i y_i (z_j - delta_ij)"),
    ("p3.gradient", "sum_i y_i (z_i - delta_ij)"), ("p3.gradient", "-sum_i y_i (delta_ij - z_j)"),
    ("p3.gradient", "banana"), ("p3.gradient", "z_q - y"),
    ("p2.variance", "d sigma^2/2"), ("p2.variance", "\\frac{d\\sigma^2}{2}"), ("p2.variance", "d s^2"),
    ("p2.variance", "sigma^2 d"), ("p3.smoothing_gap", "log(1 + d (1 - eps)/eps)"), ("p3.smoothing_gap", "log(d"),
    ("p4.forward_mults", "nLK^2"), ("p4.forward_mults", "n L K^2 multiplications"),
    ("p3.unsmoothed_gap", "oo"), ("p3.unsmoothed_gap", "no finite minimiser"),
]


@pytest.mark.parametrize("question, text", STATEMENTS)
def test_a_valid_step_is_a_valid_final_statement_and_the_reverse(bank, question, text):
    """Read as the final answer and as line 1 of working: unreadable in both or in neither."""
    final = grade_one(bank[question], text, evidence=False)
    step = grade_one(bank[question], f"the quantity asked for\n= {text}", evidence=False)["steps"][1]
    assert (final["verdict"] == "invalid") == (step["verdict"] == "invalid"), (final["feedback"], step["note"])


@pytest.mark.parametrize("question, text, verdict", [
    ("p3.gradient", "sum_i y_i (z_i - delta_ij)", "incorrect"),   # z_c - y_j: read, and wrong
    ("p3.gradient", "sum_i y_i (z_j - delta_ij)", "correct"),
])
def test_a_sum_over_the_models_indices_is_a_final_answer(bank, question, text, verdict):
    assert grade_one(bank[question], text, evidence=False)["verdict"] == verdict


@pytest.mark.parametrize("answer, steps", [
    ("dL/dx_j\n= softmax(x) - y", ["start", "ok"]),
    ("dL/dx_j\n= softmax(x) + y", ["start", "wrong"]),
])
def test_a_final_answer_in_the_questions_names_is_a_step(bank, answer, steps):
    assert [s["verdict"] for s in grade_one(bank["p3.gradient"], answer, evidence=False)["steps"]] == steps


def test_one_reader_reads_both(bank):
    """One function reads a statement under the question's model: a name or sum of the model,
    the question's own names, or neither (with the same message for a final statement as the
    grader gives)."""
    from derivcheck.grading.errors import AnswerError
    from derivcheck.grading.reader import read_statement

    q = bank["p3.gradient"]
    model_only = read_statement(q, "sum_i y_i (z_j - delta_ij)")
    assert model_only.line is not None and model_only.answer is None
    assert model_only.expression(final=True)[0] == model_only.line.expr
    own_names = read_statement(q, "softmax(x) - onehot(y)")
    assert own_names.answer is not None
    neither = read_statement(q, "z_q - banana")
    with pytest.raises(AnswerError) as err:
        neither.expression(final=True)
    assert str(err.value) in grade_one(q, "z_q - banana", evidence=False)["feedback"]


def test_a_formula_question_has_the_trivial_model_of_its_variables(tmp_path):
    """A question that names no model is judged under the model of its variables: its working is
    read and judged line by line like any other."""
    from derivcheck.grading.lines import judges_working

    path = tmp_path / "bank.toml"
    path.write_text(AREA)
    q = load(str(path))["area"]
    assert q.model is not None and judges_working(q)
    assert dict(q.model.kinds) == {"r": "positive"} and not q.model.random and not q.model.indices
    right = grade_one(q, "A\n= pi r r\n= pi r^2", evidence=False)
    assert [s["verdict"] for s in right["steps"]] == ["start", "ok", "ok"]
    assert (right["verdict"], right["score"]) == ("correct", 1.0)
    wrong = grade_one(q, "A\n= pi (2r)^2 / 4\n= pi (2r)^2", evidence=False)
    assert [s["verdict"] for s in wrong["steps"]] == ["start", "ok", "wrong"]
    assert wrong["diagnoses"] == ["diameter"]
    assert "derivations" in q.describe()


def test_a_vector_question_without_an_entry_grades_its_final_statement(bank):
    """p3.stable_softmax's trivial model has no entry a line could stand for: a chain there is
    graded by its final statement, as before."""
    from derivcheck.grading.lines import judges_working

    q = bank["p3.stable_softmax"]
    assert q.model is not None and not judges_working(q)
    record = grade_one(q, "exp(x_i)/sum(exp(x)) = exp(x_i - max(x))/sum(exp(x - max(x))) = "
                          "exp(x_i - max(x))/sum_k exp(x_k - max(x))", evidence=False)
    assert record["verdict"] == "correct" and "steps" not in record


@pytest.mark.parametrize("answer", ["sum_i y_i (z_j - delta_ij)", "dL/dx_j\n= softmax(x) - y\n= z - y"])
def test_the_preview_reads_what_the_grader_reads(answer):
    """The page's preview reads each statement with the same reader: what is graded is previewed."""
    from derivcheck.web.reading import read_task

    out = read_task(None, "p3.gradient", answer)
    assert out["error"] is None and all(line["error"] is None for line in out.get("lines", []))


@pytest.mark.parametrize("question, working", [("p2.variance", VARIANCE), ("p3.gradient", GRADIENT)])
def test_each_line_is_read_once(bank, monkeypatch, question, working):
    """A line is read once: its value and its record (``read``, ``latex``) come from one reading."""
    from collections import Counter

    from derivcheck.grading import working as reading

    calls: Counter = Counter()
    original = reading.read_line

    def counting(model, text, *args, **kwargs):
        calls[text] += 1
        return original(model, text, *args, **kwargs)

    monkeypatch.setattr(reading, "read_line", counting)
    record = grade_one(bank[question], "\n".join(working), evidence=False)
    assert all(s["read"] for s in record["steps"][1:])
    assert calls and max(calls.values()) == 1, calls


def test_one_printer_for_answers_lines_preview_and_report(bank):
    """Final answers, lines, the page's preview and the report's filter print with one printer
    (derivations.claim.to_latex): the sheet's names (eps as varepsilon) and its order (n L K^2)."""
    from derivcheck.derivations.claim import to_latex
    from derivcheck.report.latex import sympy_latex
    from derivcheck.web.reading import read_task

    q = bank["p3.smoothing_gap"]
    answer = "log(1 + d (1 - eps)/eps)"
    final = grade_one(q, answer, evidence=False)["latex"]
    line = grade_one(q, f"the gap\n= {answer}", evidence=False)["steps"][1]["latex"]
    preview = read_task(None, q.id, answer)["latex"]
    assert "\\varepsilon" in final and final == preview == to_latex(q.reference) == sympy_latex(q.reference)
    assert "\\varepsilon" in line
    assert grade_one(bank["p4.forward_mults"], "K^2 L n", evidence=False)["latex"] == "n L K^{2}"


def test_a_statement_too_deep_for_either_reading_is_unreadable(bank):
    """Where one reading runs out of stack, the statement is unreadable with the other reading's
    message (found by the fuzzer: the line reading of 800 braces), never an internal error."""
    record = grade_one(bank["p2.variance"], "{" * 800 + "open('/etc/passwd').read()" + ")" * 30 + "0",
                       evidence=False)
    assert record["verdict"] == "invalid" and "nested more than" in record["feedback"]
