"""The store cannot be turned against its users (issue 20): records are bound to their name and
content by an HMAC under a per-install secret; poisoned, forged, huge and deep records read as
missing; the folder is owner-only; a failed write leaves no temporary file; a store that cannot be
written says so once and keeps the results in memory."""
import json
import os
import stat

import pytest

from derivcheck import store


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("DERIVCHECK_CACHE", str(folder))
    monkeypatch.setattr(store, "_memory", {})
    monkeypatch.setattr(store, "_warned", set())
    store._master.cache_clear()
    yield folder
    store._master.cache_clear()


def test_records_round_trip_in_an_owner_only_folder(cache):
    store.write("r1", {"a": [1, 2.5, "inf"], "b": float("nan")})
    assert store.read("r1") == {"a": [1, 2.5, "inf"], "b": "nan"}
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    secret_file = cache / store.SECRET_FILE
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600 and secret_file.stat().st_size == 32
    assert stat.S_IMODE(store.path("r1").stat().st_mode) == 0o600


def test_the_secret_is_per_purpose_and_kept_across_processes(cache):
    points, records = store.secret("points"), store.secret("records")
    assert len(points) == 32 and points != records
    store._master.cache_clear()  # as a new process would
    assert store.secret("points") == points


def test_a_secret_others_could_read_is_replaced(cache):
    first = store.secret("points")
    os.chmod(cache / store.SECRET_FILE, 0o644)
    store._master.cache_clear()
    assert store.secret("points") != first
    assert stat.S_IMODE((cache / store.SECRET_FILE).stat().st_mode) == 0o600


def test_poisoned_forged_and_moved_records_read_as_missing(cache):
    store.write("p2", {"reference": 1})
    mac, _, text = store.path("p2").read_text().partition("\n")
    store.path("p2").write_text(mac + "\n" + text.replace("1", "0"))       # content changed, MAC kept
    assert store.read("p2") is None
    store.path("forged").write_text(json.dumps({"reference": 0}))          # the old format: no MAC
    assert store.read("forged") is None
    store.write("genuine", {"reference": 1})
    store.path("moved").write_bytes(store.path("genuine").read_bytes())    # a record under another name
    assert store.read("moved") is None and store.read("genuine") == {"reference": 1}


def test_huge_and_deep_records_read_as_missing_without_a_crash(cache, monkeypatch):
    deep = "[" * 200_000 + "]" * 200_000
    store._make_folder(cache)
    store.path("deep").write_text(store._mac("deep", deep) + "\n" + deep)   # even with a valid MAC
    assert store.read("deep") is None
    store.write("big", {"x": "y" * 5000})
    monkeypatch.setattr(store, "MAX_BYTES", 1000)
    assert store.read("big") is None


def test_a_poisoned_bank_record_cannot_change_a_verdict(cache):
    from derivcheck.grading import bank
    from derivcheck.grading.grader import check

    bank.load.cache_clear()
    try:
        assert check(bank.load()["p2.variance"], "0", evidence=False)["verdict"] == "incorrect"
        records = list(cache.glob("bank-*.json"))
        assert records
        for record in records:  # the red team's poison: 0 as every reference, MAC left as it was
            mac, _, text = record.read_text().partition("\n")
            doc = json.loads(text)
            for entry in doc.values():
                entry["reference"] = [["S", "Zero"]]
            record.write_text(mac + "\n" + json.dumps(doc))
        bank.load.cache_clear()
        assert check(bank.load()["p2.variance"], "0", evidence=False)["verdict"] == "incorrect"
    finally:
        bank.load.cache_clear()


def test_an_unwritable_store_warns_once_and_keeps_results_in_memory(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("DERIVCHECK_CACHE", str(blocker / "cache"))   # cannot be created (as root too)
    monkeypatch.setattr(store, "_memory", {})
    monkeypatch.setattr(store, "_warned", set())
    store._master.cache_clear()
    try:
        store.write("one", {"v": 1})
        store.write("two", {"v": 2})
        assert store.read("one") == {"v": 1} and store.read("two") == {"v": 2}
        assert len(store.secret("points")) == 32
        assert capsys.readouterr().err.count("derivcheck:") == 1
    finally:
        store._master.cache_clear()


def test_a_failed_write_leaves_no_temporary_file(cache, monkeypatch):
    store.secret("records")

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", full_disk)
    store.write("r", {"v": 1})
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]
    assert store.read("r") == {"v": 1}  # kept in memory for the run
