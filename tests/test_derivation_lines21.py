"""Working lines of issue 21 (derivations): equation questions read under the model the sheet
states, a keep probability and a sigmoid named by the models, definitions written beside a line,
and bracketed remarks set apart from bracketed factors. Each case is written here (other spellings,
LaTeX and Unicode variants), with traps that must stay wrong or invalid."""
from __future__ import annotations

import pytest
from reading import steps

from derivcheck.grading.grader import check

# --- 1. an equation question's line 0 is read under the model, never solved as a label ----------

GLOROT = [
    # Var[w_i] is a^2/3 under U(-a, a): every equivalent equation for a is right
    ("Var(w_i) = 2/(n_in + n_out)\n(2a)^2/12 = 2/(n_in + n_out)\na^2 = 6/(n_in + n_out)\na = sqrt(6/(n_in + n_out))",
     ["start", "ok", "ok", "ok"]),
    ("\\operatorname{Var}[w_j] = \\frac{2}{n_{in} + n_{out}}\n\\frac{a^2}{3} = \\frac{2}{n_{in}+n_{out}}\n"
     "a = \\sqrt{\\frac{6}{n_{in}+n_{out}}}", ["start", "ok", "ok"]),
    ("E[w_1^2] = 2/(n_in + n_out)\n3a^2 = 18/(n_in + n_out)", ["start", "ok"]),
    # traps: the width-a formula and the standard deviation read as the bound stay wrong
    ("Var[w_i] = 2/(n_in + n_out)\na^2/12 = 2/(n_in + n_out)", ["start", "wrong"]),
    ("Var[w_i] = 2/(n_in + n_out)\na = sqrt(2/(n_in + n_out))", ["start", "wrong"]),
    ("Var[w_i] = 2/(n_in + n_out)\na^2/3 = 2/(n_in + n_out)\na = 2/(n_in + n_out)", ["start", "ok", "wrong"]),
]


@pytest.mark.parametrize("working,expected", GLOROT)
def test_glorot_working_is_read_under_its_uniform_model(banks, working, expected) -> None:
    assert steps(banks, "sheet9", "p1.glorot", working) == expected


UNREAD_LEFT = [
    # a left side that reads nowhere is refused, never dropped as a label (which would make the
    # right side the unknown's value: sigma = 1)
    ("sheet9", "p2.sigma", "variance = 1\nd sigma^2/(2(1 - q)) = 1\nsigma = sqrt(2(1-q)/d)", ["start", "ok", "ok"]),
    ("sheet9", "p2.sigma", "Var[y] = 1\nd sigma^2/(2(1-q)) = 1\nstd = sqrt(2(1-q)/d)", ["start", "ok", "invalid"]),
    ("sheet8", "p2.sigma", "variance = 1\nd sigma^2/2 = 1\nsigma = sqrt(2/d)", ["start", "ok", "ok"]),
    ("sheet9", "p1.glorot", "bound = 2/(n_in + n_out)\na^2/3 = 2/(n_in + n_out)", ["start", "ok"]),
    # the trap: a wrong equation after such a line 0 is still wrong (judged against the asked a)
    ("sheet9", "p1.glorot", "bound = 2/(n_in + n_out)\na^2/12 = 2/(n_in + n_out)", ["start", "wrong"]),
]


