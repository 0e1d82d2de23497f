"""Finding PokerGFX exports under a PC folder by stat alone (contents are never read here)."""

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FileStat:
    """A NAS file's fingerprint: its path relative to the NAS root, size and mtime (ns)."""

    nas_path: str
    size: int
    mtime_ns: int

    @property
    def mtime(self) -> datetime:
        """mtime at microsecond precision, exactly as PostgreSQL's timestamptz keeps it."""
        return _EPOCH + timedelta(microseconds=self.mtime_ns // 1000)

    @property
    def stored_path(self) -> str:
        """`nas_path` as the database stores it (see `storable`)."""
        return storable(self.nas_path)

    @property
    def key(self) -> tuple[str, int, datetime]:
        """What the manifest compares: a file whose key changed must be synced again."""
        return self.stored_path, self.size, self.mtime

    @property
    def file_name(self) -> str:
        return self.nas_path.rsplit("/", 1)[-1]


def storable(text: str) -> str:
    """Text PostgreSQL can store. A file name that is not valid UTF-8 reaches Python with surrogate
    escapes, which no database accepts; its undecodable bytes are written as `\\xNN` instead."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_export_name(name: str) -> bool:
    """`*.json`, but not hidden or editor temp files (`.x.json`, `~x.json`)."""
    return name.lower().endswith(".json") and not name.startswith((".", "~"))


def scan_folder(nas_root: Path, watch_path: str) -> Iterator[FileStat]:
    """Every `*.json` regular file under `nas_root/watch_path`, recursively (date subfolders included).

    Directory symlinks are not followed, so a link cannot lead the scan outside the PC folder.
    """
    prefix = root_prefix(nas_root)
    pending = [os.fspath(nas_root / watch_path)]
    while pending:
        files, subfolders = list_directory(pending.pop(), prefix)
        yield from files
        pending.extend(subfolders)


def root_prefix(nas_root: Path) -> int:
    """How many characters of an absolute path under `nas_root` name the root (slash included)."""
    return len(os.path.join(os.fspath(nas_root), ""))


def list_directory(path: str, prefix: int) -> tuple[list[FileStat], list[str]]:
    """The export files directly in `path` and its subfolders (symlinks not followed); a folder
    that cannot be listed has neither. Files that vanish between listing and stat are left out.

    Hot loop of every scan, hence plain strings: `entry.path[prefix:]` is the path relative to the
    NAS root (a `Path(...).relative_to(root)` per file made the scan several times slower)."""
    files: list[FileStat] = []
    subfolders: list[str] = []
    try:
        with os.scandir(path) as listing:
            entries = list(listing)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return files, subfolders
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            subfolders.append(entry.path)
        elif is_export_name(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            files.append(FileStat(entry.path[prefix:], stat.st_size, stat.st_mtime_ns))
    return files, subfolders


def stat_files(nas_root: Path, nas_paths: Iterable[str]) -> Iterator[FileStat]:
    """Fingerprints of named files; files that vanished meanwhile are left out."""
    for nas_path in nas_paths:
        try:
            stat = (nas_root / nas_path).stat()
        except OSError:
            continue
        yield FileStat(nas_path, stat.st_size, stat.st_mtime_ns)


def settled(files: Iterable[FileStat], settle_seconds: float, now: float) -> list[FileStat]:
    """Files not modified for `settle_seconds`: PokerGFX is done rewriting them for now."""
    cutoff_ns = int((now - settle_seconds) * 1e9)
    return [file for file in files if file.mtime_ns <= cutoff_ns]


def written_within(file: FileStat, seconds: float, now: float) -> bool:
    """The one in-flight rule, shared by ingestion and the reconciliation check: a file modified less
    than `seconds` ago may still be being written by PokerGFX."""
    return now - file.mtime_ns / 1e9 < seconds


def fingerprint_digest(files: Iterable[FileStat]) -> str:
    """A short digest of (path, size, mtime) of these files: a rewritten file changes it."""
    ordered = sorted(files, key=lambda file: file.nas_path)
    text = "".join(f"{file.nas_path}\0{file.size}\0{file.mtime_ns}\n" for file in ordered)
    # surrogateescape: a file name that is not UTF-8 keeps its bytes (strict encoding would raise)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]
