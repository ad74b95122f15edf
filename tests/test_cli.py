"""The command line of CONTRACT.md: JSON shapes, exit statuses, lazy imports."""
import json
import subprocess
import sys

import pytest

from derivcheck.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derivcheck", *args], capture_output=True, text=True,
                          timeout=300)


def test_help_does_not_import_torch():
    code = ("import sys; from derivcheck.cli import build_parser\n"
            "try:\n    build_parser().parse_args(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules and 'sympy' not in sys.modules, 'heavy import'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "derive" in result.stdout and "verify" in result.stdout


@pytest.mark.parametrize("command", ["derive", "verify"])
def test_subcommand_help(command):
    result = run(command, "--help")
    assert result.returncode == 0 and "--json" in result.stdout


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


def test_bad_alpha_is_usage_error(capsys):
    assert main(["verify", "--alpha", "0", "forward_mults"]) == 2


def test_missing_cuda_is_usage_error(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert main(["verify", "--device", "cuda", "forward_mults"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_failed_check_exits_1(monkeypatch, capsys):
    import simulations
    from simulations.check import Check

    failing = Check(id="forward_mults", passed=False, prediction=1.0, estimate=2.0, interval=(1.0, 1.0),
                    p_value=0.0, alpha=0.0, samples=0)
    monkeypatch.setattr(simulations, "verify", lambda *a, **k: failing)
    assert main(["verify", "forward_mults", "--quiet"]) == 1
    assert "SOME CHECKS FAILED" in capsys.readouterr().out


def test_verify_table(capsys):
    assert main(["verify", "training_memory", "--quiet", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "training_memory" in out and "all passed" in out
