"""Problem 1's notebook exercises as one reproducible run: basics, fit2d, digits, init."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

EXERCISES = ("basics", "fit2d", "digits", "init")


def run(names: tuple[str, ...] = EXERCISES, out_dir: str | Path = "out/exercises", seed: int = 0,
        device: str = "auto", mnist: str | Path | None = None, show: bool = True, quick: bool = False) -> dict:
    """Run the named exercises, write figures and ``exercises.json`` under ``out_dir``.

    On a CPU with several cores the independent training runs go to single-threaded worker
    processes (:mod:`.pool`); each exercise's ``seconds`` is its own run time (they overlap).
    ``quick`` shortens training (for smoke tests); the numbers are then not the exercise's.
    """
    from ..device import one_cpu_thread as one_thread
    from ..device import resolve_device
    from . import basics, digits, fit2d, init_study
    from .pool import submit, workers

    unknown = [n for n in names if n not in EXERCISES]
    if unknown:
        raise KeyError(f"unknown exercise {unknown[0]!r}; choose from {', '.join(EXERCISES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dev = resolve_device(device)
    start = time.perf_counter()
    summary: dict = {}
    with one_thread(dev), workers(dev) as pool:
        pending = {}
        # digits goes to a worker first; init runs here (it reads the he_sigma derivation, which a
        # report has already made in this process), then fit2d hands its runs to the workers
        if "digits" in names:
            pending["digits"] = submit(pool, digits.run, out, seed=seed, device=dev.type, mnist=mnist,
                                       show=show and pool is None, epochs=1 if quick else None)
        if "basics" in names:
            summary["basics"] = basics.run(dev.type)
        if "init" in names:
            summary["init"] = init_study.run(out, seed=seed, device=dev.type, show=False)
            _log(show, "init", summary["init"]["seconds"])
        if "fit2d" in names:
            kw: dict[str, Any] = {}
            if quick:
                kw = {"steps": 50, "widths": (8,), "depths": (2, 4),
                      "logo_large": fit2d.Fit(fit2d.Config(3, 16), "logo", steps=50, batch=256, cosine=True)}
            summary["fit2d"] = fit2d.run(out, seed=seed, device=dev.type, show=show, pool=pool, **kw)
            _log(show, "fit2d", summary["fit2d"]["seconds"])
        for name, future in pending.items():
            summary[name] = future.result()
            _log(show, name, summary[name]["seconds"])
    summary = {name: summary[name] for name in EXERCISES if name in summary}
    _log(show, "all (wall clock)", time.perf_counter() - start)
    (out / "exercises.json").write_text(json.dumps(summary, indent=2))
    return summary


def _log(show: bool, name: str, seconds: float) -> None:
    if show:
        print(f"exercise {name}: {seconds:.1f} s", file=sys.stderr)
