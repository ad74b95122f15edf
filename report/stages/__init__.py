"""The report's stages: what a build computes before it renders, each kept in the store.

A stage is a function of the build (:class:`Build`) that computes something through
:meth:`Build.stored` (stored under a key of its inputs, the sheet included) and puts what the
templates need into :attr:`Build.context` (and figures into :attr:`Build.figures`). Every sheet
gets the common stages (:mod:`.common`: its claims derived and verified, its questions' mistakes,
its worked examples); a sheet declares its own in ``sheet.toml``, ``[report] stages =
["<module>.<stage>", ...]``, naming stages registered (:func:`register`) by a module of this
package. A sheet of formula questions declares none.
"""
from __future__ import annotations

import hashlib
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derivcheck import store
from derivcheck.sheets import Sheet, builtin


class StageError(ValueError):
    """A stage a sheet names that no module of this package registers."""


@dataclass
class Build:
    """One build of a sheet's report: its settings, the stages' timings and cache keys, and the
    template context the stages fill."""

    sheet: Sheet
    seed: int
    device: str
    figures: Path
    fresh: bool = False
    quick: bool = False
    progress: bool = True
    log: Callable[[str], None] = print
    context: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    hits: dict[str, bool] = field(default_factory=dict)

    @property
    def sheet_key(self) -> str:
        """The sheet as stage keys name it: a built-in sheet's id (its data is in the sources the
        stages hash), another sheet's folder."""
        return self.sheet.id if self.sheet.id in builtin() else f"{self.sheet.id}@{self.sheet.folder}"

    def key(self, stage: str, sources: tuple[str, ...], *parts: Any) -> str:
        """The store key of a stage's result: its name, the sheet, a hash of the sources of the
        packages it runs (a template edit reruns no simulation) and its other inputs ``parts``."""
        text = repr((stage, self.sheet_key, store.source_hash(*sources), *parts))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def stored(self, name: str, key: str, compute: Callable[[], Any], fresh: bool | None = None,
               estimate: str = "") -> Any:
        """The stage's stored result, computed first when missing (or ``fresh``). A stage that
        computes announces itself with ``estimate`` (how long it takes cold)."""
        record = f"report-{name}-{key}"
        value = None if (self.fresh if fresh is None else fresh) else store.read(record)
        hit = value is not None
        self.log(f"  {name:<12} {'cached' if hit else 'running'}{'' if hit or not estimate else f' ({estimate})'} ...")
        start = time.perf_counter()
        if not hit:
            value = store.jsonable(compute())
            store.write(record, value)
        self.timed(name, time.perf_counter() - start, key=key, hit=hit)
        return value

    def timed(self, name: str, seconds: float, key: str | None = None, hit: bool | None = None) -> None:
        """Record (and log) a stage's time, and its key and whether it was stored."""
        self.seconds[name] = seconds
        if key is not None and hit is not None:
            self.keys[name], self.hits[name] = key, hit
        self.log(f"  {name:<12} {seconds:7.2f} s{' (cached)' if hit else ''}")


#: A stage: computes into the build's context.
Stage = Callable[[Build], None]

_REGISTRY: dict[str, Stage] = {}


def register(name: str) -> Callable[[Stage], Stage]:
    """Register a stage as ``<module>.<name>`` (the module's last name: ``sheet8.exercises``)."""
    def add(stage: Stage) -> Stage:
        _REGISTRY[f"{stage.__module__.rsplit('.', 1)[-1]}.{name}"] = stage
        return stage
    return add


def lookup(name: str) -> Stage:
    """The stage registered as ``name`` (``<module>.<stage>``), importing that module of this
    package; :class:`StageError` for a name no module registers."""
    module, _, _ = name.partition(".")
    if name not in _REGISTRY and module.isidentifier():
        try:
            importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{module}":
                raise
    if name not in _REGISTRY:
        raise StageError(f"unknown report stage {name!r} (registered: {', '.join(sorted(_REGISTRY)) or 'none'})")
    return _REGISTRY[name]


def declared(sheet: Sheet) -> tuple[str, ...]:
    """The stages ``sheet`` declares (``[report] stages``), in order."""
    report = sheet.data.get("report", {})
    names = report.get("stages", []) if isinstance(report, dict) else []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise StageError(f"{sheet.source}: [report] stages must be a list of stage names")
    return tuple(names)
