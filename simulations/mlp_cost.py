"""Measured cost of a bias-free ReLU MLP: FLOPs, saved tensors, peak live activations (Problem 4).

The network is h_l = ReLU(h_{l-1} W_l) with L weights W_l of shape K x K and an n x K input.

* FLOPs: ``torch.utils.flop_counter.FlopCounterMode`` (2 m k p per matmul).
* Saved for backward: ``torch.autograd.graph.saved_tensors_hooks`` sees every tensor autograd keeps;
  counted once per storage (the matmul's input and the previous ReLU's output are one tensor),
  weights apart.
* Parameters: counted from the network's own weight tensors (``parameter_count``), never typed.
* Peak live activations during inference: a ``TorchDispatchMode`` sees every tensor an op creates
  and a ``weakref.finalize`` sees it freed, so the running sum of live bytes is exact on any device.
"""
from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

from derivcheck.derivations.separation import separating_first
from derivcheck.derivations.symbols import K as K_sym
from derivcheck.derivations.symbols import L as L_sym
from derivcheck.derivations.symbols import n as n_sym

from .verification import Measurement, Outcome, exact_check

if TYPE_CHECKING:
    from derivcheck.derivations import Derivation

CPU = torch.device("cpu")

#: (n, L, K) sweep used by every cost check.
SWEEP: tuple[tuple[int, int, int], ...] = tuple(itertools.product((1, 7, 32), (1, 2, 5), (3, 16, 64)))


def weights(depth: int, width: int, device: torch.device, requires_grad: bool = False) -> list[torch.Tensor]:
    """``depth`` standard normal K x K weights (K = ``width``)."""
    return [torch.randn(width, width, device=device, requires_grad=requires_grad) for _ in range(depth)]


def parameter_count(ws: list[torch.Tensor]) -> int:
    """Numbers held by the network's parameters, counted from its tensors."""
    return sum(w.numel() for w in ws)


def forward(ws: list[torch.Tensor], h: torch.Tensor) -> torch.Tensor:
    """h -> ReLU(h W_1) -> ... -> ReLU(h W_L); in place under no_grad so only two activations live."""
    for w in ws:
        h = h @ w
        h = torch.relu_(h) if not torch.is_grad_enabled() else torch.relu(h)
    return h


def flops(batch: int, depth: int, width: int, *, train: bool, input_grad: bool = False,
          device: torch.device = CPU) -> int:
    """FLOPs FlopCounterMode counts for a forward (and, if ``train``, backward) pass."""
    ws = weights(depth, width, device, requires_grad=train)
    x = torch.randn(batch, width, device=device, requires_grad=train and input_grad)
    with FlopCounterMode(display=False) as counter:
        if train:
            forward(ws, x).sum().backward()
        else:
            with torch.no_grad():
                forward(ws, x)
    return int(counter.get_total_flops())


@dataclass(frozen=True)
class Saved:
    """Numbers autograd saves for backward, split into weights, input and other activations, and
    the network's ``parameters`` counted from its tensors; ``layers[j]`` the numbers of the
    activation a_j (a_0 the input, a_l layer l's ReLU output) among the saved tensors, 0 when
    autograd does not keep it."""

    parameters: int
    weights: int
    input: int
    activations: int
    layers: tuple[int, ...] = ()


def saved_for_backward(batch: int, depth: int, width: int,
                       device: torch.device = CPU) -> Saved:
    """Count the numbers saved for backward, once per storage."""
    ws = weights(depth, width, device, requires_grad=True)
    x = torch.randn(batch, width, device=device)
    seen: dict[int, torch.Tensor] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        seen.setdefault(t.untyped_storage().data_ptr(), t)
        return t

    layers = [x]  # a_0, a_1, ..., a_L as the forward pass makes them
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        for w in ws:
            layers.append(torch.relu(layers[-1] @ w))
    layers[-1].sum().backward()
    weight_ptrs = {w.untyped_storage().data_ptr() for w in ws}
    x_ptr = x.untyped_storage().data_ptr()
    numel = lambda ptrs: sum(t.numel() for p, t in seen.items() if p in ptrs)  # noqa: E731
    return Saved(parameters=parameter_count(ws), weights=numel(weight_ptrs), input=numel({x_ptr}),
                 activations=numel(set(seen) - weight_ptrs - {x_ptr}),
                 layers=tuple(numel({a.untyped_storage().data_ptr()}) for a in layers))


