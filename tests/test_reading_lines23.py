"""Working lines of issue 21, round 4: a line 0 that names another quantity withholds the final
statement's credit; remarks beside a line that state something false of the question's names
(a redefinition, a restriction to one point, a description the question gives to another name);
remarks that defer an operation or name the counted parts; LaTeX decorations that change or
annotate a value. Each rule is tested both ways, on both sheets, with cases of our own."""
from __future__ import annotations

import pytest
from reading import steps, verdict

from derivcheck.grading.grader import check
from derivcheck.grading.normalize import brace_label_operates, to_plain
from derivcheck.grading.steps import changes_the_line, deferred

# --- 1. line 0 naming another quantity: the final statement is stated of it, never correct --------

LINE0_OTHER = [
    ("sheet9:p2.mean", "Std[h_i]\n= x_i"),
    ("sheet9:p3.gradient", "d^2L/dt^2\n= s - y"),
    ("sheet8:p2.variance", "bytes\n= d sigma^2/2"),
    ("sheet8:p4.training_mults", "flops_bwd\n= 3 n L K^2"),
    ("sheet8:p4.forward_mults", "#bytes\n= n L K^2"),
    ("sheet9:p1.variance", "the std of y\n= d a^2/3"),
    ("sheet9:p3.sigmoid_derivative", "s''\n= s(1-s)"),  # a prime is notation, never words of the question
]


@pytest.mark.parametrize("where,working", LINE0_OTHER)
def test_a_line0_naming_another_quantity_is_never_correct(banks, where, working) -> None:
    sheet, qid = where.split(":")
    record = check(banks[sheet][qid], working, evidence=False)
    assert record["steps"][0]["verdict"] == "invalid"
    assert record["verdict"] == "undecided" and record.get("review") is True
    assert record["score"] < 1.0


LINE0_ASKED = [
    ("sheet9:p2.mean", "E[h_i]\n= x_i"),
    ("sheet8:p4.forward_mults", "#mults\n= n L K^2"),  # the number sign glued to a word: "number of"
    ("sheet9:p4.weights", "\\#\\text{weights}\n= C_in C_out k^2"),
    ("sheet8:p3.gradient", "\\partial L / \\partial x_j\n= z_j - y_j"),  # a slashed partial derivative
    ("sheet9:p3.gradient", "\\partial L/\\partial t\n= s - y"),
    # line 0 in words names the asked quantity: never read as what is left without its words (y)
    ("sheet8:p2.variance", "variance of y\n= d sigma^2/2"),
    ("sheet9:p1.variance", "\\text{the variance of } y\n= d a^2/3"),
]


@pytest.mark.parametrize("where,working", LINE0_ASKED)
def test_a_line0_naming_the_asked_quantity_stays_correct(banks, where, working) -> None:
    sheet, qid = where.split(":")
    record = check(banks[sheet][qid], working, evidence=False)
    assert record["steps"][0]["verdict"] == "start"
    assert record["verdict"] == "correct" and record["score"] == 1.0


def test_a_wrong_final_after_another_quantity_stays_incorrect(banks) -> None:
    assert verdict(banks, "sheet9:p1.variance", "Std[y]\n= d a^2/12") == "incorrect"


# --- 2. remarks that state something false of the question's names ---------------------------------

