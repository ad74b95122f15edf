"""Optional extras: which modules each needs, and a check made before a command imports them.

``pip install derivcheck-ml`` checks and grades answers (SymPy only); simulations, exercises,
the PDF and the web page need the extras named here. The check looks modules up with
``importlib.util.find_spec`` and imports nothing, so it is cheap and safe to run first.
"""
from __future__ import annotations

import importlib.util

DISTRIBUTION = "derivcheck-ml"

#: The top-level modules each extra provides (an extra includes the ones it builds on).
EXTRAS: dict[str, tuple[str, ...]] = {
    "sim": ("torch", "scipy"),
    "exercises": ("torch", "scipy", "matplotlib", "sklearn", "tqdm"),
    "report": ("torch", "scipy", "matplotlib", "sklearn", "tqdm", "jinja2"),
    "serve": ("starlette", "uvicorn", "latex2mathml"),
}


class MissingExtra(ImportError):
    """A module of an optional extra is not installed; the message says what to install."""

    def __init__(self, extra: str, module: str) -> None:
        self.extra = extra
        super().__init__(f"needs the '{extra}' extra (pip install '{DISTRIBUTION}[{extra}]'): "
                         f"No module named '{module}'", name=module)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or half-imported module counts as missing
        return False


def missing(extra: str) -> str | None:
    """The first module of ``extra`` that is not installed, or None when all are."""
    return next((m for m in EXTRAS[extra] if not _installed(m)), None)


def available(extra: str) -> bool:
    """Whether every module of ``extra`` is installed."""
    return missing(extra) is None


def require(extra: str) -> None:
    """Raise :class:`MissingExtra` unless every module of ``extra`` is installed."""
    module = missing(extra)
    if module is not None:
        raise MissingExtra(extra, module)
