"""Independent training runs spread over the CPU cores, one single-threaded process per core.

The exercises train many small networks. On a few cores one thread per network in separate
processes is up to twice as fast as one process with several BLAS threads (small matrices, and
threads that spin while they wait are starved when the machine is busy). Every run sets one
thread, so its numbers do not depend on how the runs were spread. On a GPU, or with one core,
the runs go one after another in this process.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import torch

#: At most this many worker processes (each holds its own copy of PyTorch, about 300 MB).
MAX_WORKERS = 4


def cores() -> int:
    """CPU cores this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def _one_thread() -> None:
    torch.set_num_threads(1)


@contextmanager
def workers(device: torch.device) -> Iterator[Executor | None]:
    """A process pool for CPU runs on several cores, else ``None`` (run in this process)."""
    n = min(cores(), MAX_WORKERS)
    if device.type != "cpu" or n < 2:
        yield None
        return
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"), initializer=_one_thread) as pool:
        yield pool


def submit(pool: Executor | None, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
    """``pool.submit`` or, without a pool, the call made now (its result in a done future; its error raised)."""
    if pool is not None:
        return pool.submit(fn, *args, **kwargs)
    done: Future = Future()
    done.set_result(fn(*args, **kwargs))
    return done
