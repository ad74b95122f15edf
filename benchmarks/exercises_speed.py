"""Speed of Problem 1's exercises against their reference implementations, in this one run.

1. fit2d, run by run: each of the exercise's runs trained by the exercise's trainer (``fit2d.fit``:
   hand-written backward into preallocated buffers, one flat tensor for Adam) against the
   autograd reference (``fit2d.train``). CPU seconds beside wall, their ratio, and the
   multiply-add rate achieved against the machine's own rate for the same matrix products alone
   (measured here, same shapes, same thread count): the physical limit of a step. Then pairs of
   networks of one shape stacked in one ``bmm`` against one after the other.
2. init: the scale search of all four activations, every scale in one batch of products
   (``init_study.profiles``) against one autograd profile per scale (``profile_autograd``).
3. ``--stage``: the whole exercises stage (``exercises.run``, worker processes included) with the
   reference implementations patched in (before) and as it is (after), in fresh processes.

fit2d runs ``--fraction`` of each run's steps (default 0.1; 1 for the exercise's own runs).
Times are CPU seconds of this process (getrusage) unless marked wall; the machine may be shared.

Run: python benchmarks/exercises_speed.py [--fraction F] [--stage]
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from derivcheck.simulations.device import generator, substream
from derivcheck.simulations.exercises import fit2d
from derivcheck.simulations.exercises import init_study as init


def cpu_seconds(children: bool = False) -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, CPU seconds, wall seconds) of ``fn()``."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    result = fn()
    return result, cpu_seconds() - cpu, time.perf_counter() - wall


def reference_fit(specs: tuple[fit2d.Fit, ...], seed: int, device: str, show: bool = False) -> list[dict[str, Any]]:
    """``fit2d.fit`` as it was: each network alone, trained with autograd (:func:`fit2d.train`)."""
    out = []
    for spec in specs:
        start = time.perf_counter()
        dev = torch.device(device)
        x = fit2d.grid(device=dev)
        y = fit2d.targets(spec.target, x)
        c = spec.config
        params = fit2d.init_mlp(c, generator(substream(seed, "fit2d", c.depth, c.width), dev), dev)
        losses = fit2d.train(params, x, y, spec.steps, spec.lr, show=False, batch=spec.batch, cosine=spec.cosine,
                             gen=generator(substream(seed, "fit2d-batches", spec.target), dev))
        out.append({**spec.describe(), "final_mse": fit2d.final_mse(params, x, y), "losses": losses,
                    "params": [(w.detach().numpy(), b.detach().numpy()) for w, b in params],
                    "seconds": time.perf_counter() - start})
    return out


def reference_profiles(activation: str, scales: Any, base: torch.Tensor, x: torch.Tensor, delta: torch.Tensor,
                       gradients: bool = True) -> dict[str, Any]:
    """``init_study.profiles`` as it was: one autograd profile per scale."""
    import numpy as np

    each = [init.profile_autograd(activation, float(s), base, x, delta) for s in scales]
    return {key: np.stack([p[key] for p in each]) for key in init.KEYS[:4 if gradients else 2]}


def matmul_floor(config: fit2d.Config, rows: int, nets: int, reps: int = 5) -> float:
    """CPU seconds of one training step's matrix products alone (forward, weight gradients, deltas)
    for ``nets`` networks of ``config`` on ``rows`` rows, in the trainer's layout."""
    dims = config.dims
    h = [torch.randn(nets, rows, k) for k in dims]
    w = [torch.randn(nets, a, b) for a, b in itertools.pairwise(dims)]
    b = [torch.randn(nets, 1, k) for k in dims[1:]]
    grads = [torch.empty_like(t) for t in w]
    deltas = [torch.empty(nets, rows, k) for k in dims[:-1]]

    def step() -> None:
        for layer in range(len(w)):
            torch.baddbmm(b[layer], h[layer], w[layer], out=h[layer + 1])
        for layer in range(len(w) - 1, -1, -1):
            torch.bmm(h[layer].transpose(1, 2), h[layer + 1], out=grads[layer])
            if layer:
                torch.bmm(h[layer + 1], w[layer].transpose(1, 2), out=deltas[layer])

    step()
    _, cpu, _ = timed(lambda: [step() for _ in range(reps)])
    return cpu / reps


