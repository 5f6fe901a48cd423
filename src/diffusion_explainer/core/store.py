"""One content-addressed store for everything the project keeps between runs (parsed SVGs, demo
results, encoded audio, music beds, speech), with the same writing, checking and pruning for all.

An entry is named by a key (`core.keys.digest` of what it is made from) and is either
- a blob: one file `<key>.blob` that starts with a header line giving its payload's size and
  sha256, so that one rename puts the data and its check in place together (two processes writing
  the same key never leave one's data under the other's check); or
- a folder `<key>/` of files that other code opens by path (a WAV to mix, a soundtrack to mux),
  with CHECK_NAME inside listing each file's size and sha256, written before the folder is renamed
  into place.

Every write goes to a dot-named temporary (`.….partial…`, what core.files.sweep_partials removes)
and is renamed into place: nothing half-written is ever under an entry's name, and two writers of
one key both succeed and leave one good entry. Every read checks the sizes and the checksums
(sha256 runs at about 1 GB/s; measured: the 17 parsed texts of the two-scene example, 1 MB, are
checked in 0.8 ms, against 480 ms to unpickle them; a ten-minute soundtrack and its stems, about
190 MB, take 0.2 s); a damaged entry is removed, reported in one line and read as missing, so its
caller makes it again.
A read touches the entry, and `prune` lets the least recently used go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import PARTIAL_MARK

BLOB_SUFFIX = ".blob"
CHECK_NAME = "check.json"  # inside a folder entry: {relative path: [size, sha256]}
HEADER = b"diffusion-explainer cache 1"  # a blob's first line: HEADER, payload size, sha256
STALE_S = 24 * 3600  # a temporary this old belongs to a process that died: prune removes it
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_UNPICKLING_ERRORS = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, ValueError,
                      IndexError, KeyError)
_log = logging.getLogger("diffusion_explainer.cache")


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path  # the blob file or the entry's folder
    size: int  # bytes, every file of it
    used: float  # modification time: when it was last written or read


class Store:
    """One namespace of the cache, e.g. `Store(runtime.cache_dir("svg"), max_bytes=...)`.

    `keep` and `max_bytes` bound what `prune` leaves: the newest `keep` entries, and the newest
    whose total size is within `max_bytes` (the newest entry always stays: its caller may be using
    it). `report(line)` hears of every damaged entry; by default a warning of the
    "diffusion_explainer.cache" logger, which prints the line on stderr.
    """

    def __init__(self, folder: Path, *, keep: int | None = None, max_bytes: int | None = None,
                 report: Callable[[str], None] | None = None):
        self.folder = Path(folder)
        self.keep, self.max_bytes, self.report = keep, max_bytes, report

    # blobs

    def put_bytes(self, key: str, data: bytes) -> None:
        final = self._blob(key)
        header = b"%s %d %s\n" % (HEADER, len(data), hashlib.sha256(data).hexdigest().encode())
        with self._temporary(key, BLOB_SUFFIX) as tmp:
            with open(tmp, "wb") as f:
                f.write(header)
                f.write(data)
            os.replace(tmp, final)

    def get_bytes(self, key: str) -> bytes | None:
        """The blob's payload, checked; None if there is none or it was damaged (then removed)."""
        path = self._blob(key)
        try:
            with open(path, "rb") as f:
                identity = os.fstat(f.fileno()).st_ino
                header = f.readline(200)
                data = f.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as e:
            self._heal(key, path, None, f"unreadable: {e.strerror}")
            return None
        damage = _blob_damage(header, data)
        if damage is not None:
            self._heal(key, path, identity, damage)
            return None
        _touch(path)
        return data

    def put_object(self, key: str, value: Any) -> bytes:
        """Keep `value` pickled; returns the pickle."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.put_bytes(key, data)
        return data

    def get_object(self, key: str) -> Any | None:
        data = self.get_bytes(key)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except _UNPICKLING_ERRORS as e:  # intact bytes of an object this code cannot rebuild (a class moved)
            self.discard(key, f"cannot be unpickled: {type(e).__name__}")
            return None

    # folders

    @contextlib.contextmanager
    def making(self) -> Iterator[Path]:
        """A fresh, empty, dot-named folder in the store to make an entry's files in; hand it to
        `put_files`. Whatever is left of it afterwards is removed."""
        with self._temporary("new", "") as work:
            work.mkdir()
            yield work

    def put_files(self, key: str, source: Path) -> Path:
        """Make the files below `source` (a folder from `making`, moved in; anything else, copied)
        the entry `key`; returns the entry's folder. If another writer put the key first, its
        entry is kept (when intact) and `source` is dropped."""
        source = Path(source)
        if source.parent.resolve() != self.folder.resolve():
            with self.making() as work:
                shutil.copytree(source, work, dirs_exist_ok=True)
                return self.put_files(key, work)
        files = sorted(p for p in source.rglob("*") if p.is_file() and p.name != CHECK_NAME)
        check = {p.relative_to(source).as_posix(): [p.stat().st_size, _file_sha256(p)] for p in files}
        (source / CHECK_NAME).write_text(json.dumps(check, indent=1), encoding="utf-8")
        final = self._folder(key)
        for _ in range(3):
            try:
                os.replace(source, final)
                return final
            except OSError:
                if not final.is_dir():  # not a folder in the way: a real failure
                    raise
            if self.entry_dir(key) is not None:  # another writer's, intact: keep it
                shutil.rmtree(source, ignore_errors=True)
                return final
        raise OSError(f"cannot put {self.name}/{key}: another writer keeps replacing it")

    def entry_dir(self, key: str) -> Path | None:
        """The entry's folder, every file checked; None if there is none or it was damaged (then
        removed)."""
        final = self._folder(key)
        try:
            identity = final.stat().st_ino
        except FileNotFoundError:
            return None  # no entry (one being put now is renamed in whole, check and all)
        try:
            check = json.loads((final / CHECK_NAME).read_text(encoding="utf-8"))
        except FileNotFoundError:
            if not _same_inode(final, identity):
                return None  # removed or replaced meanwhile by another process: no damage seen
            damage = f"no {CHECK_NAME}"
        except (OSError, ValueError) as e:
            damage = f"{CHECK_NAME} unreadable: {type(e).__name__}"
        else:
            damage = _folder_damage(final, check)
        if damage is not None:
            if final.is_dir():  # (not gone meanwhile: a prune elsewhere is no damage)
                self._heal(key, final, identity, damage)
            return None
        _touch(final)
        return final

    # the whole store

    def discard(self, key: str, why: str) -> None:
        """Remove an entry whose contents its reader found unusable, and say so."""
        path = self._blob(key) if self._blob(key).exists() else self._folder(key)
        self._heal(key, path, None, why)

    def entries(self) -> list[Entry]:
        """Every finished entry, the most recently used first (temporaries are not entries)."""
        found = []
        try:
            listing = list(os.scandir(self.folder))
        except FileNotFoundError:
            return []
        for item in listing:
            try:
                if item.name.startswith("."):
                    continue
                if item.is_file() and item.name.endswith(BLOB_SUFFIX):
                    stat = item.stat()
                    found.append(Entry(item.name[: -len(BLOB_SUFFIX)], Path(item.path), stat.st_size, stat.st_mtime))
                elif item.is_dir() and os.path.exists(os.path.join(item.path, CHECK_NAME)):
                    path = Path(item.path)
                    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
                    found.append(Entry(item.name, path, size, item.stat().st_mtime))
            except FileNotFoundError:
                continue  # removed while listed
        return sorted(found, key=lambda e: e.used, reverse=True)

    def size(self) -> int:
        return sum(e.size for e in self.entries())

    def prune(self) -> list[str]:
        """Let the least recently used entries go, down to `keep` and `max_bytes`, and remove
        temporaries older than STALE_S; returns the keys removed."""
        removed, total = [], 0
        for index, entry in enumerate(self.entries()):
            total += entry.size
            over = (self.keep is not None and index >= self.keep) or \
                   (self.max_bytes is not None and total > self.max_bytes)
            if index > 0 and over:
                _remove(entry.path)
                removed.append(entry.key)
        self._sweep_stale()
        return removed

    @property
    def name(self) -> str:
        return self.folder.name

    def _blob(self, key: str) -> Path:
        return self.folder / f"{_checked_key(key)}{BLOB_SUFFIX}"

    def _folder(self, key: str) -> Path:
        return self.folder / _checked_key(key)

    @contextlib.contextmanager
    def _temporary(self, key: str, suffix: str) -> Iterator[Path]:
        """A name no other process or thread uses, removed on the way out if still there."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{key}.{os.getpid()}-{secrets.token_hex(4)}{PARTIAL_MARK}{suffix}"
        try:
            yield tmp
        finally:
            _remove(tmp)

    def _heal(self, key: str, path: Path, identity: int | None, damage: str) -> None:
        """Remove a damaged entry (unless another writer has replaced it meanwhile) and report it."""
        try:
            if identity is None or path.stat().st_ino == identity:
                _remove(path)
        except FileNotFoundError:
            pass
        (self.report or _log.warning)(f"cache: {self.name}/{key} was damaged ({damage}); made again")

    def _sweep_stale(self) -> None:
        limit = time.time() - STALE_S
        for path in self.folder.glob(f".*{PARTIAL_MARK}*"):
            with contextlib.suppress(FileNotFoundError):
                if path.lstat().st_mtime < limit:
                    _remove(path)


