"""Writing and reading the CSV files of the batch-grading tests."""
import csv
from pathlib import Path


def write_csv(path: Path, rows, header=("student_id", "question", "answer")) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
