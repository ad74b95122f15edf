"""FlopCounterMode verification of the training cost over a sweep of (n, L, K).

A forward + backward pass counts 2 (3L - 1) n K^2 FLOPs when the input needs no gradient and
6 n L K^2 when it does: both the derived result 3 n L K^2 and its variant (3L - 1) n K^2 are checked.
"""
from __future__ import annotations

import time

from derivcheck.derivations import derive

from .verification import Check
from .device import resolve_device
from .mlp_cost import flops, sweep_check


def verify(seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Check:
    """Both counts must match FlopCounterMode exactly at every sweep point."""
    start, dev = time.perf_counter(), resolve_device(device)
    derivation = derive("training_mults")
    with_grad = sweep_check("training_mults", derivation,
                            lambda n, L, K: flops(n, L, K, train=True, input_grad=True, device=dev),
                            scale=2, device=dev)
    no_grad = sweep_check("training_mults", derivation,
                          lambda n, L, K: flops(n, L, K, train=True, input_grad=False, device=dev),
                          scale=2, variant="no_input_grad", device=dev)
    with_grad.passed = with_grad.passed and no_grad.passed
    with_grad.details["no_input_grad"] = no_grad.to_dict()
    with_grad.seconds = time.perf_counter() - start
    return with_grad
