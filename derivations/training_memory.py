r"""Numbers stored for training: L K^2 + n L K (Problem 4).

Backward through layer l reads the activation a_{l-1} (for the weight gradient), so every layer's
activation stays live until the backward pass: sum_{l=1}^{L} n K_l = n L K on top of the weights,
n (L + 1) K counting the input a_0. Counting the weight gradients as well gives 2 L K^2 + n L K.

>>> training_memory().result
K**2*L + K*L*n
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .mlp_cost import equal_widths, live_activations, over_layers, weights
from .registry import derivation
from .symbols import K, L, l, n


@derivation
def training_memory() -> Derivation:
    """Weights plus every activation kept for the backward pass."""
    weight_count = over_layers(weights)
    kept = live_activations(1, L)
    result = equal_widths(weight_count + kept)
    steps = (
        Step("All weights are stored.", eq(sp.Symbol("W"), weight_count)),
        Step("Every layer's output is kept until backward reads it: at the end of the forward pass "
             "all of them are live.", eq(sp.Symbol("A"), kept)),
        Step("Equal widths.", eq(sp.Symbol("M_train"), result)),
        Step("Counting the input a_0 as well.", eq(sp.Symbol("M_train"),
                                                   equal_widths(weight_count + live_activations(0, L)))),
    )
    return Derivation(
        statement="Training stores the L K^2 weights plus every layer's activations: L K^2 + n L K "
                  "(n (L + 1) K counting the input; 2 L K^2 + n L K counting weight gradients).",
        result=result,
        assumptions={"n": "positive_integer", "L": "positive_integer", "K": "positive_integer"},
        steps=steps,
        symbols={"n": n, "L": L, "K": K},
        variants={"with_input": equal_widths(weight_count + live_activations(0, L)),
                  "with_weight_gradients": equal_widths(2 * weight_count + kept)},
        mistakes={"freed_activations": equal_widths(weight_count + live_activations(l - 1, l)),
                  "missing_weights": equal_widths(kept)},
        extras={"weights": equal_widths(weight_count), "activations": equal_widths(kept),
                "activations_with_input": equal_widths(live_activations(0, L))},
    )
