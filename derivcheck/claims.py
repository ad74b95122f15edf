"""Claims: one object per claim, joining its derivation (``derivations/<id>.py``, SymPy), its
verifier (``simulations/<id>.py``, PyTorch) and its template (``claims/<id>.tex.j2``); a sheet's
TOML names a claim in a question (``reference = { claim = "<id>" }``) and may add report extras
for it (``[claims.<id>]``, e.g. ``figure = "..."``). This module sits above derivations and
simulations (it reads both registries); nothing below it imports it.

Adding a claim is its derivation module, its verifier module, its template and one TOML entry:
the claim is registered by its ``@derivation``; nothing here lists claims.

>>> from derivcheck import claims
>>> [c.id for c in claims.of("sheet8")][:2]
['relu_variance', 'he_sigma']
>>> claims.get("he_sigma").derivation.result
sqrt(2)/sqrt(d)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.util import find_spec
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .errors import UnknownId

if TYPE_CHECKING:
    from derivcheck.derivations import Derivation
    from derivcheck.sheets import Sheet
    from derivcheck.simulations import Verification
    from derivcheck.simulations.registry import Verifier

#: The blocks of a claim's template the report renders: its line on page 1 (``glance``), its
#: section (``body``) and its part of the appendix (``appendix``).
BLOCKS = ("glance", "body", "appendix")


@dataclass(frozen=True)
class Claim:
    """One claim: its ``id`` (the name of its derivation's function and module and of its verifier's
    module) and the report ``extras`` a sheet gives it (its ``[claims.<id>]`` table). Everything
    else is found from the id: the derivation, the verifier, the template and its blocks."""

    id: str
    extras: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def derivation(self) -> Derivation:
        """The claim's SymPy derivation (derived once per process)."""
        from derivcheck.derivations import derive

        return derive(self.id)

    @property
    def has_verifier(self) -> bool:
        """Whether a verifier module ``simulations/<id>.py`` exists (found without importing torch)."""
        return find_spec(f"derivcheck.simulations.{self.id}") is not None

    @property
    def verifier(self) -> Verifier:
        """The registered check of the claim (imports torch)."""
        from derivcheck.simulations.registry import verifiers

        found = verifiers().get(self.id)
        if found is None:
            raise self._no_verifier()
        return found

    def _no_verifier(self) -> UnknownId:
        return UnknownId(f"claim {self.id!r} has no verifier (simulations/{self.id}.py with @verifier)")

    @property
    def random(self) -> bool:
        """Whether the claim's check draws random inputs from its seed (``@verifier(random=True)``;
        imports torch). A random check has ``samples > 0``; the others are exact (alpha 0)."""
        from derivcheck.simulations.registry import is_random

        return is_random(self.id)

    def verify(self, *, seed: int = 0, device: str = "auto", alpha: float = 1e-6, **options: Any) -> Verification:
        """Run the claim's check (see :func:`derivcheck.simulations.verify`)."""
        from derivcheck import simulations

        if not self.has_verifier:
            raise self._no_verifier()
        return simulations.verify(self.id, seed=seed, device=device, alpha=alpha, **options)

    @property
    def template(self) -> str:
        """The name of the claim's template (found by the report's template loader)."""
        return f"claims/{self.id}.tex.j2"

    @property
    def blocks(self) -> tuple[str, ...]:
        """The names of the blocks of :attr:`template` the report renders (:data:`BLOCKS`)."""
        return BLOCKS

    @property
    def figure(self) -> str | None:
        """The name of the claim's figure in the report, when its sheet gives one (``figure``)."""
        value = self.extras.get("figure")
        return str(value) if value else None


@cache
def registered() -> dict[str, Claim]:
    """Every registered claim (every ``@derivation``), by id, in the order of the ids."""
    from derivcheck.derivations import derivers

    return {cid: Claim(cid) for cid in sorted(derivers())}


def get(claim_id: str) -> Claim:
    """The registered claim ``claim_id`` (raises :class:`~derivcheck.errors.UnknownId` listing the
    registered ones)."""
    known = registered()
    if claim_id not in known:
        raise UnknownId(f"unknown claim {claim_id!r}; choose from: {', '.join(known)}")
    return known[claim_id]


def of(sheet: Sheet | str | None = None) -> tuple[Claim, ...]:
    """The claims of ``sheet`` (a :class:`~derivcheck.sheets.Sheet`, its id or path; default: the
    default sheet) in its order, each with the sheet's extras for it. A sheet naming a claim that is
    not registered raises :class:`~derivcheck.sheets.SheetError` naming it."""
    from derivcheck.sheets import Sheet, SheetError
    from derivcheck.sheets import sheet as find

    chosen = sheet if isinstance(sheet, Sheet) else find(sheet)
    known = registered()
    missing = [c for c in chosen.claims if c not in known]
    if missing:
        raise SheetError(f"{chosen.source}: claim {missing[0]!r} is not registered (a claim needs "
                         f"derivations/{missing[0]}.py with @derivation); registered: {', '.join(known)}")
    return tuple(replace(known[c], extras=MappingProxyType(chosen.claim_table(c))) for c in chosen.claims)


__all__ = ["BLOCKS", "Claim", "get", "of", "registered"]
