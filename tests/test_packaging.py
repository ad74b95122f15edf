"""Packaging: one import package, every subpackage shipped, and `python -m derivcheck` immune to
a course folder's own modules named like the layers."""
import os
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_shipped_under_derivcheck():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping, packages = config["package-dir"], set(config["packages"])
    assert all(name == "derivcheck" or name.startswith("derivcheck.") for name in packages)
    on_disk = set()
    for name, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            on_disk.add(".".join([name, *rel.parts]))
    assert on_disk <= packages, f"package folders missing from [tool.setuptools] packages: {on_disk - packages}"
    assert packages <= set(mapping), "every package has its folder in package-dir"


def test_python_m_derivcheck_in_a_course_folder(tmp_path):
    for name in ("grading", "report", "simulations", "derivations"):
        (tmp_path / f"{name}.py").write_text(f"raise SystemExit('the course folder\\'s {name}.py was imported')\n")
    result = subprocess.run([sys.executable, "-m", "derivcheck", "check", "p4.forward_mults", "n L K^2", "--json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
                            env={**os.environ, "DERIVCHECK_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert '"verdict": "correct"' in result.stdout
