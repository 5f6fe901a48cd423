"""The cache's one store: what is put is got back, a damaged entry is found, removed and reported
in one line, writers of the same key in two processes leave one good entry, and prune lets the
least recently used go."""

import logging
import multiprocessing
import os
import time

import pytest

from diffusion_explainer.core.store import BLOB_SUFFIX, CHECK_NAME, Store

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


def store_with_reports(folder, **bounds):
    reports = []
    return Store(folder, report=reports.append, **bounds), reports


def test_blobs_objects_and_folders_come_back_as_put(tmp_path):
    store, reports = store_with_reports(tmp_path / "svg")
    store.put_bytes("a1", PAYLOAD)
    assert store.get_bytes("a1") == PAYLOAD
    store.put_object("b2", {"curves": [1.5, 2.5], "name": "ノイズ"})
    assert store.get_object("b2") == {"curves": [1.5, 2.5], "name": "ノイズ"}
    with store.making() as work:
        (work / "soundtrack.m4a").write_bytes(PAYLOAD)
        (work / "stems").mkdir()
        (work / "stems" / "music.wav").write_bytes(b"RIFF" * 100)
        folder = store.put_files("c3", work)
    assert store.entry_dir("c3") == folder == tmp_path / "svg" / "c3"
    assert (folder / "soundtrack.m4a").read_bytes() == PAYLOAD and (folder / "stems" / "music.wav").stat().st_size == 400
    assert store.get_bytes("zz") is None and store.entry_dir("zz") is None and store.get_object("zz") is None
    assert sorted(e.key for e in store.entries()) == ["a1", "b2", "c3"]
    assert sorted(p.name for p in (tmp_path / "svg").iterdir()) == ["a1.blob", "b2.blob", "c3"]  # no temporaries
    assert reports == []


def test_a_folder_outside_the_store_is_copied_in(tmp_path):
    store, _ = store_with_reports(tmp_path / "beds")
    outside = tmp_path / "made"
    outside.mkdir()
    (outside / "bed.npy").write_bytes(PAYLOAD)
    assert (store.put_files("k", outside) / "bed.npy").read_bytes() == PAYLOAD
    assert (outside / "bed.npy").exists()


def truncate(path):
    with open(path, "r+b") as f:
        f.truncate(120)


def zero(path):
    path.write_bytes(bytes(path.stat().st_size))


def zero_the_middle(path):
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(bytes(4096))


@pytest.mark.parametrize("damage, why", [(truncate, "size 120 of 1,048,677 bytes"), (zero, "no header"),
                                         (zero_the_middle, "checksum differs")])
def test_a_damaged_blob_is_removed_reported_and_made_again(tmp_path, damage, why):
    store, reports = store_with_reports(tmp_path / "svg")
    store.put_bytes("k1", PAYLOAD)
    damage(tmp_path / "svg" / f"k1{BLOB_SUFFIX}")
    assert store.get_bytes("k1") is None
    assert reports == [f"cache: svg/k1 was damaged ({why}); made again"]
    assert not (tmp_path / "svg" / f"k1{BLOB_SUFFIX}").exists()
    store.put_bytes("k1", PAYLOAD)  # what a caller does on None
    assert store.get_bytes("k1") == PAYLOAD and len(reports) == 1


@pytest.mark.parametrize("damage, why", [
    (lambda entry: truncate(entry / "soundtrack.m4a"), "soundtrack.m4a: size 120 of 1,048,576 bytes"),
    (lambda entry: zero(entry / "soundtrack.m4a"), "soundtrack.m4a: checksum differs"),
    (lambda entry: (entry / "narration.wav").unlink(), "narration.wav missing"),
    (lambda entry: (entry / CHECK_NAME).unlink(), f"no {CHECK_NAME}"),
    (lambda entry: truncate(entry / CHECK_NAME), f"{CHECK_NAME} unreadable: JSONDecodeError"),
])
def test_a_damaged_folder_entry_is_removed_reported_and_made_again(tmp_path, damage, why):
    store, reports = store_with_reports(tmp_path / "audio")

    def put():
        with store.making() as work:
            (work / "soundtrack.m4a").write_bytes(PAYLOAD)
            (work / "narration.wav").write_bytes(b"voice" * 100)
            return store.put_files("k2", work)

    damage(put())
    assert store.entry_dir("k2") is None
    assert reports == [f"cache: audio/k2 was damaged ({why}); made again"]
    assert not (tmp_path / "audio" / "k2").exists()
    assert (put() / "soundtrack.m4a").read_bytes() == PAYLOAD and store.entry_dir("k2") is not None


