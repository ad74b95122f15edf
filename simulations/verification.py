"""What every verification returns: prediction, measurement, interval, error rates, cost."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Check:
    """The outcome of one verification.

    ``alpha`` is the probability that the check fails although the derivation is right (0 for
    exact checks); ``power[name]`` the probability that it fails when the named wrong formula
    is put in place of the derived one; ``samples`` the random draws used.
    """

    id: str
    passed: bool
    prediction: float
    estimate: float
    interval: tuple[float, float]
    p_value: float
    alpha: float
    samples: int
    seconds: float = 0.0
    power: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``verify --json`` record of CONTRACT.md (plus ``details``)."""
        return {
            "id": self.id, "passed": bool(self.passed), "prediction": _num(self.prediction),
            "estimate": _num(self.estimate), "interval": [_num(v) for v in self.interval],
            "p_value": _num(self.p_value), "alpha": float(self.alpha), "samples": int(self.samples),
            "seconds": round(float(self.seconds), 4),
            "power": {k: float(v) for k, v in self.power.items()},
            "details": _jsonable(self.details),
        }


def _num(v: float) -> float | str:
    v = float(v)
    if math.isfinite(v):
        return v
    return "inf" if v > 0 else ("-inf" if v < 0 else "nan")


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float) or hasattr(obj, "__float__"):
        try:
            return _num(float(obj))
        except TypeError:
            return str(obj)
    return str(obj)


def exceeds(deviations: list[float], tolerance: float) -> bool:
    """True when some deviation is non-finite or larger than ``tolerance`` in magnitude."""
    return any(not math.isfinite(v) or abs(v) > tolerance for v in deviations)


def exact_check(claim_id: str, *, prediction: float, estimate: float, deviations: list[float],
                tolerance: float, wrong: dict[str, list[float]], samples: int = 0,
                details: dict[str, Any] | None = None) -> Check:
    """A deterministic check: every deviation of a measurement from the derived value must lie
    within ``tolerance``.

    ``prediction`` and ``estimate`` are the headline pair (derived value, measured value).
    ``wrong[name]`` are the deviations of a wrong formula from the same measurements: its power
    is 1 when some deviation exceeds the tolerance (the check rejects it on every run), else 0.
    The false-alarm rate is 0: nothing random decides the verdict.
    """
    passed = not exceeds(deviations, tolerance)
    return Check(id=claim_id, passed=passed, prediction=prediction, estimate=estimate,
                 interval=(prediction - tolerance, prediction + tolerance),
                 p_value=1.0 if passed else 0.0, alpha=0.0, samples=samples,
                 power={name: float(exceeds(devs, tolerance)) for name, devs in wrong.items()},
                 details={"tolerance": tolerance, "max_deviation": max(map(abs, deviations), default=0.0),
                          **(details or {})})
