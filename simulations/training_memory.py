"""Measured training memory: parameters plus what autograd saves for backward, over (n, L, K).

``saved_tensors_hooks`` counts the tensors autograd keeps, once per storage: every layer's ReLU
output (n L K numbers) and the input (n K more). Weights are the L K^2 parameters. Checked: the
derived L K^2 + n L K without the input and its variant n (L + 1) K with it.
"""
from __future__ import annotations

import time

from derivcheck.derivations import derive

from .verification import Check
from .device import resolve_device
from .mlp_cost import saved_for_backward, sweep_check


def verify(seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Check:
    """Both counts must equal the saved-tensor measurement at every sweep point."""
    start, dev = time.perf_counter(), resolve_device(device)
    derivation = derive("training_memory")

    def stored(n: int, L: int, K: int, with_input: bool) -> int:
        saved = saved_for_backward(n, L, K, dev)
        return L * K * K + saved.activations + (saved.input if with_input else 0)

    check = sweep_check("training_memory", derivation, lambda n, L, K: stored(n, L, K, False), device=dev)
    variant = sweep_check("training_memory", derivation, lambda n, L, K: stored(n, L, K, True),
                          variant="with_input", device=dev)
    check.passed = check.passed and variant.passed
    check.details["with_input"] = variant.to_dict()
    check.seconds = time.perf_counter() - start
    return check
