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
3. ``derivcheck verify`` (all ten claims, seed 0, alpha 1e-6, cold: an empty cache) in CPU and wall
   seconds, before and after issue 19's changes, both run here as subprocesses of this one run.
   "Before" is the same command with the earlier implementations put back in its process
   (``--baseline``, see ``BASELINE``): torch's default thread pool for every check, the chi-square
   mixture's table and the product law's quadrature rebuilt per law object, quantiles by brentq
   over +-40 sd, smoothing_gap's Newton steps by ``torch.autograd.functional`` with ``pinv`` after
   L-BFGS to a gradient of 1e-15, and unsmoothed_minimizer's runs one dimension at a time. Their
   results are the same (the records are compared); only the time differs. Target <= 10 CPU-s.

Run: python benchmarks/verify_throughput.py [--draws N] [--repeats R] [--only-verify]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext

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


# --- 3. verify before and after -------------------------------------------------------------

def _baseline_solve_tails(law, tail: float, relative_xtol: float) -> tuple[float, float]:
    """Before: brentq within 40 standard deviations of the mean."""
    import numpy as np
    from scipy.optimize import brentq

    sd = np.sqrt(law.variance)
    span = (max(1e-12, law.mean - 40 * sd), law.mean + 40 * sd)
    lo = brentq(lambda t: law.cdf(t) - tail, *span, xtol=relative_xtol * law.mean, rtol=1e-14)
    hi = brentq(lambda t: law.sf(t) - tail, *span, xtol=relative_xtol * law.mean, rtol=1e-14)
    return float(lo), float(hi)


def _baseline_pdf(self, u):
    """Before: the mixture density through scipy's logsumexp."""
    import numpy as np
    from scipy.special import gammaln, logsumexp

    k, w = self._mixture
    u = np.asarray(u, dtype=float)[:, None]
    half = k[None, :] / 2
    log_terms = (half - 1) * np.log(u) - u / 2 - half * np.log(2.0) - gammaln(half) + np.log(w)[None, :]
    return np.exp(logsumexp(log_terms, axis=1))


