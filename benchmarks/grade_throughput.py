"""Batch grading throughput: `derivcheck grade` against the naive grader, in the same run.

The class: ``--students`` students (default 120) answer the ten questions of the built-in bank,
each answer drawn from a pool of right forms, known mistakes, other wrong answers and typos
(as a class repeats itself), with the truth of every pool entry known. The naive baseline grades
each row with SymPy's ``parse_expr`` (standard transformations, implicit multiplication, ^ as
power) and ``simplify(answer - reference) == 0``; ours is ``grading.batch.grade_csv`` (memoised,
2 worker processes), with its caches warm. Printed: rows/s of each, the speed-up (goal >= 10x),
accuracy of each against the truth, and the rows where the naive verdict is right and ours is wrong
(goal: none).

Also: distinct answers per second, every answer different (no memoisation benefit: ``--distinct``
answers, right and wrong forms with a different constant each), against the naive baseline on the
same answers; and the whole-process time of ``python -m derivcheck grade`` for a class of
``--class-size`` students (default 150; start-up, bank loading and worker start included).

Run: python benchmarks/grade_throughput.py [--students N] [--seed S] [--distinct N] [--class-size N]
"""
from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sympy as sp
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

# (answer, is it right?) per question: what a class of students types (None: unreadable).
POOL: dict[str, list[tuple[str, bool]]] = {
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


def make_class(students: int, seed: int) -> list[tuple[str, str, str, bool]]:
    rng = random.Random(seed)
    rows = []
    for s in range(students):
        for question, pool in POOL.items():
            answer, right = pool[0] if rng.random() < 0.35 else rng.choice(pool)
            rows.append((f"student{s:04d}", question, answer, right))
    return rows


def naive(rows, bank) -> tuple[list[str], float]:
    """parse_expr + simplify(a - ref) == 0, row by row."""
    transformations = (*standard_transformations, implicit_multiplication_application, convert_xor)
    verdicts = []
    start = time.perf_counter()
    for _, qid, answer, _ in rows:
        q = bank[qid]
        local = {**{str(s): s for s in q.vocab.symbols.values()}, "oo": sp.oo}
        try:
            expr = parse_expr(answer, local_dict=local, transformations=transformations)
            verdicts.append("correct" if sp.simplify(expr - q.reference) == 0 else "incorrect")
        except Exception:  # noqa: BLE001 - the baseline's behaviour on anything odd
            verdicts.append("invalid")
    return verdicts, time.perf_counter() - start


def write_submissions(folder: Path, rows) -> Path:
    """``folder/in.csv`` with the columns grade reads (student_id, question, answer) of ``rows``."""
    src = folder / "in.csv"
    with open(src, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "question", "answer"])
        w.writerows(r[:3] for r in rows)
    return src


def ours(rows, workers: int) -> tuple[list[str], float]:
    from derivcheck.grading.batch import grade_csv

    with tempfile.TemporaryDirectory() as tmp:
        src, out = write_submissions(Path(tmp), rows), Path(tmp) / "out.csv"
        start = time.perf_counter()
        grade_csv(src, out, workers=workers)
        seconds = time.perf_counter() - start
        with open(out, newline="") as f:
            return [r["verdict"] for r in csv.DictReader(f)], seconds


def distinct_answers(count: int, seed: int) -> list[tuple[str, str, str, bool]]:
    """``count`` rows, every (question, answer) different: a right or wrong form with its own
    constant (``(k d sigma^2/2)/k``, ``d sigma^2/(k+2)``)."""
    forms = [("p2.variance", "({k}*d*sigma^2/2)/{k}", True), ("p2.variance", "d*sigma^2/({k}+2)", False),
             ("p2.sigma", "sqrt({k}*2/d)/sqrt({k})", True), ("p2.sigma", "sqrt(2/d) + 1/{k}", False),
             ("p3.smoothing_gap", "log({k}*(1 + d*(1-eps)/eps)) - log({k})", True),
             ("p3.smoothing_gap", "log(1 + {k}*d*(1-eps)/eps)", False),
             ("p4.forward_mults", "n*L*K^2*{k}/{k}", True), ("p4.forward_mults", "{k}*n*L*K^2", False),
             ("p4.training_memory", "L*K^2 + n*L*K + 0*{k}", True), ("p4.training_memory", "L*K^2 + {k}*n*K", False)]
    rows = []
    for n in range(count):
        question, form, right = forms[n % len(forms)]
        k = n // len(forms) + seed + 3
        rows.append((f"student{n:05d}", question, form.format(k=k), right))
    return rows