@pytest.mark.parametrize("sheet,qid,working,expected", UNREAD_LEFT)
def test_an_unreadable_left_side_is_never_a_label(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


# --- 2. names the sheet defines: p the keep probability beside q, s = sigmoid(t) --------------------

KEEP = [
    # p2.sigma's model defines p = 1 - q (problem 2: p the keep probability)
    ("Var[y] = 1\nd sigma^2/(2p) = 1\nsigma^2 = 2p/d\nsigma = sqrt(2p/d)", ["start", "ok", "ok", "ok"], "correct"),
    ("Var[y] = 1\n\\frac{d\\sigma^2}{2p} = 1\n\\sigma = \\sqrt{\\frac{2(1-q)}{d}}", ["start", "ok", "ok"], "correct"),
    ("Var[y] = 1\nd σ²/(2p) = 1\nσ = √(2p/d)", ["start", "ok", "ok"], "correct"),
    # traps: the keep and drop probabilities swapped, and the variance for the sigma
    ("Var[y] = 1\nd sigma^2/(2p) = 1\nd sigma^2/(2q) = 1", ["start", "ok", "wrong"], "incorrect"),
    ("Var[y] = 1\nd sigma^2/(2(1 - p)) = 1", ["start", "wrong"], "incorrect"),
    ("Var[y] = 1\nd sigma^2/(2p) = 1\nsigma = 2p/d", ["start", "ok", "wrong"], "incorrect"),
]


@pytest.mark.parametrize("working,expected,final", KEEP)
def test_the_keep_probability_is_a_name_of_the_dropout_model(banks, working, expected, final) -> None:
    record = check(banks["sheet9"]["p2.sigma"], working, evidence=False)
    assert [s["verdict"] for s in record["steps"]] == expected
    assert record["verdict"] == final


STABLE = [
    # p3.stable_loss is judged under the model logit (s = sigmoid(t), L its loss)
    ("L(t)\n= -y log(s) - (1 - y) log(1 - s)\n= (1 - y) t + log(1 + e^{-t})", ["start", "ok", "ok"], "incorrect"),
    ("L\n= -y \\log s - (1-y)\\log(1-s)\n= \\max(t, 0) - t y + \\log(1 + e^{-|t|})", ["start", "ok", "ok"], "correct"),
    ("L(t, y)\n= y log(1 + e^{-t}) + (1 - y) log(1 + e^{t})\n= max(t,0) - ty + log(1 + exp(-abs(t)))",
     ["start", "ok", "ok"], "correct"),
    # traps: the label term dropped, a sign flipped; an unstable final form stays not stable
    ("L(t)\n= -y log s - (1-y) log(1-s)\n= log(1 + e^{-t})", ["start", "ok", "wrong"], "incorrect"),
    ("L(t)\n= -y log s - (1-y) log(1-s)\n= y log(s) + (1-y) log(1 - s)", ["start", "ok", "wrong"], "incorrect"),
]


@pytest.mark.parametrize("working,expected,final", STABLE)
def test_the_stable_loss_is_judged_under_the_logit_model(banks, working, expected, final) -> None:
    record = check(banks["sheet9"]["p3.stable_loss"], working, evidence=False)
    assert [s["verdict"] for s in record["steps"]] == expected
    assert record["verdict"] == final


def test_the_stability_check_of_the_final_answer_still_runs(banks) -> None:
    record = check(banks["sheet9"]["p3.stable_loss"], "L(t)\n= -y log s - (1-y) log(1-s)\n= (1-y) t + log(1 + e^{-t})",
                   evidence=False)
    assert "not_stable" in record["diagnoses"]


CALLS = [
    # a defined name written as a function of the parameters it depends on is that name
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= s(t)(1 - s(t))", ["start", "ok"]),
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= s\\left(t\\right)\\left(1 - s\\left(t\\right)\\right)",
     ["start", "ok"]),
    ("sheet9", "p3.gradient", "dL/dt\n= d/dt L(t)\n= s(t) - y", ["start", "ok", "ok"]),
    # traps: a bracket holding anything else is a product (s(1 - s)), an argument the name does not
    # depend on is no call (s(y) is s y), and a wrong line stays wrong
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= s(1 - s)\n= s(t)", ["start", "ok", "wrong"]),
    ("sheet9", "p3.gradient", "dL/dt\n= s - y\n= s(y) - y", ["start", "ok", "wrong"]),
]


