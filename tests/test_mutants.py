"""The mutation run cannot rot: every mutant's edit applies to the current tree (a second, no
simulation run), and an edit that no longer applies is a row of the output, never a crash."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mutants():
    spec = importlib.util.spec_from_file_location("mutants_benchmark", ROOT / "benchmarks" / "mutants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_mutant_edit_applies_to_the_current_tree(mutants):
    assert mutants.edit_errors() == {}


def test_at_least_forty_mutants_over_every_kind(mutants):
    names = [m.name for m in mutants.MUTANTS]
    assert len(names) == len(set(names)) >= 40
    kinds = {m.kind for m in mutants.MUTANTS}
    assert kinds == {"derivations", "simulations", "statistics", "step checker", "page"}
    assert all(m.claims or m.tests for m in mutants.MUTANTS), "every mutant names what should catch it"


def test_an_edit_that_no_longer_applies_is_a_row_not_a_crash(mutants):
    stale = mutants.Mutant("stale", "simulations", "an edit of code that moved",
                           (mutants.Edit("simulations/relu_variance.py", "no such line", "x", "verify"),),
                           ("relu_variance",))
    row = mutants.judge(stale)
    assert row["caught_by"] is None and "does not apply" in row["error"]
    missing = mutants.Mutant("gone", "simulations", "a file that moved",
                             (mutants.Edit("simulations/no_such_module.py", "a", "b"),), ("relu_variance",))
    assert "does not exist" in mutants.judge(missing)["error"]


def test_an_edit_is_anchored_on_its_function(mutants):
    text = "def f():\n    x = 1\n    return x\n\n\ndef g():\n    x = 1\n"
    assert mutants.edited(text, mutants.Edit("a.py", "x = 1", "x = 2", "g")).endswith("def g():\n    x = 2\n")
    with pytest.raises(ValueError, match="2 times"):
        mutants.edited(text, mutants.Edit("a.py", "x = 1", "x = 2"))
    with pytest.raises(ValueError, match="no single definition"):
        mutants.edited(text, mutants.Edit("a.py", "x = 1", "x = 2", "h"))
    js = "function a(b) {\n  if (b) {\n    c = 1;\n  }\n}\n\nfunction d() {\n  c = 1;\n}\n"
    assert "c = 2;\n  }\n}" in mutants.edited(js, mutants.Edit("a.js", "c = 1;", "c = 2;", "a"))
