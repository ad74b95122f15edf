"""The equivalence fixture table (``equivalence_fixtures.jsonl``, in the spirit of STACK's
answer-test fixtures): each row's pair must get its expected verdict: equal (proven or numeric),
different (counterexample), undecided or invalid. Rows that must stay undecided are there too."""
import json
from pathlib import Path

import pytest

from derivcheck.grading.tasks import equiv_task

ROWS = [json.loads(line) for line in (Path(__file__).parent / "equivalence_fixtures.jsonl").read_text().splitlines()
        if line.strip()]
GROUP = {"proven": "equal", "numeric": "equal", "counterexample": "different", "undecided": "undecided",
         "invalid": "invalid"}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['student']} vs {r['teacher']}" for r in ROWS])
def test_fixture(row):
    record = equiv_task(row["student"], row["teacher"], row.get("assume", {}))
    assert GROUP[record["status"]] == row["expected"], (row["why"], record)
    json.dumps(record, allow_nan=False)
