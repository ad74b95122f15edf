"""Verdicts that do not depend on the machine's load: the dev derivations, the dev answers and the
equivalence fixtures give identical records on an idle machine and with six CPU-bound processes
running beside them (budgets count CPU time, never a busy machine's wall clock)."""
import json
import multiprocessing as mp
import os
import time
from pathlib import Path

import pytest

from derivcheck.grading.limits import DEFAULT
from derivcheck.grading.sandbox import Sandbox
from derivcheck.grading.tasks import check_task, equiv_task, outcome

DATA = Path(__file__).parent / "data"
HOGS = 6

pytestmark = pytest.mark.slow


def _tasks() -> tuple[list[tuple], list[tuple]]:
    checks = [(None, r["q"], "\n".join(r["steps"]), False, DEFAULT)
              for r in map(json.loads, (DATA / "dev_derivations.jsonl").read_text().splitlines())]
    checks += [(None, r["q"], r["a"], False, DEFAULT)
               for r in map(json.loads, (DATA / "dev_answers.jsonl").read_text().splitlines())]
    rows = [json.loads(line) for line in (Path(__file__).parent / "equivalence_fixtures.jsonl").read_text().splitlines()
            if line.strip()]
    equivs = [(r["student"], r["teacher"], r.get("assume", {}), DEFAULT) for r in rows]
    return checks, equivs


def _without_times(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "elapsed_ms"}


def _run_all() -> list[dict]:
    checks, equivs = _tasks()
    out: list[dict] = [{} for _ in range(len(checks) + len(equivs))]
    with Sandbox(2, DEFAULT) as box:
        for i, status, value in box.run(check_task, checks):
            out[i] = _without_times(outcome(checks[i][1], checks[i][2], status, value))
        for i, status, value in box.run(equiv_task, equivs):
            out[len(checks) + i] = value if status == "ok" else {"status": status}
    return out


def _hog(stop_at: float) -> None:
    x = 0
    while time.monotonic() < stop_at:
        x = (x * 1103515245 + 12345) % 2**31


def test_records_are_identical_idle_and_under_load():
    idle = _run_all()
    ctx = mp.get_context("fork")
    hogs = [ctx.Process(target=_hog, args=(time.monotonic() + 900,), daemon=True) for _ in range(HOGS)]
    for h in hogs:
        h.start()
    try:
        time.sleep(0.5)
        assert os.getloadavg() is not None
        loaded = _run_all()
    finally:
        for h in hogs:
            h.kill()
            h.join()
    assert not [r for r in idle if r.get("verdict") == "undecided" or r.get("status") in ("timeout", "crashed")]
    for k, (a, b) in enumerate(zip(idle, loaded, strict=True)):
        assert a == b, f"task {k} differs under load"