def test_the_default_report_is_one_logged_line_and_no_traceback(tmp_path, caplog):
    store = Store(tmp_path / "demos")
    store.put_object("k3", list(range(1000)))
    truncate(tmp_path / "demos" / f"k3{BLOB_SUFFIX}")
    with caplog.at_level(logging.WARNING, logger="diffusion_explainer.cache"):
        assert store.get_object("k3") is None
    assert [r.getMessage() for r in caplog.records] == ["cache: demos/k3 was damaged (size 120 of 2,858 bytes); made again"]
    assert all(r.exc_info is None for r in caplog.records)


def test_an_intact_pickle_of_something_gone_is_read_as_missing(tmp_path):
    store, reports = store_with_reports(tmp_path / "demos")
    store.put_bytes("k4", b"cno.such.module\nthing\n.")  # a pickle of a class in a module that is gone
    assert store.get_object("k4") is None
    assert reports == ["cache: demos/k4 was damaged (cannot be unpickled: ModuleNotFoundError); made again"]


def test_keys_are_names_not_paths(tmp_path):
    store = Store(tmp_path)
    for key in ("../x", ".hidden", "", "a/b", "a.b"):
        with pytest.raises(ValueError, match="cache key"):
            store.put_bytes(key, b"x")


def _put_many(folder: str, start, kind: str) -> None:
    store = Store(folder, report=lambda line: (_ for _ in ()).throw(AssertionError(line)))
    start.wait()
    for _ in range(40):
        if kind == "blob":
            store.put_bytes("same", PAYLOAD)
        else:
            with store.making() as work:
                (work / "a.wav").write_bytes(PAYLOAD)
                store.put_files("same", work)


@pytest.mark.parametrize("kind", ["blob", "folder"])
def test_two_processes_putting_the_same_key_leave_one_good_entry(tmp_path, kind):
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(3)
    writers = [context.Process(target=_put_many, args=(str(tmp_path), start, kind)) for _ in range(2)]
    for writer in writers:
        writer.start()
    store, reports = store_with_reports(tmp_path)
    start.wait()
    reads = 0
    while any(w.is_alive() for w in writers):  # a reader meanwhile sees a whole entry or none
        got = store.get_bytes("same") if kind == "blob" else store.entry_dir("same")
        reads += got is not None
    for writer in writers:
        writer.join()
    assert [w.exitcode for w in writers] == [0, 0] and reports == [] and reads > 0
    assert [e.key for e in store.entries()] == ["same"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same" + (BLOB_SUFFIX if kind == "blob" else "")]
    if kind == "blob":
        assert store.get_bytes("same") == PAYLOAD
    else:
        assert (store.entry_dir("same") / "a.wav").read_bytes() == PAYLOAD


def aged(store, keys_oldest_first):
    """Put each key with a modification time a minute apart, the first the oldest."""
    now = time.time()
    for age, key in enumerate(reversed(keys_oldest_first)):
        store.put_bytes(key, bytes(1000))
        os.utime(store.folder / f"{key}{BLOB_SUFFIX}", (now - 60 * age, now - 60 * age))


def test_prune_keeps_the_newest_n_and_a_read_counts_as_use(tmp_path):
    store = Store(tmp_path, keep=2)
    aged(store, ["k1", "k2", "k3", "k4"])
    store.get_bytes("k1")  # read: now the most recently used
    assert sorted(store.prune()) == ["k2", "k3"]
    assert [e.key for e in store.entries()] == ["k1", "k4"]


def test_prune_stays_under_the_byte_budget_oldest_first(tmp_path):
    entry = 1000 + len(b"diffusion-explainer cache 1 1000 ") + 64 + 1  # the payload and its header line
    store = Store(tmp_path, max_bytes=3 * entry + 10)
    aged(store, ["k1", "k2", "k3", "k4", "k5"])
    assert store.size() == 5 * entry
    assert sorted(store.prune()) == ["k1", "k2"]
    assert store.size() == 3 * entry <= store.max_bytes


def test_the_newest_entry_stays_even_over_the_budget(tmp_path):
    store = Store(tmp_path, max_bytes=10)
    aged(store, ["old", "new"])
    assert store.prune() == ["old"] and [e.key for e in store.entries()] == ["new"]


def test_an_entry_being_written_is_neither_counted_nor_pruned(tmp_path):
    store = Store(tmp_path, keep=1)
    aged(store, ["k1", "k2"])
    with store.making() as work:
        (work / "big.wav").write_bytes(PAYLOAD)
        being_written = tmp_path / ".k9.123.partial.blob"
        being_written.write_bytes(PAYLOAD)
        assert [e.key for e in store.entries()] == ["k2", "k1"] and store.size() < 3000
        assert store.prune() == ["k1"]
        assert (work / "big.wav").exists() and being_written.exists()
    old = time.time() - 2 * 24 * 3600  # a temporary of a process that died days ago
    os.utime(being_written, (old, old))
    store.prune()
    assert not being_written.exists() and [e.key for e in store.entries()] == ["k2"]
