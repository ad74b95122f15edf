"""The on-disk cache shared by grading: ``$DERIVCHECK_CACHE`` (default ``~/.cache/derivcheck``)."""
from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Callable


def cache_dir() -> Path:
    return Path(os.environ.get("DERIVCHECK_CACHE", Path.home() / ".cache" / "derivcheck"))


@lru_cache(maxsize=8)
def _source_hash(names: tuple[str, ...]) -> str:
    import importlib

    h = hashlib.sha256()
    for name in names:
        package: ModuleType = importlib.import_module(name)
        root = Path(package.__file__).parent
        for path in sorted([*root.rglob("*.py"), *root.rglob("*.lark"), *root.rglob("*.toml"), *root.rglob("*.j2")]):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def source_hash(*packages: str) -> str:
    """A hash of the sources of ``packages``: cached results follow the code that made them."""
    return _source_hash(tuple(packages))


def cached_pickle(name: str, make: Callable[[], Any]) -> Any:
    """``make()``, stored under ``name`` in the cache directory and read back next time."""
    path = cache_dir() / name
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    value = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(value, f)
        tmp.replace(path)
    except (OSError, pickle.PicklingError):
        pass
    return value