def _checked_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"a cache key is letters, digits, '-' and '_' (not starting with either): {key!r}")
    return key


def _blob_damage(header: bytes, data: bytes) -> str | None:
    """What is wrong with a blob read back, or None (sizes are the file's, header included)."""
    fields = header.split()
    if len(fields) != 5 or b" ".join(fields[:3]) != HEADER or not fields[3].isdigit():
        return "no header"
    size, digest = int(fields[3]), fields[4].decode("ascii", "replace")
    if len(data) != size:
        return f"size {len(header) + len(data):,} of {len(header) + size:,} bytes"
    if hashlib.sha256(data).hexdigest() != digest:
        return "checksum differs"
    return None


def _folder_damage(folder: Path, check: dict) -> str | None:
    try:
        listed = [(name, int(size), str(digest)) for name, (size, digest) in check.items()]
    except (AttributeError, TypeError, ValueError):
        listed = []
    if not listed:
        return f"{CHECK_NAME} lists no files"
    for name, size, digest in listed:
        path = folder / name
        try:
            actual = path.stat().st_size
            if actual != size:
                return f"{name}: size {actual:,} of {size:,} bytes"
            if _file_sha256(path) != digest:
                return f"{name}: checksum differs"
        except FileNotFoundError:
            return f"{name} missing"
    return None


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _touch(path: Path) -> None:
    """Mark an entry as just used (a store shared with a user who may not touch it: left as is)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _remove(path: Path) -> None:
    """Remove a file or folder; a folder is first renamed to a dot name, so that a reader sees
    the whole entry or none of it."""
    if path.is_dir() and not path.is_symlink():
        if not path.name.startswith("."):
            gone = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{PARTIAL_MARK}")
            try:
                os.rename(path, gone)
            except FileNotFoundError:
                return
            path = gone
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _same_inode(path: Path, identity: int) -> bool:
    try:
        return path.stat().st_ino == identity
    except OSError:
        return False
