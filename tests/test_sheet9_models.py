"""Working line by line for sheet 9 under models with uniform and Bernoulli laws.

The sheet's ``sheet.toml`` holds the models (laws ``uniform(a, b)``, ``bernoulli(p)``, a sheet
function ``sigmoid`` and a scalar logit t) and names one per question of :data:`ATTACH`; these
tests judge students' working and the derivations' own steps under them.
"""
import pytest

from derivcheck.derivations import derive
from derivcheck.grading.bank import parse_bank
from derivcheck.grading.grader import check
from derivcheck.sheets import sheet

ATTACH = {"p1.variance": "uniform_layer", "p1.bound": "uniform_layer", "p2.mean": "dropout_entry",
          "p2.variance": "dropout_entry", "p2.layer_variance": "dropout_layer", "p2.sigma": "dropout_layer_q",
          "p3.sigmoid_derivative": "logistic", "p3.gradient": "logit", "p1.glorot": "glorot_layer",
          "p3.stable_loss": "logit"}
CLAIM = {"p1.variance": "uniform_variance", "p1.bound": "uniform_bound", "p2.mean": "dropout_mean",
         "p2.variance": "dropout_variance", "p2.layer_variance": "dropout_layer_variance",
         "p2.sigma": "dropout_sigma", "p3.sigmoid_derivative": "sigmoid_derivative", "p3.gradient": "logistic_gradient",
         "p1.glorot": "glorot_bound", "p3.stable_loss": "stable_logistic_loss"}


@pytest.fixture(scope="module")
def bank():
    """The sheet's own bank: its questions of :data:`ATTACH` name their models in ``sheet.toml``."""
    return parse_bank(sheet("sheet9").bank_text(), "sheet9")


def test_the_sheet_attaches_its_models(bank):
    for qid, model in ATTACH.items():
        assert bank[qid].model is not None and bank[qid].model.name == model, qid


# (question, working, final verdict, the line verdicts)
WORKING = [
    ("p1.variance", "Var[y]\n= E[y^2]\n= sum_i E[w_i^2] E[z_i^2]\n= d a^2/3", "correct", ["start", "ok", "ok", "ok"]),
    ("p1.variance", "Var[y] = sum_{i=1}^{d} E[w_i^2]\n= d (2a)^2/12\n= d a^2/3", "correct", ["start", "ok", "ok"]),
    ("p1.variance", "Var[y]\n= d Var[w_1] Var[z_1]\n= d a^2/12", "incorrect", ["start", "ok", "wrong"]),
    ("p1.variance", "Var[y]\n= E[y^2]\n= d a^2", "incorrect", ["start", "ok", "wrong"]),
    ("p1.bound", "Var[y] = 1\nd a^2/3 = 1\na^2 = 3/d\na = sqrt(3/d)", "correct", ["start", "ok", "ok", "ok"]),
    ("p1.bound", "d a^2/3 = 1\na = sqrt(3/d)", "correct", ["start", "ok"]),
    ("p1.bound", "Var[y] = 1\nd a^2/12 = 1\na = sqrt(12/d)", "incorrect", ["start", "wrong", "ok"]),
    ("p1.bound", "Var[y] = 1\nd a^2 = 1\na = sqrt(1/d)", "incorrect", ["start", "wrong", "ok"]),
    ("p2.layer_variance", "Var[y]\n= sum_i E[w_i^2] E[h_i^2]\n= d sigma^2 E[m_1^2] E[x_1^2]/p^2\n"
     "= d sigma^2 p (1/2)/p^2\n= d sigma^2/(2p)", "correct", ["start", "ok", "ok", "ok", "ok"]),
    ("p2.layer_variance", "Var[y]\n= d sigma^2 E[h_1^2]\n= d sigma^2 (1-p)/(2 p^2)", "incorrect",
     ["start", "ok", "wrong"]),
    ("p2.layer_variance", "Var[y]\n= d sigma^2 E[h_1^2]\n= d sigma^2/(2(1-p))", "incorrect", ["start", "ok", "wrong"]),
    ("p2.sigma", "Var[y] = 1\nd sigma^2/(2(1-q)) = 1\nsigma^2 = 2(1-q)/d\nsigma = sqrt(2(1-q)/d)", "correct",
     ["start", "ok", "ok", "ok"]),
    ("p2.sigma", "Var[y] = 1\nd sigma^2/(2q) = 1\nsigma = sqrt(2q/d)", "incorrect", ["start", "wrong", "ok"]),
    ("p2.sigma", "Var[y] = 1\nd sigma^2/2 = 1\nsigma = sqrt(2/d)", "incorrect", ["start", "wrong", "ok"]),
    ("p3.gradient", "dL/dt\n= -y/s ds/dt + (1-y)/(1-s) ds/dt\n= -y(1-s) + (1-y) s\n= s - y", "correct",
     ["start", "ok", "ok", "ok"]),
    ("p3.gradient", "\\frac{\\partial L}{\\partial t}\n= s - y", "correct", ["start", "ok"]),
    ("p3.gradient", "dL/dt\n= -y/s + (1-y)/(1-s)", "incorrect", ["start", "wrong"]),
    ("p3.gradient", "dL/dt\n= -y (1 - s) + (1 - y) s\n= y - s", "incorrect", ["start", "ok", "wrong"]),
]

