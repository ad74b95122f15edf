r"""Multiplications in a training step (forward + backward): 3 n L K^2 (Problem 4).

Backward through layer l costs an input-gradient and a weight-gradient matmul, n K^2 each, so

    sum_l (n K^2 + n K^2 + n K^2) = 3 n L K^2,

or exactly (3 L - 1) n K^2 when the network's input needs no gradient (layer 1 skips it).

>>> training_mults().result
3*K**2*L*n
"""
from __future__ import annotations

import sympy as sp

from .claim import Derivation, Step, eq
from .mlp_cost import UNJUDGED_WIDTHS, equal_widths, forward, input_gradient, over_layers, weight_gradient
from .registry import derivation
from .symbols import K, L, l, n


@derivation
def training_mults() -> Derivation:
    """Sum forward, input-gradient and weight-gradient matmuls over the layers."""
    per_layer = lambda layer: forward(layer) + input_gradient(layer) + weight_gradient(layer)  # noqa: E731
    general = over_layers(per_layer)
    result = equal_widths(general)
    no_input_grad = equal_widths(general - input_gradient(1))
    mults = sp.Symbol("M_train")
    steps = (
        Step("Backward through layer $l$: the gradient with respect to its input.",
             eq(sp.Symbol("M_l^in"), input_gradient(l)), unjudged=UNJUDGED_WIDTHS),
        Step(r"\dots\ and with respect to its weight.", eq(sp.Symbol("M_l^W"), weight_gradient(l)),
             unjudged=UNJUDGED_WIDTHS),
        Step("Sum the forward and both backward matrix products over the layers.", eq(mults, general),
             unjudged=UNJUDGED_WIDTHS),
        Step("Equal widths.", eq(mults, result)),
        Step("When the input needs no gradient, layer 1 skips its input-gradient matrix product.",
             eq(mults, sp.factor(no_input_grad))),
    )
    return Derivation(
        statement="A forward and backward pass costs $3 n L K^2$ multiplications, exactly "
                  "$(3L - 1) n K^2$ when the input needs no gradient.",
        result=result,
        assumptions={"n": "positive_integer", "L": "positive_integer", "K": "positive_integer"},
        steps=steps,
        symbols={"n": n, "L": L, "K": K},
        variants={"no_input_grad": sp.factor(no_input_grad)},
        mistakes={"counted_flops": 2 * result,
                  "missing_backward_matmul": equal_widths(over_layers(
                      lambda layer: forward(layer) + weight_gradient(layer)))},
        extras={"general": general, "flops": 2 * result, "flops_no_input_grad": 2 * no_input_grad},
    )
