"""The asked quantity as the prompt writes it, with its indices renamed (grading/labels.py:
``_reindexed``): "Write z_i = softmax(x)_i ..." is answered by ``z_j = ...`` and ``softmax(x)_j = ...``
when the value gives that entry, and "The optimal gap x_y - x_j" by ``x_y - x_k = ...``; a label
that names one entry while the value gives another, or makes two entries one, is not the asked
quantity. The cases are this file's own."""
from __future__ import annotations

import pytest

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check


@pytest.fixture(scope="module")
def sheet8() -> dict:
    return load("sheet8")


@pytest.mark.parametrize("answer, verdict", [
    ("z_j = exp(x_j - max(x))/sum_k exp(x_k - max(x))", "correct"),
    ("softmax(x)_i = exp(x_i - max(x))/sum_k exp(x_k - max(x))", "correct"),
    (r"\mathrm{softmax}(x)_{k} = \frac{e^{x_k - \max_j x_j}}{\sum_l e^{x_l - \max_j x_j}}", "correct"),
    ("softmax(x)_j = exp(x_j - min(x))/sum_k exp(x_k - min(x))", "incorrect"),  # the value decides
    ("z_j = exp(x_i - max(x))/sum_k exp(x_k - max(x))", "invalid"),  # names entry j, gives entry i
    ("s_j = exp(x_j - max(x))/sum_k exp(x_k - max(x))", "invalid"),  # another name
])
def test_the_prompts_notation_with_its_index_renamed(sheet8: dict, answer: str, verdict: str) -> None:
    assert check(sheet8["p3.stable_softmax"], answer, evidence=False)["verdict"] == verdict


@pytest.mark.parametrize("answer, verdict", [
    ("x_y - x_k = infinity", "correct"),
    ("x_c - x_k = oo", "correct"),
    ("x_y - x_y = infinity", "invalid"),  # the prompt's two entries made one
    ("x_y - x_k = log(d)", "incorrect"),
])
def test_the_gap_with_its_other_entry_renamed(sheet8: dict, answer: str, verdict: str) -> None:
    assert check(sheet8["p3.unsmoothed_gap"], answer, evidence=False)["verdict"] == verdict
