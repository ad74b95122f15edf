"""Sheets: a sheet is one folder of data, ``sheet.toml`` (its questions, which name the claims that
answer them, its models and its credit) beside its templates. The built-in sheets are the folders
of this package; an instructor's sheet is any folder holding a ``sheet.toml``. Nothing outside
this package names a particular sheet, and nothing else reads a sheet's TOML text from disk.

>>> sheet().claims[:2]
('relu_variance', 'he_sigma')
>>> sheet().id
'sheet8'

A bank file (``--bank FILE``, any ``.toml`` file) is a one-file sheet: ``sheet("my_bank.toml")``.
"""
from __future__ import annotations

import hashlib
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
    """An exercise sheet: the folder ``folder`` (package data or a path), its ``id`` (the folder's
    name) and the ``file`` in it holding its data (``sheet.toml``; a bank file given by path is a
    one-file sheet named by the file's stem). Its TOML text is read once (:attr:`text`);
    :attr:`data` is that text parsed."""

    id: str
    folder: Traversable
    file: str = SHEET_FILE
    builtin: bool = False

    @cached_property
    def text(self) -> str:
        """The text of the sheet's ``sheet.toml``."""
        try:
            return self.folder.joinpath(self.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise SheetError(f"{self.source}: cannot read ({getattr(err, 'strerror', None) or err})") from None

    @property
    def source(self) -> str:
        """Where the sheet's data comes from, as messages name it: the file's path as given for a
        sheet given by path, ``built-in sheet <id>`` for a built-in one."""
        return f"built-in sheet {self.id}" if self.builtin else str(self.folder.joinpath(self.file))

    @property
    def spec(self) -> str:
        """How :func:`sheet` finds this sheet again (in a worker process): a built-in sheet's id,
        a folder sheet's folder, a one-file sheet's file."""
        if self.builtin:
            return self.id
        return str(self.folder if self.file == SHEET_FILE else self.folder.joinpath(self.file))

    @cached_property
    def key(self) -> str:
        """The sheet in the store's keys: its id and a hash of where it comes from and its text
        (an edited sheet, or another folder of the same name, gets other records)."""
        from derivcheck.store import safe_name

        digest = hashlib.sha256(f"{self.source}\0{self.text}".encode()).hexdigest()[:12]
        return f"{safe_name(self.id)}-{digest}"

    def claim_table(self, claim: str) -> dict[str, Any]:
        """The sheet's ``[claims.<claim>]`` table (report extras of a claim, such as ``figure``),
        empty when the sheet has none."""
        tables = self.data.get("claims", {})
        table = tables.get(claim, {}) if isinstance(tables, dict) else {}
        return dict(table) if isinstance(table, dict) else {}

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


def sheet(name: Sheet | str | Path | None = None) -> Sheet:
    """The sheet ``name``: a built-in sheet's id, the path of a folder holding a ``sheet.toml``, or
    the path of a TOML file (a one-file sheet: a bank file; read when its :attr:`Sheet.text` is
    first asked for, so an unreadable file says so then); a :class:`Sheet` is returned as it is.
    Default: :data:`DEFAULT`. Raises :class:`SheetError` naming the known sheets for a bare name
    that is none of these."""
    if isinstance(name, Sheet):
        return name
    key = DEFAULT if name is None else str(name)
    if key in builtin():
        return _builtin(key)
    path = Path(key).expanduser()
    if path.name == SHEET_FILE and path.is_file():
        path = path.parent
    if path.is_dir():
        if (path / SHEET_FILE).is_file():
            return Sheet(path.resolve().name, path.resolve())
        raise SheetError(f"{key}: this folder holds no {SHEET_FILE} (write one with `derivcheck sheet new {key}`)")
    if path.is_file() or path.suffix or len(path.parts) > 1:  # a file's path: read (or said unreadable) when used
        return Sheet(path.stem, path.parent, path.name)
    raise SheetError(f"unknown sheet {key!r}: give a built-in sheet ({', '.join(builtin())}), "
                     f"a folder holding a {SHEET_FILE} or a bank's .toml file")


@cache
def _builtin(name: str) -> Sheet:
    return Sheet(name, resources.files(__name__).joinpath(name), builtin=True)
