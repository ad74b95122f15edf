"""Batch grading throughput: `derivcheck grade` against the naive grader, in the same run.

The class: ``--students`` students (default 120) answer the ten questions of the built-in bank,
each answer drawn from a pool of right forms, known mistakes, other wrong answers and typos
(as a class repeats itself), with the truth of every pool entry known. The naive baseline grades
each row with SymPy's ``parse_expr`` (standard transformations, implicit multiplication, ^ as
power) and ``simplify(answer - reference) == 0``; ours is ``grading.batch.grade_csv`` (memoised,
2 worker processes), with its caches warm. Printed: rows/s of each, the speed-up (goal >= 10x),
accuracy of each against the truth, and the rows where the naive verdict is right and ours is wrong
(goal: none).

Run: python benchmarks/grade_throughput.py [--students N] [--seed S]
"""
from __future__ import annotations

import argparse
import csv
import random
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


def ours(rows, workers: int) -> tuple[list[str], float]:
    from derivcheck.grading.batch import grade_csv

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with open(src, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["student_id", "question", "answer"])
            w.writerows(r[:3] for r in rows)
        start = time.perf_counter()
        grade_csv(src, out, workers=workers)
        seconds = time.perf_counter() - start
        with open(out, newline="") as f:
            return [r["verdict"] for r in csv.DictReader(f)], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
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


if __name__ == "__main__":
    main()