FALSE_REMARKS = [
    # a redefinition of a defined name or a parameter by an expression with other values
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= s(1 - s)   (with s = sigma(2t))\n= s - s^2",
     ["start", "invalid", "ok"]),
    ("sheet9", "p3.gradient", "dL/dt\n= s - y   (where s = 1/(1 + e^{t}))", ["start", "invalid"]),
    # a restriction to one point of a parameter, said with "only"
    ("sheet8", "p2.variance", "Var[y]\n= d sigma^2/2   (only for d = 2)\n= d sigma^2/2", ["start", "invalid", "ok"]),
    ("sheet9", "p1.variance", "Var[y]\n= d a^2/3   \\quad\\text{(just for a = 1)}", ["start", "invalid"]),
    # a description the prompt gives to another name (sheet9 p2.sigma: "q the drop probability")
    ("sheet9", "p2.sigma", "Var[y] = 1\n=> sigma^2 = 2p/d   (p the drop probability)\n=> sigma = sqrt(2(1-q)/d)",
     ["start", "invalid", "ok"]),
    ("sheet9", "p2.sigma", "Var[y] = 1\n=> sigma^2 = 2p/d, where p is the drop probability", ["start", "invalid"]),
    # the prompt's own name described with the same head noun and other words ("q the drop probability")
    ("sheet9", "p2.sigma", "Var[y] = 1\n=> d sigma^2/(2(1-q)) = 1   (q the keep probability)", ["start", "invalid"]),
    ("sheet9", "p2.layer_variance", "Var[y]\n= d sigma^2 E[h_1^2]   (p the drop probability)\n= d sigma^2/(2p)",
     ["start", "invalid", "ok"]),  # the prompt's "(keep probability p)"
    # p2.variance's prompt says nothing of p: its problem's other prompts do ("(p the keep probability)")
    ("sheet9", "p2.variance", "Var[h_i]\n= E[h_i^2] - x_i^2   (p the drop probability)\n= x_i^2 (1-p)/p",
     ["start", "invalid", "ok"]),
]

TRUE_REMARKS = [
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= s(1 - s)   (with s = 1/(1 + e^{-t}))\n= s - s^2",
     ["start", "ok", "ok"]),
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= s(1 - s)   (with s = 1/2)\n= 1/4", ["start", "ok", "wrong"]),
    ("sheet8", "p2.variance", "Var[y]\n= d sigma^2/2   (for every d)\n= d sigma^2/2", ["start", "ok", "ok"]),
    ("sheet9", "p2.sigma", "Var[y] = 1\n=> sigma^2 = 2(1-q)/d   (q the drop probability)\n=> sigma = sqrt(2(1-q)/d)",
     ["start", "ok", "ok"]),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]   (where d is the number of inputs)\n= d a^2/3",
     ["start", "ok", "ok"]),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]   (since E[w_1] = 0)\n= d a^2/3", ["start", "ok", "ok"]),
    ("sheet9", "p2.layer_variance", "Var[y]\n= d sigma^2 E[h_1^2]   (p the keep probability)\n= d sigma^2/(2p)",
     ["start", "ok", "ok"]),
    # a name described in words, or quantified, is spoken about: a remark, never a factor
    ("sheet8", "p3.gradient", "dL/dx_j\n= z_j - y_j   (z the softmax output)", ["start", "ok"]),
    ("sheet8", "p2.variance", "Var[y]\n= d sigma^2 E[ReLU(z_1)^2]   (any d)\n= d sigma^2/2", ["start", "ok", "ok"]),
    ("sheet9", "p2.variance", "Var[h_i]\n= x_i^2 (1-p)/p   (for all i)", ["start", "ok"]),
    ("sheet9", "p2.variance", "Var[h_i]\n= E[h_i^2] - x_i^2   (p the keep probability)\n= x_i^2 (1-p)/p",
     ["start", "ok", "ok"]),
    ("sheet9", "p3.gradient", "dL/dt\n= -y/s ds/dt + (1-y)/(1-s) ds/dt   (with s the sigmoid of t)\n= s - y",
     ["start", "ok", "ok"]),
]


