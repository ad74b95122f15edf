"""Verdicts do not depend on the machine's load (issue 18, item 4): the budget is the CPU time a
worker spends on an answer and the warm-up is never charged to one, so the dev derivations and
answers give identical records idle and with six CPU-bound processes running beside them."""
import json
import multiprocessing as mp
import time
from pathlib import Path

import pytest

from derivcheck.grading.limits import DEFAULT
from derivcheck.grading.sandbox import Sandbox
from derivcheck.grading.tasks import check_task

DATA = Path(__file__).parent / "data"


def _spin(stop):
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _records(tasks):
    """Each task's record, in order, without its elapsed time."""
    out = [None] * len(tasks)
    with Sandbox(2, DEFAULT) as box:
        for index, status, value in box.run(check_task, tasks):
            record = dict(value) if status == "ok" else {"status": status}
            record.pop("elapsed_ms", None)
            if isinstance(record.get("steps"), list):
                record["steps"] = [{k: v for k, v in s.items() if k != "elapsed_ms"} for s in record["steps"]]
            out[index] = record
    return out


@pytest.mark.slow
def test_dev_records_are_identical_idle_and_under_load():
    rows = [json.loads(line) for line in (DATA / "dev_derivations.jsonl").read_text().splitlines() if line.strip()]
    answers = [json.loads(line) for line in (DATA / "dev_answers.jsonl").read_text().splitlines() if line.strip()]
    tasks = [(None, r["q"], "\n".join(r["steps"]), False, DEFAULT) for r in rows]
    tasks += [(None, a["q"], a["a"], False, DEFAULT) for a in answers[:40]]
    idle = _records(tasks)
    stop = mp.get_context("fork").Event()
    burners = [mp.get_context("fork").Process(target=_spin, args=(stop,), daemon=True) for _ in range(6)]
    for p in burners:
        p.start()
    try:
        time.sleep(0.5)
        loaded = _records(tasks)
    finally:
        stop.set()
        for p in burners:
            p.join(5)
            if p.is_alive():
                p.kill()
    assert [r.get("verdict") for r in loaded] == [r.get("verdict") for r in idle]
    assert loaded == idle