@pytest.mark.parametrize("sheet,qid,working,expected", CALLS)
def test_a_defined_name_called_with_its_parameters_is_the_name(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


# --- 3. definitions written beside a line hold for that line and the lines after it ------------------

BESIDE = [
    ("sheet9", "p3.stable_loss",
     "L(t)\n= log(1 + e^t) - y t\n= m + \\log\\left(e^{-m} + e^{t-m}\\right) - y t, \\quad m = \\max(t, 0)\n"
     "= m + \\log(1 + e^{-|t|}) - yt", ["start", "ok", "ok", "ok"], "correct"),
    ("sheet9", "p3.stable_loss",
     "L(t)\n= log(1 + exp(t)) - t y\n= M + log(exp(-M) + exp(t - M)) - t y   where M = max(0, t)\n"
     "= max(t, 0) - t y + log(1 + exp(-abs(t)))", ["start", "ok", "ok", "ok"], "correct"),
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= d/dt (1/u); u = 1 + e^{-t}\n= -(1/u^2) du/dt\n= e^{-t}/u^2\n= s(1-s)",
     ["start", "ok", "ok", "ok", "ok"], "correct"),
    ("sheet8", "p2.variance", "Var[y]\n= d v, with v = sigma^2 E[x_1^2]\n= d v\n= d sigma^2/2",
     ["start", "ok", "ok", "ok"], "correct"),
    # traps: a wrong line with a definition stays wrong, also on a later line using the name
    ("sheet9", "p3.stable_loss", "L(t)\n= log(1 + e^t) - y t\n= m + log(e^{-m} + e^{t-m}), m = max(t, 0)",
     ["start", "ok", "wrong"], "incorrect"),
    ("sheet9", "p3.stable_loss", "L(t)\n= log(1 + e^t) - y t\n= m + log(e^{-m} + e^{t-m}) - y t, m = max(t, 0)\n"
     "= m + log(1 + e^{-|t|})", ["start", "ok", "ok", "wrong"], "incorrect"),
    ("sheet8", "p2.variance", "Var[y]\n= d v, v = sigma^2 E[z_1^2]\n= d sigma^2",
     ["start", "wrong", "ok"], "incorrect"),
    # a definition that does not read, or refers to itself, makes its line invalid
    ("sheet9", "p3.stable_loss", "L(t)\n= log(1 + e^t) - y t\n= log(1 + e^t) - y t + k - k, k = k + 1",
     ["start", "ok", "invalid"], "invalid"),
    ("sheet9", "p3.stable_loss", "L(t)\n= log(1 + e^t) - y t\n= log(1 + e^t) - y t + k - k, k = foo(t)",
     ["start", "ok", "invalid"], "invalid"),
]


@pytest.mark.parametrize("sheet,qid,working,expected,final", BESIDE)
def test_a_definition_beside_a_line_holds_from_there_on(banks, sheet, qid, working, expected, final) -> None:
    record = check(banks[sheet][qid], working, evidence=False)
    assert [s["verdict"] for s in record["steps"]] == expected
    assert record["verdict"] == final


def test_a_statement_about_a_known_name_is_no_definition(banks) -> None:
    """``y = 1`` beside a line names the question's label, it defines nothing: the line is never
    read with y replaced (a later line is still judged in the model's own y)."""
    from derivcheck.grading.steps import WorkingLine, beside

    step = WorkingLine("-log s, y = 1", "= -log s, y = 1")
    assert beside([step], {"y", "s", "t"}) == [step]
    found = beside([WorkingLine("m + log(e^{-m} + e^{t-m}), \\quad m = \\max(t, 0)", "")], {"y", "s", "t"})
    assert found[0].text == "m + log(e^{-m} + e^{t-m})" and found[0].definitions == (("m", "\\max(t, 0)"),)
    again = beside([WorkingLine("m, m = t", ""), WorkingLine("m, m = 2t", "")], {"t"})
    assert again[0].definitions == (("m", "t"),) and again[1].definitions == ()  # never redefined


# --- 4. a bracketed remark at the end of a line never changes a verdict; a bracketed factor is read -----

