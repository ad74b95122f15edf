"""Sheets: a sheet is one folder of data, ``sheet.toml`` (its questions, which name the claims that
answer them, its models and its credit) beside its templates. The built-in sheets are the folders
of this package; an instructor's sheet is any folder holding a ``sheet.toml``. Nothing outside
this package names a particular sheet, and nothing else reads a sheet's TOML text from disk.

>>> sheet().claims[:2]
('relu_variance', 'he_sigma')
>>> sheet().id
'sheet8'
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: The file of a sheet folder that holds its data.
SHEET_FILE = "sheet.toml"
#: The sheet a command uses when none is named.
DEFAULT = "sheet8"


class SheetError(ValueError):
    """A sheet that cannot be found or read (the CLI exits 2 with its message)."""


@dataclass(frozen=True)
class Sheet:
    """An exercise sheet: the folder ``folder`` (package data or a path) and its ``id`` (the folder's
    name). Its TOML text is read once (:attr:`text`); :attr:`data` is that text parsed."""

    id: str
    folder: Traversable

    @cached_property
    def text(self) -> str:
        """The text of the sheet's ``sheet.toml``."""
        try:
            return self.folder.joinpath(SHEET_FILE).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise SheetError(f"{self.source}: cannot read ({getattr(err, 'strerror', None) or err})") from None

    @property
    def source(self) -> str:
        """Where the sheet's data comes from, as messages name it."""
        return str(self.folder.joinpath(SHEET_FILE))

    @cached_property
    def data(self) -> dict[str, Any]:
        """The parsed ``sheet.toml`` (the one reader of a sheet's TOML)."""
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as err:
            raise SheetError(f"{self.source}: not valid TOML ({err})") from None

    @property
    def title(self) -> str:
        return str(self.data.get("name") or self.id)

    @property
    def template(self) -> str:
        """The name of the sheet's LaTeX template (``template`` in ``sheet.toml``, else ``<id>.tex.j2``)."""
        return str(self.data.get("template") or f"{self.id}.tex.j2")

    def bank_text(self) -> str:
        """The TOML text of the sheet's questions (the whole ``sheet.toml``)."""
        return self.text

    @cached_property
    def claims(self) -> tuple[str, ...]:
        """The claims of the sheet in the order its questions name them (reference, simulation
        and mistakes' claims), each once."""
        return tuple(claim for claims in self.problems.values() for claim in claims)

    @cached_property
    def problems(self) -> dict[str, tuple[str, ...]]:
        """The claims of each problem, in order: a question ``p3.gradient`` belongs to problem 3."""
        grouped: dict[str, dict[str, None]] = {}
        for question in self.data.get("question", []):
            if not isinstance(question, dict):
                continue
            problem = str(question.get("id", "")).partition(".")[0].lstrip("p")
            reference = question.get("reference", {})
            reference = reference if isinstance(reference, dict) else {}
            mistakes = [m for m in question.get("mistakes", []) if isinstance(m, dict)]
            for claim in (reference.get("claim"), question.get("simulation"), *(m.get("claim") for m in mistakes)):
                if isinstance(claim, str) and claim and not any(claim in seen for seen in grouped.values()):
                    grouped.setdefault(problem, {})[claim] = None
        return {problem: tuple(claims) for problem, claims in grouped.items()}


def builtin() -> tuple[str, ...]:
    """The ids of the sheets that ship inside the package (its folders holding a ``sheet.toml``)."""
    root = resources.files(__name__)
    return tuple(sorted(entry.name for entry in root.iterdir()
                        if entry.is_dir() and entry.joinpath(SHEET_FILE).is_file()))


@cache
def sheet(name: str | None = None) -> Sheet:
    """The sheet ``name``: a built-in sheet's id, or the path of a folder holding a ``sheet.toml``
    (default: :data:`DEFAULT`). Raises :class:`SheetError` naming the known sheets otherwise."""
    key = DEFAULT if name is None else name
    if key in builtin():
        return Sheet(key, resources.files(__name__).joinpath(key))
    folder = Path(key).expanduser()
    if folder.is_file() and folder.name == SHEET_FILE:
        folder = folder.parent
    if folder.is_dir() and (folder / SHEET_FILE).is_file():
        return Sheet(folder.resolve().name, folder.resolve())
    raise SheetError(f"unknown sheet {key!r}: give a built-in sheet ({', '.join(builtin())}) "
                     f"or a folder holding a {SHEET_FILE}")
