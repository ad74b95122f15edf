"""A variable of another question of the sheet in an answer (grading/bank.py ``sheet_variables``,
grading/grader.py ``with_sheet_variables``), one labels module without global state, and one parser
of interval kinds.

A name that the questions of the answer's problem declare with one meaning across the sheet, and
that the answer's question does not use, is read as that sheet variable: an answer that depends on
it is incorrect, with two of its values that give different values; one in which it cancels is
equivalent. A name of another problem, of several meanings, or unknown to the whole sheet stays
invalid with the reader's message.
"""
from __future__ import annotations

import re

import pytest

from derivcheck.grading.bank import parse_bank
from derivcheck.grading.grader import check


def _record(banks: dict, where: str, text: str) -> dict:
    sheet, question = where.split(":")
    return check(banks[sheet][question], text, evidence=False)


# --- which names each sheet admits ----------------------------------------------------------------

def test_sheet9_admits_only_names_of_the_problem_with_one_meaning(banks):
    admitted = {q.id: set(q.sheet_variables) for q in banks["sheet9"].values()}
    assert admitted["p4.weights"] == {"n", "H", "W"}  # the batch and the image of problem 4
    assert admitted["p1.glorot"] == {"d"}
    assert admitted["p1.bound"] == {"n_in", "n_out"}
    assert admitted["p2.mean"] == {"q"}
    # k (kernel size and an index of the layers' sums), y (label and output), s (defined as
    # sigmoid(t)), sigma (the LaTeX of sigmoid), x_i (an entry of a random input), p (defined as
    # 1 - q in one model) have several meanings: never admitted anywhere
    everywhere = set().union(*admitted.values())
    assert not everywhere & {"k", "y", "s", "sigma", "x_i", "p", "t"}
    assert banks["sheet9"]["p4.weights"].sheet_variables["n"] == "positive_integer"


def test_sheet8_admits_almost_nothing(banks):
    admitted = {q.id: set(q.sheet_variables) for q in banks["sheet8"].values()}
    assert admitted == {**{qid: set() for qid in admitted}, "p3.unsmoothed_gap": {"eps"}}


BANK = """
[[model]]
name = "aux"
parameters = { m = "positive" }
define = { w = "2*m" }

[[question]]
id = "p1.a"
variables = { n = "positive_integer", m = "positive", r = "real" }
reference = { formula = "n m" }

[[question]]
id = "p1.b"
variables = { m = "positive" }
reference = { formula = "3 m" }

[[question]]
id = "p1.c"
variables = { r = "positive", w = "positive" }
reference = { formula = "r w" }

[[question]]
id = "p2.d"
variables = { u = "positive" }
reference = { formula = "u" }
"""


def test_a_name_with_two_kinds_a_defined_name_or_another_problem_is_not_admitted():
    bank = parse_bank(BANK, "test")
    assert bank["p1.b"].sheet_variables == {"n": "positive_integer"}  # r: real and positive; w: defined
    assert bank["p1.c"].sheet_variables == {"n": "positive_integer", "m": "positive"}
    assert bank["p2.d"].sheet_variables == {}  # another problem: n, m stay unknown
    assert check(bank["p1.b"], "3 m n")["verdict"] == "incorrect"
    assert check(bank["p1.b"], "3 m n / n")["verdict"] == "correct"
    for qid, text in (("p1.b", "3 m r"), ("p1.b", "3 w"), ("p2.d", "u n")):
        record = check(bank[qid], text)
        assert record["verdict"] == "invalid" and "unknown name" in record["feedback"], (qid, text)


# --- answers: incorrect where the sheet variable matters, equivalent where it cancels -------------

INCORRECT = [
    ("sheet9:p4.weights", "n C_in C_out k^2", "n"),
    ("sheet9:p4.weights", "n*C_out*C_in*k^2", "n"),
    ("sheet9:p4.weights", r"n \, C_{in} C_{out} k^2", "n"),
    ("sheet9:p4.weights", "H W C_in C_out k^2", "H"),
    ("sheet9:p4.weights", "C_in C_out k^2 + n", "n"),
    ("sheet9:p1.glorot", "a = sqrt(3/d)", "d"),
    ("sheet9:p1.bound", "sqrt(3/n_in)", "n_in"),
    ("sheet9:p1.variance", "(n_in + n_out) a^2/6", "n_in"),
    ("sheet9:p2.mean", "x_i/(1-q)", "q"),
]


