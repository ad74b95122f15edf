"""Throughput and sample efficiency of the relu_variance check, against baselines in this process.

1. Draw rate: standard-normal draws per second consumed by the check's sampler (``sample_layer``:
   d weights and d inputs per layer, y formed, W, T, Q summed) against ``torch.randn``'s own rate.
   Target >= 0.5x.
2. Draws needed: random numbers the check needs to reach a given alpha and power against a 1%
   error, against the naive estimator mean(y^2) with y = w^T ReLU(z) drawn in full (2 d numbers per
   sample). The check's estimate (W / (N d)) (T / N) has relative variance (v_w + v_r) / (N d) for
   its 2 N d draws, v_w = Var(w^2)/E[w^2]^2 = 2 and v_r = Var(ReLU(z)^2)/E[ReLU(z)^2]^2 = 5; naive
   (2 + 15/d) per sample of 2 d draws. The relative variances are measured here by simulation and
   compared with theory; ratio (2 d + 15) / 7. Target >= 50x over the check's configurations.

Run: python benchmarks/verify_throughput.py [--draws N] [--repeats R]
"""
from __future__ import annotations

import argparse
import time

import torch
from scipy.stats import norm

from derivcheck.simulations.relu_layer import CHUNK, sample_layer
from derivcheck.simulations.relu_variance import CONFIGS


def rate(fn, draws: int, repeats: int) -> float:
    """Best-of-``repeats`` draws per second of ``fn(draws)``."""
    fn(draws)  # warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn(draws)
        best = min(best, time.perf_counter() - start)
    return draws / best


def randn_only(draws: int, gen: torch.Generator) -> None:
    for start in range(0, draws, CHUNK):
        torch.randn(min(CHUNK, draws - start), generator=gen)


def naive_relative_variance(dim: int, samples: int, gen: torch.Generator) -> float:
    """Var(y^2) / E[y^2]^2 for y = w^T ReLU(z), sigma = 1, estimated by simulation."""
    values = []
    for _ in range(max(1, samples // 4096)):
        z = torch.randn(4096, dim, generator=gen, dtype=torch.float64)
        w = torch.randn(4096, dim, generator=gen, dtype=torch.float64)
        values.append(((w * z.clamp_min(0)).sum(-1)) ** 2)
    y2 = torch.cat(values)
    return float(y2.var() / y2.mean() ** 2)


def ours_relative_variance(draws: int, gen: torch.Generator) -> tuple[float, float]:
    """(Var(w^2) / E[w^2]^2, Var(ReLU(z)^2) / E[ReLU(z)^2]^2) per standard-normal draw, by simulation."""
    w2 = torch.randn(draws, generator=gen, dtype=torch.float64) ** 2
    r2 = torch.randn(draws, generator=gen, dtype=torch.float64).clamp_min(0) ** 2
    return float(w2.var() / w2.mean() ** 2), float(r2.var() / r2.mean() ** 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=1 << 24)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--alpha", type=float, default=1e-6)
    parser.add_argument("--power", type=float, default=0.999)
    parser.add_argument("--error", type=float, default=0.01, help="relative error to detect")
    args = parser.parse_args()
    gen = torch.Generator().manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.draws:,} draws per run")

    base = rate(lambda n: randn_only(n, gen), args.draws, args.repeats)
    print(f"\n1. draw rate: torch.randn {base / 1e6:.1f} M/s")
    for dim, _ in CONFIGS:
        check = rate(lambda n, dim=dim: sample_layer(n // (2 * dim), dim, 0.5, gen, torch.device("cpu")),
                     args.draws, args.repeats)
        print(f"   d = {dim:5d}: sampled layer {check / 1e6:.1f} M/s -> ratio {check / base:.2f}x (target >= 0.5x)")

    z_total = norm.isf(args.alpha / 2) + norm.isf(1 - args.power)
    per_unit = (z_total / args.error) ** 2  # samples needed per unit of relative variance
    rv_w, rv_r = ours_relative_variance(1 << 22, gen)
    ours_rv = 2 * (rv_w + rv_r)  # N d weights and N d inputs per N d terms of each factor
    print(f"\n2. draws to detect a {args.error:.0%} error at alpha {args.alpha:g}, power {args.power}:")
    print(f"   ours: relative variances per term {rv_w:.3f} (w^2, theory 2) + {rv_r:.3f} (ReLU(z)^2, theory 5),"
          f" 2 draws per term -> {ours_rv * per_unit:,.0f} draws")
    total_naive = total_ours = 0.0
    for dim, _ in CONFIGS:
        naive_rv = naive_relative_variance(dim, max(1 << 14, (1 << 26) // dim), gen)
        naive = naive_rv * per_unit * 2 * dim
        ours = ours_rv * per_unit
        total_naive, total_ours = total_naive + naive, total_ours + ours
        print(f"   d = {dim:5d}: naive relative variance per sample {naive_rv:.3f} (theory {2 + 15 / dim:.3f})"
              f" x {2 * dim} draws -> {naive:,.0f} draws; ratio {naive / ours:,.1f}x"
              f" (theory {(2 * dim + 15) / 7:,.1f}x)")
    print(f"   over the check's configurations: {total_naive / total_ours:,.1f}x fewer draws (target >= 50x)")


if __name__ == "__main__":
    main()
