"""The one store for computed results: strict JSON files in the user's cache directory.

Verification records, the report's stages and the derived bank formulas are all kept here, under
``$DERIVCHECK_CACHE`` when it is set, else the platform's cache directory (``~/.cache/derivcheck``
on Linux), a folder created owner-only (0700). Records are JSON and nothing else (never pickle: a
cache folder someone else can write must never mean code execution). Keys carry a hash of the
sources that produced them, so a result follows the code that made it.

A record cannot be turned against its users: each file is ``MAC\n`` then the JSON text, the MAC
an HMAC-SHA256 of the record's name and text under this install's secret (:func:`secret`), so a
record edited, forged or copied under another name is refused. A record is read only when it is
at most :data:`MAX_BYTES` long and nested at most :data:`MAX_DEPTH` deep; any record that fails
is treated as missing (and so recomputed by its caller). A store that cannot be written says so
once on stderr and keeps the results in memory for the rest of the run; a temporary file is
removed when a write fails.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import stat
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

#: The largest record read, in bytes, and its deepest nesting of JSON arrays and objects.
MAX_BYTES = 64 * 2**20
MAX_DEPTH = 200
#: The per-install secret's file in the store folder (a name no record can have).
SECRET_FILE = ".install-secret"
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
_lock = threading.Lock()
_memory: dict[tuple[str, str], str] = {}    # (root, name) -> text, for a store that cannot be written
_warned: set[str] = set()
_process_secret = secrets.token_bytes(32)


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


def safe_name(text: str, most: int = 40) -> str:
    """``text`` as a part of a record name: letters, digits, ``-`` and ``_`` kept, any other
    character ``_``, at most ``most`` characters (a sheet folder's name, say)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:most] or "_"


def secret(purpose: str) -> bytes:
    """This install's 32-byte secret for ``purpose`` (HMAC-SHA256 of ``purpose`` under the master
    secret). The master secret is 32 random bytes made once and kept in the store folder, owner-only
    (0600, in a 0700 folder); it is trusted only while this user owns both and nobody else can
    write the folder. Otherwise (a read-only or foreign store) a secret for this process's
    lifetime is used and one warning says why: records are then recomputed on each run."""
    return hmac.new(_master(str(root())), purpose.encode("utf-8"), hashlib.sha256).digest()


@lru_cache(maxsize=8)
def _master(folder: str) -> bytes:
    try:
        return _install_secret(Path(folder))
    except OSError as err:
        reason = getattr(err, "strerror", None) or str(err)
    except ValueError as err:
        reason = str(err)
    _warn(folder, f"derivcheck: the store {folder} cannot keep a secret ({reason}); its results are "
                  "recomputed on each run and kept in memory for this one")
    return _process_secret


def _install_secret(folder: Path) -> bytes:
    """The master secret in ``folder``, made when missing (``OSError``/``ValueError`` when unsafe)."""
    _make_folder(folder)
    info = folder.stat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise ValueError("the folder is not owned by this user or others can write it")
    file = folder / SECRET_FILE
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return _new_secret(file)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read(33)
    if info.st_uid != os.geteuid() or info.st_mode & 0o077 or not stat.S_ISREG(info.st_mode) or len(data) != 32:
        file.unlink()  # readable by others, or not ours: never trusted; a fresh one replaces it
        return _new_secret(file)
    return data


def _new_secret(file: Path) -> bytes:
    data = secrets.token_bytes(32)
    tmp = file.with_name(f"{file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, file)  # atomic, never replaces: two processes agree on the first one made
        except FileExistsError:
            with open(file, "rb") as handle:
                data = handle.read(33)
            if len(data) != 32:
                raise ValueError("the secret file is malformed") from None
    finally:
        tmp.unlink(missing_ok=True)
    return data


def _make_folder(folder: Path) -> None:
    """Create the store folder owner-only (0700); tighten one this user owns."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.stat()
    if info.st_uid == os.geteuid() and info.st_mode & 0o077:
        os.chmod(folder, 0o700)


def _mac(name: str, text: str) -> str:
    return hmac.new(secret("records"), name.encode("utf-8") + b"\0" + text.encode("utf-8"), hashlib.sha256).hexdigest()


def read(name: str) -> Any | None:
    """The record ``name``, or None when it is missing, unreadable, too large or deep, or its MAC
    does not match (someone else wrote or changed it)."""
    target = path(name)
    text = _memory.get((str(target.parent), name))
    if text is None:
        try:
            with open(target, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except OSError:
            return None
        if len(raw) > MAX_BYTES:
            return None
        mac, _, body = raw.partition(b"\n")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not hmac.compare_digest(mac, _mac(name, text).encode()):
            return None
    if depth(text) > MAX_DEPTH:
        return None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None


def write(name: str, value: Any) -> None:
    """Store ``value`` as strict JSON, atomically, with its MAC; a store that cannot be written
    keeps it in memory for this run (and says so once)."""
    text = json.dumps(jsonable(value), allow_nan=False)
    target = path(name)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        _make_folder(target.parent)
        data = (_mac(name, text) + "\n" + text).encode("utf-8")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError as err:
        with _lock:
            _memory[(str(target.parent), name)] = text
        _warn(str(target.parent), f"derivcheck: cannot write to the store {target.parent} "
                                  f"({err.strerror or err}); results are kept in memory for this run")
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings set aside)."""
    deepest = level = 0
    for match in _BRACKETS.finditer(_STRINGS.sub("", text)):
        if match.group() in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _warn(key: str, message: str) -> None:
    with _lock:
        if key in _warned:
            return
        _warned.add(key)
    print(message, file=sys.stderr, flush=True)


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