def bench_fit2d(fraction: float) -> None:
    specs = {name: dataclasses.replace(spec, steps=max(1, round(spec.steps * fraction)))
             for name, spec in exercise_specs().items()}
    warm = fit2d.Fit(fit2d.Config(2, 8), steps=3)
    reference_fit((warm,), 0, "cpu"), fit2d.fit((warm,), 0, "cpu")
    print(f"1. fit2d, {fraction:g} of each run's steps; CPU s (wall s); multiply-adds per CPU second, achieved and of "
          "the step's matrix products alone")
    print(f"{'run':<22} {'reference':>17} {'exercise':>17} {'ratio':>6} {'GMAC/s':>7} {'matmul':>7} {'of it':>6}")
    totals = [0.0, 0.0, 0.0, 0.0]
    for name in sorted(specs, key=lambda k: -specs[k].multiply_adds):
        spec = specs[name]
        _, cpu_ref, wall_ref = timed(lambda spec=spec: reference_fit((spec,), 0, "cpu"))
        _, cpu_new, wall_new = timed(lambda spec=spec: fit2d.fit((spec,), 0, "cpu"))
        rows = spec.batch or fit2d.GRID ** 2
        floor_rate = spec.config.multiply_adds(rows) / matmul_floor(spec.config, rows, 1) / 1e9
        rate = spec.multiply_adds / cpu_new / 1e9
        totals = [t + v for t, v in zip(totals, (cpu_ref, wall_ref, cpu_new, wall_new), strict=True)]
        print(f"{name:<22} {cpu_ref:7.2f} ({wall_ref:6.2f}) {cpu_new:7.2f} ({wall_new:6.2f}) {cpu_ref / cpu_new:5.2f}x"
              f" {rate:7.1f} {floor_rate:7.1f} {rate / floor_rate:5.0%}")
    print(f"{'all runs':<22} {totals[0]:7.2f} ({totals[1]:6.2f}) {totals[2]:7.2f} ({totals[3]:6.2f})"
          f" {totals[0] / totals[2]:5.2f}x   (x {1 / fraction:g} for the exercise's own steps)")
    print("   stacking two networks of one shape (rings and logo targets) in one bmm, against one after the other:")
    for depth, width in ((2, 64), (4, 8), (4, 32), (6, 64)):
        pair = tuple(dataclasses.replace(specs[f"sweep {fit2d.DEFAULT_DEPTH} {fit2d.DEFAULT_WIDTH}"],
                                         config=fit2d.Config(depth, width), target=t) for t in ("rings", "logo"))
        _, cpu_apart, _ = timed(lambda pair=pair: [fit2d.fit((p,), 0, "cpu") for p in pair])
        _, cpu_together, _ = timed(lambda pair=pair: fit2d.fit(pair, 0, "cpu"))
        print(f"   {depth}x{width}: apart {cpu_apart:.2f} CPU s, stacked {cpu_together:.2f} "
              f"({cpu_apart / cpu_together:.2f}x)")


def exercise_specs() -> dict[str, fit2d.Fit]:
    """The exercise's runs by name, as :func:`fit2d.run` makes them."""
    specs = {f"sweep {d} {w}": fit2d.Fit(fit2d.Config(d, w)) for d in fit2d.SWEEP_DEPTHS for w in fit2d.SWEEP_WIDTHS}
    large = fit2d.LOGO_LARGE
    specs |= {"logo small": fit2d.Fit(fit2d.Config(), "logo"),
              "logo small_long": fit2d.Fit(fit2d.Config(), "logo", large.steps, large.batch, large.lr, large.cosine),
              "logo large": large}
    return specs


def bench_init() -> None:
    base, x, delta = init.draws(0)

    def search_all() -> list[tuple[float, float, bool]]:
        return [init.search(a, base, x, delta) for a in init.ACTIVATIONS]

    new, cpu_new, wall_new = timed(search_all)
    batched = init.profiles
    init.profiles = reference_profiles  # type: ignore[assignment]
    try:
        ref, cpu_ref, wall_ref = timed(search_all)
    finally:
        init.profiles = batched  # type: ignore[assignment]
    same = all(abs(a[0] - b[0]) < 1e-12 and abs(a[1] - b[1]) < 1e-9 for a, b in zip(new, ref, strict=True))
    print(f"\n2. init, scale search of {len(init.ACTIVATIONS)} activations: reference {cpu_ref:.2f} CPU s "
          f"({wall_ref:.2f} wall), batched {cpu_new:.2f} ({wall_new:.2f}): {cpu_ref / cpu_new:.2f}x; "
          f"same scales: {same}")


#: Patches the reference implementations in (this process and the spawned workers, via sitecustomize).
PATCH = """
import sys
sys.path.insert(0, {bench!r})
import exercises_speed as bench
from derivcheck.simulations.exercises import fit2d, init_study
fit2d.fit = bench.reference_fit
init_study.profiles = bench.reference_profiles
"""


def bench_stage() -> None:
    print("\n3. the exercises stage (exercises.run, its worker processes included), fresh processes:")
    results = {}
    for label in ("reference", "exercise"):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ)
            if label == "reference":
                Path(tmp, "sitecustomize.py").write_text(PATCH.format(bench=str(Path(__file__).parent)))
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [tmp, env.get("PYTHONPATH")]))
            code = ("import json, sys; from derivcheck.simulations.exercises import run; "
                    f"s = run(out_dir={tmp!r}, show=False); "
                    "json.dump({k: v for k, v in s['fit2d'].items() if k in ('sweep', 'final_mse')} "
                    "| {'logo': {k: r['final_mse'] for k, r in s['fit2d']['logo']['runs'].items()}}, sys.stdout)")
            before, wall = cpu_seconds(children=True), time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            results[label] = (cpu_seconds(children=True) - before, time.perf_counter() - wall, json.loads(out.stdout))
            print(f"  {label:<9}: {results[label][0]:6.1f} CPU s ({results[label][1]:6.1f} wall)")
    (cpu_ref, wall_ref, ref), (cpu_new, wall_new, new) = results["reference"], results["exercise"]
    print(f"  ratio    : {cpu_ref / cpu_new:.2f}x CPU, {wall_ref / wall_new:.2f}x wall")
    print("  final errors, reference -> exercise:")
    for r, n in zip(ref["sweep"], new["sweep"], strict=True):
        print(f"    sweep {r['depth']} {r['width']:>2}: {r['final_mse']:.4g} -> {n['final_mse']:.4g}")
    for name in ref["logo"]:
        print(f"    logo {name:<10}: {ref['logo'][name]:.4g} -> {new['logo'][name]:.4g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=0.1, help="fraction of each fit2d run's steps")
    parser.add_argument("--stage", action="store_true", help="also time the whole exercises stage (minutes)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, CPU seconds by getrusage (wall in parentheses)")
    bench_fit2d(args.fraction)
    bench_init()
    if args.stage:
        bench_stage()


if __name__ == "__main__":
    main()
