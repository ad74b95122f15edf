"""Autograd verification of dL/dx = z - y for softmax cross-entropy (Problem 3.2).

On random float64 batches the gradient of ``F.cross_entropy(x, labels, reduction="sum")`` is
compared with the derived z - y (evaluated from the SymPy result), and with
``label_smoothing=eps`` against z - y_hat, y_hat = (1 - eps) y + eps/d. The sign-flipped y - z, and
z - y used although the target was smoothed (``ignored_smoothing``), go through the same
comparison and must be rejected. Exact check up to float64 rounding (``TOLERANCE``).
"""
from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from derivcheck.derivations import derive
from derivcheck.derivations.softmax_ce_gradient import z
from derivcheck.derivations.symbols import y

from .verification import Check, exact_check
from .device import generator, resolve_device, substream
from .vectorize import tensor_function

TOLERANCE = 1e-12
DIMENSIONS = (2, 5, 10, 100)
SMOOTHING = (0.0, 0.1, 0.3)
BATCH = 64


def verify(seed: int = 0, device: str = "auto", alpha: float = 1e-6) -> Check:
    """Compare autograd with the derived gradient for several d and eps."""
    start = time.perf_counter()
    dev = resolve_device(device)
    derivation = derive("softmax_ce_gradient")
    derived = tensor_function(derivation.result, [z, y])
    flipped = tensor_function(derivation.mistakes["sign_flipped"], [z, y])
    deviations: dict[str, list[float]] = {"derived": [], "sign_flipped": [], "ignored_smoothing": []}
    cases, samples = [], 0
    for dim in DIMENSIONS:
        for eps in SMOOTHING:
            gen = generator(substream(seed, dim, eps), dev)
            logits = (3 * torch.randn(BATCH, dim, generator=gen, device=dev, dtype=torch.float64)).requires_grad_()
            labels = torch.randint(dim, (BATCH,), generator=gen, device=dev)
            F.cross_entropy(logits, labels, reduction="sum", label_smoothing=eps).backward()
            onehot = F.one_hot(labels, dim).double()
            target = (1 - eps) * onehot + eps / dim
            probs = torch.softmax(logits.detach(), dim=-1)
            for name, value in (("derived", derived(probs, target)), ("sign_flipped", flipped(probs, target)),
                                ("ignored_smoothing", derived(probs, onehot) if eps else flipped(probs, target))):
                deviations[name].append(float((value - logits.grad).abs().max()))
            cases.append({"d": dim, "eps": eps, "max_abs_error": deviations["derived"][-1]})
            samples += logits.numel()
    worst = max(deviations["derived"])
    check = exact_check("softmax_ce_gradient", prediction=0.0, estimate=worst,
                        deviations=deviations.pop("derived"), tolerance=TOLERANCE, wrong=deviations,
                        samples=samples, details={"unit": "max |autograd - formula|", "cases": cases,
                                                  "device": dev.type})
    check.seconds = time.perf_counter() - start
    return check
