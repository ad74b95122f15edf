"""The Python API of docs/interface.md: ``from derivcheck import check, derive, verify, questions, grade``."""
import json
import subprocess
import sys

import pytest

from derivcheck import CheckResult, check, derive, grade, questions, verify
from derivcheck.cli import main
from derivcheck.extras import MissingExtra


def test_import_is_lazy():
    code = ("import sys, derivcheck\n"
            "assert 'derivcheck.api' not in sys.modules\n"
            "from derivcheck import check, derive, verify, questions, grade, CheckResult\n"
            "loaded = [m for m in ('torch', 'sympy', 'scipy') if m in sys.modules]\n"
            "assert not loaded, loaded\n"
            "assert 'check' in dir(derivcheck)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_unknown_attribute_and_subpackages():
    import derivcheck

    with pytest.raises(AttributeError):
        _ = derivcheck.no_such_name
    from derivcheck import grading  # a subpackage, not an API name

    assert grading.__name__ == "derivcheck.grading"


def test_check_correct_matches_the_command(capsys):
    result = check("p4.forward_mults", "n L K^2")
    assert isinstance(result, CheckResult)
    assert (result.verdict, result.score, result.diagnoses) == ("correct", 1.0, [])
    assert result.parsed == "K**2*L*n" and result.latex == "n L K^{2}"  # the one printer: as the sheet writes it
    assert result.steps is None and result.counterexample is None

    assert main(["check", "p4.forward_mults", "n L K^2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    mine = result.to_dict()
    for record in (doc, mine):
        record.pop("elapsed_ms")
    assert mine == doc


def test_check_incorrect_has_simulated_counterexample():
    result = check("p4.forward_mults", "2 n L K^2")
    assert result.verdict == "incorrect" and result.diagnoses == ["counted_flops"]
    assert result.counterexample["simulated"]["refutes"] is True
    assert result.to_dict()["counterexample"] == result.counterexample
    assert "CheckResult(question='p4.forward_mults'" in repr(result) and "counted_flops" in repr(result)
    assert str(result).startswith("INCORRECT  [counted_flops]")


def test_check_html():
    html = check("p4.forward_mults", "2 n L K^2")._repr_html_()
    assert "Not right" in html and "Counting FLOPs instead of multiplications" in html  # the PDF's words
    assert "counted_flops" not in html and "$" not in html      # no code; maths as MathML, not for a front end
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" alttext="2 n L K^{2}"' in html
    assert html.count("your answer gives") == 1                # the counterexample, once


def test_check_html_escapes_the_answer():
    result = check("p4.forward_mults", "<script>alert(1)</script>")
    assert result.verdict == "invalid" and result.latex is None
    html = result._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_check_unknown_question_lists_known_ids():
    with pytest.raises(KeyError, match=r"p4\.forward_mults") as err:
        check("p9.none", "1")
    assert isinstance(err.value, ValueError)
    assert "unknown question 'p9.none'" in str(err.value)


def test_check_bad_timeout():
    with pytest.raises(ValueError, match="timeout"):
        check("p4.forward_mults", "n L K^2", timeout=0)


def test_check_result_keeps_fields_it_does_not_name():
    record = {"question": "q", "answer": "a", "verdict": "undecided", "score": None, "diagnoses": [],
              "feedback": "later", "review": True,
              "steps": [{"line": "x < 1", "latex": "x", "verdict": "ok", "note": "by <rule>"}], "first_wrong": None}
    result = CheckResult.from_record(record)
    assert result.review is True and result.to_dict() == record
    assert result.steps[0]["verdict"] == "ok"
    html = result._repr_html_()
    assert "Undecided" in html and '<ol start="0">' in html and "&lt;rule&gt;" in html
    with pytest.raises(AttributeError):
        _ = result.no_such_field


def test_derive_and_its_notebook_display():
    d = derive("forward_mults")
    assert d.id == "forward_mults" and d.expression == "K**2*L*n"
    html = d._repr_html_()
    assert d.statement.split()[0] in html
    assert html.count("<li>") == len(d.steps) > 0
    assert rf"\boxed{{{d.latex}}}" in html
    assert d._repr_latex_() == rf"$\displaystyle {d.latex}$"


def test_derive_unknown_claim():
    with pytest.raises(KeyError, match="relu_variance"):
        derive("no_such_claim")


def test_verify():
    check_ = verify("forward_mults", device="cpu")
    assert check_.passed and check_.to_dict()["id"] == "forward_mults"
    with pytest.raises(ValueError, match="training_memory"):
        verify("no_such_claim")


def test_verify_without_torch_names_the_extra(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    with pytest.raises(ImportError, match=r"'sim' extra .*derivcheck-ml\[sim\]") as err:
        verify("forward_mults")
    assert isinstance(err.value, MissingExtra) and err.value.extra == "sim"


def test_questions_as_the_command_lists_them(capsys):
    from derivcheck.sheets import sheet

    listed = questions()
    assert [q["id"] for q in listed] == [q["id"] for q in sheet().data["question"]]
    assert main(["questions", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"questions": listed}


def test_questions_bad_bank(tmp_path):
    bank = tmp_path / "bank.toml"
    bank.write_text("not [toml")
    with pytest.raises(ValueError, match="not valid TOML"):
        questions(bank)


def test_grade(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("student_id,question,answer\ns1,p4.forward_mults,n L K^2\ns2,p4.forward_mults,L K^2\n")
    counts = grade(src, out, gradescope=tmp_path / "gs", workers=1)
    assert counts == {"rows": 2, "correct": 1, "incorrect": 1, "invalid": 0, "undecided": 0}
    assert (tmp_path / "gs" / "s2" / "results.json").exists()
    with pytest.raises(ValueError, match=r"missing\.csv: cannot read"):
        grade(tmp_path / "missing.csv", out)
