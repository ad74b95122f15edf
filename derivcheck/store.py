"""The one store for computed results: strict JSON files in the user's cache directory.

Verification records, the report's stages and the derived bank formulas are all kept here, under
``$DERIVCHECK_CACHE`` when it is set, else the platform's cache directory (``~/.cache/derivcheck``
on Linux). Records are JSON and nothing else (never pickle: a cache folder someone else can
write must never mean code execution); a file that does not parse is treated as missing. Keys
carry a hash of the sources that produced them, so a result follows the code that made it.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from functools import cache, lru_cache
from pathlib import Path
from typing import Any


def root() -> Path:
    """The cache directory: ``$DERIVCHECK_CACHE``, else the platform's user cache directory."""
    configured = os.environ.get("DERIVCHECK_CACHE")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("derivcheck", appauthor=False))


def path(name: str) -> Path:
    """Where the record ``name`` lives (a plain file name, no directories)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a record name: {name!r}")
    return root() / f"{name}.json"


def read(name: str) -> Any | None:
    """The record ``name``, or None when it is missing or unreadable."""
    try:
        return json.loads(path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write(name: str, value: Any) -> None:
    """Store ``value`` as strict JSON (atomically); a read-only cache is silently skipped."""
    text = json.dumps(jsonable(value), allow_nan=False)
    target = path(name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError:
        pass


def jsonable(obj: Any) -> Any:
    """``obj`` as strict JSON data: non-finite floats as "inf", "-inf", "nan"; complex numbers
    as {"re", "im"}; tuples as lists; anything else unknown as its ``str``."""
    if isinstance(obj, dict) or hasattr(obj, "items"):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, complex):
        return {"re": number(obj.real), "im": number(obj.imag)}
    if isinstance(obj, float) or hasattr(obj, "__float__"):
        try:
            return number(float(obj))
        except TypeError:
            return str(obj)
    return str(obj)


def number(v: float) -> float | str:
    """A float for strict JSON: finite as is, else "inf", "-inf" or "nan"."""
    if math.isfinite(v):
        return v
    return "inf" if v > 0 else ("-inf" if v < 0 else "nan")


def unnumber(v: float | str) -> float:
    """The inverse of :func:`number`."""
    return float(v)


@cache
def secret(purpose: str) -> bytes:
    """A per-install secret for ``purpose``: HMAC-SHA256(install key, purpose), where the install
    key is 32 random bytes kept in the store (``secret.key``, owner-only permissions), made on
    first use. Where the store cannot be written, a key for this process only."""
    import hmac
    import secrets as _secrets

    key_file = root() / "secret.key"
    try:
        key = key_file.read_bytes()
        if len(key) != 32:
            raise ValueError
    except (OSError, ValueError):
        key = _secrets.token_bytes(32)
        try:
            root().mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key)
        except FileExistsError:
            key = key_file.read_bytes() if key_file.stat().st_size == 32 else key
        except OSError:
            pass
    return hmac.new(key, purpose.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=16)
def source_hash(*packages: str) -> str:
    """A hash of the sources (code, grammar, banks, templates) of ``packages``: cached results
    follow the code that made them."""
    import importlib

    h = hashlib.sha256()
    for name in packages:
        folder = Path(importlib.import_module(name).__file__ or "").parent
        for file in sorted(p for suffix in ("py", "lark", "toml", "j2") for p in folder.rglob(f"*.{suffix}")):
            h.update(str(file.relative_to(folder)).encode())
            h.update(file.read_bytes())
    return h.hexdigest()[:16]
