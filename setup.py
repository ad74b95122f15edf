"""Packaging: the repository keeps one folder per layer, and each installs as a subpackage of the one
import package ``derivcheck`` (``derivations/`` is ``derivcheck.derivations``, and so on).

Every folder inside a layer is found here, data folders included (a sheet's folder, its templates,
the web page's static files), and every file in it that is not Python ships as package data. So a
new sheet folder under ``derivcheck/sheets/`` installs with no line added anywhere, and setuptools
never prints its "Package would be ignored" banner. The rest of the metadata is in pyproject.toml.
"""
from __future__ import annotations

from pathlib import Path

# import name of each layer -> its folder in the repository
LAYERS = {
    "derivcheck": "derivcheck",
    "derivcheck.derivations": "derivations",
    "derivcheck.simulations": "simulations",
    "derivcheck.grading": "grading",
    "derivcheck.report": "report",
}
_SKIP_SUFFIXES = {".py", ".pyc", ".pyo"}


def _shipped(folder: Path) -> bool:
    return not folder.name.startswith((".", "__")) and not folder.name.endswith(".egg-info")


def layout(root: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(package -> folder relative to ``root``, package -> its data files) for every folder that
    holds files, found by walking each layer."""
    package_dir: dict[str, str] = {}
    package_data: dict[str, list[str]] = {}
    for name, top in LAYERS.items():
        for folder in [root / top, *sorted((root / top).rglob("*"))]:
            relative = folder.relative_to(root / top)
            if not folder.is_dir() or not all(_shipped(Path(part)) for part in relative.parts):
                continue
            files = [f for f in sorted(folder.iterdir()) if f.is_file() and not f.name.startswith(".")]
            if not files:
                continue
            package = ".".join([name, *relative.parts])
            package_dir[package] = folder.relative_to(root).as_posix()
            data = [f.name for f in files if f.suffix not in _SKIP_SUFFIXES]
            if data:
                package_data[package] = data
    return package_dir, package_data


if __name__ == "__main__":
    import warnings

    from setuptools import setup

    # An editable install maps the layers with an import finder; setuptools then prints an
    # information-only banner that a folder named like the package in the working directory could
    # shadow it. Here that folder is the package itself (tests/test_packaging.py runs
    # ``python -m derivcheck`` in a course folder holding look-alike modules), so it says nothing.
    warnings.filterwarnings("ignore", message="Editable installation")
    package_dir, package_data = layout(Path(__file__).resolve().parent)
    setup(packages=sorted(package_dir), package_dir=package_dir, package_data=package_data)
