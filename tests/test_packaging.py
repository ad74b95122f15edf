"""Packaging: one import package, every subpackage shipped, and `python -m derivcheck` immune to
a course folder's own modules named like the layers."""
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_folder_of_a_layer_installs_with_its_data(tmp_path):
    """setuptools prints a "Package would be ignored" banner for every folder inside a package that
    holds files but is not declared, and leaves out data it is not told of: setup.py declares every
    folder of every layer with its data files, so a sheet folder dropped in needs no line anywhere."""
    root = ROOT
    layout = runpy.run_path(str(root / "setup.py"), run_name="layout")["layout"]
    package_dir, package_data = layout(root)
    declared = {(root / folder).resolve() for folder in package_dir.values()}
    for top in ("derivcheck", "derivations", "simulations", "grading", "report"):
        for sub in [root / top, *(root / top).rglob("*")]:
            if sub.is_dir() and "__pycache__" not in sub.parts and any(p.is_file() for p in sub.iterdir()):
                assert sub.resolve() in declared, f"{sub.relative_to(root)} holds files but is not a package"
    assert "derivcheck.sheets.sheet9.templates.claims" in package_dir
    assert "sheet.toml" in package_data["derivcheck.sheets.sheet8"]
    assert {"app.js", "style.css"} <= set(package_data["derivcheck.web.static"])
    assert "grammar.lark" in package_data["derivcheck.grading"]
    assert not any(name.endswith(".py") for files in package_data.values() for name in files)

    sheet = tmp_path / "derivcheck" / "sheets" / "zz_new_sheet"  # a new sheet folder is found as it is
    (sheet / "templates").mkdir(parents=True)
    (sheet / "sheet.toml").write_text("")
    (sheet / "templates" / "zz.tex.j2").write_text("")
    package_dir, package_data = layout(tmp_path)
    assert package_dir["derivcheck.sheets.zz_new_sheet"] == "derivcheck/sheets/zz_new_sheet"
    assert package_data["derivcheck.sheets.zz_new_sheet.templates"] == ["zz.tex.j2"]


def test_python_m_derivcheck_in_a_course_folder(tmp_path):
    for name in ("grading", "report", "simulations", "derivations"):
        (tmp_path / f"{name}.py").write_text(f"raise SystemExit('the course folder\\'s {name}.py was imported')\n")
    result = subprocess.run([sys.executable, "-m", "derivcheck", "check", "p4.forward_mults", "n L K^2", "--json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
                            env={**os.environ, "DERIVCHECK_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert '"verdict": "correct"' in result.stdout
