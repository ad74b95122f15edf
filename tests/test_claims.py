"""Claims are registered objects: each claim a sheet names has its derivation, its verifier and its
template, found from its id alone; a sheet's ``[claims.<id>]`` table adds report extras."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from derivcheck import claims
from derivcheck.errors import UnknownId
from derivcheck.sheets import SheetError, sheet


def template_exists(name: str) -> bool:
    """A template is found beside the sheet's TOML or among the report's templates."""
    report = Path(str(resources.files("derivcheck.report").joinpath("templates")))
    return (Path(str(sheet().folder)) / name).is_file() or (report / name).is_file()


@pytest.mark.parametrize("claim", claims.of(), ids=lambda c: c.id)
def test_each_claim_of_the_sheet_has_its_parts(claim):
    assert claim.derivation.id == claim.id
    assert claim.has_verifier
    assert template_exists(claim.template), claim.template
    assert claim.blocks == ("glance", "body", "appendix")


def test_the_sheets_claims_keep_its_order():
    assert tuple(c.id for c in claims.of()) == sheet().claims
    assert set(sheet().claims) <= set(claims.registered())


def test_an_unknown_claim_is_named():
    with pytest.raises(UnknownId, match="unknown claim 'nope'"):
        claims.get("nope")


def test_a_sheet_naming_an_unregistered_claim_is_refused(tmp_path):
    (tmp_path / "sheet.toml").write_text("[[question]]\nid = 'a'\nreference = { claim = 'no_such_claim' }\n")
    with pytest.raises(SheetError, match="'no_such_claim' is not registered"):
        claims.of(str(tmp_path))


def test_a_sheet_gives_a_claim_report_extras(tmp_path):
    (tmp_path / "sheet.toml").write_text(
        "[claims.he_sigma]\nfigure = 'he_profile'\n\n"
        "[[question]]\nid = 'a'\nvariables = { d = 'positive_integer' }\nreference = { claim = 'he_sigma' }\n")
    (claim,) = claims.of(str(tmp_path))
    assert claim.id == "he_sigma" and claim.figure == "he_profile" and claim.extras == {"figure": "he_profile"}
    assert claims.get("he_sigma").figure is None  # the registered claim itself has no sheet's extras
