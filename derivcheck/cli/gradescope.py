"""``derivcheck gradescope-bundle``: a Gradescope autograder that grades with derivcheck.

Gradescope builds an autograder from a zip holding ``setup.sh`` (run once, as root, when the
image is built) and ``run_autograder`` (run for each submission: the student's files are in
``/autograder/submission``, the result goes to ``/autograder/results/results.json``). The bundle
this command writes holds both, derivcheck as a wheel (with its dependencies' wheels when they
could be downloaded for Gradescope's Python), the question bank, a template for the students'
answers, and the stored simulation records (so counterexamples carry the simulated measurement
without PyTorch on Gradescope). ``setup.sh`` installs derivcheck from the wheels only, offline;
``run_autograder`` calls :func:`autograde`.
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from derivcheck.errors import InputError

from .common import UsageError, sheet_option

NAME = "gradescope-bundle"
EXTRA: str | None = None

#: The file a student uploads to Gradescope (a CSV with columns question,answer).
SUBMISSION = "answers.csv"

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It installs derivcheck from the wheels in this folder; with the dependencies' wheels there too
# (the default), no network is used.
set -euo pipefail
cd "$(dirname "$0")"
if ! python3 -m pip --version >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip
fi
if ! python3 -m pip install --no-index --find-links wheels derivcheck-ml; then
  echo "setup.sh: a dependency's wheel is missing for this Python; installing the dependencies from PyPI"
  python3 -m pip install --find-links wheels derivcheck-ml
fi
python3 -m derivcheck --version
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission: grades /autograder/submission/{submission} into
# /autograder/results/results.json, one test per question of the bank.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
export DERIVCHECK_CACHE="${{DERIVCHECK_CACHE:-$ROOT/source/cache}}"
exec "${{DERIVCHECK_PYTHON:-python3}}" -m derivcheck.cli.gradescope "$ROOT" "{submission}" "{bank}" "{timeout}"
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, parents=[sheet_option(bank=True)],
                       help="write a Gradescope autograder (setup.sh, run_autograder, wheels) to a folder",
                       description="Write DIR/ with setup.sh and run_autograder (Gradescope's autograder "
                                   "entry points), derivcheck as a wheel with its dependencies' wheels, the "
                                   "question bank, the stored simulation records and answers_template.csv "
                                   "for the students, and DIR.zip to upload as the autograder. Students "
                                   "submit the template filled in: a CSV with columns question,answer (a "
                                   "cell with line breaks is a derivation). See the README, 'Gradescope'.")
    p.add_argument("directory", metavar="DIR", help="the folder to write (created; must be empty if it exists)")
    p.add_argument("--wheel", metavar="FILE", help="derivcheck's wheel to ship (default: built from this checkout)")
    p.add_argument("--python", default="3.10", metavar="X.Y",
                   help="Gradescope's Python, for which the dependencies' wheels are downloaded (Ubuntu 22.04: 3.10)")
    p.add_argument("--no-download", action="store_true",
                   help="ship no dependency wheels (setup.sh then installs them from PyPI on Gradescope)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="seconds per answer on Gradescope before it is undecided (flagged for review)")
    p.set_defaults(run=run, extra=EXTRA)


def run(args: argparse.Namespace) -> int:
    from derivcheck import engine

    target = Path(args.directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: exists and is not an empty folder")
    questions = list(engine.load_bank(args.bank, sheet=args.sheet))  # a bad bank stops here, before anything is written
    chosen = engine.find_sheet(args.sheet) if args.sheet else None
    if not args.timeout > 0:
        raise UsageError("--timeout must be positive")
    wheels = target / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    _log(f"derivcheck gradescope-bundle: writing {target}")
    wheel = _our_wheel(wheels, args.wheel)
    if not args.no_download:
        _dependency_wheels(wheels, args.python)
    bank = ""  # what run_autograder passes on: the default sheet, a built-in sheet's id or the copied TOML
    if chosen is not None and chosen.builtin:
        bank = chosen.id
    elif args.bank or chosen is not None:
        shutil.copyfile(args.bank if chosen is None else chosen.source, target / "bank.toml")
        bank = "$ROOT/source/bank.toml"
    copied = _simulation_records(target / "cache")
    _write_executable(target / "setup.sh", SETUP)
    _write_executable(target / "run_autograder",
                      RUN.format(submission=SUBMISSION, bank=bank,
                                 timeout=args.timeout))
    with open(target / "answers_template.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["question", "answer"])
        writer.writerows([q, ""] for q in questions)
    archive = target.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(target.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, path.relative_to(target).as_posix())
                with open(path, "rb") as f:
                    z.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
    _log(f"  {wheel.name}, {len(list(wheels.glob('*.whl'))) - 1} dependency wheels, {copied} simulation records, "
         f"{len(questions)} questions")
    print(archive)
    return 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _write_executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def _pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False)


def _our_wheel(wheels: Path, given: str | None) -> Path:
    """derivcheck's wheel in ``wheels``: the one given, else built from the checkout derivcheck runs from."""
    if given:
        source = Path(given)
        if source.suffix != ".whl" or not source.is_file():
            raise UsageError(f"{given}: not a wheel file")
        return Path(shutil.copy2(source, wheels / source.name))
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise UsageError("derivcheck is not running from a checkout: pass --wheel FILE (derivcheck_ml-*.whl)")
    _log("  building derivcheck's wheel (pip wheel; a few seconds) ...")
    with tempfile.TemporaryDirectory() as tmp:
        built = _pip("wheel", "--no-deps", "--quiet", "-w", tmp, str(root))
        found = sorted(Path(tmp).glob("derivcheck_ml-*.whl"))
        if built.returncode != 0 or not found:
            raise InputError(f"could not build derivcheck's wheel: {(built.stderr or built.stdout).strip()[-300:]}")
        return Path(shutil.copy2(found[0], wheels / found[0].name))


