"""Measured training memory: parameters plus what autograd saves for backward, over (n, L, K).

``saved_tensors_hooks`` counts the tensors autograd keeps, once per storage: every layer's ReLU
output (n L K numbers) and the input (n K more). The parameters are counted from the network's
weight tensors (the hooks see only the (L - 1) K^2 weights the matmuls save for input gradients).
Checked: the derived L K^2 + n L K without the input and its
variant n (L + 1) K with it.
"""
from __future__ import annotations

from derivcheck.derivations import derive

from .mlp_cost import saved_for_backward, sweep_check
from .registry import verifier
from .verification import Outcome, Run

QUANTITY = "parameters + tensors saved for backward"


@verifier
def verify(run: Run) -> Outcome:
    """Both counts must equal the saved-tensor measurement at every sweep point."""
    derivation = derive("training_memory")

    def stored(n: int, L: int, K: int, with_input: bool) -> int:
        saved = saved_for_backward(n, L, K, run.device)
        return saved.parameters + saved.activations + (saved.input if with_input else 0)

    outcome = sweep_check(derivation, lambda n, L, K: stored(n, L, K, False), QUANTITY)
    variant = sweep_check(derivation, lambda n, L, K: stored(n, L, K, True), QUANTITY, variant="with_input")
    outcome.passed = outcome.passed and variant.passed
    outcome.details["with_input"] = {"passed": variant.passed, **variant.details}
    return outcome
