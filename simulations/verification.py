"""The claim protocol of the simulations: what a verifier returns and what a verification is.

A verifier is a function registered with ``@verifier`` under its claim id (its module's name). It
receives a :class:`Run` (seed, device, the false-alarm rate alpha it may spend) and returns an
:class:`Outcome`: pass or fail, the headline prediction and estimate, the p-value, the power
against each mistake the derivation produced, and typed :class:`Measurement` s, each a quantity
measured at a point of the claim's variables with its interval. ``simulations.verify`` wraps
every verifier once (device, seed, alpha, timing) and freezes the outcome into a
:class:`Verification`, the record that ``verify --json``, the report and the grader read.

This module imports neither torch nor scipy: a stored verification is read without them.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from derivcheck.store import jsonable, unnumber


@dataclass(frozen=True)
class Run:
    """How a verifier runs: ``seed`` of every random stream, ``device`` (a ``torch.device``), and
    ``alpha``, the probability of failing although the derivation is right."""

    seed: int = 0
    device: Any = None
    alpha: float = 1e-6


@dataclass(frozen=True)
class Measurement:
    r"""A quantity measured at a point ``at`` of the claim's variables, with its interval.

    ``prediction`` is the derived value there. By default an answer predicts the measured
    quantity itself: a formula f is refuted when f(at) lies outside ``interval``. When the answer
    is a parameter of the simulated model instead (a weight scale sigma, say), ``scales_as`` = p
    says the quantity scales as parameter^p and ``target`` is what the question demands of it:
    at the answer's parameter the measurement becomes estimate * (answer / reference)^p, and
    the answer is refuted when ``target`` lies outside the interval rescaled alike.
    """

    at: Mapping[str, float]
    quantity: str
    estimate: float
    interval: tuple[float, float]
    prediction: float
    scales_as: float | None = None
    target: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", MappingProxyType(dict(self.at)))
        if (self.scales_as is None) != (self.target is None):
            raise ValueError(f"{self.quantity}: scales_as and target go together")

    def confront(self, answer_value: float, reference_value: float) -> dict[str, Any]:
        """The measurement as evidence about an answer whose value at ``at`` is ``answer_value``:
        quantity, estimate, interval (at the answer's parameter when it is one), what the answer
        predicts there, and whether the interval excludes it (``refutes``)."""
        scale, predicted = 1.0, answer_value
        if self.scales_as is not None and self.target is not None:  # set together (__post_init__)
            scale, predicted = (answer_value / reference_value) ** self.scales_as, self.target
        lo, hi = (v * scale for v in self.interval)
        quantity = self.quantity if scale == 1.0 else f"{self.quantity} at your value"
        return {"quantity": quantity, "estimate": self.estimate * scale, "interval": [lo, hi],
                "predicted": predicted, "refutes": not lo <= predicted <= hi}

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"at": dict(self.at), "quantity": self.quantity, "estimate": self.estimate,
                         "interval": self.interval, "prediction": self.prediction,
                         "scales_as": self.scales_as, "target": self.target})

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Measurement:
        lo, hi = d["interval"]
        return cls(at=d["at"], quantity=d["quantity"], estimate=unnumber(d["estimate"]),
                   interval=(unnumber(lo), unnumber(hi)), prediction=unnumber(d["prediction"]),
                   scales_as=d.get("scales_as"), target=d.get("target"))


@dataclass
class Outcome:
    """What a verifier returns (the wrapper adds the run's seed, device and time).

    ``alpha`` is the probability that the check fails although the derivation is right (0 for
    exact checks); ``power[name]`` the probability that it fails when the derivation's mistake
    ``name`` is put in place of the result; ``samples`` the random draws used (0 when nothing
    random decides the verdict).
    """

    passed: bool
    prediction: float
    estimate: float
    interval: tuple[float, float]
    p_value: float
    alpha: float
    samples: int
    power: dict[str, float] = field(default_factory=dict)
    measurements: tuple[Measurement, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verification:
    """The frozen record of one verification: an :class:`Outcome` with its claim id, seed,
    device and wall time. ``to_dict`` is the ``verify --json`` record of the interface."""

    id: str
    passed: bool
    prediction: float
    estimate: float
    interval: tuple[float, float]
    p_value: float
    alpha: float
    samples: int
    seconds: float
    seed: int
    device: str
    power: Mapping[str, float]
    measurements: tuple[Measurement, ...]
    details: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "power", MappingProxyType(dict(self.power)))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @classmethod
    def of(cls, claim_id: str, outcome: Outcome, *, seconds: float, seed: int, device: str) -> Verification:
        return cls(id=claim_id, passed=bool(outcome.passed), prediction=float(outcome.prediction),
                   estimate=float(outcome.estimate), interval=(float(outcome.interval[0]), float(outcome.interval[1])),
                   p_value=float(outcome.p_value), alpha=float(outcome.alpha), samples=int(outcome.samples),
                   seconds=seconds, seed=seed, device=device, power=outcome.power,
                   measurements=tuple(outcome.measurements), details=jsonable(outcome.details))

    @property
    def check(self) -> str:
        """``exact`` for a deterministic check (alpha 0: a power of 1 means the named mistake is
        refuted by the same comparison on every run), ``statistical`` for a Monte Carlo test."""
        return "exact" if self.alpha == 0 else "statistical"

    def to_dict(self, details: bool = True) -> dict[str, Any]:
        """The record; ``details=False`` leaves out the measurements and the verifier's details."""
        record = jsonable({
            "id": self.id, "check": self.check, "passed": self.passed, "prediction": self.prediction,
            "estimate": self.estimate,
            "interval": self.interval, "p_value": self.p_value, "alpha": self.alpha, "samples": self.samples,
            "seconds": round(self.seconds, 4), "seed": self.seed, "device": self.device,
            "power": dict(self.power)})
        if details:
            record["measurements"] = [m.to_dict() for m in self.measurements]
            record["details"] = jsonable(self.details)
        return record

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Verification:
        lo, hi = d["interval"]
        return cls(id=d["id"], passed=d["passed"], prediction=unnumber(d["prediction"]),
                   estimate=unnumber(d["estimate"]), interval=(unnumber(lo), unnumber(hi)),
                   p_value=unnumber(d["p_value"]), alpha=d["alpha"], samples=d["samples"], seconds=d["seconds"],
                   seed=d.get("seed", 0), device=d.get("device", "cpu"),
                   power={k: unnumber(v) for k, v in d["power"].items()},
                   measurements=tuple(Measurement.from_dict(m) for m in d.get("measurements", [])),
                   details=d.get("details", {}))


def exceeds(deviations: list[float], tolerance: float) -> bool:
    """True when some deviation is non-finite or larger than ``tolerance`` in magnitude."""
    return any(not math.isfinite(v) or abs(v) > tolerance for v in deviations)


def exact_check(*, prediction: float, estimate: float, deviations: list[float], tolerance: float,
                wrong: dict[str, list[float]], samples: int = 0, measurements: tuple[Measurement, ...] = (),
                details: dict[str, Any] | None = None) -> Outcome:
    """A deterministic check: every deviation of a measurement from the derived value must lie
    within ``tolerance``.

    ``prediction`` and ``estimate`` are the headline pair (derived value, measured value).
    ``wrong[name]`` are the deviations of a wrong formula from the same measurements: its power
    is 1 when some deviation exceeds the tolerance (the check rejects it on every run), else 0.
    The false-alarm rate is 0: nothing random decides the verdict.
    """
    passed = not exceeds(deviations, tolerance)
    return Outcome(passed=passed, prediction=prediction, estimate=estimate,
                   interval=(prediction - tolerance, prediction + tolerance),
                   p_value=1.0 if passed else 0.0, alpha=0.0, samples=samples,
                   power={name: float(exceeds(devs, tolerance)) for name, devs in wrong.items()},
                   measurements=measurements,
                   details={"tolerance": tolerance, "max_deviation": max(map(abs, deviations), default=0.0),
                            **(details or {})})
