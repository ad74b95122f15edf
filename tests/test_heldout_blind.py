"""Blind held-out sets of issue 21 (tests/data/heldout{4,6,7}_*.jsonl): answers and derivations for
both sheets written by red-team helpers who never read the reader's code nor the other sets, every
verdict decided by hand and committed before any run.

An answer row is ``{sheet, q, a, v, dx?}`` (``v`` one verdict or a list a TA would accept); a
derivation row is ``{sheet, q, steps, expected, final}`` (``expected``: "start" for line 0, then one
verdict per line, or a list). Lines are matched to the checker's lines by position; the working of a
question whose working is not checked (no line verdicts) is counted apart. A wrong line judged ok
is a line a TA judged wrong (and not ok) that the checker judged ok.

``python tests/test_heldout_blind.py SET`` prints the figures and every miss; the slow test holds
the two counts that must be zero on any set: answers graded correct that a TA would not accept,
and wrong lines judged ok.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from derivcheck.grading.bank import load
from derivcheck.grading.grader import check

DATA = Path(__file__).parent / "data"
SETS = ("heldout4", "heldout6", "heldout7", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14",
        "heldout15", "heldout16", "heldout17", "heldout18")


def _rows(name: str) -> list[dict[str, Any]]:
    path = DATA / name
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [row for row in rows if "q" in row]  # a first row may only describe the format


def _accepted(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def measure(which: str) -> dict[str, Any]:
    """The set's counts: answers right, false correct; lines right, wrong judged ok, right lines
    judged invalid; and every miss."""
    banks: dict[str, dict] = {}
    out: dict[str, Any] = {"answers": 0, "answers_right": 0, "false_correct": 0, "lines": 0, "lines_right": 0,
                           "wrong_ok": 0, "right_lines": 0, "unreadable": 0, "not_checked": 0, "misses": []}
    for row in _rows(f"{which}_answers.jsonl"):
        bank = banks.setdefault(row["sheet"], load(row["sheet"]))
        got = check(bank[row["q"]], row["a"], evidence=False)["verdict"]
        accepted = _accepted(row["v"])
        out["answers"] += 1
        out["answers_right"] += got in accepted
        out["false_correct"] += got == "correct" and "correct" not in accepted
        if got not in accepted:
            out["misses"].append(("answer", row["sheet"], row["q"], row["a"], accepted, got))
    for row in _rows(f"{which}_lines.jsonl"):
        bank = banks.setdefault(row["sheet"], load(row["sheet"]))
        steps = check(bank[row["q"]], "\n".join(row["steps"]), evidence=False).get("steps") or []
        if not steps:  # a question whose working is not checked (the interface says which)
            out["not_checked"] += len(row["expected"]) - 1
            continue
        for k, want in enumerate(row["expected"][1:], start=1):
            got = steps[k]["verdict"] if k < len(steps) else "missing"
            accepted = _accepted(want)
            out["lines"] += 1
            out["lines_right"] += got in accepted
            out["wrong_ok"] += got == "ok" and "wrong" in accepted and "ok" not in accepted
            if "ok" in accepted:
                out["right_lines"] += 1
                out["unreadable"] += got == "invalid" and "invalid" not in accepted
            if got not in accepted:
                note = (steps[k].get("note") or "")[:100] if k < len(steps) else ""
                out["misses"].append(("line", row["sheet"], row["q"], row["steps"][k], accepted, got, note))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("which", SETS)
def test_no_false_correct_and_no_wrong_line_ok(which: str) -> None:
    result = measure(which)
    assert result["answers"] + result["lines"] > 0
    assert result["false_correct"] == 0, result["misses"]
    assert result["wrong_ok"] == 0, result["misses"]


def surfaces(which: str, folder: Path) -> dict[str, Any]:
    """Every row of the set (answers, and derivations as one cell with line breaks) through
    ``grade`` (CSV and Gradescope) and the page's service, against the in-process ``check``: the
    rows whose verdict or score differ on some surface (one judge)."""
    import csv

    from derivcheck.grading.batch import grade_csv
    from derivcheck.web.service import SelfCheck

    items = [(row["sheet"], row["q"], row["a"]) for row in _rows(f"{which}_answers.jsonl")]
    items += [(row["sheet"], row["q"], "\n".join(row["steps"])) for row in _rows(f"{which}_lines.jsonl")]
    differ: list[tuple[str, ...]] = []
    for sheet in sorted({item[0] for item in items}):
        mine = [(q, text) for s, q, text in items if s == sheet]
        bank = load(sheet)
        wanted = [check(bank[q], text) for q, text in mine]
        submissions, out = folder / f"{sheet}.csv", folder / f"{sheet}-out.csv"
        with open(submissions, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["student_id", "question", "answer"])
            writer.writerows([f"s{k}", q, text] for k, (q, text) in enumerate(mine))
        grade_csv(submissions, out, bank=sheet, gradescope=folder / f"{sheet}-gs")
        with open(out, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        with SelfCheck(sheet=sheet, workers=2) as page:
            pages = [page.check(q, text) for q, text in mine]
        for k, (q, text) in enumerate(mine):
            want = (wanted[k]["verdict"], float(wanted[k]["score"]))
            gradescope = json.loads((folder / f"{sheet}-gs" / f"s{k}" / "results.json").read_text())
            got = {"grade": (rows[k]["verdict"], float(rows[k]["score"])),
                   "page": (pages[k]["verdict"], float(pages[k]["score"])),
                   "gradescope": (want[0], float(gradescope["tests"][0]["score"]))}
            for surface, value in got.items():
                if value != want:
                    differ.append((surface, sheet, q, text[:80], str(want), str(value)))
    return {"rows": len(items), "differ": differ}


@pytest.mark.slow
@pytest.mark.parametrize("which", SETS[-1:])
def test_every_surface_agrees_on_a_blind_set(which: str, tmp_path: Path) -> None:
    result = surfaces(which, tmp_path)
    assert result["rows"] > 0
    assert result["differ"] == []


def main(which: str) -> None:
    r = measure(which)
    for miss in r["misses"]:
        print(*miss, sep=" | ")
    print(f"{which}: answers {r['answers_right']}/{r['answers']} "
          f"({100 * r['answers_right'] / max(1, r['answers']):.1f}%), false correct {r['false_correct']}; "
          f"lines {r['lines_right']}/{r['lines']} ({100 * r['lines_right'] / max(1, r['lines']):.1f}%), "
          f"wrong ok {r['wrong_ok']}, right lines unreadable {r['unreadable']}/{r['right_lines']} "
          f"({100 * r['unreadable'] / max(1, r['right_lines']):.1f}%); lines of unchecked working {r['not_checked']}")


if __name__ == "__main__":
    if "--surfaces" in sys.argv:  # python tests/test_heldout_blind.py SET --surfaces
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            result = surfaces(sys.argv[1], Path(tmp))
        for row in result["differ"]:
            print(*row, sep=" | ")
        print(f"{sys.argv[1]}: {result['rows']} rows through grade, Gradescope and the page; "
              f"{len(result['differ'])} differ from check")
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "heldout6")
