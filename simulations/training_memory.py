"""Measured training memory: parameters plus the activations autograd saves for backward, over (n, L, K).

``saved_tensors_hooks`` sees every tensor autograd keeps, once per storage; of them the check
counts exactly the set the derivation counts, read from it (``extras["kept"]``: a_0, ..., a_{L-1},
the layers' inputs, which the weight gradients dW_l = a_{l-1}^T dL/da_l read), and each of them
must be among the saved tensors. Autograd also keeps a_L (ReLU's backward reads its output),
which the variant counting a_0, ..., a_L (``kept_with_output``) adds. The parameters are counted
from the network's weight tensors (the hooks see only the (L - 1) K^2 weights the matmuls save
for input gradients). Checked: L K^2 + n L K, and n (L + 1) K with a_L.
"""
from __future__ import annotations

import sympy as sp

from derivcheck.derivations import derive
from derivcheck.derivations.symbols import L as L_sym

from .mlp_cost import saved_for_backward, sweep_check
from .registry import verifier
from .verification import Outcome, Run

QUANTITY = "parameters + the saved activations a_0, ..., a_{L-1}"
QUANTITY_WITH_OUTPUT = "parameters + the saved activations a_0, ..., a_L"


@verifier
def verify(run: Run) -> Outcome:
    """Both counts must equal the saved-tensor measurement at every sweep point."""
    derivation = derive("training_memory")
    ranges = {key: [sp.lambdify(L_sym, bound) for bound in derivation.extras[key]]
              for key in ("kept", "kept_with_output")}

    def stored(n: int, L: int, K: int, key: str) -> int:
        """Parameters plus the saved numbers of a_j for j in the derivation's set ``key`` at this L."""
        saved = saved_for_backward(n, L, K, run.device)
        first, last = (int(bound(L)) for bound in ranges[key])
        return saved.parameters + sum(saved.layers[j] for j in range(first, last + 1))

    outcome = sweep_check(derivation, lambda n, L, K: stored(n, L, K, "kept"), QUANTITY)
    variant = sweep_check(derivation, lambda n, L, K: stored(n, L, K, "kept_with_output"), QUANTITY_WITH_OUTPUT,
                          variant="with_input")
    outcome.passed = outcome.passed and variant.passed
    outcome.details["with_input"] = {"passed": variant.passed, **variant.details}
    return outcome
