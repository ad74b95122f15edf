"""Batch grading: CSV in, CSV out (crash-safe and resumable), Gradescope results, equiv --batch.

Rows are graded in worker processes (``Sandbox``); identical answers to the same question are
graded once (a class repeats itself). Results are appended to the output in input order as they
are decided, each row flushed and fsync'ed, so ``kill -9`` loses no finished row; a re-run
keeps the rows already there (dropping a half-written last line) and grades the rest.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from .limits import DEFAULT, Limits
from .sandbox import Sandbox
from .tasks import check_task, equiv_task

INPUT = ("student_id", "question", "answer")
ADDED = ("verdict", "score", "diagnoses", "feedback")

#: One input row by column name; cells missing from a short row are None.
Row = Mapping[str, str | None]


class BatchError(Exception):
    """An unusable input or output file (one line, naming the file)."""


class InOrder:
    """Results that finish in any order, released in input order as soon as all earlier ones are in."""

    def __init__(self, start: int = 0):
        self.next = start
        self.waiting: dict[int, Any] = {}

    def put(self, index: int, value: Any) -> list[tuple[int, Any]]:
        self.waiting[index] = value
        released = []
        while self.next in self.waiting:
            released.append((self.next, self.waiting.pop(self.next)))
            self.next += 1
        return released


def normalise(answer: str) -> str:
    """The memo key of an answer: NFC, outer whitespace stripped, inner runs collapsed."""
    return " ".join(unicodedata.normalize("NFC", answer).split())


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def read_submissions(path: Path) -> tuple[list[str], list[Row]]:
    """The columns and rows of a submissions CSV (a short row's missing cells are None)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            fields = list(reader.fieldnames or [])
            rows: list[Row] = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise BatchError(f"{path}: cannot read ({err})") from None
    missing = [c for c in INPUT if c not in fields]
    if missing:
        raise BatchError(f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(INPUT)})")
    return fields, rows


def _input_cells(row: Row, fields: list[str]) -> list[str]:
    return [row.get(c) or "" for c in fields]


def _existing(out: Path, header: list[str], fields: list[str], rows: list[Row]) -> int:
    """Complete rows already in ``out`` (its half-written last line is dropped); they must be the
    first rows of the input, or the output belongs to another file."""
    if not out.exists() or out.stat().st_size == 0:
        return -1
    data = out.read_bytes()
    if not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        with open(out, "r+b") as f:
            f.truncate(len(data))
    table = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    if not table:
        return -1
    if table[0] != header:
        raise BatchError(f"{out}: exists with other columns; remove it or choose another -o")
    done = table[1:]
    if len(done) > len(rows) or any(r[:len(fields)] != _input_cells(rows[i], fields) for i, r in enumerate(done)):
        raise BatchError(f"{out}: holds results of another input; remove it or choose another -o")
    return len(done)