REMARKS = [
    # (line, the statement judged) -- remarks that state an equation, a law, a condition, or words
    ("= s - y   (s' = s(1 - s))", "= s - y"),
    ("= x_i (1-p)/p  [m_i = 1 with probability p]", "= x_i (1-p)/p"),
    ("= -log s   (y = 1)", "= -log s"),
    ("= d sigma^2/2   (w_i ∼ N(0, σ²))", "= d sigma^2/2"),
    ("= d \\sigma^2/2 \\; (w \\sim \\mathcal{N}(0, \\sigma^2))", "= d \\sigma^2/2 \\;"),
    ("= max(t, 0) + log(1 + e^{-|t|})  (t ≥ 0)", "= max(t, 0) + log(1 + e^{-|t|})"),
    ("σ = √(2/d)  (the variance is unchanged by dropout)", "σ = √(2/d)"),
    ("= d a^2/3  (independent, both of mean zero)", "= d a^2/3"),
]

FACTORS = ["= x_i^2 (1-p)", "= d (a^2/3)", "= E[y^2]", "= d sigma^2 (1/2)", "= (1-y) (t + log(1 + e^{-t}))",
           "= s(1 - s)", "= d (sigma mu)", "= sigma^2 (d n)", "= s (log t)", "= f(y = 1)", "= (y = 1)",
           "= n K^2 (per layer)", "= d sigma^2 (twice the variance)"]  # words that change a quantity stay


@pytest.mark.parametrize("line,statement", REMARKS)
def test_a_trailing_bracket_that_states_is_a_remark(line, statement) -> None:
    from derivcheck.grading.steps import split

    step = split(f"L\n{line}", False, frozenset({"s", "y", "t", "sigma", "d", "a", "x_i", "p"}))[1]
    assert step.text == statement.removeprefix("= ").rstrip() and step.reason


@pytest.mark.parametrize("line", FACTORS)
def test_a_trailing_bracket_that_is_a_factor_is_read(line) -> None:
    from derivcheck.grading.steps import split

    step = split(f"L\n{line}", False, frozenset({"s", "y", "t", "sigma", "d", "a", "x_i", "p", "n", "mu"}))[1]
    assert step.text == line.split("= ", 1)[-1] and not step.reason


JUDGED = [
    # a remark never changes a verdict: the statement beside it is judged, right or wrong
    ("sheet9", "p3.gradient", "dL/dt\n= -y(1-s) + (1-y)s   (s' = s(1-s))\n= s - y", ["start", "ok", "ok"]),
    ("sheet9", "p3.gradient", "dL/dt\n= y - s   (s' = s(1-s))", ["start", "wrong"]),
    ("sheet9", "p3.stable_loss", "L(t)\n= -y log s - (1-y) log(1-s)\n= -log s   (y = 1)", ["start", "ok", "wrong"]),
    ("sheet9", "p2.mean", "E[h_i]\n= E[m_i] x_i/p   (m_i = 1 w.p. p)\n= x_i", ["start", "ok", "ok"]),
    ("sheet9", "p2.mean", "E[h_i]\n= (1-p) x_i/p   (m_i = 1 w.p. p)", ["start", "wrong"]),
    ("sheet8", "p2.variance", "Var[y]\n= d E[w_1^2] E[x_1^2]\n= d sigma E[x_1^2]   (w ~ N(0, sigma))",
     ["start", "ok", "wrong"]),
    ("sheet9", "p2.sigma", "Var[y] = 1\nd σ²/(2p) = 1\nσ² = 2/d  (dropout does not change the variance)",
     ["start", "ok", "wrong"]),
    ("sheet9", "p2.sigma", "Var[y] = 1\nd σ²/(2p) = 1\nσ² = 2p/d  (the keep probability is p = 1 - q)",
     ["start", "ok", "ok"]),
    # a factor is read as one: a wrong factor stays wrong, a right one is right
    ("sheet9", "p2.variance", "Var[h_i]\n= x_i^2/p - x_i^2\n= x_i^2 (1-p)", ["start", "ok", "wrong"]),
    ("sheet9", "p2.variance", "Var[h_i]\n= x_i^2/p - x_i^2\n= x_i^2 (1-p)/p", ["start", "ok", "ok"]),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d (a^2/3)", ["start", "ok", "ok"]),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d (a^2/12)", ["start", "ok", "wrong"]),
]


