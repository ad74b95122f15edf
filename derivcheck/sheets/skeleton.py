"""A new sheet folder: ``derivcheck sheet new PATH`` writes :data:`SKELETON` as ``PATH/sheet.toml``,
a commented sheet an instructor edits, with no Python to write: one question checked against a
typed formula and one whose working is checked line by line under a model with a uniform and a
Bernoulli law, asking for a derivative in a scalar (d/da).
"""
from __future__ import annotations

from pathlib import Path

from . import SHEET_FILE, SheetError

SKELETON = r'''# An exercise sheet for derivcheck. This folder is the sheet: every command takes it as
#   derivcheck questions --sheet THIS_FOLDER
#   derivcheck check q1.area "pi r^2" --sheet THIS_FOLDER
#   derivcheck grade submissions.csv -o results.csv --sheet THIS_FOLDER
#   derivcheck serve --sheet THIS_FOLDER
# Everything here is data; formulas are read by the same safe reader as students' answers (plain
# text such as `pi r^2`, or LaTeX such as `\pi r^2`) and never run as code. docs/interface.md
# ("Sheets" and "Question banks") describes every key.

# The sheet's title (the self-check page and the report show it).
name = "My exercise sheet"

# How a derivation (an answer of several lines) is scored: `final` weighs the final line,
# `working` the lines before it, `per_wrong_step` is taken off the working for each wrong line.
# final + working must be at most 1. Remove this table to use the defaults.
[credit]
final = 0.5
working = 0.5
per_wrong_step = 0.25

# --- Question 1: an answer checked against a formula you type ------------------------------------
[[question]]
id = "q1.area"                                  # what students and CSV files name it; unique
prompt = "The area of a disc of radius r."
variables = { r = "positive" }                  # every name an answer may use, with what it is:
                                                # positive, positive_integer, real, interval(0,1), ...
syntax = "an expression in r, plain text (pi*r^2) or LaTeX (\\pi r^2)"
example = "2 pi r"                              # shows the syntax; better not the answer itself
reference = { formula = "pi r^2" }              # the right answer
alternatives = [                                # other answers that count as right (optional)
  { formula = "pi r r", note = "the same, unsimplified" },
]
mistakes = [                                    # known wrong answers, each with its feedback
  { code = "used_diameter", formula = "pi (2 r)^2", feedback = "r is the radius: the diameter is 2 r." },
  { code = "circumference", formula = "2 pi r", feedback = "2 pi r is the circumference, not the area." },
]

# --- Question 2: working checked line by line under a model --------------------------------------
# A model says what the lines of a derivation may name: its parameters, its random families
# (each member drawn independently from its law: normal(mean, variance), uniform(low, high),
# bernoulli(p)) and the quantities it defines. Each line of a student's working must equal the
# line before under the model; d/da differentiates in the parameter a.
[[model]]
name = "dropout"
parameters = { d = "positive_integer", p = "interval(0,1)", a = "positive" }
indices = { i = "d", k = "d" }                  # index letters and their range 1..d
random = { w = "uniform(-a, a)", m = "bernoulli(p)" }   # weights w_i and dropout masks m_i
define = { y = "sum_{i=1}^{d} m_i w_i" }

[[question]]
id = "q2.slope"
prompt = """y = sum_{i=1}^{d} m_i w_i with dropout masks m_i ~ Bernoulli(p) and weights w_i ~ U(-a, a), \
all independent. How fast does Var[y] grow with a: d Var[y] / da?"""
variables = { d = "positive_integer", p = "interval(0,1)", a = "positive" }
syntax = "an expression in d, p and a; or the working, one step a line: d/da Var[y], then = ... on each later line"
example = "d p a/3"
reference = { formula = "2 d p a/3" }
model = "dropout"
# Example working, shown to students (`questions --json`, the self-check page): one text a derivation.
example_working = ["""d/da Var[y]
= d/da (d p E[w_1^2])
= d p d/da E[w_1^2]"""]

[[question.mistakes]]
code = "gave_variance"
formula = "d p a^2/3"
feedback = "This is Var[y] itself; the question asks for its derivative in a."

[[question.mistakes]]
code = "dropped_mask"
formula = "2 d a/3"
feedback = "Each term is kept only with probability p: E[m_i^2] = p."

[[question.mistakes]]
code = "uniform_variance"
formula = "d p a/6"
feedback = "U(-a, a) has width 2a, so its variance is (2a)^2/12 = a^2/3, not a^2/12."
'''


def new(folder: str | Path) -> Path:
    """Write :data:`SKELETON` to ``folder/sheet.toml`` (the folder is created); the file written.
    Raises :class:`~derivcheck.sheets.SheetError` when the folder already holds a sheet or cannot
    be written."""
    target = Path(folder).expanduser() / SHEET_FILE
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as f:
            f.write(SKELETON)
    except FileExistsError:
        raise SheetError(f"{target}: exists already (a sheet is never overwritten)") from None
    except OSError as err:
        raise SheetError(f"{target}: cannot write ({err.strerror or err})") from None
    return target
