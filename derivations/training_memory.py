r"""Numbers stored for training: L K^2 + n L K (Problem 4).

Backward through layer l computes the weight gradient dL/dW_l = a_{l-1}^T dL/da_l, which reads the
layer's *input* a_{l-1}. So the inputs a_0, ..., a_{L-1} of all layers stay live until the backward
pass: sum_{l=1}^{L} n K_{l-1} = n L K on top of the weights for equal widths, n (L + 1) K counting
the output a_L as well. Counting the weight gradients too gives 2 L K^2 + n L K.

>>> training_memory().result
K**2*L + K*L*n
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .mlp_cost import UNJUDGED_WIDTHS, equal_widths, live_activations, over_layers, weights
from .registry import derivation
from .symbols import K, L, l, n


@derivation
def training_memory() -> Derivation:
    """Weights plus every layer's input, kept for the weight gradients of the backward pass."""
    weight_count = over_layers(weights)
    kept = live_activations(0, L - 1)
    result = equal_widths(weight_count + kept)
    every_activation = live_activations(0, L)
    steps = (
        Step("All weights are stored.", eq(sp.Symbol("W"), weight_count), unjudged=UNJUDGED_WIDTHS),
        Step(r"Backward through layer $l$ needs its input: $\partial L / \partial W_l = a_{l-1}^\top\, "
             r"\delta_l$, with $\delta_l$ the gradient with respect to layer $l$'s matrix product $a_{l-1} W_l$. "
             r"So the inputs $a_0, \dots, a_{L-1}$ are kept until the backward "
             r"pass reads them: at the end of the forward pass all of them are live.",
             eq(sp.Symbol("A"), kept), unjudged=UNJUDGED_WIDTHS),
        Step("Equal widths.", eq(sp.Symbol("S_train"), result)),
        Step(r"Counting every activation $a_0, \dots, a_L$ (the output $a_L$ as well).",
             eq(sp.Symbol("S_train"), equal_widths(weight_count + every_activation))),
    )
    return Derivation(
        statement=r"Training stores the $L K^2$ weights plus the input of every layer, $a_0, \dots, a_{L-1}$: "
                  r"$L K^2 + n L K$ ($n (L + 1) K$ counting the output $a_L$ too; $2 L K^2 + n L K$ counting "
                  r"the weight gradients).",
        result=result,
        assumptions={"n": "positive_integer", "L": "positive_integer", "K": "positive_integer"},
        steps=steps,
        symbols={"n": n, "L": L, "K": K},
        variants={"with_input": equal_widths(weight_count + every_activation),
                  "with_weight_gradients": equal_widths(2 * weight_count + kept)},
        mistakes={"freed_activations": equal_widths(weight_count + live_activations(l - 1, l)),
                  "missing_weights": equal_widths(kept)},
        # The sets counted, as index ranges of the activations a_j: what the simulation measures.
        extras={"kept": (sp.Integer(0), L - 1), "kept_with_output": (sp.Integer(0), L),
                "weights": equal_widths(weight_count), "activations": equal_widths(kept),
                "activations_with_input": equal_widths(every_activation)},
    )
