"""Rescanning a PC folder every few seconds without stat'ing every file: directory mtimes.

A directory's mtime changes when an entry is created, renamed or deleted in it, but not when a file in
it is rewritten in place, which PokerGFX does as hands are played. So a folder's listing is reused
without a single stat of its files only when, at the time it was listed, the folder was quiet: neither
it nor any of its files had changed for `quiet_seconds` (every session in it over, or on a long break),
and only while its mtime stays the same. A quiet folder is still listed and stat'ed in full again
within `rescan_seconds` (at a random point of the second half of that period, so the rescans of many
folders spread over the ticks), which bounds how late a file rewritten after a long pause is seen;
the hourly reconciliation sweep rescans every PC from scratch besides.

Requiring the folder's mtime to be `quiet_seconds` old also guards against coarse mtimes (2 s on some
filesystems) and clock skew between the NAS and this host of less than that: a change after the
listing cannot carry the mtime the listing saw. A filesystem that does not keep directory mtimes is
caught when a rescan finds entries added or removed under an unchanged mtime: the watch then stops
trusting mtimes and lists every folder on every scan (`FolderScan.mtime_misses` names the folder).

Listings live in this process's memory, per PC folder: a restart costs one full scan. Directories
are stat'ed before they are listed, so a change made while listing shows as a new mtime next time.
"""

import hashlib
import os
import random
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from gfx_assets.lib.nas_sync.scan import FileStat, fingerprint_digest, list_directory, root_prefix


@dataclass(frozen=True, slots=True)
class WatchTiming:
    settle_seconds: float  # a file is settled once unchanged this long
    quiet_seconds: float  # a folder unchanged this long, its files too, is trusted by its mtime
    rescan_seconds: float  # every folder is listed in full at least this often (0: every scan)


@dataclass(frozen=True, slots=True)
class SettledFiles:
    """The settled export files directly in one directory, their fingerprint digest and newest mtime."""

    files: tuple[FileStat, ...]
    digest: str
    newest_ns: int

    @classmethod
    def of(cls, files: list[FileStat] | tuple[FileStat, ...], cutoff_ns: int) -> "SettledFiles":
        done = tuple(file for file in files if file.mtime_ns <= cutoff_ns)
        return cls(done, fingerprint_digest(done), max((file.mtime_ns for file in done), default=0))


@dataclass(frozen=True, slots=True)
class _Listing:
    """One directory as last listed: its mtime then, its export files and its subfolders."""

    mtime_ns: int
    files: tuple[FileStat, ...]
    subfolders: tuple[str, ...]
    listed_at: float
    rescan_share: float  # due for a full rescan this share of the rescan period after listed_at
    quiet: SettledFiles | None  # set when the folder and its files were unchanged for quiet_seconds

    def entries(self) -> set[str]:
        return {file.nas_path for file in self.files} | set(self.subfolders)


