"""Batch grading: CSV in, CSV out (crash-safe and resumable), Gradescope results, equiv --batch.

Rows are graded in worker processes (``Sandbox``); identical answers to the same question are
graded once (a class repeats itself). Results are appended to the output in input order as they
are decided, each row flushed and fsync'ed, so ``kill -9`` loses no finished row; a re-run
keeps the rows already there (dropping a half-written last line) and grades the rest.
"""
from __future__ import annotations

import csv
import errno
import fcntl
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from derivcheck.store import jsonable

from .errors import printable
from .limits import DEFAULT, Limits
from .sandbox import Sandbox
from .tasks import check_task, equiv_task, outcome

INPUT = ("student_id", "question", "answer")
ADDED = ("verdict", "score", "diagnoses", "feedback", "review", "read")
#: Columns the grader writes: an input that already has one is refused, never copied as a grade.
OUTPUT_ONLY = (*ADDED, "first_wrong")
#: The largest cell read (a larger one makes its row invalid, not the whole class).
MAX_FIELD = 128 * 1024
#: The longest Gradescope folder name made from a student id.
MAX_FOLDER = 120
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class BatchError(Exception):
    """An unusable input or output file (one line, naming the file; safe to print)."""

    def __init__(self, message: str):
        super().__init__(printable(message, keep_newlines=False))


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


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading ``'``."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _restore(cell: str) -> str:
    """The inverse of :func:`neutralise`."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def read_submissions(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The columns and rows of a submissions CSV; a cell over ``MAX_FIELD`` is read whole (its row
    becomes invalid later), and columns the grader writes are refused."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            fields = reader.fieldnames or []
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise BatchError(f"{path}: cannot read ({err})") from None
    missing = [c for c in INPUT if c not in fields]
    if missing:
        raise BatchError(f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(INPUT)})")
    taken = [c for c in OUTPUT_ONLY if c in fields]
    if taken:
        raise BatchError(f"{path}: has the output column(s) {', '.join(taken)}; grades are computed, never "
                         f"copied: remove those columns")
    if len(set(fields)) != len(fields) or None in fields:
        raise BatchError(f"{path}: repeated or empty column names")
    return list(fields), rows


def _input_cells(row: Mapping[str, str | None], fields: list[str]) -> list[str]:
    return [neutralise(row.get(c) or "") for c in fields]


def _oversized(row: dict[str, Any]) -> bool:
    return any(isinstance(v, str) and len(v) > MAX_FIELD for v in row.values()) or None in row


def folder_name(student_id: str) -> str | None:
    """The Gradescope folder of a student id: one to one (every character but letters, digits,
    ``-`` and ``_`` is escaped as ``%XX``, so ``a/b`` and ``a_b`` differ and ``..`` is
    ``%2E%2E``), or None when the name would be too long to be safe."""
    out = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else
                  "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in student_id)
    return out if 0 < len(out) <= MAX_FOLDER else None


def _table(data: bytes) -> tuple[list[list[str]], bool]:
    """The rows of CSV bytes as far as they can be read, and whether the reading was cut short
    (a torn quoted cell)."""
    table: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""), strict=True):
            table.append(row)
    except csv.Error:
        return table, True
    return table, False


def _existing(handle: Any, header: list[str], fields: list[str], rows: list[dict[str, str]]) -> int:
    """Complete rows already in the (locked) output ``handle``; they must be the first rows of the
    input, or the output belongs to another file. A torn last row (a killed run, even in the
    middle of a cell with several lines) is dropped and the file rewritten up to it."""
    handle.seek(0)
    data = handle.read()
    if not data:
        return -1
    table, cut = _table(data)
    torn = cut or not data.endswith(b"\n")
    if table and table[0] != header and torn and len(table) == 1 and header[0].startswith(table[0][0]):
        table = []  # the header itself was torn
    elif not table or table[0] != header:
        raise BatchError(f"{handle.name}: exists with other columns; remove it or choose another -o")
    done = table[1:]
    good = 0
    for i, r in enumerate(done):
        if i >= len(rows) or len(r) != len(header) or r[:len(fields)] != _input_cells(rows[i], fields):
            break
        good += 1
    torn = torn or (bool(done) and len(done[-1]) != len(header))
    if good < len(done) and not (torn and good == len(done) - 1):
        raise BatchError(f"{handle.name}: holds results of another input; remove it or choose another -o")
    if torn or good < len(done):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        if table:
            writer.writerow(header)
            writer.writerows(done[:good])
        handle.seek(0)
        handle.truncate()
        handle.write(buffer.getvalue().encode("utf-8"))
        handle.flush()
    return good if table else -1


def grade_csv(submissions: str | Path, out: str | Path, bank: str | None = None, workers: int = 2,
              limits: Limits = DEFAULT, gradescope: str | Path | None = None,
              progress: Callable[[int, int], None] | None = None,
              mistake_name: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """Grade every row of ``submissions`` into ``out``; returns counts per verdict (Gradescope's
    feedback names a mistake by ``mistake_name(question, code)`` when given, else by its code)."""
    from .bank import load

    submissions, out = Path(submissions), Path(out)
    fields, rows = read_submissions(submissions)
    questions = load(bank)
    header = fields + list(ADDED) + (["first_wrong"] if _has_derivations(rows, questions) else [])
    try:
        handle = open(out, "a+b")  # noqa: SIM115 - held (and locked) for the whole run
    except OSError as err:
        raise BatchError(f"{out}: cannot write ({err.strerror or err})") from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError(f"{out}: another `grade` run is writing it; wait for it or choose another -o") from None
        done = _existing(handle, header, fields, rows)
        counts = _grade_rows(handle, header, fields, rows, done, questions, bank, workers, limits, progress,
                             gradescope is not None)
    if gradescope:
        write_gradescope(out, Path(gradescope), mistake_name)
    return counts


def _has_derivations(rows: list[dict[str, str]], questions: dict) -> bool:
    """Whether an answer cell holds working to judge line by line (it then gets ``first_wrong``)."""
    from .lines import judges_working
    from .steps import is_derivation

    for row in rows:
        q, answer = questions.get((row.get("question") or "").strip()), row.get("answer")
        if q is not None and judges_working(q) and isinstance(answer, str) and len(answer) <= MAX_FIELD \
                and is_derivation(answer, q.unknown is not None):
            return True
    return False


def _grade_rows(handle: Any, header: list[str], fields: list[str], rows: list[dict[str, str]], done: int,
                questions: dict, bank: str | None, workers: int, limits: Limits,
                progress: Callable[[int, int], None] | None, gradescope: bool) -> dict[str, Any]:
    start = max(done, 0)
    order = InOrder(start)
    invalid: list[tuple[int, dict]] = []
    keys: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows[start:], start):
        qid, answer = (row.get("question") or "").strip(), row.get("answer")
        if _oversized(row):
            invalid.append((i, _invalid(f"a cell of this row is over {MAX_FIELD // 1024} KiB or the row has "
                                        "more cells than columns")))
        elif answer is None or not row.get("student_id"):
            invalid.append((i, _invalid("malformed row: student_id, question and answer are all needed")))
        elif gradescope and folder_name(row["student_id"]) is None:
            invalid.append((i, _invalid(f"student id of {len(row['student_id'])} characters is too long for a "
                                        "Gradescope folder")))
        elif qid not in questions:
            invalid.append((i, _invalid(f"unknown question {qid!r}")))
        else:
            keys.setdefault((qid, answer), []).append(i)  # graded as written; only identical cells share
    from .evidence import preload
    from .grader import warm

    preload({questions[q].simulation for q, _ in keys if questions[q].simulation and not questions[q].vector})
    for qid in {q for q, _ in keys}:
        warm(questions[qid])
    handle.seek(0, os.SEEK_END)
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    if done < 0:
        writer.writerow(header)

    def write(released: list[tuple[int, dict]]) -> None:
        # Each row reaches the OS as soon as it is written (a killed process loses nothing);
        # one fsync per group of rows guards against a crash of the machine as well.
        for i, r in released:
            writer.writerow(_input_cells(rows[i], fields) + [_cell(r, c) for c in header[len(fields):]])
            text.flush()
            if progress:
                progress(i + 1, len(rows))
        if released:
            os.fsync(handle.fileno())

    for i, record in invalid:
        write(order.put(i, record))
    tasks = list(keys)
    with Sandbox(workers, limits) as box:
        for index, status, value in box.run(check_task, [(bank, q, a, True, limits) for q, a in tasks]):
            record = outcome(*tasks[index], status, value)
            for i in keys[tasks[index]]:
                write(order.put(i, record))
    text.flush()
    text.detach()
    handle.seek(0)
    verdicts = [r.get("verdict") for r in csv.DictReader(io.StringIO(handle.read().decode("utf-8"), newline=""))]
    return {"rows": len(verdicts), **{v: verdicts.count(v) for v in ("correct", "incorrect", "invalid", "undecided")}}


def _cell(record: dict, column: str) -> str:
    if column == "score":
        return "0" if record.get("score") is None else f"{record['score']:g}"
    if column == "diagnoses":
        return ";".join(record.get("diagnoses", []))
    if column == "first_wrong":
        return "" if record.get("first_wrong") is None else str(record["first_wrong"])
    if column == "review":
        return "yes" if record.get("review") or record.get("verdict") == "undecided" else ""
    if column == "feedback":
        return neutralise(_one_line(carets_in_words(record.get(column, ""))))
    return neutralise(_one_line(record.get(column, "")))


def carets_in_words(feedback: str) -> str:
    """Feedback with its caret marker (a line of the answer, a line with ``^`` under a character)
    said in words, for a one-line cell: "(at character 7)"."""
    lines = str(feedback).split("\n")
    if len(lines) >= 3 and lines[-1].strip() == "^" and lines[-1].startswith("  "):
        position = len(lines[-1]) - 2
        excerpt = lines[-2][2:][max(0, position - 11):position + 10]
        return "\n".join(lines[:-2]) + f" (at character {position}: {excerpt!r})"
    return str(feedback)


def _invalid(message: str) -> dict:
    return {"verdict": "invalid", "score": 0.0, "diagnoses": [], "feedback": message}


def write_gradescope(results_csv: Path, directory: Path,
                     mistake_name: Callable[[str, str], str] | None = None) -> None:
    """DIR/<folder>/results.json in Gradescope's autograder format, one test per question.

    The folder is :func:`folder_name` of the student id (one to one, confined to DIR); a folder or
    file that is a symbolic link is never followed (that student is skipped). Each test's score is
    the record's score, as ``check`` gives it; an answer flagged for review says so; a mistake is
    named by ``mistake_name(question, code)`` (the sheet's words for students) when given.
    """
    with open(results_csv, newline="", encoding="utf-8") as f:
        rows = [{k: _restore(v) if isinstance(v, str) else v for k, v in r.items()} for r in csv.DictReader(f)]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BatchError(f"{directory}: cannot create ({err.strerror or err})") from None
    students: dict[str, list[dict]] = {}
    for r in rows:
        students.setdefault(r["student_id"], []).append(r)
    for student, answers in students.items():
        folder = folder_name(student)
        if folder is None:
            continue
        tests = []
        for r in answers:
            score = float(r["score"] or 0)
            review = r.get("review") == "yes"
            tests.append({"name": r["question"], "score": score, "max_score": 1.0,
                          "status": "passed" if score == 1.0 else "failed",
                          "output": (f"{r['verdict'].upper()}, flagged for manual review. " if review else "")
                          + f"Your answer: {r['answer']}\n{r['verdict']}: {r['feedback']}"
                          + _named_mistakes(r["question"], r["diagnoses"], mistake_name)
                          + (f"\nFirst wrong line of the working: {r['first_wrong']}" if r.get("first_wrong") else "")})
        doc = {"score": sum(t["score"] for t in tests), "max_score": float(len(tests)), "tests": tests,
               "output": f"{sum(r['verdict'] == 'correct' for r in answers)} of {len(answers)} answers correct."}
        _write_confined(directory, folder, json.dumps(doc, indent=2))


def _named_mistakes(question: str, codes: str, mistake_name: Callable[[str, str], str] | None) -> str:
    """The feedback's line naming the record's mistakes (``codes`` as the CSV holds them)."""
    listed = [c for c in str(codes or "").replace(",", ";").split(";") if c.strip()]
    if not listed:
        return ""
    if mistake_name is None:
        return f"\nDiagnosis: {codes}"
    return "\nMistake: " + "; ".join(mistake_name(question, c.strip()) for c in listed)


def _write_confined(directory: Path, folder: str, text: str) -> bool:
    """Write DIR/folder/results.json without following a symbolic link; False when refused."""
    target = directory / folder
    try:
        if target.is_symlink():
            return False
        target.mkdir(exist_ok=True)
        fd = os.open(target / "results.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644,
                     dir_fd=None)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.ENOTDIR):
            return False
        raise BatchError(f"{target}: cannot write ({err.strerror or err})") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return True


def equiv_batch(lines: Iterable[str], workers: int = 2, limits: Limits = DEFAULT, out: IO[str] = sys.stdout) -> int:
    """One JSON line out per line in, same order, each with its id; returns the number of lines."""
    parsed: list[tuple[Any, tuple | dict]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        ident, item = _equiv_line(n, line, limits)
        parsed.append((ident, item))
    order = InOrder()

    def write(released: list[tuple[int, dict]]) -> None:
        for i, record in released:
            out.write(json.dumps(jsonable({"id": parsed[i][0], **record}), allow_nan=False) + "\n")
        out.flush()

    todo = []
    for i, (_, item) in enumerate(parsed):
        if isinstance(item, dict):
            write(order.put(i, item))
        else:
            todo.append(i)
    with Sandbox(workers, limits) as box:
        tasks: list[tuple] = [item for i in todo if isinstance(item := parsed[i][1], tuple)]
        for index, status, value in box.run(equiv_task, tasks):
            write(order.put(todo[index], value if status == "ok" else {
                "equivalent": None, "status": "undecided", "message": str(value)}))
    return len(parsed)


def _equiv_line(n: int, line: str, limits: Limits) -> tuple[Any, tuple | dict]:
    """(id, task arguments) of one ``equiv --batch`` line, or (id, its invalid record): any line
    at all (bad JSON, nested 100,000 deep, wrong types) gives one of the two."""
    item: Any = None
    try:
        if len(line) > MAX_FIELD:
            raise ValueError(f"the line is over {MAX_FIELD // 1024} KiB")
        item = json.loads(line)
        if not isinstance(item, dict):
            raise ValueError("not a JSON object")
        assume = item.get("assume") or {}
        if not isinstance(assume, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                   for k, v in assume.items()):
            raise ValueError("assume must map names to kinds")
        if not isinstance(item.get("student"), str) or not isinstance(item.get("teacher"), str):
            raise ValueError("student and teacher must be strings")
        return _plain_id(item.get("id")), (item["student"], item["teacher"], assume, limits)
    except (ValueError, TypeError, RecursionError, MemoryError) as err:
        ident = _plain_id(item.get("id")) if isinstance(item, dict) else None
        reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)[:200]
        return ident, {"equivalent": None, "status": "invalid", "message": f"line {n}: {reason}"}


def _plain_id(ident: Any) -> Any:
    """An id as given when it is a string, number or null; anything else as short text."""
    if ident is None or isinstance(ident, (str, int, float, bool)):
        return ident
    return jsonable(ident) if len(json.dumps(jsonable(ident))) <= 10000 else "(an id too large to repeat)"