# The other questions that ask to derive (shared/EXERCISE2.md's last section): 2.1's mean and
# variance of one kept entry, 3.1 (line 0 dsigma/dt, \frac{d\sigma}{dt} or σ'(t)), and the counts of
# Problem 4, whose line 0 is a label that is none of the question's variables (n_mults is not n).
# (question, working, final verdict, line verdicts, the diagnosis of the wrong line or None)
MORE = [
    ("p2.mean", "E[h_i]\n= E[m_i] x_i / p\n= p x_i/p\n= x_i", "correct", ["start", "ok", "ok", "ok"], None),
    ("p2.mean", "E[h_i] = E[m_i] x_i / p = x_i", "correct", ["start", "ok", "ok"], None),
    ("p2.mean", "\\mathbb{E}[h_i]\n= x_i E[m_i]/p\n= x_i", "correct", ["start", "ok", "ok"], None),
    ("p2.mean", "E[h_i]\n= E[m_i x_i]\n= p x_i", "incorrect", ["start", "wrong", "ok"], "missing_rescale"),
    ("p2.mean", "E[h_i]\n= E[m_i] x_i/p\n= (1-p) x_i/p", "incorrect", ["start", "ok", "wrong"], "keep_drop_swapped"),
    ("p2.mean", "E[h_i]\n= x_i E[m_i]\n= p x_i", "incorrect", ["start", "wrong", "ok"], "missing_rescale"),
    ("p2.variance", "Var[h_i]\n= x_i^2 Var[m_i]/p^2\n= x_i^2 p(1-p)/p^2\n= x_i^2 (1-p)/p", "correct",
     ["start", "ok", "ok", "ok"], None),
    ("p2.variance", "Var[h_i]\n= E[h_i^2] - E[h_i]^2\n= x_i^2/p - x_i^2\n= x_i^2 (1-p)/p", "correct",
     ["start", "ok", "ok", "ok"], None),
    ("p2.variance", "Var(h_i)\n= x_i^2/p^2 Var(m_i)\n= x_i^2 (1-p)/p", "correct", ["start", "ok", "ok"], None),
    ("p2.variance", "Var[h_i]\n= x_i^2 Var[m_i]\n= x_i^2 p(1-p)", "incorrect", ["start", "wrong", "ok"],
     "missing_inverse_keep"),
    ("p2.variance", "Var[h_i]\n= x_i^2 Var[m_i]/p^2\n= x_i^2 p/(1-p)", "incorrect", ["start", "ok", "wrong"],
     "keep_drop_swapped"),
    ("p2.variance", "Var[h_i]\n= E[h_i^2]\n= x_i^2/p", "incorrect", ["start", "wrong", "ok"], "gave_second_moment"),
    ("p3.sigmoid_derivative", "dsigma/dt\n= e^{-t}/(1+e^{-t})^2\n= s(1-s)", "correct", ["start", "ok", "ok"], None),
    ("p3.sigmoid_derivative", "\\frac{d\\sigma}{dt}\n= d/dt (1+e^{-t})^{-1}\n= e^{-t}/(1+e^{-t})^2\n"
     "= 1/(1+e^{-t}) * e^{-t}/(1+e^{-t})\n= s(1-s)", "correct", ["start", "ok", "ok", "ok", "ok"], None),
    ("p3.sigmoid_derivative", "σ'(t)\n= σ(t)(1 - σ(t))", "correct", ["start", "ok"], None),
    ("p3.sigmoid_derivative", "dsigma/dt\n= sigma(t)(1 - sigma(t))\n= s - s^2", "correct", ["start", "ok", "ok"], None),
    ("p3.sigmoid_derivative", "σ'(t)\n= σ(t)", "incorrect", ["start", "wrong"], "chain_rule_dropped"),
    ("p3.sigmoid_derivative", "dsigma/dt\n= -e^{-t}/(1+e^{-t})^2\n= -s(1-s)", "incorrect", ["start", "wrong", "ok"],
     "inner_sign_dropped"),
    ("p3.sigmoid_derivative", "\\frac{d\\sigma}{dt}\n= e^{-t}/(1+e^{-t})^2\n= s", "incorrect",
     ["start", "ok", "wrong"], "chain_rule_dropped"),
    ("p4.forward_mults", "mults_fwd\n= n H W C_out (C_in k^2)\n= n H W C_out C_in k^2", "correct",
     ["start", "ok", "ok"], None),
    ("p4.forward_mults", "n_mults\n= (n H W) (C_out C_in k^2)", "correct", ["start", "ok"], None),
    ("p4.forward_mults", "\\text{mults}\n= n C_out H W \\cdot C_in k^2", "correct", ["start", "ok"], None),
    ("p4.forward_mults", "H_fwd\n= n H W C_out C_in k^3", "incorrect", ["start", "wrong"], None),
    ("p4.forward_mults", "mults_fwd\n= n H W C_out C_in k", "incorrect", ["start", "wrong"], "kernel_not_squared"),
    ("p4.forward_mults", "k_total\n= 2 n H W C_out C_in k^2", "incorrect", ["start", "wrong"], "counted_flops"),
    ("p4.training_mults", "mults_train\n= n H W C_out C_in k^2 + 2 n H W C_out C_in k^2\n= 3 n H W C_out C_in k^2",
     "correct", ["start", "ok", "ok"], None),
    ("p4.training_mults", "n_mults\n= 3 n H W C_out C_in k^2", "correct", ["start", "ok"], None),
    ("p4.training_mults", "num_mults\n= 3 (n H W C_out C_in k^2)\n= 3 n H W C_out C_in k^2", "correct",
     ["start", "ok", "ok"], None),
    ("p4.training_mults", "n_mults\n= 2 n H W C_out C_in k^2", "incorrect", ["start", "wrong"],
     "missing_backward_conv"),
    ("p4.training_mults", "H_train\n= 6 n H W C_out C_in k^2", "incorrect", ["start", "wrong"], "counted_flops"),
    ("p4.training_mults", "mults_train\n= 3 n H W C_out C_in k", "incorrect", ["start", "wrong"], "kernel_not_squared"),
    ("p4.weights", "num_weights\n= C_out C_in k^2", "correct", ["start", "ok"], None),
    ("p4.weights", "k_weights\n= C_out (C_in k^2)", "correct", ["start", "ok"], None),
    ("p4.weights", "C_params\n= C_out C_in k k\n= C_out C_in k^2", "correct", ["start", "ok", "ok"], None),
    ("p4.weights", "num_weights\n= C_out C_in k", "incorrect", ["start", "wrong"], "kernel_not_squared"),
    ("p4.weights", "C_weights\n= C_out k^2", "incorrect", ["start", "wrong"], "missing_in_channels"),
    ("p4.weights", "k_count\n= C_out k k", "incorrect", ["start", "wrong"], "missing_in_channels"),
]


