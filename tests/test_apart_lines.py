"""Two working lines in the model's parameters alone are shown apart only at a point where both
have a value: a parameter that cancels in their difference (y in the stable logistic loss) still
gets one, so equal lines are never called apart (tests/data/heldout4_lines.jsonl found it)."""
import sympy as sp

from derivcheck.grading.equivalence import apart_for_some_value

t, y = sp.Symbol("t", real=True), sp.Symbol("y", nonnegative=True)
KINDS = {"t": "real", "y": "interval(0,1)"}


def test_a_parameter_that_cancels_is_still_given_a_value():
    naive = (1 - y) * t + sp.log(1 + sp.exp(-t))
    stable = sp.Max(t, 0) - t * y + sp.log(1 + sp.exp(-sp.Abs(t)))
    assert apart_for_some_value(naive, stable, KINDS, "p3.stable_loss")[0] is not False


def test_lines_that_differ_are_still_shown_apart():
    same, point = apart_for_some_value((1 - y) * t, (1 - y) * t + t**2 * y, KINDS, "q")
    assert same is False and set(point) == {t, y}