@pytest.mark.parametrize("where, text, name", INCORRECT)
def test_an_answer_that_depends_on_a_sheet_variable_is_incorrect(banks, where, text, name):
    record = _record(banks, where, text)
    assert record["verdict"] == "incorrect", record["feedback"]
    example = record["counterexample"]
    varying = example["varying"]
    assert varying["name"] == name and name in example["at"]
    assert varying["value"] != example["at"][name]
    assert varying["answer_value"] != example["answer_value"]  # two values of the name, two values
    assert example["answer_value"] != example["reference_value"]
    assert f"depends on {name}" in record["feedback"] and f"With {name} = " in record["feedback"]


CANCELS = [
    ("sheet9:p4.weights", "n C_in C_out k^2 / n"),
    ("sheet9:p4.weights", "C_in C_out k^2 (n/n)"),
    ("sheet9:p4.weights", r"\frac{H W C_{in} C_{out} k^2}{H W}"),
    ("sheet9:p2.mean", "x_i (1-q)/(1-q)"),
    ("sheet9:p1.variance", "d a^2/3 + n_{in} - n_{in}"),
]


@pytest.mark.parametrize("where, text", CANCELS)
def test_a_sheet_variable_that_cancels_is_equivalent(banks, where, text):
    assert _record(banks, where, text)["verdict"] == "correct"


STAYS_INVALID = [
    ("sheet9:p4.weights", "zz C_in C_out k^2", "unknown name 'zz' (this question's names: C_in, C_out, k)"),
    ("sheet9:p4.weights", "n zz C_in C_out k^2", "unknown name 'n' (this question's names: C_in, C_out, k)"),
    ("sheet9:p1.bound", "sqrt(3/m_in)", "'m' has no entries to subscript"),
    ("sheet9:p3.sigmoid_derivative", "s (1 - s) n", "unknown name 'n'"),  # n is problem 4's
    ("sheet9:p2.sigma", "sqrt(2/n)", "unknown name 'n'"),
    ("sheet8:p2.sigma", "sqrt(2/K)", "unknown name 'K'"),  # K of problem 4 is not problem 2's width
    ("sheet8:p2.variance", "n sigma^2/2", "unknown name 'n'"),
    ("sheet8:p4.forward_mults", "n L K^2 d", "unknown name 'd'"),
    ("sheet8:p3.stable_softmax", "exp(x_i - max(x))/sum(exp(x - max(x))) d", "unknown name 'd'"),
]


@pytest.mark.parametrize("where, text, message", STAYS_INVALID)
def test_names_unknown_to_the_problem_stay_invalid_with_the_readers_message(banks, where, text, message):
    record = _record(banks, where, text)
    assert record["verdict"] == "invalid" and record["feedback"].startswith(message), record["feedback"]


def test_every_surface_gives_the_same_record(banks):
    from derivcheck import api

    direct = check(banks["sheet9"]["p4.weights"], "n C_in C_out k^2")
    through = api.check("p4.weights", "n C_in C_out k^2", sheet="sheet9").to_dict()
    assert through["verdict"] == direct["verdict"] == "incorrect"
    assert through["counterexample"] == direct["counterexample"]
    assert through["feedback"] == direct["feedback"]
    from derivcheck.grading.limits import DEFAULT
    from derivcheck.web.service import check_document

    page = check_document("sheet9", "p4.weights", "n C_in C_out k^2", True, DEFAULT)  # the page's /api/check
    assert page["verdict"] == "incorrect" and page["counterexample"] == direct["counterexample"]


# --- labels without global state: a question carries what its labels are recognised by ------------

