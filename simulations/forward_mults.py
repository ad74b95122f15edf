"""FlopCounterMode verification of the forward cost n L K^2 (2 n L K^2 FLOPs) over a sweep of (n, L, K)."""
from __future__ import annotations

import time

from derivcheck.derivations import derive

from .verification import Check
from .device import resolve_device
from .mlp_cost import flops, sweep_check


def verify(seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Check:
    """Every sweep point must count exactly 2 n L K^2 FLOPs."""
    start, dev = time.perf_counter(), resolve_device(device)
    return sweep_check("forward_mults", derive("forward_mults"),
                       lambda n, L, K: flops(n, L, K, train=False, device=dev), scale=2,
                       seconds_from=start, device=dev)
