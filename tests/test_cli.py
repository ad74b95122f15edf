"""The command line of docs/interface.md: JSON shapes, exit statuses, lazy imports."""
import json
import subprocess
import sys

import pytest

from derivcheck.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derivcheck", *args], capture_output=True, text=True,
                          timeout=300, check=False)


HEAVY = ("torch", "sympy", "scipy")
COMMAND_NAMES = ["derive", "verify", "exercises", "report", "questions", "check", "equiv", "grade", "gradescope-bundle",
                 "serve", "sheet"]
#: Commands with no JSON to report (serve serves; gradescope-bundle prints the path of its zip; sheet's
#: action `new` has --json).
NO_JSON = {"serve", "gradescope-bundle", "sheet"}


def test_help_does_not_import_torch():
    code = ("import sys; from derivcheck.cli import build_parser\n"
            f"names = {COMMAND_NAMES!r}\n"
            "for args in [['--help']] + [[n, '--help'] for n in names]:\n"
            "    try:\n        build_parser().parse_args(args)\n    except SystemExit:\n        pass\n"
            f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "assert not loaded, f'heavy import: {loaded}'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "derive" in result.stdout and "verify" in result.stdout


def test_commands_register_in_one_place():
    from derivcheck.cli import COMMANDS, build_parser

    assert [c.NAME for c in COMMANDS] == COMMAND_NAMES
    for command in COMMANDS:
        args = build_parser().parse_args([command.NAME] + (["q", "a"] if command.NAME == "check" else [])
                                         + (["in.csv", "-o", "out.csv"] if command.NAME == "grade" else [])
                                         + (["out/autograder"] if command.NAME == "gradescope-bundle" else [])
                                         + (["new", "my_sheet"] if command.NAME == "sheet" else []))
        assert args.run is command.run and args.extra == command.EXTRA


def test_claims_help_names_every_claim():
    from derivcheck.cli.common import claims_help
    from derivcheck.derivations import claim_ids

    assert tuple(claims_help().split()) == claim_ids()


@pytest.mark.parametrize("command", COMMAND_NAMES)
def test_subcommand_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: derivcheck {command}" in out
    assert "--json" in out or command in NO_JSON


def _without(monkeypatch, *modules: str) -> None:
    """Make importlib.util.find_spec report ``modules`` as not installed."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in modules else real(name, *a))


@pytest.mark.parametrize("command, extra, missing", [("verify", "sim", "torch"), ("verify", "sim", "scipy"),
                                                     ("exercises", "exercises", "matplotlib"),
                                                     ("report", "report", "jinja2"),
                                                     ("serve", "serve", "starlette"),
                                                     ("serve", "serve", "latex2mathml")])
def test_missing_extra_exits_2_naming_it(monkeypatch, capsys, command, extra, missing):
    _without(monkeypatch, missing)
    assert main([command]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"derivcheck {command}: needs the '{extra}' extra "
                            f"(pip install 'derivcheck-ml[{extra}]'): No module named '{missing}'\n")


def _without_torch(code: str, cache) -> subprocess.CompletedProcess:
    """Run ``code`` in a process where torch (and scipy) cannot be imported, with its own store."""
    import os

    prelude = "import sys; sys.modules['torch'] = None; sys.modules['scipy'] = None\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=300,
                          check=False, env={**os.environ, "DERIVCHECK_CACHE": str(cache)})


def test_missing_extra_without_torch_installed(tmp_path):
    """In a process where torch cannot be imported at all, verify stops before importing it and
    check still grades, saying plainly that the simulated evidence is missing."""
    code = ("from derivcheck.cli import main\n"
            "assert main(['verify', 'forward_mults']) == 2\n"
            "assert main(['check', 'p4.forward_mults', '2 n L K^2', '--json']) == 1\n")
    result = _without_torch(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ("derivcheck verify: needs the 'sim' extra (pip install 'derivcheck-ml[sim]'): "
                             "No module named 'torch'\n")
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "incorrect" and "simulated" not in doc["counterexample"]
    assert "No simulation record is available" in doc["feedback"]


def test_stored_evidence_is_read_without_torch(tmp_path, monkeypatch):
    """A verification record in the store backs a counterexample in a process without torch."""
    from derivcheck import simulations, store

    monkeypatch.setenv("DERIVCHECK_CACHE", str(tmp_path))
    simulations.recorded("forward_mults")  # computed here (torch present) and stored as JSON
    assert list(tmp_path.glob("verify-forward_mults-*.json")) and not list(tmp_path.glob("*.pickle"))
    code = ("from derivcheck.cli import main\n"
            "assert main(['check', 'p4.forward_mults', '2 n L K^2', '--json']) == 1\n"
            "assert 'torch' not in [m for m in sys.modules if sys.modules[m] is not None]\n")
    result = _without_torch(code, tmp_path)
    assert result.returncode == 0, result.stderr
    simulated = json.loads(result.stdout)["counterexample"]["simulated"]
    assert simulated["refutes"] and simulated["quantity"].startswith("FlopCounterMode")
    assert store.read(simulations.record_name("forward_mults"))["passed"] is True


def test_strict_json():
    from derivcheck.cli.common import strict

    doc = {"a": float("inf"), "b": -float("inf"), "c": (1, float("nan")), "z": complex(1, -2), 3: None}
    assert strict(doc) == {"a": "inf", "b": "-inf", "c": [1, "nan"], "z": {"re": 1.0, "im": -2.0}, "3": None}
    assert json.loads(json.dumps(strict(doc), allow_nan=False)) == strict(doc)


def test_derive_json_shape():
    result = run("derive", "relu_variance", "he_sigma", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    ids = [c["id"] for c in doc["claims"]]
    assert ids == ["relu_variance", "he_sigma"]
    claim = doc["claims"][0]
    assert set(claim) >= {"id", "statement", "expression", "latex", "assumptions", "steps"}
    assert claim["expression"] == "d*sigma**2/2"
    assert all(set(s) == {"text", "latex"} for s in claim["steps"])


def test_derive_text_prints_all_claims(capsys):
    assert main(["derive"]) == 0
    out = capsys.readouterr().out
    for claim in ("relu_variance", "training_memory", "smoothing_gap"):
        assert f"== {claim} ==" in out


def test_verify_json_shape_and_stdout_is_pure_json():
    result = run("verify", "forward_mults", "softmax_ce_gradient", "--json", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["passed"] is True and doc["device"] == "cpu" and doc["seconds"] > 0
    claim = doc["claims"][0]
    assert set(claim) >= {"id", "passed", "prediction", "estimate", "interval", "p_value", "alpha",
                          "samples", "seconds", "power"}
    assert "verifying forward_mults" in result.stderr  # progress goes to stderr


def test_unknown_claim_is_usage_error():
    result = run("verify", "no_such_claim")
    assert result.returncode == 2
    assert "unknown claim 'no_such_claim'" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", [["questions"], ["check", "p2.variance", "d"], ["derive"],
                                     ["grade", "in.csv", "-o", "out.csv"], ["verify"], ["report", "--tex-only"]])
def test_an_unknown_sheet_is_usage_error_with_its_message(capsys, command):
    assert main([*command, "--sheet", "no_such_sheet"]) == 2
    err = capsys.readouterr().err
    assert "unknown sheet 'no_such_sheet'" in err and "sheet8" in err and len(err.splitlines()) == 1


def test_sheet_and_bank_together_is_usage_error(capsys, tmp_path):
    assert main(["questions", "--sheet", "sheet8", "--bank", str(tmp_path / "b.toml")]) == 2
    assert "not both" in capsys.readouterr().err


def test_the_sheet_chooses_the_claims_and_any_registered_claim_derives(capsys, tmp_path):
    """derive/verify default to the sheet's claims; a registered claim the sheet does not name is
    still derived when asked for."""
    (tmp_path / "sheet.toml").write_text("[[question]]\nid = 'g'\nvariables = { d = 'positive_integer' }\n"
                                         "reference = { claim = 'he_sigma' }\n")
    assert main(["derive", "--sheet", str(tmp_path), "--json"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)["claims"]] == ["he_sigma"]
    assert main(["derive", "forward_mults", "--sheet", str(tmp_path), "--json"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)["claims"]] == ["forward_mults"]


def test_bad_alpha_is_usage_error(capsys):
    assert main(["verify", "--alpha", "0", "forward_mults"]) == 2


def test_missing_cuda_is_usage_error(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert main(["verify", "--device", "cuda", "forward_mults"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_failed_check_exits_1(monkeypatch, capsys, tmp_path):
    from derivcheck import simulations
    from derivcheck.simulations.verification import Outcome, Verification

    monkeypatch.setenv("DERIVCHECK_CACHE", str(tmp_path))  # `verify` stores its record: never the session's

    failing = Verification.of("forward_mults", Outcome(passed=False, prediction=1.0, estimate=2.0, interval=(1.0, 1.0),
                                                       p_value=0.0, alpha=0.0, samples=0),
                              seconds=0.0, seed=0, device="cpu")
    monkeypatch.setattr(simulations, "verify", lambda *a, **k: failing)
    assert main(["verify", "forward_mults", "--quiet"]) == 1
    assert "SOME CHECKS FAILED" in capsys.readouterr().out


def test_verify_table(capsys):
    assert main(["verify", "training_memory", "--quiet", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "training_memory" in out and "all passed" in out


# --- grading commands --------------------------------------------------------------------

def test_check_json_contract():
    result = run("check", "p2.variance", "d*sigma^2", "--json")
    assert result.returncode == 1, result.stderr  # not correct
    doc = json.loads(result.stdout)
    assert {"question", "answer", "verdict", "score", "diagnoses", "feedback", "parsed", "counterexample",
            "elapsed_ms"} <= set(doc)
    assert doc["verdict"] == "incorrect" and doc["diagnoses"] == ["missing_relu_half"]
    assert {"at", "answer_value", "reference_value", "simulated"} <= set(doc["counterexample"])
    assert {"estimate", "interval"} <= set(doc["counterexample"]["simulated"])


def test_check_invalid_and_unknown_question():
    result = run("check", "p2.variance", "__import__('os')", "--json")
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "invalid" and doc["score"] == 0.0 and result.returncode == 1
    bad = run("check", "p9.none", "1")
    assert bad.returncode == 2 and "unknown question" in bad.stderr and "p2.variance" in bad.stderr


def test_equiv_json_contract():
    doc = json.loads(run("equiv", "sqrt(x^2)", "x", "--assume", "x=positive", "--json").stdout)
    assert doc["equivalent"] is True and doc["status"] == "proven" and "message" in doc and "id" in doc
    doc = json.loads(run("equiv", "sqrt(x^2)", "x", "--json").stdout)
    assert doc["equivalent"] is False and doc["status"] == "counterexample"
    assert run("equiv", "x", "x", "--assume", "x").returncode == 2


def test_equiv_batch_cli(tmp_path):
    src = tmp_path / "pairs.jsonl"
    src.write_text('{"id": "a", "student": "0.5", "teacher": "1/2"}\n{"id": "b", "student": "x", "teacher": "y"}\n')
    result = run("equiv", "--batch", str(src))
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["id"], o["equivalent"]) for o in out] == [("a", True), ("b", False)]


def test_questions_json():
    from derivcheck.sheets import sheet

    doc = json.loads(run("questions", "--json").stdout)
    assert [q["id"] for q in doc["questions"]] == [q["id"] for q in sheet().data["question"]]
    q = doc["questions"][0]
    assert {"id", "prompt", "variables", "syntax", "example"} <= set(q)


def test_bad_bank_is_usage_error(tmp_path):
    bank = tmp_path / "bank.toml"
    bank.write_text("not [toml")
    result = run("questions", "--bank", str(bank))
    assert result.returncode == 2 and "not valid TOML" in result.stderr


def test_grade_cli(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("student_id,question,answer\ns1,p2.variance,d*sigma^2/2\n")
    result = run("grade", str(src), "-o", str(out), "--gradescope", str(tmp_path / "gs"))
    assert result.returncode == 0, result.stderr
    assert "correct: 1" in result.stdout
    assert (tmp_path / "gs" / "s1" / "results.json").exists()
    assert run("grade", str(tmp_path / "missing.csv"), "-o", str(out)).returncode == 2
