"""Grading throughput: derivcheck against the naive memoising grader, in one run, CPU and wall.

Two workloads, each graded by both graders in the same process run:

(a) *distinct*: ``--distinct`` plain-text answers, every (question, answer) different (right and
    wrong forms, each with its own constant: ``(k d sigma^2/2)/k``, ``d sigma^2/(k+2)``), so
    memoisation cannot help either grader;
(b) *course*: ``--students`` students (default 300) answer the ten questions of the built-in bank;
    most answers repeat as a real course's do (a few common forms, drawn with Zipf weights), and
    a long tail of about 15% is the student's own spelling (a right or wrong form with its own
    constant), so every workload has both repeats and never-seen answers.

The naive grader reads with SymPy's ``parse_expr`` (standard transformations, implicit
multiplication, ``^`` as power), decides ``simplify(answer - reference) == 0``, memoises repeated
(question, answer) cells and bounds each answer at 5 CPU-s (``undecided`` past that), as any
grader must. derivcheck is measured twice: ``grading.batch.grade_csv`` (the CLI's path: worker
processes, memoised cells; its CPU time includes the workers') and ``grading.grader.check`` in
this process over the distinct cells (the decision cost alone). Each line prints CPU seconds
(``time.process_time`` plus reaped children), wall seconds, the ratio naive/derivcheck (goal >= 2
in both) and both graders' accuracy against the known truth of every answer.

Run: python benchmarks/grade_throughput.py [--students N] [--distinct N] [--seed S] [--workers N]
"""
from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import sympy as sp
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

Row = tuple[str, str, str, bool | None]

# (answer, is it right?) per question: what a class of students types (None: unreadable).
POOL: dict[str, list[tuple[str, bool | None]]] = {
    "p2.variance": [("d*sigma^2/2", True), ("sigma^2*d/2", True), ("0.5*d*sigma^2", True), ("d sigma^2 / 2", True),
                    ("d*sigma^2", False), ("d*sigma^2*(1/2 - 1/(2*pi))", False), ("d*sigma/2", False),
                    ("sigma^2/2", False), ("d*sigma^2/3", False), ("2*d*sigma^2", False), ("d*sigma^2/", None)],
    "p2.sigma": [("sqrt(2/d)", True), ("(2/d)^(1/2)", True), ("sqrt(2)/sqrt(d)", True), ("2/d", False),
                 ("1/sqrt(d)", False), ("sqrt(d)", False), ("sqrt(1/(2*d))", False)],
    "p3.stable_softmax": [("exp(x[i]-max(x))/sum(exp(x-max(x)))", True), ("exp(x[i])/sum(exp(x))", False),
                          ("exp(x[i]-max(x))/sum(exp(x))", False)],
    "p3.gradient": [("z - y", True), ("softmax(x) - onehot(y)", True), ("y - z", False), ("z + y", False)],
    "p3.unsmoothed_gap": [("oo", True), ("log(d)", False), ("0", False)],
    "p3.smoothing_gap": [("log(1 + d*(1-eps)/eps)", True), ("log((1 - eps + eps/d)*d/eps)", True),
                         ("log((d-1)*(1-eps)/eps)", False), ("log(d*(1-eps)/eps)", False), ("log(d/eps)", False)],
    "p4.forward_mults": [("n*L*K^2", True), ("L*K^2*n", True), ("2*n*L*K^2", False), ("L*K^2", False),
                         ("n*L*K", False)],
    "p4.training_mults": [("3*n*L*K^2", True), ("(3*L - 1)*n*K^2", True), ("6*n*L*K^2", False),
                          ("2*n*L*K^2", False), ("3*n*L*K", False)],
    "p4.inference_memory": [("L*K^2 + 2*n*K", True), ("K*(L*K + 2*n)", True), ("L*K^2 + n*L*K", False),
                            ("2*n*K", False), ("L*K^2 + n*K", False)],
    "p4.training_memory": [("L*K^2 + n*L*K", True), ("L*K^2 + n*(L+1)*K", True), ("2*L*K^2 + n*L*K", True),
                           ("L*K^2 + 2*n*K", False), ("n*L*K", False), ("L*K^2", False)],
}

