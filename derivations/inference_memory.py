r"""Numbers stored during inference: L K^2 + 2 n K (Problem 4).

The weights stay; activation a_{l-1} is freed once layer l has read it, so while layer l runs only
a_{l-1} and a_l are live: n K_{l-1} + n K_l = 2 n K.

>>> inference_memory().result
K**2*L + 2*K*n
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .mlp_cost import UNJUDGED_WIDTHS, equal_widths, live_activations, over_layers, weights
from .registry import derivation
from .symbols import K, L, l, n


@derivation
def inference_memory() -> Derivation:
    """Weights plus the activations live while one layer runs."""
    weight_count = over_layers(weights)
    live = live_activations(l - 1, l)
    result = equal_widths(weight_count + live)
    training_live = live_activations(1, L)
    steps = (
        Step("All weights are stored.", eq(sp.Symbol("W"), weight_count), unjudged=UNJUDGED_WIDTHS),
        Step("While layer $l$ runs, its input $a_{l-1}$ and its output $a_l$ are live; $a_{l-1}$ is freed "
             "afterwards, so the activation memory is the largest $A_l$ "
             "over the layers.", eq(sp.Symbol("A_l"), live), unjudged=UNJUDGED_WIDTHS),
        Step("Equal widths: weights plus $2 n K$.", eq(sp.Symbol("S_inf"), result)),
    )
    return Derivation(
        statement="Inference stores the $L K^2$ weights plus the input and output of the layer being "
                  "computed: $L K^2 + 2 n K$ numbers.",
        result=result,
        assumptions={"n": "positive_integer", "L": "positive_integer (L >= 2)", "K": "positive_integer"},
        steps=steps,
        symbols={"n": n, "L": L, "K": K},
        mistakes={"kept_all_activations": equal_widths(weight_count + training_live),
                  "missing_weights": equal_widths(live)},
        extras={"weights": equal_widths(weight_count), "activations": equal_widths(live),
                "general_live": live},
    )