def _requirements(python: str) -> list[str]:
    """derivcheck's core requirements (no extras) as installed, those whose marker holds on
    Gradescope's ``python`` (tomli below 3.11), without their markers: pip download would
    evaluate them for the Python it runs on."""
    from importlib.metadata import requires

    from pip._vendor.packaging.requirements import Requirement  # pip's own copy: pip downloads the wheels

    out = []
    for text in requires("derivcheck-ml") or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"python_version": python, "extra": ""}):
            out.append(f"{req.name}{req.specifier}")
    return out


def _dependency_wheels(wheels: Path, python: str) -> None:
    """The core dependencies' wheels for Gradescope's Linux and ``python``, from the package index."""
    _log(f"  downloading the dependencies' wheels for Python {python} on Linux x86-64 (pip download) ...")
    result = _pip("download", "--quiet", "--only-binary=:all:", "--dest", str(wheels), "--python-version", python,
                  "--implementation", "cp", "--platform", "manylinux2014_x86_64", "--platform",
                  "manylinux_2_17_x86_64", "--platform", "any", *_requirements(python))
    if result.returncode != 0:
        _log("  could not download them (offline?): setup.sh will install them from PyPI on Gradescope; "
             "or run again with network (--no-download to skip)")


def _simulation_records(cache: Path) -> int:
    """Copy the store's verification records (the simulated evidence of counterexamples) and the
    bank's derived formulas into ``cache`` (Gradescope then neither simulates nor derives); the
    number of verification records."""
    from derivcheck import store

    cache.mkdir(parents=True, exist_ok=True)
    found = {pattern: sorted(store.root().glob(pattern)) if store.root().is_dir() else []
             for pattern in ("verify-*.json", "bank-*.json")}
    for record in (r for records in found.values() for r in records):
        shutil.copyfile(record, cache / record.name)
    return len(found["verify-*.json"])


# --- on Gradescope ----------------------------------------------------------------------------

def autograde(root: str | Path, submission: str = SUBMISSION, bank: str | None = None, timeout: float = 10.0) -> int:
    """Grade ``root``/submission/``submission`` (columns question,answer) into
    ``root``/results/results.json, one test per question of the sheet ``bank`` (a built-in sheet's
    id or a TOML file's path; None: the default sheet) (an unanswered question
    scores 0). A missing or unreadable submission gets a results.json that says so. Returns 0."""
    from derivcheck import engine

    root = Path(root)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    questions = list(engine.load_bank(sheet=bank))
    try:
        answers = _read_submission(root / "submission" / submission)
    except InputError as err:
        results.write_text(json.dumps({"score": 0.0, "output": str(err), "tests": []}, indent=2), encoding="utf-8")
        return 0
    answered = [q for q in questions if answers.get(q, "").strip()]
    doc: dict = {"score": 0.0, "tests": []}
    if answered:
        with tempfile.TemporaryDirectory() as tmp:
            graded, out, gradescope = Path(tmp) / "in.csv", Path(tmp) / "out.csv", Path(tmp) / "gradescope"
            with open(graded, "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(["student_id", "question", "answer"])
                writer.writerows(["submission", q, answers[q]] for q in answered)
            engine.grade(graded, out, sheet=bank, gradescope=gradescope, workers=2, timeout=timeout)
            doc = json.loads((gradescope / "submission" / "results.json").read_text(encoding="utf-8"))
    graded_tests = {t["name"]: t for t in doc["tests"]}
    doc["tests"] = [graded_tests.get(q) or {"name": q, "score": 0.0, "max_score": 1.0, "status": "failed",
                                            "output": "Not answered."} for q in questions]
    doc["max_score"] = float(len(questions))
    doc["output"] = (f"{sum(t['score'] == t['max_score'] for t in doc['tests'])} of {len(questions)} questions "
                     f"answered correctly ({len(answered)} answered).")
    results.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


def _read_submission(path: Path) -> dict[str, str]:
    """{question: answer} from a submission CSV; the last row of a question counts."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if not {"question", "answer"} <= set(reader.fieldnames or []):
                raise InputError(f"{path.name} must be a CSV with the columns question,answer (see "
                                 "answers_template.csv)")
            return {(row["question"] or "").strip(): row["answer"] or "" for row in reader}
    except FileNotFoundError:
        raise InputError(f"no {path.name} in the submission: upload your answers as {path.name}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"{path.name} could not be read ({err})") from None


if __name__ == "__main__":  # run_autograder: ROOT SUBMISSION SHEET TIMEOUT (an id or a TOML's path; empty: default)
    sys.exit(autograde(sys.argv[1], sys.argv[2], sys.argv[3] or None, float(sys.argv[4])))
