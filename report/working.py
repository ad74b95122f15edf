"""Two student derivations checked line by line: the report's worked example of what the grader does.

The derivations are a student's working (typed as a student would, one step a line); their
verdicts, the lines as read and typeset, and the counterexample of a wrong line all come from
:func:`derivcheck.grading.grader.check` in this run.
"""
from __future__ import annotations

from typing import Any

#: (title, question id, the lines as a student typed them, in LaTeX, so the page shows them as written).
EXAMPLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("A right derivation: the gradient through the softmax Jacobian", "p3.gradient", (
        r"\frac{\partial L}{\partial x_j}",
        r"= -\sum_{i} \frac{y_i}{z_i} \frac{\partial z_i}{\partial x_j}",
        r"= -\sum_{i} \frac{y_i}{z_i}\, z_i \left(\delta_{ij} - z_j\right)",
        r"= -\sum_{i} y_i \left(\delta_{ij} - z_j\right)",
        r"= -y_j + z_j \sum_{i} y_i",
        r"= z_j - y_j",
    )),
    ("A derivation with a wrong step: the variance by conditioning on z", "p2.variance", (
        r"\operatorname{Var}[y]",
        r"= \mathbb{E}\left[\operatorname{Var}[y \mid z]\right] + \operatorname{Var}\left[\mathbb{E}[y \mid z]\right]",
        r"= \mathbb{E}\left[\operatorname{Var}[y \mid z]\right]",
        r"= \mathbb{E}\left[\sigma^2 \sum_{i=1}^{d} x_i^2\right]",
        r"= \sigma^2 \sum_{i=1}^{d} \mathbb{E}\left[\max(z_i, 0)^2\right]",
        r"= \sigma^2 \sum_{i=1}^{d} \mathbb{E}\left[z_i^2\right]",
        r"= d\,\sigma^2",
    )),
)


def checked() -> list[dict[str, Any]]:
    """Each example with its ``check --json`` record (steps, verdicts, first wrong line)."""
    from derivcheck.grading.bank import load
    from derivcheck.grading.grader import check

    bank = load(None)
    return [{"title": title, "question": qid, "lines": list(lines),
             "record": check(bank[qid], "\n".join(lines), evidence=False)} for title, qid, lines in EXAMPLES]