def _baseline_minimise(loss_of, start, newton_steps: int = 4):
    """Before: L-BFGS to a gradient of 1e-15, Newton steps by autograd.functional with pinv."""
    x = start.clone().requires_grad_()
    opt = torch.optim.LBFGS([x], lr=1, max_iter=1000, tolerance_grad=1e-15, tolerance_change=1e-18,
                            history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = loss_of(x)
        loss.backward()
        return loss

    opt.step(closure)
    x = x.detach()
    for _ in range(newton_steps):
        grad = torch.autograd.functional.jacobian(loss_of, x)
        hess = torch.autograd.functional.hessian(loss_of, x)
        x = x - torch.linalg.pinv(hess, hermitian=True) @ grad
    return x


def _baseline_descend(dims, dev):
    """Before: one gradient-descent run per dimension."""
    import torch.nn.functional as F

    from derivcheck.simulations.unsmoothed_minimizer import CHECKPOINTS, LEARNING_RATE

    traces = {}
    for dim in dims:
        x = torch.zeros(dim, dtype=torch.float64, device=dev)
        onehot = torch.zeros(dim, dtype=torch.float64, device=dev)
        onehot[0] = 1
        target = torch.zeros(1, dtype=torch.long, device=dev)
        trace = []
        for step in range(1, CHECKPOINTS[-1] + 1):
            grad = torch.softmax(x, 0) - onehot
            x -= LEARNING_RATE * grad
            if step in CHECKPOINTS:
                probe = x.clone().requires_grad_(True)
                loss = F.cross_entropy(probe[None], target)
                (autograd,) = torch.autograd.grad(loss, probe)
                trace.append({"step": step, "loss": float(loss.detach()), "gap": float(x[0] - x[1:].max()),
                              "grad_norm": float(autograd.norm()),
                              "grad_matches": bool(torch.allclose(autograd, torch.softmax(x, 0) - onehot,
                                                                  rtol=1e-12, atol=1e-300))})
        traces[dim] = trace
    return traces


def install_baseline() -> None:
    """Put the implementations from before issue 19 back into this process (see the docstring)."""
    from functools import cached_property

    from derivcheck.simulations import chi2_test, device, smoothing_gap, unsmoothed_minimizer

    device.one_cpu_thread = lambda dev: nullcontext()  # registry.verify imports it at call time
    chi2_test._solve_tails = _baseline_solve_tails
    for cls, name, build in (
            (chi2_test.RectifiedChiSquare, "_mixture",
             lambda self: chi2_test._binomial_mixture.__wrapped__(self.draws, self.width)),
            (chi2_test.ProductLaw, "_rule",
             lambda self: chi2_test._product_rule.__wrapped__(self.second, self.nodes, self.panels))):
        prop = cached_property(build)
        prop.__set_name__(cls, name)
        setattr(cls, name, prop)
    chi2_test.RectifiedChiSquare.pdf = _baseline_pdf
    smoothing_gap.minimise = _baseline_minimise
    unsmoothed_minimizer.descend = _baseline_descend


def timed_verify(baseline: bool) -> dict:
    """CPU and wall seconds of a cold ``derivcheck verify`` (all claims) in a subprocess, and its records."""
    with tempfile.TemporaryDirectory(prefix="derivcheck-bench-") as cache:
        env = {**os.environ, "DERIVCHECK_CACHE": cache}
        cmd = [sys.executable, __file__, "--run-verify"] + (["--baseline"] if baseline else [])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0, 1):
        raise RuntimeError(out.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu": cpu, "wall": wall, "records": json.loads(out.stdout)["claims"]}


def run_verify(baseline: bool) -> None:
    """The body of the subprocess: ``derivcheck verify --json`` as the command line runs it."""
    if baseline:
        install_baseline()
    from derivcheck.cli import main as cli

    raise SystemExit(cli(["verify", "--device", "cpu", "--json", "--quiet"]))


def same_results(a: list[dict], b: list[dict]) -> bool:
    """Verdicts, estimates, intervals, p-values and powers equal to 1e-8 relative (the quadrature
    and root-finding tolerances; float32 rounding aside, the draws are the same)."""
    def close(u, v) -> bool:
        if isinstance(u, (int, float)) and isinstance(v, (int, float)):
            return u == v or abs(u - v) <= 1e-8 * max(abs(u), abs(v))
        if isinstance(u, list) and isinstance(v, list):
            return len(u) == len(v) and all(close(x, y) for x, y in zip(u, v, strict=True))
        if isinstance(u, dict) and isinstance(v, dict):
            return u.keys() == v.keys() and all(close(u[k], v[k]) for k in u)
        return u == v

    keys = ("id", "passed", "estimate", "interval", "p_value", "alpha", "power")
    return all(close({k: x[k] for k in keys}, {k: y[k] for k in keys}) for x, y in zip(a, b, strict=True))


def verify_before_after() -> None:
    print("\n3. derivcheck verify, all claims, cold (empty cache), seed 0, alpha 1e-6, CPU:")
    before = timed_verify(baseline=True)
    after = timed_verify(baseline=False)
    for name, r in (("before", before), ("after", after)):
        print(f"   {name:6s}: {r['cpu']:6.1f} CPU-s, {r['wall']:6.1f} s wall")
    print(f"   ratio: {before['cpu'] / after['cpu']:.1f}x less CPU, {before['wall'] / after['wall']:.1f}x less wall;"
          f" {after['cpu']:.1f} CPU-s (target <= 10)")
    by_id = {r["id"]: r for r in before["records"]}
    print("   per claim (seconds inside the check, as the record states):")
    for r in after["records"]:
        print(f"     {r['id']:22s} {by_id[r['id']]['seconds']:7.2f} -> {r['seconds']:6.2f}")
    same = same_results(before["records"], after["records"])
    print(f"   same verdicts, estimates, intervals, p-values and powers: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=1 << 24)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--alpha", type=float, default=1e-6)
    parser.add_argument("--power", type=float, default=0.999)
    parser.add_argument("--error", type=float, default=0.01, help="relative error to detect")
    parser.add_argument("--only-verify", action="store_true", help="only part 3")
    parser.add_argument("--run-verify", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_verify:
        run_verify(args.baseline)
    if args.only_verify:
        verify_before_after()
        return
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
    verify_before_after()


if __name__ == "__main__":
    main()