@pytest.mark.parametrize("sheet,qid,working,expected", JUDGED)
def test_a_remark_never_changes_a_verdict(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


def test_the_final_statement_is_read_as_its_line(banks) -> None:
    """A final line ``= s(t) - y`` is judged ok as a line (s(t) is s): the final statement is the
    same reading, so it is correct too, never s t - y."""
    record = check(banks["sheet9"]["p3.gradient"], "dL/dt\n= d/dt L(t)\n= s(t) - y", evidence=False)
    assert [s["verdict"] for s in record["steps"]] == ["start", "ok", "ok"] and record["verdict"] == "correct"
    record = check(banks["sheet9"]["p3.gradient"], "dL/dt\n= s(t) - y(t)", evidence=False)
    assert record["verdict"] != "correct"  # y does not depend on t: y(t) stays a product


def test_model_called_is_a_rule_of_names_and_arguments() -> None:
    from derivcheck.grading.model import model_from

    model = model_from({"name": "m", "parameters": {"t": "real", "y": "real", "q": "interval(0,1)"},
                        "define": {"s": "1/(1 + exp(-t))", "L": "-y log(s)", "p": "1 - q"}})
    assert model.depends_on("L") == {"t", "y"} and model.depends_on("p") == {"q"}
    assert model.called("L(t, y) + s(t) - p(q)") == "L + s - p"
    as_written = "s(1 - s) + L(y, y) + s(y) + t(t) + \\sigma(t)"
    assert model.called(as_written) == as_written
    assert model.called("L\\left(t\\right)") == "L"


# --- 5. math delimiters around a line, its statement or the whole working are set aside -------------

WRAPPED = [
    # (working, the statements judged)
    ("$\\operatorname{Var}[y]$\n$= d\\sigma^2 E[x_1^2]$\n$= \\frac{d\\sigma^2}{2}$",
     ["\\operatorname{Var}[y]", "d\\sigma^2 E[x_1^2]", "\\frac{d\\sigma^2}{2}"]),
    ("\\(Var[y]\\)\n\\(= d sigma^2/2\\)", ["Var[y]", "d sigma^2/2"]),
    ("$$Var[y]$$\n$$= d sigma^2/2$$", ["Var[y]", "d sigma^2/2"]),
    ("\\[\nVar[y]\n= E[y^2] \\\\\n= d sigma^2/2\n\\]", ["Var[y]", "E[y^2]", "d sigma^2/2"]),
    ("$$\nVar[y]\n= d sigma^2/2\n$$", ["Var[y]", "d sigma^2/2"]),
    ("$Var[y]\n= d sigma^2/2$", ["Var[y]", "d sigma^2/2"]),
    ("$Var[y] = E[y^2] = d sigma^2/2$", ["Var[y]", "E[y^2]", "d sigma^2/2"]),
    ("Var[y]\n$= d sigma^2/2$   # ReLU", ["Var[y]", "d sigma^2/2"]),
    ("Var[y]\n= $d \\sigma^2/2$", ["Var[y]", "d \\sigma^2/2"]),
    ("Var[y]\n&= \\(d \\sigma^2/2\\) \\\\", ["Var[y]", "d \\sigma^2/2"]),
    # traps: two pieces of mathematics, an unpaired or an empty pair stay as written
    ("Var[y]\n$= d$ $\\sigma^2/2$", ["Var[y]", "$= d$ $\\sigma^2/2$"]),
    ("Var[y]\n$$= d sigma^2/2$", ["Var[y]", "$$= d sigma^2/2$"]),
    ("Var[y]\n= d sigma^2/2$", ["Var[y]", "d sigma^2/2$"]),
]


@pytest.mark.parametrize("working,statements", WRAPPED)
def test_math_delimiters_around_a_line_are_set_aside(working, statements) -> None:
    from derivcheck.grading.steps import split

    assert [s.text for s in split(working, False)] == statements


DELIMITED = [
    ("sheet8", "p2.variance", "$\\operatorname{Var}[y]$\n$= d\\,\\sigma^2\\,\\mathbb{E}[\\max(z_1, 0)^2]$\n"
     "$= d\\,\\sigma^2 \\cdot \\tfrac{1}{2}$", ["start", "ok", "ok"], "correct"),
    ("sheet9", "p2.mean", "\\(\\mathbb{E}[h_i]\\)\n\\(= \\frac{x_i}{p}\\,\\mathbb{E}[m_i]\\)\n\\(= x_i\\)",
     ["start", "ok", "ok"], "correct"),
    ("sheet9", "p1.variance", "$$\\operatorname{Var}(y) = \\sum_{i=1}^{d} \\mathbb{E}[w_i^2]\\,\\mathbb{E}[z_i^2] = "
     "\\frac{d a^2}{3}$$", ["start", "ok", "ok"], "correct"),
    # traps: a wrong line stays wrong inside its delimiters; unpaired delimiters stay unreadable
    ("sheet8", "p2.variance",
     "$\\operatorname{Var}[y]$\n$= d\\,\\sigma^2\\,\\mathbb{E}[z_1^2]$\n$= \\frac{d\\sigma^2}{4}$",
     ["start", "wrong", "wrong"], "incorrect"),
    ("sheet9", "p1.variance", "\\[ Var[y] \\]\n\\[ = d a^2/12 \\]", ["start", "wrong"], "incorrect"),
    ("sheet8", "p2.variance", "Var[y]\n$= d sigma^2/2", ["start", "invalid"], "invalid"),
]


@pytest.mark.parametrize("sheet,qid,working,expected,final", DELIMITED)
def test_a_delimited_line_is_judged_as_written_inside(banks, sheet, qid, working, expected, final) -> None:
    record = check(banks[sheet][qid], working, evidence=False)
    assert [s["verdict"] for s in record["steps"]] == expected
    assert record["verdict"] == final


# --- 6. a bracket that is a clause of prose is a justification, whatever words it holds -------------

PROSE = [
    "= d sigma^2/2   (ReLU kills half)",
    "= d sigma^2/2   (the ReLU zeroes half of its inputs)",
    "= x_i^2 (1-p)/p   (dropout inflates it by 1/p)",
    "= E[y^2]   (E[y] is zero)",
    "= d sigma^2/2   (so the variance halves, as half of them are zero)",  # a clause: an auxiliary
    "= 3 n L K^2   (fwd, weight grads, input grads)",
    "= 3 n L K^2   (forward nLK^2, backward 2nLK^2)",
    "= 3 n L K^2   [backprop costs twice the forward pass]",
    "= 3 n L K^2   [the grads of a layer cost as much as its forward pass]",
    "= n L K^2   (this counts every multiplication once per sample)",
]

MODIFIERS = [
    "= n K^2   (per layer)", "= d sigma^2   (squared)", "= n L K^2   (times 2)", "= n L K^2   (twice)",
    "= d sigma^2   (twice the variance of x_1)", "= d sigma^2   (the ReLU halves it)", "= d sigma^2   (halves it)",
    "= n L K^2   (both passes per layer)", "= n L K^2   (per layer, twice)", "= n L K^2   (n samples, L layers)",
    "= n L K^2   (weight grads twice)", "= n L K^2   (weights times inputs)", "= n L K^2   (L layers)",
    "= n L K^2   (each layer counts twice)", "= n L K^2   (summed over all layers)",
    "= d sigma^2/2   (half of them are zero)",  # prose, but opening with a word that changes a quantity: refused
]


@pytest.mark.parametrize("line", PROSE)
def test_a_clause_of_prose_is_a_justification(line) -> None:
    from derivcheck.grading.steps import split

    step = split(f"L\n{line}", False, frozenset({"d", "sigma", "p", "x_i", "n", "L", "K", "y"}))[1]
    assert step.text == line.split("= ", 1)[1].rsplit("   ", 1)[0] and step.reason


@pytest.mark.parametrize("line", MODIFIERS)
def test_a_bare_modifier_stays_in_the_line(line) -> None:
    from derivcheck.grading.steps import split

    step = split(f"L\n{line}", False, frozenset({"d", "sigma", "p", "x_i", "n", "L", "K", "y"}))[1]
    assert step.text == line.split("= ", 1)[1] and not step.reason


PROSE_JUDGED = [
    ("sheet8", "p2.variance", "Var[y]\n= d sigma^2 E[x_1^2]\n= d sigma^2 / 2   (the ReLU kills half)",
     ["start", "ok", "ok"]),
    ("sheet8", "p2.variance", "Var[y]\n= d sigma^2 E[x_1^2]\n= d sigma^2   (ReLU kills half)",
     ["start", "ok", "wrong"]),
    ("sheet8", "p2.variance", "Var[y]\n= d sigma^2 E[x_1^2]\n= d sigma^2   (twice the variance)",
     ["start", "ok", "invalid"]),
    ("sheet8", "p4.training_mults", "mults_train\n= nLK^2 + 2nLK^2   (fwd, then weight grads and input grads)",
     ["start", "ok"]),
    ("sheet8", "p4.training_mults", "mults_train\n= nLK^2 + nLK^2   (fwd, weight grads)", ["start", "wrong"]),
    ("sheet8", "p4.training_mults", "mults_train\n= nLK^2   (times 3)", ["start", "invalid"]),
]


@pytest.mark.parametrize("sheet,qid,working,expected", PROSE_JUDGED)
def test_a_prose_remark_never_changes_a_verdict(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


# --- 7. an equation question's line that holds for every value of the unknown fixes nothing ---------

IDENTITIES = [
    # a fact of the model (Var[w_i] = a^2/3 under U(-a, a)) as line 0 or between equations is ok,
    # and the equation after it is judged against what came before it
    ("sheet9", "p1.glorot", "Var[w_i] = a^2/3\na^2/3 = 2/(n_in + n_out)\na = sqrt(6/(n_in + n_out))",
     ["start", "ok", "ok"], "correct"),
    ("sheet9", "p1.bound", "Var[y] = 1\nVar[y] = d a^2/3\nd a^2/3 = 1\na = \\sqrt{3/d}",
     ["start", "ok", "ok", "ok"], "correct"),
    ("sheet9", "p2.sigma", "\\operatorname{Var}[y] = \\frac{d\\sigma^2}{2p}\n\\frac{d\\sigma^2}{2p} = 1\n"
     "\\sigma = \\sqrt{2p/d}", ["start", "ok", "ok"], "correct"),
    ("sheet9", "p1.bound", "Var[y] = 1\nE[z_1^2] = 1\nd a^2/3 = 1", ["start", "ok", "ok"], "correct"),
    # traps: a false fact of the model is an equation like any other (wrong: it has no solution, so
    # the line after it is judged against none), and the equation after an identity is still judged
    ("sheet9", "p1.glorot", "Var[w_i] = a^2/3\na^2/12 = 2/(n_in + n_out)", ["start", "wrong"], "incorrect"),
    ("sheet9", "p1.bound", "Var[y] = 1\nVar[y] = d a^2/12\nd a^2/12 = 1", ["start", "wrong", "wrong"], "incorrect"),
    ("sheet9", "p1.bound", "Var[y] = 1\nE[z_1^2] = 2\nd a^2/3 = 1", ["start", "wrong", "wrong"], "incorrect"),
    ("sheet9", "p1.bound", "Var[y] = d a^2/3\nd a^2 = 1", ["start", "wrong"], "incorrect"),
]


@pytest.mark.parametrize("sheet,qid,working,expected,final", IDENTITIES)
def test_an_identity_of_the_model_fixes_nothing(banks, sheet, qid, working, expected, final) -> None:
    record = check(banks[sheet][qid], working, evidence=False)
    assert [s["verdict"] for s in record["steps"]] == expected
    assert record["verdict"] == final
    assert all(s["status"] == "identity" for s in record["steps"][1:] if s["line"].startswith(("Var[y] = d a^2/3",
                                                                                                 "E[z_1^2] = 1")))


# --- 8. a random variable introduced beside a line with its law (and its relation to the model) -------

INTRODUCED = [
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # w_1 = a u, u ~ U(-1, 1)\n= d a^2/3",
     ["start", "ok", "ok", "ok"], "correct"),
    ("sheet9", "p1.variance",
     "Var[y]\n= d E[w_1^2]\n= d E[(2a v - a)^2]   (w_1 = 2a v - a, v \\sim \\mathcal{U}[0, 1])\n= d a^2/3",
     ["start", "ok", "ok", "ok"], "correct"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[g^2]   # w_1 = a g, g \u223c U(-1, 1)\n= d a^2/3",
     ["start", "ok", "ok", "ok"], "correct"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2], u ~ U(-1, 1)\n= d a^2 E[u^2]/2",
     ["start", "ok", "ok", "wrong"], "invalid"),  # the name holds on later lines; the final is no answer
    ("sheet8", "p2.variance", "Var[y]\n= d sigma^2 E[ReLU(z_1)^2]\n= d sigma^2 E[ReLU(g)^2]   # z_1 = g, g ~ N(0, 1)\n"
     "= d sigma^2/2", ["start", "ok", "ok", "ok"], "correct"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= 3 d a^2 E[u^2]   # w_1 = \\sqrt{3} a u, "
     "u \\sim U(-1/\\sqrt{3}, 1/\\sqrt{3})\n= d a^2/3", ["start", "ok", "ok", "ok"], "correct"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # w_1 = -a u, u ~ U(-1, 1)\n= d a^2/3",
     ["start", "ok", "ok", "ok"], "correct"),
    # traps: a relation that fails in law (U(0, 1) has mean 1/2; N(0, 1) is no uniform), a value
    # that is no affine function of the new variable, an impossible or unknown law: invalid
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # w_1 = a u, u ~ U(0, 1)",
     ["start", "ok", "invalid"], "invalid"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # w_1 = a u, u ~ N(0, 1/3)",  # same variance
     ["start", "ok", "invalid"], "invalid"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # w_1 = a u^2, u ~ U(-1, 1)",
     ["start", "ok", "invalid"], "invalid"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # w_1 = a u + z_1, u ~ U(-1, 1)",
     ["start", "ok", "invalid"], "invalid"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # u ~ U(1, -1)", ["start", "ok", "invalid"],
     "invalid"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # u ~ Cauchy(0, 1)", ["start", "ok", "invalid"],
     "invalid"),
    # a wrong line with a right law stays wrong; a law in words of a reason introduces nothing
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]/4   # w_1 = a u, u ~ U(-1, 1)",
     ["start", "ok", "wrong"], "invalid"),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2]   # since u ~ U(-1, 1)", ["start", "ok", "invalid"],
     "invalid"),
]


@pytest.mark.parametrize("sheet,qid,working,expected,final", INTRODUCED)
def test_a_random_variable_introduced_with_its_law(banks, sheet, qid, working, expected, final) -> None:
    record = check(banks[sheet][qid], working, evidence=False)
    assert [s["verdict"] for s in record["steps"]] == expected
    assert record["verdict"] == final


def test_law_of_reads_a_law_as_the_bank_writes_one() -> None:
    from derivcheck.grading.steps import law_of

    assert law_of("U[-1, 1]") == "U(-1, 1)" and law_of("\\mathcal{N}\\left(0, 1\\right)") == "N(0, 1)"
    assert law_of("\\operatorname{Bernoulli}(p)") == "Bernoulli(p)"
    assert law_of("uniform") is None and law_of("U()") is None and law_of("2 u") is None
