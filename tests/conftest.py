"""Shared test settings, and the tier's wall and CPU time at the end of a run."""
import os
import resource
import time

_WALL = time.perf_counter()
# One intra-op thread, here and in the processes the tests start: on two shared cores a second
# thread mostly waits for the first (measured: 4x the wall time of the init tests under load).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402
import torch  # noqa: E402


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds of this process and of its waited-for child processes (workers, latexmk)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def pytest_configure(config):
    torch.set_num_threads(1)


def pytest_report_header(config):
    return f"tier: -m '{config.getoption('markexpr') or 'all tests'}' (make test: not slow; make test-slow: slow)"


_TEST_CPU: dict[str, float] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """CPU seconds of each test, its fixtures' setup and teardown included (the first user of a
    shared fixture pays for it)."""
    before = sum(_cpu_seconds())
    yield
    _TEST_CPU[item.nodeid] = sum(_cpu_seconds()) - before


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _TEST_CPU:
        terminalreporter.write_line("most CPU seconds (setup and teardown included):")
        for nodeid, seconds in sorted(_TEST_CPU.items(), key=lambda kv: -kv[1])[:12]:
            terminalreporter.write_line(f"  {seconds:7.1f}  {nodeid}")
    own, children = _cpu_seconds()  # since the process started (imports and collection included)
    terminalreporter.write_line(
        f"tier -m '{config.getoption('markexpr') or 'all tests'}': {time.perf_counter() - _WALL:.1f} s wall, "
        f"{own + children:.1f} CPU-s ({own:.1f} in pytest, {children:.1f} in its child processes)")



@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Each test session gets its own derivcheck cache: results are computed, never stale."""
    import os

    old = os.environ.get("DERIVCHECK_CACHE")
    os.environ["DERIVCHECK_CACHE"] = str(tmp_path_factory.mktemp("derivcheck-cache"))
    yield
    if old is None:
        os.environ.pop("DERIVCHECK_CACHE", None)
    else:
        os.environ["DERIVCHECK_CACHE"] = old


@pytest.fixture(scope="module")
def service():
    """The self-check page's service, two warm workers, no simulated evidence (serve tests)."""
    from derivcheck.web.service import SelfCheck

    with SelfCheck(evidence=False, workers=2) as s:
        yield s


#: The long tables of reading cases (issue 21). Each case is a trap (it must never be graded correct
#: nor a wrong line judged ok: the zero targets) or a reading (it must be understood). Every trap runs
#: in every tier; of each test's readings one in three runs in the default tier and the other two in
#: the slow tier, so `make test` keeps within its CPU budget and `make test-slow` runs them all.
READING_TABLES = ("test_reading_answers21.py", "test_reading_answers22.py", "test_reading_lines21.py",
                  "test_reading_lines22.py", "test_derivation_lines21.py", "test_reading_rules.py",
                  "test_labels22.py", "test_reading_scripts_labels.py", "test_reading_answers23.py",
                  "test_reading_lines23.py", "test_labels23.py", "test_premises.py", "test_sheet_variables.py",
                  "test_reading_words24.py", "test_reading_answers24.py", "test_reading_notation25.py")
_TRAP_WORDS = ("invalid", "incorrect", "wrong", "undecided")
_TRAP_TESTS = ("never", "wrong", "refus", "trap", "invalid", "stays", "not_", "no_false", "incorrect")


def _is_trap(item) -> bool:
    name = item.originalname.lower() if hasattr(item, "originalname") else item.name.lower()
    if any(word in name for word in _TRAP_TESTS):
        return True
    return any(word in str(value) for value in item.callspec.params.values() for word in _TRAP_WORDS)


#: Long parametrized tests of other kinds (seeds, powers, laws, routes): one case in k runs in the
#: default tier, every case in the slow tier; the default tier keeps at least one case of each.
THINNED = {"test_simulations.py::test_passes_under_other_seeds": 4,
           "test_derivation_checking.py::test_red_team_derivations": 2,
           "test_laws.py::test_moments_match_sympy_stats": 2,
           "test_verify_properties.py::test_stated_power_of_a_mistake_is_its_observed_rejection_rate": 2,
           "test_simulations.py::test_stated_power_matches_observed_rejections": 2,
           "test_calibration.py::test_both_tails_are_calibrated": 2,
           "test_precision.py::test_a_hidden_difference_is_found_and_a_harmless_constant_is_not": 2}


def _keep_one_in(item) -> int:
    """k when one of this parametrized test's cases in k stays in the default tier, else 1."""
    if not hasattr(item, "callspec"):
        return 1
    key = f"{item.path.name}::{item.originalname}"
    if key in THINNED:
        return THINNED[key]
    return 3 if item.path.name in READING_TABLES and not _is_trap(item) else 1


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    seen: dict[str, int] = {}
    for item in items:
        k = _keep_one_in(item)
        if k == 1:
            continue
        key = f"{item.path.name}::{item.originalname}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] % k != 1:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def banks() -> dict:
    """Both built-in sheets' banks, built once a session (the reading tables' questions)."""
    from derivcheck.grading.bank import load

    return {"sheet8": load("sheet8"), "sheet9": load("sheet9")}