@pytest.mark.parametrize("qid, working, verdict, lines", WORKING)
def test_working(bank, qid, working, verdict, lines):
    record = check(bank[qid], working, evidence=False)
    assert record["verdict"] == verdict, record
    assert [s["verdict"] for s in record["steps"]] == lines, record["steps"]


@pytest.mark.parametrize("qid, working, verdict, lines, code", MORE)
def test_more_working(bank, qid, working, verdict, lines, code):
    record = check(bank[qid], working, evidence=False)
    assert record["verdict"] == verdict, record
    assert [s["verdict"] for s in record["steps"]] == lines, record["steps"]
    if code is not None:
        wrong = next(s for s in record["steps"] if s["verdict"] == "wrong")
        assert code in wrong["diagnoses"], wrong


def test_three_right_and_three_wrong_workings_per_question():
    for qid in {q for q, *_ in MORE}:
        verdicts = [v for q, _, v, *_ in MORE if q == qid]
        assert verdicts.count("correct") >= 3 and verdicts.count("incorrect") >= 3, qid


@pytest.mark.parametrize("answer, verdict, code", [
    ("sigma(t)(1 - sigma(t))", "correct", None), (r"\sigma(t)(1-\sigma(t))", "correct", None),
    ("(1 - σ(t)) σ(t)", "correct", None), ("σ(t) - σ(t)^2", "correct", None),
    ("1/(1 + e^{-t}) - 1/(1 + e^{-t})^2", "correct", None), ("sigma(t)", "incorrect", "chain_rule_dropped"),
    ("-sigma(t)(1 - sigma(t))", "incorrect", "inner_sign_dropped"),
    # "as a function of sigma(t) alone": the derivative written in t is not that, but its value is
    # right and no point refutes it (s = 0.1 with t = 2 is no point of the model): correct, noted
    ("e^{-t}/(1+e^{-t})^2", "correct", None), ("e^{t}/(1+e^{-t})^2", "incorrect", None),
])
def test_a_call_of_the_models_definition_is_its_variable(bank, answer, verdict, code):
    """s = sigma(t) in the question's model: an answer calling the sheet function sigma(t) means s."""
    record = check(bank["p3.sigmoid_derivative"], answer, evidence=False)
    assert record["verdict"] == verdict, record
    if code is not None:
        assert code in record["diagnoses"], record


