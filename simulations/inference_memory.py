"""Measured inference memory: parameters plus the peak of live activations, over a sweep of (n, L, K).

Both terms are measured: the parameters counted from the network's weight tensors, the peak from
the tensors alive during the pass.

The live activation entries are tracked op by op (``LiveBytes``) during a no-grad forward pass
whose input is handed over to the network, so the peak must be exactly 2 n K, and the stored
numbers L K^2 + 2 n K. On CUDA, ``torch.cuda.max_memory_allocated`` is reported beside it.
"""
from __future__ import annotations

import torch

from derivcheck.derivations import derive

from .mlp_cost import inference_storage, sweep_check
from .registry import verifier
from .verification import Outcome, Run


def cuda_peak_bytes(batch: int, depth: int, width: int, device: torch.device) -> int:
    """Peak bytes the CUDA caching allocator handed out during a forward pass, beyond the weights."""
    ws = [torch.randn(width, width, device=device) for _ in range(depth)]
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    with torch.no_grad():
        from .mlp_cost import forward

        forward(ws, torch.randn(batch, width, device=device))
    torch.cuda.synchronize(device)
    return torch.cuda.max_memory_allocated(device) - base


@verifier
def verify(run: Run) -> Outcome:
    """Stored numbers = counted parameters + peak live activations, exactly, at every sweep point."""
    dev = run.device
    outcome = sweep_check(derive("inference_memory"), lambda n, L, K: sum(inference_storage(n, L, K, dev)),
                          "parameters + peak live activations")
    if dev.type == "cuda":
        outcome.details["cuda_peak_bytes"] = {f"{n},{L},{K}": cuda_peak_bytes(n, L, K, dev)
                                              for n, L, K in ((1024, 4, 1024), (4096, 8, 2048))}
    return outcome
