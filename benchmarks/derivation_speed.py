"""How long a derivation takes to judge line by line, against grading its final statement alone.

Two sets, each derivation judged in-process (as a sandboxed worker does), caches warm:
- rules: the 16 derivations of tests/data/dev_derivations.jsonl (5 to 8 lines each), decided by
  the rules (unrolled sums, moment rules, derivatives, exact and 30-digit comparison);
- sampling: derivations with an expectation the rules cannot reduce (E|y|), decided by the paired
  Monte Carlo test on 200,000 shared draws.
Printed: p50 and p95 seconds per derivation in each set (targets: p50 <= 1 s with rules, <= 10 s
with sampling, on 2 cores), the baseline (the final statement graded alone, same process) and the
ratio, and how many lines each decision method decided.

Run: python benchmarks/derivation_speed.py [--repeat N]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check

ROOT = Path(__file__).resolve().parents[1]
SAMPLING = [
    ("p2.variance", "Var[y]\n= E[|y|]\n= d sigma^2/2"),
    ("p2.variance", "E[|y|]\n= E[|y|] * 1\n= E[abs(sum_{i=1}^d w_i x_i)]"),
    ("p2.variance", "Var[y]\n= E[y^2]\n= E[y^2] + E[|y|] - E[|y|]\n= d sigma^2/2"),
]


def quantiles(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return statistics.median(xs), xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def timed(question: object, answer: str) -> tuple[float, dict]:
    start = time.perf_counter()
    record = check(question, answer, evidence=False)  # type: ignore[arg-type]
    return time.perf_counter() - start, record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each derivation (the median is kept)")
    args = parser.parse_args()
    bank = load(None)
    dev = [json.loads(line) for line in (ROOT / "tests" / "data" / "dev_derivations.jsonl").read_text().splitlines()
           if line.strip()]
    rules = [(d["q"], "\n".join(d["steps"])) for d in dev]
    methods: Counter[str] = Counter()
    for name, cases in (("rules", rules), ("sampling", SAMPLING)):
        times, base = [], []
        for q, answer in cases:
            runs = [timed(bank[q], answer) for _ in range(args.repeat)]
            times.append(statistics.median(t for t, _ in runs))
            final = answer.splitlines()[-1].lstrip("= ").split("#")[0]
            base.append(statistics.median(timed(bank[q], final)[0] for _ in range(args.repeat)))
            methods.update(s["status"] for s in runs[0][1].get("steps", []))
        p50, p95 = quantiles(times)
        b50, _ = quantiles(base)
        print(f"{name:9s} {len(cases):3d} derivations: p50 {p50:.3f} s, p95 {p95:.3f} s per derivation; "
              f"final statement alone p50 {b50:.3f} s; ratio {p50 / b50:.1f}x")
    print("lines decided by:", ", ".join(f"{k} {v}" for k, v in methods.most_common()))


if __name__ == "__main__":
    main()
