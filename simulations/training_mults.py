"""FlopCounterMode verification of the training cost over a sweep of (n, L, K).

A forward + backward pass counts 2 (3L - 1) n K^2 FLOPs when the input needs no gradient and
6 n L K^2 when it does: both the derived result 3 n L K^2 and its variant (3L - 1) n K^2 are checked.
"""
from __future__ import annotations

from derivcheck.derivations import derive

from .mlp_cost import flops, sweep_check
from .registry import verifier
from .verification import Outcome, Run

QUANTITY = "FlopCounterMode multiplications (FLOPs / 2)"


@verifier
def verify(run: Run) -> Outcome:
    """Both counts must match FlopCounterMode exactly at every sweep point."""
    derivation = derive("training_mults")
    with_grad = sweep_check(derivation, lambda n, L, K: flops(n, L, K, train=True, input_grad=True, device=run.device),
                            QUANTITY, scale=2)
    no_grad = sweep_check(derivation, lambda n, L, K: flops(n, L, K, train=True, input_grad=False, device=run.device),
                          QUANTITY, scale=2, variant="no_input_grad")
    with_grad.passed = with_grad.passed and no_grad.passed
    with_grad.details["no_input_grad"] = {"passed": no_grad.passed, **no_grad.details}
    return with_grad