#: (question, form with a constant k, is it right?): an answer of the student's own.
FORMS: list[tuple[str, str, bool]] = [
    ("p2.variance", "({k}*d*sigma^2/2)/{k}", True), ("p2.variance", "d*sigma^2/({k}+2)", False),
    ("p2.sigma", "sqrt({k}*2/d)/sqrt({k})", True), ("p2.sigma", "sqrt(2/d) + 1/{k}", False),
    ("p3.smoothing_gap", "log({k}*(1 + d*(1-eps)/eps)) - log({k})", True),
    ("p3.smoothing_gap", "log(1 + {k}*d*(1-eps)/eps)", False),
    ("p4.forward_mults", "n*L*K^2*{k}/{k}", True), ("p4.forward_mults", "{k}*n*L*K^2", False),
    ("p4.training_memory", "L*K^2 + n*L*K + 0*{k}", True), ("p4.training_memory", "L*K^2 + {k}*n*K", False),
    ("p2.variance", "d*sigma^2*(1/2 - 1/({k}*pi))", False), ("p2.sigma", "sqrt(2/d)*(1 + 1/{k})", False),
    ("p3.smoothing_gap", "log({k}*d) - log({k}) + log((1-eps)/eps + 1/d)", True),
    ("p4.training_mults", "{k}*n*L*K^2/{k} + 2*n*L*K^2", True), ("p4.training_mults", "(3*L - 1/{k})*n*K^2", False),
    ("p4.inference_memory", "K*({k}*L*K + 2*{k}*n)/{k}", True), ("p4.inference_memory", "L*K^2 + {k}*n*K", False),
]

#: The per-answer CPU budget of the naive grader (seconds).
NAIVE_BUDGET = 5.0


def distinct_answers(count: int, seed: int) -> list[Row]:
    """``count`` rows, every (question, answer) different: a form of ``FORMS`` with its own constant."""
    rows = []
    for n in range(count):
        question, form, right = FORMS[n % len(FORMS)]
        k = n // len(FORMS) + seed + 3
        rows.append((f"student{n:05d}", question, form.format(k=k), right))
    return rows


def course(students: int, seed: int, tail: float = 0.15) -> list[Row]:
    """A course: each student answers every question of ``POOL``; with probability ``tail`` an
    answer of the student's own (a form of ``FORMS`` with a constant nobody else uses), else a pool
    entry drawn with Zipf weights 1/rank (the first, right form most often)."""
    rng = random.Random(seed)
    own = {q: [(f, r) for fq, f, r in FORMS if fq == q] for q in POOL}
    rows: list[Row] = []
    for s in range(students):
        for question, pool in POOL.items():
            if own[question] and rng.random() < tail:
                form, right = rng.choice(own[question])
                rows.append((f"student{s:04d}", question, form.format(k=rng.randrange(10**3, 10**6)), right))
                continue
            answer, right = rng.choices(pool, weights=[1 / (rank + 1) for rank in range(len(pool))])[0]
            rows.append((f"student{s:04d}", question, answer, right))
    return rows


def truth(rows: Sequence[Row]) -> list[str]:
    return ["invalid" if r[3] is None else "correct" if r[3] else "incorrect" for r in rows]


def cpu() -> float:
    """CPU seconds of this process and of its reaped children (the batch's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measured(run: Callable[[], list[str]]) -> tuple[list[str], float, float]:
    """(verdicts, CPU seconds, wall seconds) of ``run()``."""
    c, w = cpu(), time.perf_counter()
    verdicts = run()
    return verdicts, cpu() - c, time.perf_counter() - w


def naive(rows: Sequence[Row], bank: dict) -> list[str]:
    """parse_expr + simplify(a - ref) == 0, each distinct cell once, each bounded at 5 CPU-s."""
    from derivcheck.grading.equivalence import OutOfTime, budget

    transformations = (*standard_transformations, implicit_multiplication_application, convert_xor)
    memo: dict[tuple[str, str], str] = {}
    for _, qid, answer, _ in rows:
        if (qid, answer) in memo:
            continue
        q = bank[qid]
        local = {**{str(s): s for s in q.vocab.symbols.values()}, "oo": sp.oo}
        try:
            with budget(NAIVE_BUDGET):
                expr = parse_expr(answer, local_dict=local, transformations=transformations)
                memo[qid, answer] = "correct" if sp.simplify(expr - q.reference) == 0 else "incorrect"
        except OutOfTime:
            memo[qid, answer] = "undecided"
        except Exception:  # noqa: BLE001 - the baseline's behaviour on anything odd
            memo[qid, answer] = "invalid"
    return [memo[r[1], r[2]] for r in rows]


def in_process(rows: Sequence[Row], bank: dict) -> list[str]:
    """derivcheck's ``check`` in this process, each distinct cell once (the decision cost)."""
    from derivcheck.grading.grader import check

    memo: dict[tuple[str, str], str] = {}
    for _, qid, answer, _ in rows:
        if (qid, answer) not in memo:
            memo[qid, answer] = check(bank[qid], answer)["verdict"]
    return [memo[r[1], r[2]] for r in rows]


