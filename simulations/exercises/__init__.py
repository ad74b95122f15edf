"""Problem 1's notebook exercises as one reproducible run: fit2d, digits, init."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

EXERCISES = ("fit2d", "digits", "init")


def run(names: tuple[str, ...] = EXERCISES, out_dir: str | Path = "out/exercises", seed: int = 0,
        device: str = "auto", mnist: str | Path | None = None, show: bool = True, quick: bool = False) -> dict:
    """Run the named exercises, write figures and ``exercises.json`` under ``out_dir``.

    ``quick`` shortens training (for smoke tests); the numbers are then not the exercise's.
    """
    from . import digits, fit2d, init_study

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary: dict = {}
    for name in names:
        start = time.perf_counter()
        if name == "fit2d":
            kw: dict[str, Any] = {"steps": 50, "widths": (8,), "depths": (2, 4)} if quick else {}
            summary[name] = fit2d.run(out, seed=seed, device=device, show=show, **kw)
        elif name == "digits":
            summary[name] = digits.run(out, seed=seed, device=device, mnist=mnist, show=show,
                                       epochs=1 if quick else None)
        elif name == "init":
            summary[name] = init_study.run(out, seed=seed, device=device, show=show)
        else:
            raise KeyError(f"unknown exercise {name!r}; choose from {', '.join(EXERCISES)}")
        if show:
            print(f"exercise {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    (out / "exercises.json").write_text(json.dumps(summary, indent=2))
    return summary