def test_a_question_carries_its_wording_from_its_own_sheet(banks):
    from derivcheck.grading.labels import question_words

    q = banks["sheet8"]["p2.variance"]
    assert q.wording is not None
    assert "The variance of a ReLU layer's output" in q.wording.report  # [report.questions] title
    assert "Problem 2: initialisation for ReLU" in q.wording.report  # [report.problems] glance
    assert q.wording.leading == ("Var[y]",) and q.wording.asked is None
    assert question_words(q) == (q.wording.words, q.wording.pairs)
    sigma = banks["sheet8"]["p2.sigma"]
    assert sigma.wording is not None and {"standard", "deviation", "std"} <= set(sigma.wording.asked or ())


REPORTED = """
[[question]]
id = "p1.count"
prompt = "How many are there?"
variables = { n = "positive_integer" }
reference = { formula = "2 n" }
"""


def test_report_words_come_from_the_banks_own_report_tables():
    from derivcheck.grading.labels import recognised

    plain = parse_bank(REPORTED, "plain.toml")["p1.count"]
    reported = parse_bank(REPORTED + '\n[report.questions."p1.count"]\ntitle = "Frobnications of a widget"\n',
                          "reported.toml")["p1.count"]
    assert not recognised("frobnications", question=plain)
    assert recognised("frobnications", question=reported)


def test_labels_take_the_question_explicitly(banks):
    from derivcheck.grading.labels import asking, recognised, remark_recognised

    variance, sigma = banks["sheet8"]["p2.variance"], banks["sheet8"]["p2.sigma"]
    assert recognised("The variance is", question=variance)
    assert not recognised("The variance is", question=sigma)  # another quantity than the asked std
    with asking(sigma):  # the held question does not override the given one
        assert recognised("The variance is", question=variance)
        assert not recognised("The variance is")
    assert recognised("Var[y]", "Var[y] = d sigma^2/2", side=True, question=variance)
    assert not recognised("E[y]", "E[y] = d sigma^2/2", side=True, question=variance)
    assert not remark_recognised("(the variance)", "sqrt(2/d) (the variance)", question=sigma)
    assert recognised("anything at all")  # no question given nor held: the reader's rules alone


def test_a_questions_side_judge_is_made_once_and_values_no_sides_itself(banks):
    from derivcheck.grading.labels import recognised, valuing_no_sides

    q = banks["sheet8"]["p2.variance"]
    assert q.side_judge is q.side_judge
    judge, starts = q.side_judge
    assert starts and judge.question.wording.sides is False and q.wording.sides is True
    inner = valuing_no_sides(q)
    assert inner.wording.words == q.wording.words
    assert recognised("E[y^2] - E[y]^2", side=True, question=q)  # valued: the asked quantity's values
    assert not recognised("E[y^2] - E[y]^2", side=True, question=inner)  # never valued while valuing
    assert recognised("Var(y)", side=True, question=inner)  # its words still count


# --- one parser of interval kinds (grading/symbolic.py interval) -----------------------------------

def test_interval_reads_open_and_closed_intervals_exactly():
    from fractions import Fraction

    from derivcheck.grading.symbolic import interval

    assert interval("interval(0,1)") == (Fraction(0), Fraction(1), False)
    assert interval("interval[0,1]") == (Fraction(0), Fraction(1), True)
    assert interval("interval(-1.5,+2.25)") == (Fraction(-3, 2), Fraction(9, 4), False)
    assert interval("interval(0.1,.3)").lo == Fraction(1, 10)  # exact, not the float 0.1
    for kind in ("real", "positive", "positive_integer", "vector", ""):
        assert interval(kind) is None


@pytest.mark.parametrize("kind, message", [
    ("interval(1,0)", "lower end 1 must be below the upper end 0"),
    ("interval[2,2]", "lower end 2 must be below the upper end 2"),
    ("interval(.,1)", "must be decimal numbers"),
    ("interval(1.2.3,4)", "must be decimal numbers"),
    ("interval[0,1)", "unknown assumption kind"),
    ("interval(0, 1)", "without spaces"),
    ("interval(a,b)", "unknown assumption kind"),
    ("interval(0,1/2)", "decimal numbers"),
    ("interval", "unknown assumption kind"),
])
def test_interval_refuses_a_malformed_kind(kind, message):
    from derivcheck.grading.symbolic import interval, symbol_for

    with pytest.raises(ValueError, match=re.escape(message)):
        interval(kind)
    with pytest.raises(ValueError, match=re.escape(message)):
        symbol_for("p", kind)


