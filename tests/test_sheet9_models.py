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

ATTACH = {"p1.variance": "uniform_layer", "p1.bound": "uniform_layer", "p2.layer_variance": "dropout_layer",
          "p2.sigma": "dropout_layer_q", "p3.gradient": "logit"}
CLAIM = {"p1.variance": "uniform_variance", "p1.bound": "uniform_bound", "p2.layer_variance": "dropout_layer_variance",
         "p2.sigma": "dropout_sigma", "p3.gradient": "logistic_gradient"}


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


@pytest.mark.parametrize("qid, working, verdict, lines", WORKING)
def test_working(bank, qid, working, verdict, lines):
    record = check(bank[qid], working, evidence=False)
    assert record["verdict"] == verdict, record
    assert [s["verdict"] for s in record["steps"]] == lines, record["steps"]


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