def test_a_label_as_line_0_is_the_asked_quantity_in_any_bank():
    """Line 0 as one name that is none of the question's (``n_mults`` beside a variable n) names
    the asked quantity: the next line is judged against it, never against n."""
    from derivcheck.grading.derivation import is_label

    text = """
[[question]]
id = "area"
prompt = "The number of cells of an n x m grid."
variables = { n = "positive_integer", m = "positive_integer" }
syntax = "n m"
example = "n m"
reference = { formula = "n m" }
"""
    question = parse_bank(text, "area")["area"]
    assert [s["verdict"] for s in check(question, "n_cells\n= n m", evidence=False)["steps"]] == ["start", "ok"]
    assert [s["verdict"] for s in check(question, "n_cells\n= n", evidence=False)["steps"]] == ["start", "wrong"]
    assert is_label(question, "n_cells") and is_label(question, "N_{total}") and is_label(question, "cells")
    assert not is_label(question, "n") and not is_label(question, "n m") and not is_label(question, "m + n")
    softmax = parse_bank(sheet("sheet8").bank_text(), "sheet8")["p3.gradient"]  # entries stay entries
    assert not any(is_label(softmax, w) for w in ("x_y", "x_j", "y_j", "L")) and is_label(softmax, "grad")


def test_at_least_twelve_derivations():
    assert len(WORKING) >= 12
    assert {v for _, _, v, _ in WORKING} == {"correct", "incorrect"}


@pytest.mark.parametrize("qid", ATTACH)
def test_the_derivations_own_steps_are_true(bank, qid):
    """Each judged step of the claim, as ``simulations.derivation_steps`` puts them to the checker."""
    from derivcheck.grading.derivation import check_derivation

    question = bank[qid]
    steps = [s for s in derive(CLAIM[qid]).steps if not s.unjudged]
    final = lambda text: {"verdict": "correct", "score": 1.0}  # noqa: E731 - only the lines are judged
    if question.unknown is not None:
        records = [check_derivation(question, "\n".join(s.latex for s in steps), final)["steps"]]
    else:
        records = [check_derivation(question, s.latex, final)["steps"] for s in steps]
    for lines in records:
        assert all(line["verdict"] in ("start", "ok") for line in lines), lines


@pytest.mark.parametrize("answer, verdict", [
    ("e^t/(1+e^t) - y", "correct"), (r"\frac{1}{2}\left(1 + \tanh(t/2)\right) - y", "correct"),
    ("(1 - y) - 1/(1 + e^{t})", "correct"), ("1/(1 + exp(-t)) - y", "correct"),
    ("e^t/(1+e^t) + y", "incorrect"), ("1/(1 + e^{t}) - y", "incorrect"), ("s - y", "correct"),
])
def test_an_answer_in_t_is_decided_with_s_at_sigma_t(bank, answer, verdict):
    """dL/dt written in t: equal to s - y once s = sigma(t) is put in is the right value in other
    names (correct, noted; never refuted at a point where s and t disagree); apart, its
    counterexample holds s = sigma(t)."""
    import math

    record = check(bank["p3.gradient"], answer, evidence=False)
    assert record["verdict"] == verdict, record
    if verdict == "correct" and answer.startswith(("e^t/", r"\frac", "(1 - y)")):  # written in t alone
        assert "s = 1/(1 + exp(-t))" in record["feedback"] and "written in t" in record["feedback"]
    if verdict == "incorrect":
        at = record["counterexample"]["at"]
        assert at["s"] == pytest.approx(1 / (1 + math.exp(-at["t"])))


def test_a_value_absorbed_at_a_precision_is_no_counterexample():
    """sigma(1 - sigma) at t = 18253 is 1 - 1/(1 + e^{-18253}): exactly 0 below 7,928 digits; the
    derivative e^{-t}/(1 + e^{-t})^2 is 5e-7928 there. The two are equal (proven), and the
    absorbed addend makes that point no evidence either way."""
    import sympy as sp

    from derivcheck.grading.equivalence import Domain, decide

    t = sp.Symbol("t", real=True)
    sigma = 1 / (1 + sp.exp(-t))
    decision = decide(sp.exp(-t) / (1 + sp.exp(-t)) ** 2, sigma * (1 - sigma), Domain({t: "real"}))
    assert decision.equivalent, decision
    assert not decide(sp.exp(t) / (1 + sp.exp(-t)) ** 2, sigma * (1 - sigma), Domain({t: "real"})).equivalent