@dataclass(frozen=True, slots=True)
class FolderScan:
    """The settled export files of one PC folder, per directory (relative to the NAS root)."""

    folders: dict[str, SettledFiles]  # directories holding settled files
    listed: int  # directories listed (their files stat'ed) by this scan; the others were reused
    mtime_misses: tuple[str, ...]  # directories whose entries changed although their mtime did not

    @property
    def files(self) -> list[FileStat]:
        return [file for folder in self.folders.values() for file in folder.files]

    @property
    def digest(self) -> str:
        """A digest of the whole settled file set, from the per-directory digests: two scans of the same
        files give the same digest, in any process."""
        digest = hashlib.sha256()
        for name in sorted(self.folders):
            digest.update(f"{name}\0{self.folders[name].digest}\n".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()[:16]

    @property
    def newest_mtime_ns(self) -> int | None:
        return max((folder.newest_ns for folder in self.folders.values()), default=None)

    def not_in(self, earlier: "FolderScan") -> list[FileStat]:
        """Files of this scan that `earlier` does not hold with the same fingerprint."""
        changed = []
        for name, folder in self.folders.items():
            before = earlier.folders.get(name)
            if before is None or before.digest != folder.digest:
                known = set(before.files) if before else set()
                changed.extend(file for file in folder.files if file not in known)
        return changed


class FolderWatch:
    """The listings of one PC folder, kept between scans; safe to share between threads."""

    def __init__(self, nas_root: Path, watch_path: str) -> None:
        self._top = os.fspath(nas_root / watch_path)
        self._prefix = root_prefix(nas_root)
        self._listings: dict[str, _Listing] = {}
        self._trust_mtimes = True
        self._lock = threading.Lock()
        self._confirmed: FolderScan | None = None

    def scan(self, timing: WatchTiming, now: float) -> FolderScan:
        """The settled files now, listing only the directories that changed, are not quiet, or are due."""
        with self._lock:
            listings, listed, misses = self._walk(timing, now)
            self._listings = listings  # directories gone are forgotten
        cutoff_ns = int((now - timing.settle_seconds) * 1e9)
        folders = {path[self._prefix :]: _settled(listing, cutoff_ns) for path, listing in listings.items()}
        held = {name: folder for name, folder in folders.items() if folder.files}
        return FolderScan(held, listed, tuple(misses))

    def _walk(self, timing: WatchTiming, now: float) -> tuple[dict[str, _Listing], int, list[str]]:
        listings: dict[str, _Listing] = {}
        listed, misses = 0, []
        pending = [self._top]
        while pending:
            path = pending.pop()
            mtime_ns = self._mtime_ns(path)
            if mtime_ns is None:
                continue
            listing = self._reusable(path, mtime_ns, timing, now)
            if listing is None:
                listing = self._list(path, mtime_ns, timing, now)
                listed += 1
                if self._missed(path, listing):
                    misses.append(path[self._prefix :])
            listings[path] = listing
            pending.extend(listing.subfolders)
        return listings, listed, misses

    def confirm(self, scan: FolderScan) -> None:
        """Remember `scan` as a file set the caller found completely done (synced)."""
        self._confirmed = scan

    def unconfirmed(self, scan: FolderScan, confirmed_digest: str | None) -> list[FileStat] | None:
        """The files of `scan` that the confirmed scan with this digest did not hold as they are now,
        or None when this process remembers no such scan (restarted, or the digest is another's)."""
        confirmed = self._confirmed
        if confirmed is None or confirmed_digest is None or confirmed.digest != confirmed_digest:
            return None
        return scan.not_in(confirmed)

    def _mtime_ns(self, path: str) -> int | None:
        """The directory's mtime; the PC folder itself may be a symlink (the registry checked where to)."""
        try:
            status = os.stat(path) if path == self._top else os.lstat(path)
        except OSError:
            return None
        return status.st_mtime_ns if stat.S_ISDIR(status.st_mode) else None

    def _reusable(self, path: str, mtime_ns: int, timing: WatchTiming, now: float) -> _Listing | None:
        listing = self._listings.get(path)
        if listing is None or listing.quiet is None or not self._trust_mtimes:
            return None
        due = now >= listing.listed_at + timing.rescan_seconds * listing.rescan_share
        return listing if listing.mtime_ns == mtime_ns and not due else None

    def _list(self, path: str, mtime_ns: int, timing: WatchTiming, now: float) -> _Listing:
        files, subfolders = list_directory(path, self._prefix)
        quiet_ns = int((now - max(timing.quiet_seconds, timing.settle_seconds)) * 1e9)
        quiet = mtime_ns <= quiet_ns and all(file.mtime_ns <= quiet_ns for file in files)
        settled = SettledFiles.of(files, quiet_ns) if quiet else None
        return _Listing(mtime_ns, tuple(files), tuple(subfolders), now, random.uniform(0.5, 1.0), settled)

    def _missed(self, path: str, listing: _Listing) -> bool:
        """A quiet folder listed again under the same mtime with other entries: this filesystem does not
        keep directory mtimes, so they are not trusted from now on."""
        before = self._listings.get(path)
        if before is None or before.quiet is None or before.mtime_ns != listing.mtime_ns:
            return False
        if before.entries() == listing.entries():
            return False
        self._trust_mtimes = False
        return True


def _settled(listing: _Listing, cutoff_ns: int) -> SettledFiles:
    return listing.quiet if listing.quiet is not None else SettledFiles.of(listing.files, cutoff_ns)


_WATCHES: dict[tuple[str, str], FolderWatch] = {}
_WATCHES_LOCK = threading.Lock()


def folder_watch(nas_root: Path, watch_path: str) -> FolderWatch:
    """The one watch of this PC folder in this process."""
    key = (os.fspath(nas_root), watch_path)
    with _WATCHES_LOCK:
        if key not in _WATCHES:
            _WATCHES[key] = FolderWatch(nas_root, watch_path)
        return _WATCHES[key]


def forget_folder_watches() -> None:
    """Drop every listing kept in memory, as a restart does (the next scans list everything)."""
    with _WATCHES_LOCK:
        _WATCHES.clear()