def grade_csv(submissions: str | Path, out: str | Path, bank: str | None = None, workers: int = 2,
              limits: Limits = DEFAULT, gradescope: str | Path | None = None,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Grade every row of ``submissions`` into ``out``; returns counts per verdict."""
    from .bank import load

    submissions, out = Path(submissions), Path(out)
    fields, rows = read_submissions(submissions)
    header = fields + [c for c in ADDED if c not in fields]
    questions = load(bank)
    done = _existing(out, header, fields, rows)
    start = max(done, 0)
    order = InOrder(start)
    invalid: list[tuple[int, dict]] = []
    keys: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows[start:], start):
        qid, answer = (row.get("question") or "").strip(), row.get("answer")
        if answer is None or not row.get("student_id"):
            invalid.append((i, _invalid("malformed row: student_id, question and answer are all needed")))
        elif qid not in questions:
            invalid.append((i, _invalid(f"unknown question {qid!r}")))
        else:
            keys.setdefault((qid, normalise(answer)), []).append(i)
    from .evidence import preload
    from .grader import warm

    preload({questions[q].simulation for q, _ in keys if questions[q].simulation and not questions[q].vector})
    for qid in {q for q, _ in keys}:
        warm(questions[qid])
    with open(out, "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if done < 0:
            writer.writerow(header)

        def write(released: list[tuple[int, dict]]) -> None:
            # Each row reaches the OS as soon as it is written (a killed process loses nothing);
            # one fsync per group of rows guards against a crash of the machine as well.
            for i, r in released:
                writer.writerow(_input_cells(rows[i], fields) + [_cell(r, c) for c in header[len(fields):]])
                handle.flush()
                if progress:
                    progress(i + 1, len(rows))
            if released:
                os.fsync(handle.fileno())

        for i, record in invalid:
            write(order.put(i, record))
        tasks = list(keys)
        with Sandbox(workers, limits) as box:
            for index, status, value in box.run(check_task, [(bank, q, a, True, limits) for q, a in tasks]):
                record = value if status == "ok" else _undecided(value)
                for i in keys[tasks[index]]:
                    write(order.put(i, record))
    counts = _counts(out)
    if gradescope:
        write_gradescope(out, Path(gradescope))
    return counts


def _cell(record: dict, column: str) -> str:
    if column == "score":
        return "" if record.get("score") is None else f"{record['score']:g}"
    if column == "diagnoses":
        return ";".join(record.get("diagnoses", []))
    return _one_line(record.get(column, ""))


def _invalid(message: str) -> dict:
    return {"verdict": "invalid", "score": 0.0, "diagnoses": [], "feedback": message}


def _undecided(message: str) -> dict:
    return {"verdict": "undecided", "score": None, "diagnoses": [],
            "feedback": f"Could not decide ({message}); flagged for a person to read."}


def _counts(out: Path) -> dict[str, Any]:
    with open(out, newline="", encoding="utf-8") as f:
        verdicts = [r["verdict"] for r in csv.DictReader(f)]
    return {"rows": len(verdicts), **{v: verdicts.count(v) for v in ("correct", "incorrect", "invalid", "undecided")}}


def write_gradescope(results_csv: Path, directory: Path) -> None:
    """DIR/<student_id>/results.json in Gradescope's autograder format, one test per question.

    An undecided answer gets full marks and says it is flagged for manual review (it is never
    counted as wrong).
    """
    with open(results_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    students: dict[str, list[dict]] = {}
    for r in rows:
        students.setdefault(r["student_id"], []).append(r)
    for student, answers in students.items():
        tests = []
        for r in answers:
            undecided = r["verdict"] == "undecided"
            score = 1.0 if undecided else float(r["score"] or 0)
            tests.append({"name": r["question"], "score": score, "max_score": 1.0,
                          "status": "passed" if score == 1.0 else "failed",
                          "output": ("UNDECIDED, flagged for manual review. " if undecided else "")
                          + f"Your answer: {r['answer']}\n{r['verdict']}: {r['feedback']}"
                          + (f"\nDiagnosis: {r['diagnoses']}" if r["diagnoses"] else "")})
        doc = {"score": sum(t["score"] for t in tests), "max_score": float(len(tests)), "tests": tests,
               "output": f"{sum(r['verdict'] == 'correct' for r in answers)} of {len(answers)} answers correct."}
        safe = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in student) or "_"
        target = directory / safe
        target.mkdir(parents=True, exist_ok=True)
        (target / "results.json").write_text(json.dumps(doc, indent=2))


def equiv_batch(lines: Iterable[str], workers: int = 2, limits: Limits = DEFAULT, out: TextIO = sys.stdout) -> int:
    """One JSON line out per line in, same order, each with its id; returns the number of lines."""
    parsed: list[tuple[Any, tuple | dict]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("not an object")
            assume = item.get("assume") or {}
            if not isinstance(assume, dict) or not all(isinstance(v, str) for v in assume.values()):
                raise ValueError("assume must map names to kinds")
            if not isinstance(item.get("student"), str) or not isinstance(item.get("teacher"), str):
                raise ValueError("student and teacher must be strings")
            parsed.append((item.get("id"), (item["student"], item["teacher"], assume, limits)))
        except (ValueError, TypeError) as err:
            ident = item.get("id") if isinstance(item, dict) else None
            parsed.append((ident, {"equivalent": None, "status": "invalid", "message": f"line {n}: {err}"}))
    order = InOrder()

    def write(released: list[tuple[int, dict]]) -> None:
        for i, record in released:
            out.write(json.dumps({"id": parsed[i][0], **record}) + "\n")
        out.flush()

    todo: list[tuple[int, tuple]] = []
    for i, (_, item) in enumerate(parsed):
        if isinstance(item, dict):
            write(order.put(i, item))
        else:
            todo.append((i, item))
    with Sandbox(workers, limits) as box:
        for index, status, value in box.run(equiv_task, [args for _, args in todo]):
            write(order.put(todo[index][0], value if status == "ok" else {
                "equivalent": None, "status": "undecided", "message": str(value)}))
    return len(parsed)
