"""Fuzzing, every run: generated answers (grammar-aware mutations of real answers and random
Unicode; 2,500 in the default tier, 10,000 in the slow tier) through the in-process grader, equiv
lines over the complex domain, and a smaller sample through the sandbox and ``equiv --batch``.
Each must give strict JSON, one result per input, a verdict from the allowed set, and never an
internal error (an exception caught by the grader's last line of defence). The seed is fresh each
run and printed on failure."""
from __future__ import annotations

import io
import json
import os
import random
import signal
import time

import pytest
from fuzzing import answers, equiv_lines

from derivcheck.cli.common import strict
from derivcheck.grading.bank import load
from derivcheck.grading.batch import equiv_batch
from derivcheck.grading.grader import check
from derivcheck.grading.limits import Limits
from derivcheck.grading.sandbox import Sandbox
from derivcheck.grading.tasks import check_task, equiv_task

SEED = int(os.environ.get("FUZZ_SEED", random.SystemRandom().randrange(2**32)))
VERDICTS = {"correct", "incorrect", "invalid", "undecided"}
STATUSES = {"proven", "numeric", "counterexample", "invalid", "undecided"}
#: The grader's last line of defence speaks so: no fuzzed input may reach it.
INTERNAL = "cannot be graded ("
#: Answers through the in-process grader: the default tier's, and the slow tier's.
ANSWERS = (pytest.param(2_500, id="2500"), pytest.param(10_000, id="10000", marks=pytest.mark.slow))
SECONDS = 10  # CPU seconds for any one answer (an in-process guard: the sandbox bounds real runs)


class Slow(Exception):
    pass


def _guarded(fn, *args):
    def alarm(signum, frame):
        raise Slow

    # CPU time, as the grader's own budgets: a busy machine never fails this test
    old = signal.signal(signal.SIGPROF, alarm)
    signal.setitimer(signal.ITIMER_PROF, SECONDS)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def _strict_json(record) -> str:
    return json.dumps(strict(record), allow_nan=False)


@pytest.mark.parametrize("count", ANSWERS)
def test_fuzz_grader_in_process(count: int):
    bank = load()
    questions = list(bank.values())
    texts = answers(count, SEED)
    assert len(set(texts)) >= count
    internal, slowest = [], (0.0, "")
    for n, text in enumerate(texts):
        question = questions[n % len(questions)]
        start = time.perf_counter()
        try:
            record = _guarded(check, question, text, Limits(), False)
        except Slow:
            pytest.fail(f"seed {SEED}: {text!r} on {question.id} took over {SECONDS} CPU-s")
        slowest = max(slowest, (time.perf_counter() - start, text))
        assert record["verdict"] in VERDICTS, (SEED, text, record)
        json.loads(_strict_json(record))
        if record["verdict"] == "undecided":
            # a single answer scores 0; a derivation keeps only what was decided (docs/interface.md)
            assert record["review"] is True and (record["score"] == 0 or record.get("steps")), (SEED, text, record)
        if INTERNAL in record.get("feedback", ""):
            internal.append((question.id, text, record["feedback"]))
    print(f"fuzz: {len(texts)} answers, {len(internal)} internal errors, slowest {slowest[0]:.2f} s ({slowest[1]!r})")
    assert not internal, (SEED, internal[:5])


def test_fuzz_equiv_in_process():
    lines = equiv_lines(1500, SEED)
    internal = []
    for line in lines:
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not (isinstance(item, dict) and isinstance(item.get("student"), str)
                and isinstance(item.get("assume"), dict) and all(isinstance(v, str) for v in item["assume"].values())):
            continue
        try:
            record = _guarded(equiv_task, item["student"], item["teacher"], item["assume"])
        except Slow:
            pytest.fail(f"seed {SEED}: {line} took over {SECONDS} CPU-s")
        assert record["status"] in STATUSES, (SEED, line, record)
        assert record["equivalent"] is {"proven": True, "numeric": True, "counterexample": False}.get(record["status"])
        json.loads(_strict_json(record))
        if INTERNAL in record["message"]:
            internal.append((line, record["message"]))
    assert not internal, (SEED, internal[:5])


def test_fuzz_sandbox_and_equiv_batch():
    """A smaller sample through the worker processes: one result per input, in order."""
    texts = answers(120, SEED + 1)
    limits = Limits(seconds=5)
    with Sandbox(2, limits) as box:
        results = list(box.run(check_task, [(None, "p2.variance", t, False, limits) for t in texts]))
    assert sorted(i for i, _, _ in results) == list(range(len(texts)))
    for index, status, value in results:
        assert status in ("ok", "timeout"), (SEED, texts[index], status, value)
        if status == "ok":
            assert value["verdict"] in VERDICTS and INTERNAL not in value["feedback"], (SEED, texts[index], value)
    lines = equiv_lines(150, SEED + 2)
    out = io.StringIO()
    assert equiv_batch(lines, workers=2, limits=limits, out=out) == sum(1 for line in lines if line.strip())
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == sum(1 for line in lines if line.strip())
    for line, record in zip((text for text in lines if text.strip()), records, strict=False):
        assert record["status"] in STATUSES, (SEED, line, record)
        try:
            sent = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(sent, dict) and isinstance(sent.get("id"), int):
            assert record["id"] == sent["id"]
