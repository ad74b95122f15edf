"""derivcheck: derive, verify and grade the mathematics of an introductory neural-network sheet.

The work lives in the subpackages ``derivations`` (SymPy), ``simulations`` (PyTorch), ``grading``
and ``report``; this package holds the command line (``derivcheck.cli``) and the Python API:

>>> from derivcheck import check, derive, verify, questions, grade

The API is imported on first use, so ``import derivcheck`` stays cheap and never loads torch.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("check", "derive", "verify", "questions", "grade", "CheckResult")


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


__all__ = ["CheckResult", "__version__", "check", "derive", "grade", "questions", "verify"]
