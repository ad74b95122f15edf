"""Device selection and seeded random generators."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


def resolve_device(device: str = "auto") -> torch.device:
    """``auto`` picks CUDA when present, else the CPU; ``cuda`` without a GPU is an error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but PyTorch sees no CUDA device")
    return torch.device(device)


def generator(seed: int, device: torch.device) -> torch.Generator:
    """A torch.Generator on ``device`` seeded with ``seed``."""
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    return gen


def substream(seed: int, *labels: object) -> int:
    """A seed derived from ``seed`` and labels, so that sub-checks draw independent streams."""
    import hashlib

    digest = hashlib.sha256(repr((seed, labels)).encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


@contextmanager
def one_cpu_thread(device: torch.device) -> Iterator[None]:
    """On the CPU, run the elementwise work on one thread: CPU randn is sequential anyway, and on
    shared cores the other threads' synchronisation costs more than the work (see ``benchmarks/``)."""
    if device.type != "cpu":
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