class LiveBytes(TorchDispatchMode):
    """Tracks the bytes of tensors created under it that are still alive, and their peak."""

    def __init__(self) -> None:
        super().__init__()
        self.live = 0
        self.peak = 0
        self._storages: set[int] = set()

    def _freed(self, key: int, nbytes: int) -> None:
        self._storages.discard(key)
        self.live -= nbytes

    def _track(self, t: torch.Tensor) -> None:
        storage = t.untyped_storage()
        key = storage.data_ptr()
        if key in self._storages:  # an in-place op returns its input
            return
        self._storages.add(key)
        self.live += storage.nbytes()
        self.peak = max(self.peak, self.live)
        weakref.finalize(t, self._freed, key, storage.nbytes())

    def __torch_dispatch__(self, func: Callable[..., Any], types: Sequence[type], args: tuple[Any, ...] = (),
                           kwargs: dict[str, Any] | None = None) -> Any:
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                self._track(t)
        return out


def inference_storage(batch: int, depth: int, width: int, device: torch.device = CPU) -> tuple[int, int]:
    """(parameters of the network, peak number of activation entries alive at once in a no-grad
    forward pass, input included)."""
    ws = weights(depth, width, device)
    tracker = LiveBytes()
    with torch.no_grad(), tracker:
        forward(ws, torch.randn(batch, width, device=device))
    return parameter_count(ws), tracker.peak // (torch.finfo(torch.float32).bits // 8)


def peak_inference_activations(batch: int, depth: int, width: int, device: torch.device = CPU) -> int:
    """Peak number of activation entries alive at once in a no-grad forward pass (input included)."""
    return inference_storage(batch, depth, width, device)[1]


def formula(expr: sp.Expr) -> Callable[[int, int, int], int]:
    """An integer function of (n, L, K) from a SymPy expression."""
    return sp.lambdify((n_sym, L_sym, K_sym), expr, "math")


def sweep_check(derivation: Derivation, measure: Callable[[int, int, int], int], quantity: str, *, scale: int = 1,
                variant: str | None = None, claimed: sp.Expr | None = None) -> Outcome:
    """Exact check of ``derivation.result`` (or one of its ``variants``) against ``measure(n, L, K)``
    over :data:`SWEEP`; measurements are divided by ``scale`` to the formula's unit (2 FLOPs per
    multiplication). Every mistake of the derivation is compared with the same measurements.
    The measurements are listed largest configuration first (the clearest counterexamples)."""
    expr = derivation.variants[variant] if variant else derivation.result
    expr = expr if claimed is None else claimed
    predict = formula(expr)
    wrong = {k: formula(v) for k, v in derivation.mistakes.items()}
    deviations: list[float] = []
    wrong_dev: dict[str, list[float]] = {k: [] for k in wrong}
    rows = []
    for n, L, K in SWEEP:
        value = measure(n, L, K) / scale
        deviations.append(float(value - predict(n, L, K)))
        for k, f in wrong.items():
            wrong_dev[k].append(float(value - f(n, L, K)))
        rows.append({"n": n, "L": L, "K": K, "measured": value, "predicted": predict(n, L, K)})
    head = rows[-1]
    measurements = tuple(Measurement(at={"n": r["n"], "L": r["L"], "K": r["K"]}, quantity=quantity,
                                     estimate=r["measured"], interval=(r["measured"], r["measured"]),
                                     prediction=r["predicted"])
                         for r in separating_first(derivation, reversed(rows), at=lambda r: r))
    return exact_check(prediction=head["predicted"], estimate=head["measured"], deviations=deviations,
                       tolerance=0.0, wrong=wrong_dev, samples=0, measurements=measurements,
                       details={"formula": str(expr), "scale": scale, "sweep": rows})