def whole_process(rows: list[tuple[str, str, str, bool]], workers: int) -> float:
    """Seconds of ``python -m derivcheck grade`` on ``rows``, start-up included."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = write_submissions(Path(tmp), rows), Path(tmp) / "out.csv"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "derivcheck", "grade", str(src), "-o", str(out), "--quiet",
                        "--workers", str(workers)], check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--distinct", type=int, default=300, help="distinct answers for the answers/s figure")
    parser.add_argument("--class-size", type=int, default=150, help="students in the whole-process run")
    args = parser.parse_args()
    from derivcheck.grading.bank import load
    from derivcheck.grading.evidence import preload

    bank = load()
    preload({q.simulation for q in bank.values() if q.simulation})  # warm caches, as in a second run
    rows = make_class(args.students, args.seed)
    distinct = len({(r[1], r[2]) for r in rows})
    print(f"class: {len(rows)} answers, {distinct} distinct (question, answer) pairs")
    ours_v, ours_s = ours(rows, args.workers)
    naive_v, naive_s = naive(rows, bank)
    truth = ["invalid" if r[3] is None else "correct" if r[3] else "incorrect" for r in rows]
    right = lambda verdicts: sum(v == t for v, t in zip(verdicts, truth, strict=True))  # noqa: E731
    print(f"naive (parse_expr + simplify): {naive_s:7.2f} s, {len(rows) / naive_s:8.1f} rows/s, "
          f"{right(naive_v)}/{len(rows)} right")
    print(f"derivcheck grade            : {ours_s:7.2f} s, {len(rows) / ours_s:8.1f} rows/s, "
          f"{right(ours_v)}/{len(rows)} right")
    print(f"speed-up: {naive_s / ours_s:.1f}x (goal >= 10x)")
    worse = [(r[1], r[2], n, o) for r, n, o, t in zip(rows, naive_v, ours_v, truth, strict=True) if n == t and o != t]
    print(f"rows where the naive verdict is right and ours is wrong: {len(worse)} (goal 0)")
    for w in sorted(set(worse))[:10]:
        print("   ", w)
    wrong_naive = sorted({(r[1], r[2], n) for r, n, t in zip(rows, naive_v, truth, strict=True) if n != t})
    print(f"distinct answers the naive grader gets wrong: {len(wrong_naive)}")
    for w in wrong_naive[:8]:
        print("   ", w)

    unique = distinct_answers(args.distinct, args.seed)
    ours_u, ours_us = ours(unique, args.workers)
    naive_u, naive_us = naive(unique, bank)
    truth_u = ["correct" if r[3] else "incorrect" for r in unique]
    print(f"distinct answers ({len(unique)}, every one different): derivcheck {len(unique) / ours_us:6.1f}/s "
          f"({sum(v == t for v, t in zip(ours_u, truth_u, strict=True))} right), "
          f"naive {len(unique) / naive_us:6.1f}/s "
          f"({sum(v == t for v, t in zip(naive_u, truth_u, strict=False))} right)")

    klass = make_class(args.class_size, args.seed + 1)
    seconds = whole_process(klass, args.workers)
    _, naive_class = naive(klass, bank)
    print(f"class of {args.class_size} students ({len(klass)} rows), whole process: derivcheck grade {seconds:.2f} s "
          f"(start-up included), naive {naive_class:.2f} s (grading alone)")


if __name__ == "__main__":
    main()