def test_the_other_readers_of_interval_kinds_use_it():
    import sympy as sp

    from derivcheck.grading.equivalence import interval_bounds, interval_closed, nice
    from derivcheck.grading.model import bounded_parameters, model_from

    assert interval_bounds("interval(0,1)") == (0, 1) and interval_bounds("interval[-2,0.5]") == (-2.0, 0.5)
    assert interval_closed("interval[0,1]") and not interval_closed("interval(0,1)")
    assert nice("interval(0,2)") == [0.2, 0.5, 1.0]
    with pytest.raises(ValueError, match="below the upper end"):
        interval_bounds("interval(1,0)")
    model = model_from({"name": "m", "parameters": {"p": "interval(0.25,0.75)", "y": "interval[0,1]", "t": "real"}})
    bounded = bounded_parameters(model)
    assert set(bounded) == {model.parameters["p"]}  # open intervals only, as the laws' proofs need
    q = next(iter(bounded[model.parameters["p"]].free_symbols))
    assert sp.limit(bounded[model.parameters["p"]], q, 0) == sp.Rational(3, 4)
    assert sp.limit(bounded[model.parameters["p"]], q, sp.oo) == sp.Rational(1, 4)


@pytest.mark.parametrize("variables, model, fragment", [
    ('{ p = "interval(1,0)" }', "", "question a: assumption kind 'interval(1,0)': the lower end 1"),
    ('{ p = "interval(0;1)" }', "", "question a: unknown assumption kind 'interval(0;1)'"),
    ('{ p = "interval(0,1)" }', '\n[[model]]\nname = "m"\nparameters = { p = "interval[1,1]" }\n',
     "model m: assumption kind 'interval[1,1]'"),
])
def test_a_bank_with_a_malformed_interval_is_a_bank_error(variables, model, fragment):
    from derivcheck.grading.bank import BankError

    text = f"[[question]]\nid = 'a'\nvariables = {variables}\nreference = {{ formula = 'p' }}\n{model}"
    with pytest.raises(BankError, match=re.escape(fragment)):
        parse_bank(text, "intervals.toml")


def test_working_reads_the_sheet_variables_it_names_as_its_final_statement_does(banks):
    q = banks["sheet9"]["p4.weights"]
    assert sorted(q.sheet_variables_in(r"n C_{in} + H_{out} - W")) == ["W", "n"]  # H_out is no H
    assert q.sheet_variables_in(r"\nabla k in the batch, n_in") == []  # no n of a word, a command or n_in
    assert banks["sheet9"]["p1.bound"].sheet_variables_in(r"\sqrt{3/n_{in}}") == ["n_in"]
    wrong = check(q, "C_out k^2 C_in\n= n C_in C_out k^2", evidence=False)
    assert wrong["verdict"] == "incorrect" and [s["verdict"] for s in wrong["steps"]] == ["start", "wrong"]
    right = check(q, "n C_in C_out k^2 / n\n= C_in C_out k^2", evidence=False)
    assert right["verdict"] == "correct" and [s["verdict"] for s in right["steps"]] == ["start", "ok"]


def test_grade_gives_the_record_check_gives(banks, tmp_path):
    import csv

    from derivcheck import api

    answers = ["n C_in C_out k^2", "n C_in C_out k^2 / n", "zz C_in C_out k^2"]
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", "question", "answer"])
        writer.writerows([str(k), "p4.weights", a] for k, a in enumerate(answers))
    api.grade(source, tmp_path / "out.csv", sheet="sheet9", workers=1)
    with (tmp_path / "out.csv").open() as f:
        graded = {row["answer"]: row["verdict"] for row in csv.DictReader(f)}
    assert graded == {a: check(banks["sheet9"]["p4.weights"], a)["verdict"] for a in answers}
    assert list(graded.values()) == ["incorrect", "correct", "invalid"]
