"""Untrusted input: nothing is executed, everything is bounded, nothing escapes as an exception.

Every payload below would write the canary file if any of it were executed; the test proves the
file never appears. Each answer must come back ``invalid`` (or, at worst, ``undecided``); run in a
sandboxed worker it must be decided within the bound (the worker is not killed), and the fuzzing
feeds >= 2,000 generated strings through the same path. No test measures time itself.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check
from derivcheck.grading.limits import DEFAULT
from derivcheck.grading.sandbox import run_one
from derivcheck.grading.tasks import check_task, equiv_task


@pytest.fixture(scope="module")
def bank():
    return load()


def payloads(canary: str) -> list[str]:
    write = f"open('{canary}', 'w').write('x')"
    return [
        write, f"__import__('os').system('touch {canary}')", f"exec(\"{write}\")", f"eval(\"{write}\")",
        "().__class__.__bases__[0].__subclasses__()", "d.__class__", "sigma.__dict__", "__builtins__",
        f"(lambda: {write})()", f"[{write} for _ in (1,)]", f"f'{{{write}}}'", "import os", f"d; {write}",
        f"d\n{write}", "globals()['__builtins__']", "getattr(d, '__class__')", "sympify('d')",
        f"Symbol('x').__class__.__init__.__globals__['os'].system('touch {canary}')",
        r"\input{/etc/passwd}", r"\write18{touch " + canary + "}", r"\def\x{1}\x", "$d$; rm -rf /",
        "9**9**9", "((9**9)**9999)**9999", "factorial(10**7)", "10^10^10^10", "2^(2^(2^(2^(2^2))))",
        "exp(exp(exp(exp(10))))", "(9^9)!", "1e999999", "d^99999", "(d+1)^(10^6)", "9" * 5000,
        "(" * 10000 + "d" + ")" * 10000, "-" * 5000 + "d", "d" + "^d" * 3000, "sqrt(" * 300 + "d" + ")" * 300,
        "d" * (1 << 20), "d\x00", "d\u200b", "dа", "ｄ", "d\u202e", "𝑑", "\\frac{" * 500,
    ]


def test_malicious_corpus_runs_nothing(bank, tmp_path):
    canary = tmp_path / "CANARY"
    for payload in payloads(str(canary)):
        out = check(bank["p2.variance"], payload)
        assert out["verdict"] in ("invalid", "undecided"), (payload[:80], out)
        assert out["feedback"], payload[:80]
    for payload in payloads(str(canary))[:20]:
        assert equiv_task(payload, "d", {})["status"] in ("invalid", "undecided")
    assert not canary.exists()


def test_sandbox_bounds_a_slow_check():
    """A task past its CPU budget is killed and reported as a timeout, not waited for; one that
    uses no CPU (stopped, starved) is stopped by the wall-clock safety net, 10 times the budget."""
    from derivcheck.grading.limits import Limits

    status, value = run_one(_burn, (600,), Limits(seconds=0.5))
    assert status == "timeout" and "0.5 s of CPU time" in value
    status, value = run_one(_sleep, (600,), Limits(seconds=0.1))
    assert status == "timeout" and "1 s (wall clock)" in value


def test_sandbox_budget_is_cpu_time_not_wall_time():
    from derivcheck.grading.limits import Limits

    assert run_one(_sleep, (0.6,), Limits(seconds=0.3)) == ("ok", None)


def test_sandbox_bounds_memory():
    from derivcheck.grading.limits import Limits

    status, value = run_one(_allocate, (8 << 30,), Limits(memory_mb=256))
    assert status == "crashed" and "memory" in value


def _sleep(seconds):
    import time

    time.sleep(seconds)


def _burn(seconds):
    import time

    start = time.process_time()
    while time.process_time() - start < seconds:
        pass


def _allocate(nbytes):
    return len(bytearray(nbytes))


def test_sandboxed_check_of_payloads(tmp_path):
    canary = tmp_path / "CANARY"
    for payload in payloads(str(canary)):
        status, out = run_one(check_task, (None, "p2.variance", payload, False, DEFAULT))
        assert status == "ok", payload[:80]  # decided within the bound: the worker was not killed
        assert out["verdict"] == "invalid", (payload[:80], out)
    assert not canary.exists()


TOKENS = ["d", "sigma", "σ", "n", "L", "K", "x", "x_i", "x[i]", "max(x)", "sum(", "exp(", "log(", "sqrt(",
          "(", ")", "[", "]", "{", "}", "+", "-", "*", "/", "^", "**", "!", "=", "0", "1", "2", "9", "0.5",
          "1e3", "pi", "e", "oo", " ", "\\frac{", "\\sqrt{", "\\cdot", "\\left(", "\\right)", "_", ",",
          "factorial(", "9^9^9", "__", "'", "\"", ";", "\x00", "√", "²", "ε", "eps", "·", "lambda", "import"]


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
@given(parts=st.lists(st.sampled_from(TOKENS), max_size=25),
       question=st.sampled_from(["p2.variance", "p2.sigma", "p3.stable_softmax", "p3.gradient",
                                 "p3.smoothing_gap", "p4.training_memory"]))
def test_fuzz_no_exception_escapes(parts, question):
    questions = load()
    out = check(questions[question], "".join(parts))
    assert out["verdict"] in ("correct", "incorrect", "invalid", "undecided")
    assert out["feedback"]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=60))
def test_fuzz_arbitrary_unicode(text):
    out = check(load()["p2.variance"], text)
    assert out["verdict"] in ("correct", "incorrect", "invalid", "undecided")