def write_submissions(folder: Path, rows: Sequence[Row]) -> Path:
    """``folder/in.csv`` with the columns grade reads (student_id, question, answer) of ``rows``."""
    src = folder / "in.csv"
    with open(src, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "question", "answer"])
        w.writerows(r[:3] for r in rows)
    return src


def batch(rows: Sequence[Row], workers: int) -> list[str]:
    """``grading.batch.grade_csv`` (worker processes, memoised cells), the verdict column."""
    from derivcheck.grading.batch import grade_csv

    with tempfile.TemporaryDirectory() as tmp:
        src, out = write_submissions(Path(tmp), rows), Path(tmp) / "out.csv"
        grade_csv(src, out, workers=workers)
        with open(out, newline="") as f:
            return [r["verdict"] for r in csv.DictReader(f)]


def compare(name: str, rows: Sequence[Row], bank: dict, workers: int) -> None:
    """Both graders on ``rows``: CPU, wall and accuracy of each, and the ratios."""
    expected = truth(rows)
    cells = len({(r[1], r[2]) for r in rows})
    print(f"\n{name}: {len(rows)} answers, {cells} distinct (question, answer) cells")
    # the batch first: its workers are forked from this process and must not inherit decisions
    # the in-process run memoised
    results = {"naive (parse_expr + simplify, memo)": measured(lambda: naive(rows, bank)),
               f"derivcheck grade_csv ({workers} workers)": measured(lambda: batch(rows, workers)),
               "derivcheck check (in-process, memo)": measured(lambda: in_process(rows, bank))}
    base_cpu, base_wall = results["naive (parse_expr + simplify, memo)"][1:]
    for label, (verdicts, c, w) in results.items():
        right = sum(v == t for v, t in zip(verdicts, expected, strict=True))
        print(f"  {label:38s} CPU {c:7.2f} s ({1000 * c / cells:6.1f} ms/cell)  wall {w:7.2f} s  "
              f"speed-up CPU {base_cpu / c:5.2f}x wall {base_wall / w:5.2f}x  right {right}/{len(rows)}")
    ours, theirs = (results[f"derivcheck grade_csv ({workers} workers)"][0],
                    results["naive (parse_expr + simplify, memo)"][0])
    worse = sorted({(r[1], r[2], n, o) for r, n, o, t in zip(rows, theirs, ours, expected, strict=True) if n == t != o})
    print(f"  cells where the naive verdict is right and derivcheck's wrong: {len(worse)} (goal 0)")
    for w in worse[:8]:
        print("     ", w)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--distinct", type=int, default=360)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from derivcheck.grading.bank import load
    from derivcheck.grading.evidence import preload
    from derivcheck.grading.grader import warm

    bank = load()
    preload({q.simulation for q in bank.values() if q.simulation})  # warm caches, as in a second run
    for q in bank.values():
        warm(q)  # the reference tables, as grade_csv does before it forks its workers
    compare("(a) distinct answers", distinct_answers(args.distinct, args.seed), bank, args.workers)
    forget()
    compare("(b) course", course(args.students, args.seed), bank, args.workers)


def forget() -> None:
    """Drop the decisions memoised in this process (by workload (a)), keeping the reference
    tables, so workload (b) starts as a fresh run would."""
    from derivcheck.grading import equivalence, mistakes

    for memo in (getattr(equivalence, "_DECIDED", None), getattr(mistakes, "_constant", None)):
        if hasattr(memo, "clear"):
            memo.clear()
        elif hasattr(memo, "cache_clear"):
            memo.cache_clear()


if __name__ == "__main__":
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    main()