@pytest.mark.parametrize("sheet,qid,working,expected", FALSE_REMARKS + TRUE_REMARKS)
def test_a_remark_is_judged_by_what_it_says_of_the_names(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


def test_a_false_remark_keeps_a_right_final_from_correct(banks) -> None:
    assert verdict(banks, "sheet9:p3.sigmoid_derivative", "ds/dt\n= s(1 - s)   (with s = sigma(2t))\n= s - s^2") \
        != "correct"


# --- 3. an operation put on a later step; the counted parts named ------------------------------------

def test_an_operation_put_off_to_a_later_step_leaves_the_line_as_written(banks) -> None:
    # judged as written: a wrong sign is wrong, and the next line against it
    assert steps(banks, "sheet9", "p3.sigmoid_derivative",
                 "ds/dt\n= -e^{-t} s^2   (sign fixed later)\n= e^{-t} s^2") == ["start", "wrong", "wrong"]
    assert steps(banks, "sheet9", "p3.sigmoid_derivative",
                 "ds/dt\n= e^{-t} s^2   (simplified below)\n= s(1-s)") == ["start", "ok", "ok"]
    assert deferred("(sign dropped later)") and deferred("we halve it in the next step")
    assert not deferred("(negated)") and not deferred("(x 2 later)")
    assert not changes_the_line("(sign dropped later)") and changes_the_line("(sign dropped)")


def test_a_bracket_naming_the_counted_parts_is_a_remark(banks) -> None:
    assert steps(banks, "sheet8", "p4.training_mults", "M\n= 2 (n L K^2 + 2 n L K^2)   (multiply + add)\n"
                 "= 6 n L K^2") == ["start", "wrong", "ok"]
    assert steps(banks, "sheet9", "p4.forward_mults", "M\n= n H W C_in C_out k^2   (weights & inputs)") == \
        ["start", "ok"]
    # operations with an operand, or words that change the quantity, stay in the line: unreadable
    assert steps(banks, "sheet8", "p4.training_mults", "M\n= n L K^2   (times + plus)")[1] == "invalid"


# --- 4. LaTeX decorations that change or annotate a value ---------------------------------------------

DECORATED = [
    "\\overline{\\frac{d a^2}{3}}", "\\widehat{d a^2/3}", "\\cancel{\\frac{d a^2}{3}}", "\\xcancel{d a^2/3}",
    "\\sout{d a^2/3}", "\\underbrace{\\frac{d a^2}{3}}_{\\text{halved}}", "\\underbrace{d a^2/3}_{\\cdot 2}",
    "\\overbrace{d a^2/3}^{\\text{square root}}", "\\underbrace{d a^2/3}_{/2}",
]


@pytest.mark.parametrize("answer", DECORATED)
def test_a_decoration_that_changes_a_value_is_not_read_as_the_value(banks, answer) -> None:
    assert verdict(banks, "sheet9:p1.variance", answer) != "correct"
    assert steps(banks, "sheet9", "p1.variance", f"Var[y]\n= {answer}") == ["start", "invalid"]


KEPT = [
    "\\boxed{\\frac{d a^2}{3}}", "\\displaystyle \\frac{d a^2}{3}", "d \\left( \\frac{a^2}{3} \\right)",
    "\\underbrace{d a^2/3}_{\\mathrm{Var}[y]}", "d \\underbrace{a^2/3}_{\\text{per weight}}",
]


@pytest.mark.parametrize("answer", KEPT[:4])
def test_a_harmless_decoration_keeps_the_value(banks, answer) -> None:
    assert verdict(banks, "sheet9:p1.variance", answer) == "correct"


def test_a_bar_over_one_name_stays_the_vocabularys_conjugate() -> None:
    assert to_plain("\\overline{x}")[0] == "conjugate(x)"
    assert to_plain("\\overline{z_1} + 1")[0] == "conjugate(z_1) + 1"


def test_brace_labels() -> None:
    assert brace_label_operates("\\times 2") and brace_label_operates("\\text{times 2}")
    assert brace_label_operates("\\text{squared}") and brace_label_operates("+ 1")
    assert not brace_label_operates("\\text{forward}") and not brace_label_operates("\\partial/\\partial W")
    assert not brace_label_operates("3nLK^2") and not brace_label_operates("\\mathrm{Var}[y]")
    assert to_plain("\\underbrace{nLK^2}_{\\text{fwd}}")[0] == "(nLK^2)"
